"""Stickers, warnings and fines, each recorded against the vehicle and the rule that demanded it."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa

from borderplates import reference
from borderplates.errors import ConflictError
from borderplates.law import Money, Ruling
from borderplates.registry import Database, repository
from borderplates.registry.tables import enforcement_actions, sticker_issuances
from borderplates.services import common
from borderplates.services import law as law_services


@dataclass(frozen=True)
class Action:
    """A sticker issuance, a warning or a fine."""

    kind: str
    plate: str
    jurisdiction: str
    at: dt.datetime
    point: str
    officer: str
    rule_id: str
    rule_version: str
    amount: Money | None = None

    def as_json(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "plate": self.plate,
            "jurisdiction": self.jurisdiction,
            "at": self.at.isoformat(),
            "point": self.point,
            "officer": self.officer,
            "rule": {"id": self.rule_id, "effective_from": self.rule_version},
            "amount": self.amount.as_json() if self.amount else None,
        }


def issue_sticker(
    plate_text: str,
    jurisdiction: str,
    at: dt.datetime,
    *,
    point: str,
    officer: str,
    request_key: str | None = None,
    resident: str | None = None,
    registered_on: dt.date | None = None,
    db: Database | None = None,
) -> Action:
    """Record the stickers that cover the state symbols, when the law requires them."""
    ruling, where, officer, key = _ruled(plate_text, jurisdiction, at, point, officer, request_key, resident, registered_on, "cover_symbols")
    plate = ruling.vehicle.plate
    action = Action("sticker", plate.canonical, ruling.jurisdiction, at, where, officer, ruling.rule.id, ruling.version.id)
    database = common.database(db)
    try:
        with database.write() as conn:
            if key is not None and (existing := repository.by_request_key(conn, sticker_issuances, key)) is not None:
                return _replay(conn, existing, plate, "sticker")
            vehicle = repository.ensure_vehicle(conn, plate, at, actor=officer, point=where)
            earlier = repository.sticker_for(conn, vehicle, ruling.jurisdiction, ruling.rule.id, ruling.version.id)
            if earlier is not None:
                raise ConflictError(f"stickers were already issued to {plate.canonical} on {earlier.issued_at:%Y-%m-%d} at {earlier.point} under this rule")
            values = {
                "vehicle_id": vehicle,
                "jurisdiction": ruling.jurisdiction,
                "rule_id": ruling.rule.id,
                "rule_version": ruling.version.id,
                "issued_at": at,
                "point": where,
                "officer": officer,
                "request_key": key,
            }
            new_id = repository.insert(conn, sticker_issuances, values)
            repository.audit(conn, at=at, actor=officer, point=where, action="issue", entity="sticker_issuance", entity_id=new_id, before=None, after=values)
    except sa.exc.IntegrityError:
        if (replayed := _replay_after_race(database, sticker_issuances, key, plate, "sticker")) is not None:
            return replayed
        raise ConflictError(f"stickers for {plate.canonical} were issued at the same moment by someone else") from None
    return action


def record_warning(
    plate_text: str,
    jurisdiction: str,
    at: dt.datetime,
    *,
    point: str,
    officer: str,
    note: str | None = None,
    request_key: str | None = None,
    resident: str | None = None,
    registered_on: dt.date | None = None,
    db: Database | None = None,
) -> Action:
    """Record a warning when the law is in its warning phase."""
    return _record("warning", "warn", plate_text, jurisdiction, at, point, officer, note, request_key, resident, registered_on, db)


def record_fine(
    plate_text: str,
    jurisdiction: str,
    at: dt.datetime,
    *,
    point: str,
    officer: str,
    note: str | None = None,
    request_key: str | None = None,
    resident: str | None = None,
    registered_on: dt.date | None = None,
    db: Database | None = None,
) -> Action:
    """Record a fine of the amount the law sets, when the law is in a fine phase."""
    return _record("fine", "fine", plate_text, jurisdiction, at, point, officer, note, request_key, resident, registered_on, db)


def _record(
    kind: str,
    phase: str,
    plate_text: str,
    jurisdiction: str,
    at: dt.datetime,
    point: str,
    officer: str,
    note: str | None,
    request_key: str | None,
    resident: str | None,
    registered_on: dt.date | None,
    db: Database | None,
) -> Action:
    ruling, where, officer, key = _ruled(plate_text, jurisdiction, at, point, officer, request_key, resident, registered_on, None)
    plate = ruling.vehicle.plate
    enforcement = ruling.enforcement
    if enforcement is None or enforcement.phase != phase:
        current = enforcement.phase.replace("_", " ") if enforcement else "nothing"
        raise ConflictError(f"the law does not {phase} {plate.canonical} on {ruling.local_at.date()}: rule {ruling.rule.id} enforces {current}")
    amount = enforcement.fine
    database = common.database(db)
    try:
        with database.write() as conn:
            if key is not None and (existing := repository.by_request_key(conn, enforcement_actions, key)) is not None:
                return _replay(conn, existing, plate, kind)
            vehicle = repository.ensure_vehicle(conn, plate, at, actor=officer, point=where)
            values = {
                "vehicle_id": vehicle,
                "jurisdiction": ruling.jurisdiction,
                "kind": kind,
                "phase": phase,
                "amount_minor": common.to_minor(amount) if amount else None,
                "currency": amount.currency if amount else None,
                "rule_id": ruling.rule.id,
                "rule_version": ruling.version.id,
                "at": at,
                "point": where,
                "officer": officer,
                "note": (note or "").strip()[:200] or None,
                "request_key": key,
            }
            new_id = repository.insert(conn, enforcement_actions, values)
            repository.audit(conn, at=at, actor=officer, point=where, action="record", entity=kind, entity_id=new_id, before=None, after=values)
    except sa.exc.IntegrityError:
        if (replayed := _replay_after_race(database, enforcement_actions, key, plate, kind)) is not None:
            return replayed
        raise ConflictError("this request key was used at the same moment by another request") from None
    return Action(kind, plate.canonical, ruling.jurisdiction, at, where, officer, ruling.rule.id, ruling.version.id, amount)


def _ruled(
    plate_text: str,
    jurisdiction: str,
    at: dt.datetime,
    point: str,
    officer: str,
    request_key: str | None,
    resident: str | None,
    registered_on: dt.date | None,
    required: str | None,
) -> tuple[Ruling, str, str, str | None]:
    at, officer, key = common.aware(at), common.person(officer, "officer"), common.request_key(request_key)
    code = reference.jurisdiction(jurisdiction).code
    where = common.place(point, code, centres=True)
    crossing = None if where.startswith(common.CENTRE_PREFIX) else where
    ruling, _ = law_services.rule_for(plate_text, code, at, point_id=crossing, resident=resident, registered_on=registered_on)
    if required is not None and ruling.requirement.kind != required:
        raise ConflictError(
            f"the law does not require {required.replace('_', ' ')} of {ruling.vehicle.plate.canonical} on {ruling.local_at.date()}: "
            f"it requires {ruling.requirement.kind.replace('_', ' ')} (rule {ruling.rule.id})"
        )
    return ruling, where, officer, key


def _replay_after_race(database: Database, table: sa.Table, key: str | None, plate: reference.Plate, kind: str) -> Action | None:
    """When a concurrent retry of the same request committed first, its answer."""
    if key is None:
        return None
    with database.read() as conn:
        existing = repository.by_request_key(conn, table, key)
        return _replay(conn, existing, plate, kind) if existing is not None else None


def _replay(conn: sa.Connection, row: sa.Row[Any], plate: reference.Plate, kind: str) -> Action:
    """The answer to a retried request: the action recorded the first time."""
    vehicle = repository.vehicle_id(conn, plate)
    if row.vehicle_id != vehicle:
        raise ConflictError("this request key was already used for another vehicle")
    amount = common.from_minor(row.amount_minor, row.currency) if getattr(row, "amount_minor", None) is not None else None
    at = row.issued_at if kind == "sticker" else row.at
    return Action(kind, plate.canonical, row.jurisdiction, at, row.point, row.officer, row.rule_id, row.rule_version, amount)
