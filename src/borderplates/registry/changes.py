"""Applying what another registry recorded: the records of a chain, or a snapshot of the rows a site must know.

The centre applies the records a site pushes; a site applies the records it pulls from
the centre (other sites' registrations, stickers, warnings and fines, crossing status,
and what the centre itself changed, such as a cancellation); a site being joined or
rebuilt applies a snapshot. One :class:`Applier` does all three, the same way:

- Records are found by their global id (``uid``), so applying one twice changes
  nothing the second time; references between records travel as global ids (a vehicle
  by issuer and plate, a registration by uid), never as the integer ids of one registry.
- Nothing a record's origin wrote is overwritten by another origin: a registration is
  ended once (the first end that arrives holds; a different later end is a conflict),
  facts about a vehicle are only filled in where unknown.
- Conflicts are recorded, not resolved (at the centre): a vehicle holding active
  registrations from two origins for one jurisdiction, a registration number that
  another origin's registration already carries (that registration is then not
  written as a row; its record stays in the chain), a registration ended differently
  by two origins (expiry, which every registry reaches alike, is never one).

A record's request key is kept only by the registry of its origin (request keys are
the origin's way of answering a retried request); elsewhere it is left empty.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

import sqlalchemy as sa

from borderplates.registry.audit import ChainRefused
from borderplates.registry.driver import Driver
from borderplates.registry.ids import uuid7
from borderplates.registry.sites import Conflict
from borderplates.registry.tables import crossing_status_changes, enforcement_actions, sticker_issuances, temporary_registrations, vehicles
from borderplates.vocabulary import HOLDER_LENGTH, ConflictKind, Direction, Mode, RegistrationStatus, Rejection

#: The kinds of record a site pulls from the centre: what a check or an issuance at another site relies on.
PULLED = ("temporary_registration", "sticker_issuance", "warning", "fine", "crossing_status")
#: The action of a change that carries a whole row as it stands (from a snapshot).
SNAPSHOT = "snapshot"
_ENDS = {"expire": RegistrationStatus.EXPIRED, "return": RegistrationStatus.RETURNED, "cancel": RegistrationStatus.CANCELLED}

_VEHICLE_ID = "SELECT id, vin, resident FROM vehicles WHERE issuer = ? AND plate = ?"
_INSERT_VEHICLE = (
    "INSERT INTO vehicles (issuer, plate, plate_kind, area_code, vehicle_class, resident, vin, created_at, uid, origin) "
    "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (issuer, plate) DO NOTHING RETURNING id"
)
_REGISTRATION = "SELECT id, status, origin FROM temporary_registrations WHERE uid = ?"
_NUMBER = "SELECT uid, origin FROM temporary_registrations WHERE number = ?"
_INSERT_REGISTRATION = (
    "INSERT INTO temporary_registrations (number, vehicle_id, jurisdiction, valid_from, valid_until, fee_minor, fee_currency, rule_id, rule_version, "
    "issued_at, issuing_point, clerk, status, status_changed_at, status_reason, renews_id, request_key, holder, uid, origin) "
    "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (number) DO NOTHING RETURNING id"
)
_OTHER_ACTIVE = (
    "SELECT uid, origin, number FROM temporary_registrations WHERE vehicle_id = ? AND jurisdiction = ? AND status = 'active' AND origin <> ? AND uid <> ?"
)
_END = "UPDATE temporary_registrations SET status = ?, status_changed_at = ?, status_reason = ? WHERE id = ?"
_FILL_VEHICLE = "UPDATE vehicles SET vin = coalesce(vin, ?), resident = coalesce(resident, ?) WHERE id = ?"
_INSERT_CROSSING = (
    "INSERT INTO crossings (vehicle_id, point, direction, jurisdiction, mode, lane, at, decision, officer, rule_id, rule_version, registration_id, "
    "request_key, uid, origin) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
)
_INSERT_STICKER = (
    "INSERT INTO sticker_issuances (vehicle_id, jurisdiction, rule_id, rule_version, issued_at, point, officer, request_key, uid, origin) "
    "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
)
_INSERT_ACTION = (
    "INSERT INTO enforcement_actions (vehicle_id, jurisdiction, kind, phase, amount_minor, currency, rule_id, rule_version, at, point, officer, note, "
    "request_key, uid, origin) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
)
_INSERT_STATUS = (
    "INSERT INTO crossing_status_changes (point, entering, mode, state, since, until, reason, source, set_by, recorded_at, uid, origin) "
    "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
)
_INSERT_QUEUE = (
    "INSERT INTO queue_observations (point, entering, mode, at, lanes_open, vehicles, metres, wait_minutes, served_per_lane_per_hour, observed_by, "
    "uid, origin) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
)
R, V, S, E, C = temporary_registrations, vehicles, sticker_issuances, enforcement_actions, crossing_status_changes
_TABLES = {
    "vehicle": "vehicles",
    "temporary_registration": "temporary_registrations",
    "crossing": "crossings",
    "sticker_issuance": "sticker_issuances",
    "warning": "enforcement_actions",
    "fine": "enforcement_actions",
    "crossing_status": "crossing_status_changes",
    "queue": "queue_observations",
}


@dataclass(frozen=True, slots=True)
class Change:
    """What one record says (or one row of a snapshot), ready to be applied to any registry."""

    origin: str
    seq: int | None
    entity: str
    action: str
    uid: str | None
    refs: Mapping[str, Any]
    at: dt.datetime
    actor: str
    point: str | None
    after: Mapping[str, Any]
    reason: str | None

    @classmethod
    def of(cls, fields: Mapping[str, Any], seq: int | None = None) -> Change:
        """The change a record's fields (as :func:`borderplates.registry.audit.parse_record` gives them) describe."""
        return cls(
            fields["origin"],
            seq,
            fields["entity"],
            fields["action"],
            fields.get("uid"),
            fields.get("refs") or {},
            dt.datetime.fromisoformat(fields["at"]),
            fields["actor"],
            fields.get("point"),
            fields.get("after") or {},
            fields.get("reason"),
        )

    def as_json(self) -> dict[str, Any]:
        """The change as a snapshot carries it."""
        return {
            "origin": self.origin,
            "entity": self.entity,
            "action": self.action,
            "uid": self.uid,
            "refs": dict(self.refs),
            "at": self.at.isoformat(),
            "actor": self.actor,
            "point": self.point,
            "after": dict(self.after),
            "reason": self.reason,
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Change:
        return cls(
            data["origin"],
            None,
            data["entity"],
            data["action"],
            data.get("uid"),
            data.get("refs") or {},
            dt.datetime.fromisoformat(data["at"]),
            data["actor"],
            data.get("point"),
            data.get("after") or {},
            data.get("reason"),
        )


class Applier:
    """Applies changes from other registries inside one unit of work's transaction.

    ``here`` is the origin of the registry applied to; with ``detect`` (at the centre) conflicts are
    returned for recording. ``fresh`` says that every record created is new to the registry (a chain
    taken record by record, each exactly once), so that it need not be looked for first. Vehicles and
    registrations met are remembered for the rest of the transaction. Malformed changes raise
    :class:`~borderplates.registry.audit.ChainRefused`.
    """

    def __init__(self, conn: sa.Connection, here: str, *, detect: bool, fresh: bool = False) -> None:
        self._driver = driver = Driver(conn)
        self._here = here
        self._detect = detect
        self._fresh = fresh
        self._vehicles: dict[tuple[str, str], int] = {}
        self._registrations: dict[str, int] = {}
        self._sql = {name: driver.statement(sql) for name, sql in _STATEMENTS.items()}
        self._exists = {entity: driver.statement(f"SELECT 1 FROM {table} WHERE uid = ?") for entity, table in _TABLES.items()}
        self._apply: dict[str, Callable[[Change], list[Conflict]]] = {
            "vehicle": self._vehicle,
            "temporary_registration": self._registration,
            "crossing": self._crossing,
            "sticker_issuance": self._sticker,
            "warning": self._action,
            "fine": self._action,
            "crossing_status": self._status,
            "queue": self._queue,
        }

    def apply(self, change: Change) -> list[Conflict]:
        """Apply one change; returns the conflicts it met (always none without ``detect``)."""
        apply = self._apply.get(change.entity)
        if apply is None or change.uid is None:
            return []  # accounts, imports, a site's restore, records from before global ids: held in the chain, nothing to apply
        try:
            return apply(change)
        except (KeyError, TypeError, ValueError, InvalidOperation) as error:
            raise ChainRefused(Rejection.MALFORMED, change.origin, change.seq or 0, f"its {change.entity} cannot be applied ({error!s:.100})") from None

    # ------------------------------------------------------------------ kinds of record

    def _vehicle(self, change: Change) -> list[Conflict]:
        after = change.after
        if change.action == "create":
            ref = {"issuer": after["issuer"], "plate": after["plate"], "kind": after["plate_kind"], "area": after["area_code"], "class": after["vehicle_class"]}
            vehicle = self._vehicle_id(ref, change, uid=change.uid, created_at=_moment(after["created_at"]))
        else:
            vehicle = self._vehicle_id(change.refs["vehicle"], change)
        vin, resident = _text(after.get("vin")), _text(after.get("resident"))
        if vin is not None or resident is not None:
            self._run("fill_vehicle", (vin, resident, vehicle))
        return []

    def _registration(self, change: Change) -> list[Conflict]:
        end = _ENDS.get(change.action)
        if end is not None:
            return self._end(change, end)
        if self._known("temporary_registration", change):
            if change.action == SNAPSHOT:
                status = RegistrationStatus(change.after["status"])
                if status != RegistrationStatus.ACTIVE:
                    return self._end(change, status, _moment(change.after["status_changed_at"]), change.after.get("status_reason"))
            return []
        after, d = change.after, self._driver
        number = str(after["number"])
        vehicle = self._vehicle_id(change.refs["vehicle"], change)
        renews = self._row_id("temporary_registration", change.refs.get("renews"))
        fee = after["fee"]
        status = RegistrationStatus(after.get("status", RegistrationStatus.ACTIVE))
        issued_at = _moment(after["issued_at"])
        changed_at = _moment(after["status_changed_at"]) if after.get("status_changed_at") else issued_at
        params: tuple[Any, ...] = (number, vehicle, after["jurisdiction"], d.day(_day(after["valid_from"])), d.day(_day(after["valid_until"])))
        params += (int(Decimal(fee["amount"]) * 100), fee["currency"], after["rule_id"], after["rule_version"], d.moment(issued_at), after["issuing_point"])
        params += (after["clerk"], str(status), d.moment(changed_at), after.get("status_reason"), renews, self._key(change))
        params += (_text(after.get("holder"), HOLDER_LENGTH), change.uid, change.origin)
        inserted = self._one("insert_registration", params)
        if inserted is None:
            taken = self._one("number", (number,))
            detail = f"registration {number} from {change.origin} was not written: {taken[1]}'s registration {taken[0]} carries the number"
            return self._conflicts(ConflictKind.NUMBER_TAKEN, change, None, taken[0], change.uid or "", detail)
        self._registrations[str(change.uid)] = int(inserted[0])
        if not self._detect or status != RegistrationStatus.ACTIVE:
            return []
        found: list[Conflict] = []
        for other_uid, other_origin, other_number in self._all("other_active", (vehicle, after["jurisdiction"], change.origin, change.uid)):
            detail = (
                f"{change.refs['vehicle']['plate']} holds registration {other_number} from {other_origin} and {number} from {change.origin}, "
                f"both active for {after['jurisdiction']}; cancel one, with the reason"
            )
            found += self._conflicts(ConflictKind.TWO_ACTIVE, change, after["jurisdiction"], other_uid, change.uid or "", detail)
        return found

    def _end(self, change: Change, status: RegistrationStatus, at: dt.datetime | None = None, reason: str | None = None) -> list[Conflict]:
        row = self._one("registration", (change.uid,))
        if row is None:
            return []  # a registration this registry never held (ended before a snapshot, or issued before a site joined)
        row_id, current, owner = row
        if current == RegistrationStatus.ACTIVE:
            self._run("end", (str(status), self._driver.moment(at or change.at), reason if at else change.reason, row_id))
            return []
        if not self._detect or current == status or RegistrationStatus.EXPIRED in (current, status):
            return []
        detail = f"a registration of {owner} was {current} already when {change.origin} {status} it; it stays {current}"
        return self._conflicts(ConflictKind.ENDED_TWICE, change, None, change.uid or "", change.uid or "", detail)

    def _crossing(self, change: Change) -> list[Conflict]:
        if self._known("crossing", change):
            return []
        after, d = change.after, self._driver
        vehicle = self._vehicle_id(change.refs["vehicle"], change)
        registration = self._row_id("temporary_registration", change.refs.get("registration"))
        direction, mode = Direction(after["direction"]), Mode(after["mode"])
        params: tuple[Any, ...] = (vehicle, after["point"], str(direction), after["jurisdiction"], str(mode), after.get("lane"), d.moment(_moment(after["at"])))
        params += (
            after["decision"],
            after["officer"],
            after.get("rule_id"),
            after.get("rule_version"),
            registration,
            self._key(change),
            change.uid,
            change.origin,
        )
        self._run("insert_crossing", params)
        return []

    def _sticker(self, change: Change) -> list[Conflict]:
        if self._known("sticker_issuance", change):
            return []
        after, d = change.after, self._driver
        vehicle = self._vehicle_id(change.refs["vehicle"], change)
        params = (
            vehicle,
            after["jurisdiction"],
            after["rule_id"],
            after["rule_version"],
            d.moment(_moment(after["issued_at"])),
            after["point"],
            after["officer"],
        )
        self._run("insert_sticker", (*params, self._key(change), change.uid, change.origin))
        return []

    def _action(self, change: Change) -> list[Conflict]:
        if self._known(change.entity, change):
            return []
        after, d = change.after, self._driver
        vehicle = self._vehicle_id(change.refs["vehicle"], change)
        amount = after.get("amount_minor")
        params: tuple[Any, ...] = (
            vehicle,
            after["jurisdiction"],
            change.entity,
            after["phase"],
            int(amount) if amount is not None else None,
            after.get("currency"),
        )
        params += (after["rule_id"], after["rule_version"], d.moment(_moment(after["at"])), after["point"], after["officer"], after.get("note"))
        self._run("insert_action", (*params, self._key(change), change.uid, change.origin))
        return []

    def _status(self, change: Change) -> list[Conflict]:
        if self._known("crossing_status", change):
            return []
        after, d = change.after, self._driver
        until = _moment(after["until"]) if after.get("until") else None
        params = (
            after["point"],
            after["entering"],
            str(Mode(after["mode"])),
            after["state"],
            d.moment(_moment(after["since"])),
            d.moment(until) if until else None,
        )
        self._run("insert_status", (*params, change.reason, after.get("source"), change.actor, d.moment(change.at), change.uid, change.origin))
        return []

    def _queue(self, change: Change) -> list[Conflict]:
        if self._known("queue", change):
            return []
        after, d = change.after, self._driver
        params = (after["point"], after["entering"], str(Mode(after["mode"])), d.moment(change.at), int(after["lanes_open"]), after.get("vehicles"))
        self._run("insert_queue", (*params, after.get("metres"), after.get("wait_minutes"), None, change.actor, change.uid, change.origin))
        return []

    # ------------------------------------------------------------------ helpers

    def _vehicle_id(self, ref: Mapping[str, Any], change: Change, *, uid: str | None = None, created_at: dt.datetime | None = None) -> int:
        """The vehicle a reference names (issuer and plate), created from the facts it carries when this registry does not know it."""
        key = (str(ref["issuer"]), str(ref["plate"]))
        known = self._vehicles.get(key)
        if known is not None:
            return known
        found = self._one("vehicle", key)
        if found is None:
            d = self._driver
            params = (*key, ref["kind"], ref.get("area"), ref["class"], None, None, d.moment(created_at or change.at), uid or uuid7(), change.origin)
            found = self._one("insert_vehicle", params) or self._one("vehicle", key)
        self._vehicles[key] = vehicle = int(found[0])
        return vehicle

    def _known(self, entity: str, change: Change) -> bool:
        if self._fresh and change.action != SNAPSHOT:
            return False
        return self._driver.one(self._exists[entity], (change.uid,)) is not None

    def _row_id(self, entity: str, uid: object) -> int | None:
        if not isinstance(uid, str):
            return None
        if entity == "temporary_registration" and uid in self._registrations:
            return self._registrations[uid]
        row = self._driver.one(self._driver.statement(f"SELECT id FROM {_TABLES[entity]} WHERE uid = ?"), (uid,))
        return int(row[0]) if row is not None else None

    def _key(self, change: Change) -> str | None:
        key = change.after.get("request_key")
        return str(key) if key is not None and change.origin == self._here else None

    def _conflicts(self, kind: ConflictKind, change: Change, jurisdiction: str | None, first: str, second: str, detail: str) -> list[Conflict]:
        if not self._detect:
            return []
        vehicle = change.refs.get("vehicle") or {}
        at = dt.datetime.now(dt.UTC)
        return [Conflict(0, kind, at, vehicle.get("issuer"), vehicle.get("plate"), jurisdiction, first, second, change.origin, change.seq, detail)]

    def _one(self, name: str, params: tuple[Any, ...]) -> Any:
        return self._driver.one(self._sql[name], params)

    def _all(self, name: str, params: tuple[Any, ...]) -> list[Any]:
        return self._driver.all(self._sql[name], params)

    def _run(self, name: str, params: tuple[Any, ...]) -> None:
        self._driver.execute(self._sql[name], params)


_STATEMENTS = {
    "vehicle": _VEHICLE_ID,
    "insert_vehicle": _INSERT_VEHICLE,
    "fill_vehicle": _FILL_VEHICLE,
    "registration": _REGISTRATION,
    "number": _NUMBER,
    "insert_registration": _INSERT_REGISTRATION,
    "other_active": _OTHER_ACTIVE,
    "end": _END,
    "insert_crossing": _INSERT_CROSSING,
    "insert_sticker": _INSERT_STICKER,
    "insert_action": _INSERT_ACTION,
    "insert_status": _INSERT_STATUS,
    "insert_queue": _INSERT_QUEUE,
}


def _moment(value: Any) -> dt.datetime:
    moment = dt.datetime.fromisoformat(value) if isinstance(value, str) else value
    if not isinstance(moment, dt.datetime) or moment.tzinfo is None:
        raise ValueError(f"{value!r} is not a moment with a UTC offset")
    return moment


def _day(value: Any) -> dt.date:
    if not isinstance(value, str):
        raise ValueError(f"{value!r} is not a date")
    return dt.date.fromisoformat(value)


def _text(value: Any, limit: int | None = None) -> str | None:
    """Optional text from a change; longer than ``limit`` is malformed."""
    if not value:
        return None
    text = str(value)
    if limit is not None and len(text) > limit:
        raise ValueError(f"a text of {len(text)} characters where at most {limit} are allowed")
    return text


# -------------------------------------------------------------------------------- snapshots


def snapshot(conn: sa.Connection, site: str, *, own: bool) -> Iterator[Change]:
    """The rows a site must know, as they stand, each as a change: the active registrations of other origins (with ``own``,
    also every registration of ``site``, for what others did to them), and every sticker, warning, fine and crossing
    status change of other origins."""
    renewed = R.alias("renewed")
    wanted = sa.and_(R.c.origin != site, R.c.status == str(RegistrationStatus.ACTIVE))
    registrations = (
        sa.select(R, *_vehicle_columns(V), renewed.c.uid.label("renews_uid"))
        .join(V, V.c.id == R.c.vehicle_id)
        .outerjoin(renewed, renewed.c.id == R.c.renews_id)
        .where(sa.or_(wanted, R.c.origin == site) if own else wanted, R.c.uid.is_not(None))
        .order_by(R.c.id)
    )
    for row in _streamed(conn, registrations):
        fee = {"amount": f"{Decimal(row.fee_minor) / 100:.2f}", "currency": row.fee_currency}
        after = {
            "number": row.number,
            "jurisdiction": row.jurisdiction,
            "valid_from": row.valid_from.isoformat(),
            "valid_until": row.valid_until.isoformat(),
            "fee": fee,
            "rule_id": row.rule_id,
            "rule_version": row.rule_version,
            "issued_at": row.issued_at.isoformat(),
            "issuing_point": row.issuing_point,
            "clerk": row.clerk,
            "status": row.status,
            "status_changed_at": row.status_changed_at.isoformat(),
            "status_reason": row.status_reason,
            "holder": row.holder,
        }
        refs: dict[str, Any] = {"vehicle": _vehicle_ref(row)}
        if row.renews_uid is not None:
            refs["renews"] = row.renews_uid
        yield Change(row.origin, None, "temporary_registration", SNAPSHOT, row.uid, refs, row.issued_at, row.clerk, row.issuing_point, after, None)
    stickers = sa.select(S, *_vehicle_columns(V)).join(V, V.c.id == S.c.vehicle_id).where(S.c.origin != site, S.c.uid.is_not(None)).order_by(S.c.id)
    for row in _streamed(conn, stickers):
        after = {
            "jurisdiction": row.jurisdiction,
            "rule_id": row.rule_id,
            "rule_version": row.rule_version,
            "issued_at": row.issued_at.isoformat(),
            "point": row.point,
            "officer": row.officer,
        }
        yield Change(row.origin, None, "sticker_issuance", "issue", row.uid, {"vehicle": _vehicle_ref(row)}, row.issued_at, row.officer, row.point, after, None)
    actions = sa.select(E, *_vehicle_columns(V)).join(V, V.c.id == E.c.vehicle_id).where(E.c.origin != site, E.c.uid.is_not(None)).order_by(E.c.id)
    for row in _streamed(conn, actions):
        after = {
            "jurisdiction": row.jurisdiction,
            "kind": row.kind,
            "phase": row.phase,
            "amount_minor": row.amount_minor,
            "currency": row.currency,
            "rule_id": row.rule_id,
            "rule_version": row.rule_version,
            "at": row.at.isoformat(),
            "point": row.point,
            "officer": row.officer,
            "note": row.note,
        }
        yield Change(row.origin, None, row.kind, "record", row.uid, {"vehicle": _vehicle_ref(row)}, row.at, row.officer, row.point, after, None)
    for row in _streamed(conn, sa.select(C).where(C.c.origin != site, C.c.uid.is_not(None)).order_by(C.c.id)):
        after = {
            "point": row.point,
            "entering": row.entering,
            "mode": row.mode,
            "state": row.state,
            "since": row.since.isoformat(),
            "until": row.until.isoformat() if row.until else None,
            "source": row.source,
        }
        yield Change(row.origin, None, "crossing_status", "set_status", row.uid, {}, row.recorded_at, row.set_by, row.point, after, row.reason)


def _vehicle_columns(v: sa.Table) -> tuple[sa.Label[Any], ...]:
    return (
        v.c.issuer.label("v_issuer"),
        v.c.plate.label("v_plate"),
        v.c.plate_kind.label("v_kind"),
        v.c.area_code.label("v_area"),
        v.c.vehicle_class.label("v_class"),
    )


def _vehicle_ref(row: Any) -> dict[str, Any]:
    return {"issuer": row.v_issuer, "plate": row.v_plate, "kind": row.v_kind, "area": row.v_area, "class": row.v_class}


def _streamed(conn: sa.Connection, query: sa.Select[Any]) -> Iterator[Any]:
    yield from conn.execution_options(stream_results=True, yield_per=2000).execute(query)
