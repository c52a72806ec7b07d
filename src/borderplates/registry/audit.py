"""The audit trail as hash chains: every record carries the SHA-256 of its canonical bytes and of the record before it.

Each origin (the site that wrote a record: ``centre``, or a site such as ``jarinje``)
has its own chain, numbered by ``seq`` from 1. A registry writes as its own origin
(:attr:`borderplates.registry.Database.origin`) and, at the centre, holds the chains
that the sites pushed to it besides its own. A record's canonical bytes are a compact
JSON object with sorted keys holding the previous record's hash, the origin, when it
was written and what it says (who, when, where, what, before, after, why); a record
about a synchronised record also holds that record's global id (``uid``) and the
global ids of what it refers to (``refs``: the vehicle by issuer and plate, the
registration renewed or relied on by uid), so that it can be applied anywhere. Those
exact bytes are stored beside the columns and hashed, so verifying never
re-serialises anything. Appends of one origin are serialised: by an advisory lock per
origin on PostgreSQL, by the write lock on SQLite (every writing unit of work takes it
first).

A site's chain is the log it pushes: the centre takes its records verbatim
(:meth:`Audit.accept`), refusing any that does not continue the chain it holds. A site
rebuilt from the centre declares the records it lost with one record of action
``restore`` (:meth:`Audit.declare_lost`), which continues the chain past the gap.

:func:`verify_rows` walks a chain and names the first record that was altered,
inserted or deleted (a declared gap is not a deletion). What a chain cannot show on
its own is a cut at its end (the newest records deleted) or a rewrite of every record
after some point: that needs its head kept elsewhere; the centre keeps every site's.

>>> first = canonical_bytes(GENESIS, "centre", {"at": "2021-09-20T08:00:00+00:00", "actor": "a"})
>>> first.decode()[:60]
'{"actor":"a","at":"2021-09-20T08:00:00+00:00","origin":"cent'
>>> len(digest(first))
64
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import uuid
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

import sqlalchemy as sa

from borderplates.errors import ConflictError
from borderplates.law import Money
from borderplates.model import AuditEntry
from borderplates.registry.driver import Driver
from borderplates.registry.tables import CENTRE, audit_log
from borderplates.vocabulary import NAME_LENGTH, REASON_LENGTH, Rejection

A = audit_log

#: The origin of a registry that was not joined as a site: the centre.
LOCAL_ORIGIN = CENTRE
#: The "previous hash" of the first record of a chain.
GENESIS = "0" * 64
#: The version of the canonical form, inside every record.
FORMAT = 1
#: The fields of an entry that its canonical bytes hold, besides ``v``, ``origin``, ``prev`` and ``recorded_at``.
ENTRY_FIELDS = ("at", "actor", "point", "action", "entity", "entity_id", "before", "after", "reason")
#: The fields a record about a synchronised record holds besides: its global id and those of what it refers to.
LINK_FIELDS = ("uid", "refs")
#: The action and entity of the record with which a rebuilt site declares the records it lost.
RESTORE, SITE = "restore", "site"

_VEHICLE = "v.issuer, v.plate, v.plate_kind, v.area_code, v.vehicle_class"
#: Per kind of synchronised record (the audit entity): the table, and one statement giving its uid, its vehicle and the uid it refers to.
SYNCED: dict[str, tuple[str, str | None]] = {
    "vehicle": ("vehicles", f"SELECT v.uid, {_VEHICLE}, NULL FROM vehicles v WHERE v.id = ?"),
    "temporary_registration": (
        "temporary_registrations",
        f"SELECT r.uid, {_VEHICLE}, p.uid FROM temporary_registrations r JOIN vehicles v ON v.id = r.vehicle_id "
        "LEFT JOIN temporary_registrations p ON p.id = r.renews_id WHERE r.id = ?",
    ),
    "crossing": (
        "crossings",
        f"SELECT c.uid, {_VEHICLE}, r.uid FROM crossings c JOIN vehicles v ON v.id = c.vehicle_id "
        "LEFT JOIN temporary_registrations r ON r.id = c.registration_id WHERE c.id = ?",
    ),
    "sticker_issuance": ("sticker_issuances", f"SELECT s.uid, {_VEHICLE}, NULL FROM sticker_issuances s JOIN vehicles v ON v.id = s.vehicle_id WHERE s.id = ?"),
    "warning": ("enforcement_actions", f"SELECT e.uid, {_VEHICLE}, NULL FROM enforcement_actions e JOIN vehicles v ON v.id = e.vehicle_id WHERE e.id = ?"),
    "fine": ("enforcement_actions", f"SELECT e.uid, {_VEHICLE}, NULL FROM enforcement_actions e JOIN vehicles v ON v.id = e.vehicle_id WHERE e.id = ?"),
    "crossing_status": ("crossing_status_changes", None),
    "queue": ("queue_observations", None),
}
#: What the third column of a kind's statement refers to.
_REFERS = {"temporary_registration": "renews", "crossing": "registration"}

_LOCK_SQL = "SELECT pg_advisory_xact_lock(hashtextextended(%s, 0))"
_HEAD_SQL = "SELECT seq, hash FROM audit_log WHERE origin = ? ORDER BY seq DESC LIMIT 1"
_INSERT_SQL = (
    "INSERT INTO audit_log (origin, seq, at, recorded_at, actor, point, action, entity, entity_id, entity_uid, before, after, reason, prev_hash, hash, record) "
    "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
)
_RECORD_AT_SQL = "SELECT hash FROM audit_log WHERE origin = ? AND seq = ?"
# Records written before records carried global ids are found by the id they had at the centre.
_TRAIL = (
    sa.select(A)
    .where(
        A.c.entity == sa.bindparam("entity"),
        sa.or_(
            A.c.entity_uid == sa.bindparam("uid"),
            sa.and_(A.c.entity_uid.is_(None), A.c.origin == CENTRE, A.c.entity_id == sa.bindparam("entity_id")),
        ),
    )
    .order_by(A.c.id)
)
_CHAIN = sa.select(A).order_by(A.c.origin, A.c.seq)


class ChainRefused(ConflictError):
    """A record that does not continue its origin's chain as the registry holds it: nothing of its batch is taken."""

    def __init__(self, kind: Rejection, origin: str, seq: int, detail: str) -> None:
        self.kind, self.origin, self.seq = kind, origin, seq
        super().__init__(f"record {seq} of {origin}: {detail}")


@dataclass(frozen=True, slots=True)
class Link:
    """One record of a chain as it travels: its number, its hash and its exact canonical bytes."""

    seq: int
    hash: str
    record: bytes


def canonical_bytes(prev: str, origin: str, fields: Mapping[str, Any], recorded_at: str | None = None) -> bytes:
    """The exact bytes that are hashed and stored for a record: compact JSON, keys sorted, UTF-8."""
    record = {**fields, "v": FORMAT, "origin": origin, "prev": prev}
    if recorded_at is not None:
        record["recorded_at"] = recorded_at
    return json.dumps(record, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False).encode("utf-8")


def digest(record: bytes) -> str:
    return hashlib.sha256(record).hexdigest()


def entry_fields(entry: AuditEntry) -> dict[str, Any]:
    """An entry's values as they are stored and hashed (moments in UTC ISO 8601, money as JSON)."""
    return {
        "at": _moment(entry.at),
        "actor": entry.actor,
        "point": entry.point,
        "action": entry.action,
        "entity": entry.entity,
        "entity_id": entry.entity_id,
        "before": plain(entry.before),
        "after": plain(entry.after),
        "reason": entry.reason,
    }


def row_fields(row: Any) -> dict[str, Any]:
    """A stored row's values in the form :func:`entry_fields` gives, to compare with its canonical bytes."""
    return {
        "at": _moment(row.at),
        "actor": row.actor,
        "point": row.point,
        "action": row.action,
        "entity": row.entity,
        "entity_id": row.entity_id,
        "before": row.before,
        "after": row.after,
        "reason": row.reason,
    }


class Audit:
    """The audit trail: every state change, appended to this origin's chain in the transaction that makes it."""

    def __init__(self, conn: sa.Connection, driver: Driver, origin: str = LOCAL_ORIGIN) -> None:
        self._conn = conn
        self._driver = driver
        self._origin = origin
        self._heads: dict[str, tuple[int, str]] = {}
        self._insert = driver.statement(_INSERT_SQL)
        self._accepted: list[tuple[Any, ...]] = []
        self._accepted_hashes: dict[tuple[str, int], str] = {}
        self._links = {entity: driver.statement(sql) for entity, (_, sql) in SYNCED.items() if sql is not None}
        self._uids = {entity: driver.statement(f"SELECT uid FROM {table} WHERE id = ?") for entity, (table, _) in SYNCED.items()}

    @property
    def origin(self) -> str:
        return self._origin

    def append(self, entry: AuditEntry) -> int:
        """Append ``entry`` to this origin's chain; returns its sequence number."""
        fields = entry_fields(entry)
        fields.update(self._link(entry.entity, entry.entity_id))
        return self._append(fields, entry.at, dt.datetime.now(dt.UTC))

    def declare_lost(self, first: int, last: int, at: dt.datetime, actor: str) -> int:
        """Continue this origin's chain after records ``first`` to ``last``, which were lost with the site's registry.

        The record is numbered ``last + 1`` and chains to the last record held (``first - 1``).
        """
        seq, _ = self._chain_head(self._origin)
        if seq != first - 1 or last < seq:
            raise ValueError(f"records {first} to {last} cannot be declared lost after record {seq}")
        self._heads[self._origin] = (last, self._heads[self._origin][1])
        after = {"lost_from": first, "lost_to": last} if last >= first else {"lost_from": None, "lost_to": None}
        entry = AuditEntry(at, actor, None, RESTORE, SITE, 0, None, after, "the site's registry was rebuilt from the centre")
        return self._append(entry_fields(entry), at, at)

    def head(self, origin: str | None = None) -> tuple[int, str]:
        """The last (seq, hash) of an origin's chain (this registry's own by default), locked for the rest of the transaction."""
        return self._chain_head(origin or self._origin)

    def last_seq(self, origin: str) -> int:
        """The number of the last record of ``origin``'s chain the registry holds (0 when none), read without locking the chain."""
        self.flush()
        return int(self._conn.execute(sa.select(sa.func.coalesce(sa.func.max(A.c.seq), 0)).where(A.c.origin == origin)).scalar_one())

    def hash_at(self, origin: str, seq: int) -> str | None:
        """The hash of record ``seq`` of ``origin``'s chain, if the registry holds it."""
        taken = self._accepted_hashes.get((origin, seq))
        if taken is not None:
            return taken
        row = self._driver.one(self._driver.statement(_RECORD_AT_SQL), (origin, seq))
        return str(row[0]) if row is not None else None

    def accept(self, origin: str, link: Link) -> dict[str, Any]:
        """Take a record of another origin's chain verbatim, when it continues the chain held; returns what it says.

        Raises :class:`ChainRefused` when it does not: a gap, a fork (its previous hash is not the head's), bytes that
        do not hash to its hash, or content that is not a record of ``origin`` (fields, moments not in canonical form).
        """
        seq, prev = self._chain_head(origin)
        if digest(link.record) != link.hash:
            raise ChainRefused(Rejection.ALTERED, origin, link.seq, "its bytes do not hash to its hash")
        fields = parse_record(origin, link)
        gap = declared_gap(fields)
        if link.seq != seq + 1 and not (gap is not None and gap == (seq + 1, link.seq - 1)):
            detail = f"the chain held ends at record {seq}" + (f"; records {seq + 1} to {link.seq - 1} are missing" if link.seq > seq + 1 else "")
            raise ChainRefused(Rejection.GAP if link.seq > seq + 1 else Rejection.FORK, origin, link.seq, detail)
        if fields["prev"] != prev:
            raise ChainRefused(Rejection.FORK, origin, link.seq, f"it does not chain to record {seq} as held (another record {link.seq} was written after it)")
        d = self._driver
        at, recorded_at = _parsed_moment(fields["at"]), _parsed_moment(fields["recorded_at"])
        params: tuple[Any, ...] = (origin, link.seq, d.moment(at), d.moment(recorded_at), fields["actor"], fields["point"], fields["action"], fields["entity"])
        params += (fields["entity_id"], fields.get("uid"), d.json(fields["before"]), d.json(fields["after"]), fields["reason"], prev, link.hash, link.record)
        self._accepted.append(params)
        self._accepted_hashes[(origin, link.seq)] = link.hash
        self._heads[origin] = (link.seq, link.hash)
        return fields

    def flush(self) -> None:
        """Write the records taken by :meth:`accept` (all at once: one round of statements to the server); every read does it first."""
        if self._accepted:
            self._driver.many(_INSERT_SQL, self._accepted)
            self._accepted.clear()
            self._accepted_hashes.clear()

    def trail(self, entity: str, entity_id: int) -> list[AuditEntry]:
        """The audit records about one record, in the order this registry learnt them (at the centre: from every origin)."""
        self.flush()
        uid = self._uid_of(entity, entity_id)
        return [_entry(row) for row in self._conn.execute(_TRAIL, {"entity": entity, "entity_id": entity_id, "uid": uid})]

    def links(self, origin: str, after: int, until: int | None = None, *, limit: int = 1000, entities: Iterable[str] | None = None) -> list[Link]:
        """``origin``'s records after ``after`` (up to ``until``), oldest first; only those about ``entities`` if given."""
        self.flush()
        query = sa.select(A.c.seq, A.c.hash, A.c.record).where(A.c.origin == origin, A.c.seq > after)
        if until is not None:
            query = query.where(A.c.seq <= until)
        if entities is not None:
            query = query.where(A.c.entity.in_(list(entities)))
        return [Link(int(row.seq), str(row.hash), bytes(row.record)) for row in self._conn.execute(query.order_by(A.c.seq).limit(limit))]

    def recorded_at(self, origin: str, seq: int) -> dt.datetime | None:
        """When record ``seq`` of ``origin`` was written, as its origin's clock said."""
        self.flush()
        row = self._conn.execute(sa.select(A.c.recorded_at).where(A.c.origin == origin, A.c.seq == seq)).first()
        return row.recorded_at if row is not None else None

    def origins(self) -> list[str]:
        self.flush()
        return list(self._conn.execute(sa.select(A.c.origin).distinct().order_by(A.c.origin)).scalars())

    def _append(self, fields: dict[str, Any], at: dt.datetime, recorded_at: dt.datetime) -> int:
        self.flush()
        seq, prev = self._chain_head(self._origin)
        record = canonical_bytes(prev, self._origin, fields, _moment(recorded_at))
        hashed = digest(record)
        d = self._driver
        params: tuple[Any, ...] = (
            self._origin,
            seq + 1,
            d.moment(at),
            d.moment(recorded_at),
            fields["actor"],
            fields["point"],
            fields["action"],
            fields["entity"],
        )
        params += (fields["entity_id"], fields.get("uid"), d.json(fields["before"]), d.json(fields["after"]), fields["reason"], prev, hashed, record)
        d.execute(self._insert, params)
        self._heads[self._origin] = (seq + 1, hashed)
        return seq + 1

    def _link(self, entity: str, entity_id: int) -> dict[str, Any]:
        """The global id of the record an entry is about, and the global ids of what it refers to (none for records not synchronised)."""
        statement = self._links.get(entity)
        if statement is None:
            uid = self._uid_of(entity, entity_id)
            return {"uid": uid} if uid is not None else {}
        row = self._driver.one(statement, (entity_id,))
        if row is None:
            return {}
        uid, issuer, plate, kind, area, vehicle_class, other = row
        refs: dict[str, Any] = {"vehicle": {"issuer": issuer, "plate": plate, "kind": kind, "area": area, "class": vehicle_class}}
        if other is not None:
            refs[_REFERS[entity]] = other
        return {"uid": uid, "refs": refs}

    def _uid_of(self, entity: str, entity_id: int) -> str | None:
        statement = self._uids.get(entity)
        if statement is None:
            return None
        row = self._driver.one(statement, (entity_id,))
        return str(row[0]) if row is not None and row[0] is not None else None

    def search(
        self,
        *,
        entity: str | None = None,
        entity_id: int | None = None,
        actor: str | None = None,
        action: str | None = None,
        limit: int = 100,
        before: int | None = None,
    ) -> list[tuple[int, str, int, AuditEntry]]:
        """(id, origin, seq, entry) of audit records newest first, filtered; ``before`` (an id) continues a list after its last item."""
        self.flush()
        query = sa.select(A)
        for column, value in ((A.c.entity, entity), (A.c.entity_id, entity_id), (A.c.actor, actor), (A.c.action, action)):
            if value is not None:
                query = query.where(column == value)
        if before is not None:
            query = query.where(A.c.id < before)
        return [(row.id, row.origin, row.seq, _entry(row)) for row in self._conn.execute(query.order_by(A.c.id.desc()).limit(limit))]

    def chain_rows(self) -> Iterator[Any]:
        """Every record, chain by chain (origin, then seq), fetched in batches."""
        self.flush()
        yield from self._conn.execution_options(stream_results=True, yield_per=2000).execute(_CHAIN)

    def _chain_head(self, origin: str) -> tuple[int, str]:
        """The last (seq, hash) of ``origin``'s chain, locked for the rest of the transaction."""
        head = self._heads.get(origin)
        if head is None:
            d = self._driver
            if d.dialect == "postgresql":
                d.execute(_LOCK_SQL, (f"borderplates.audit:{origin}",))
            row = d.one(d.statement(_HEAD_SQL), (origin,))
            head = self._heads[origin] = (int(row[0]), str(row[1])) if row is not None else (0, GENESIS)
        return head


def parse_record(origin: str, link: Link) -> dict[str, Any]:
    """What a record of ``origin``'s chain says, checked field by field; :class:`ChainRefused` (malformed) when it is no such record."""

    def malformed(detail: str) -> ChainRefused:
        return ChainRefused(Rejection.MALFORMED, origin, link.seq, detail)

    try:
        fields = json.loads(link.record.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        raise malformed("its bytes are not a record") from None
    if not isinstance(fields, dict):
        raise malformed("its bytes are not a record")
    unknown = set(fields) - {*ENTRY_FIELDS, *LINK_FIELDS, "v", "origin", "prev", "recorded_at"}
    if unknown or fields.get("v") != FORMAT:
        raise malformed(f"it is not a record of format {FORMAT}" + (f" (unknown fields {', '.join(sorted(unknown))})" if unknown else ""))
    if fields.get("origin") != origin:
        raise malformed(f"it was written by {str(fields.get('origin'))[:NAME_LENGTH]!r}, not {origin!r}")
    for name in ("at", "recorded_at"):
        value = fields.get(name)
        if not isinstance(value, str) or _canonical_moment(value) != value:
            raise malformed(f"its {name} is not a moment in UTC as records hold them")
    texts = (("prev", 64, False), ("actor", NAME_LENGTH, False), ("point", NAME_LENGTH, True), ("action", 40, False), ("entity", 40, False))
    for name, longest, optional in (*texts, ("reason", REASON_LENGTH, True)):
        value = fields.get(name)
        if not (isinstance(value, str) and 0 < len(value) <= longest) and not (optional and value is None):
            raise malformed(f"its {name} is not {'text or null' if optional else 'text'} of at most {longest} characters")
    entity_id = fields.get("entity_id")
    if isinstance(entity_id, bool) or not isinstance(entity_id, int) or not 0 <= entity_id < 2**31:
        raise malformed("its entity_id is not a record id")
    for name in ("before", "after", "refs"):
        if fields.get(name) is not None and not isinstance(fields[name], dict):
            raise malformed(f"its {name} is not an object")
    uid = fields.get("uid")
    if uid is not None and not _is_uid(uid):
        raise malformed("its uid is not a UUID")
    fields.setdefault("uid", None)
    fields.setdefault("refs", None)
    return fields


def declared_gap(fields: Mapping[str, Any]) -> tuple[int, int] | None:
    """The records (first, last) that a ``restore`` record declares lost, if it is one that declares some."""
    after = fields.get("after")
    if fields.get("action") != RESTORE or fields.get("entity") != SITE or not isinstance(after, dict):
        return None
    first, last = after.get("lost_from"), after.get("lost_to")
    if isinstance(first, int) and isinstance(last, int) and not isinstance(first, bool) and not isinstance(last, bool) and 0 < first <= last:
        return first, last
    return None


def _is_uid(value: object) -> bool:
    if not isinstance(value, str) or len(value) != 36:
        return False
    try:
        return str(uuid.UUID(value)) == value
    except ValueError:
        return False


def _canonical_moment(text: str) -> str | None:
    try:
        moment = dt.datetime.fromisoformat(text)
    except ValueError:
        return None
    return _moment(moment) if moment.tzinfo is not None else None


def _parsed_moment(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text)


class Tampering(StrEnum):
    """How a chain was found changed."""

    ALTERED = "altered"
    INSERTED = "inserted"
    DELETED = "deleted"


@dataclass(frozen=True, slots=True)
class Break:
    """The first place a chain does not hold: which record, what happened to it, and how it shows."""

    origin: str
    seq: int
    record_id: int | None
    kind: Tampering
    detail: str

    def as_json(self) -> dict[str, Any]:
        return {"origin": self.origin, "seq": self.seq, "id": self.record_id, "kind": str(self.kind), "detail": self.detail}


@dataclass(frozen=True, slots=True)
class ChainState:
    """One origin's chain as verified: how many records, its last seq and hash, and its first break (or None)."""

    origin: str
    records: int
    head_seq: int
    head_hash: str
    first_break: Break | None


def verify_rows(rows: Iterable[Any]) -> list[ChainState]:
    """Walk rows ordered by (origin, seq) and say, per origin, how many records it holds and where it first breaks."""
    states: list[ChainState] = []
    current: list[Any] = []
    for row in rows:
        if current and row.origin != current[0].origin:
            states.append(_verify_chain(current))
            current = []
        current.append(row)
    if current:
        states.append(_verify_chain(current))
    return states


def _verify_chain(rows: list[Any]) -> ChainState:
    origin = rows[0].origin
    found: Break | None = None
    for index, row in enumerate(rows):
        found = _self_check(row) or _link_check(rows, index)
        if found is not None:
            break
    last = rows[-1]
    return ChainState(origin, len(rows), int(last.seq), str(last.hash), found)


def _self_check(row: Any) -> Break | None:
    """A record whose bytes, hash and columns disagree was altered."""

    def altered(detail: str) -> Break:
        return Break(row.origin, int(row.seq), int(row.id), Tampering.ALTERED, detail)

    record = bytes(row.record)
    if digest(record) != row.hash:
        return altered("its stored hash is not the SHA-256 of its stored bytes")
    try:
        hashed = json.loads(record.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        return altered("its stored bytes are not a record")
    if not isinstance(hashed, dict):
        return altered("its stored bytes are not a record")
    if hashed.get("origin") != row.origin or hashed.get("prev") != row.prev_hash:
        return altered("its origin or previous hash differs from what was hashed")
    columns = row_fields(row)
    changed = [name for name in ENTRY_FIELDS if hashed.get(name) != columns[name]]
    if hashed.get("uid") != row.entity_uid:
        changed.append("entity_uid")
    if hashed.get("recorded_at") != _moment(row.recorded_at):
        changed.append("recorded_at")
    if changed:
        return altered(f"its {', '.join(changed)} differ{'s' if len(changed) == 1 else ''} from what was hashed")
    return None


def _link_check(rows: list[Any], index: int) -> Break | None:
    """A record that does not chain to the one before it: records deleted between them, one of them inserted, or the one before altered."""
    row = rows[index]
    before = rows[index - 1] if index else None
    expected_seq = int(before.seq) + 1 if before is not None else 1
    expected_prev = str(before.hash) if before is not None else GENESIS
    seq = int(row.seq)
    if row.prev_hash == expected_prev:
        if seq != expected_seq and _gap_of(row) != (expected_seq, seq - 1):
            return Break(row.origin, seq, int(row.id), Tampering.ALTERED, f"it chains to record {expected_seq - 1} but is numbered {seq}")
        return None
    if seq > expected_seq:
        missing = f"record {expected_seq}" if seq == expected_seq + 1 else f"records {expected_seq} to {seq - 1}"
        return Break(row.origin, expected_seq, None, Tampering.DELETED, f"{missing} missing: record {seq} does not chain to the record before it")
    following = rows[index + 1] if index + 1 < len(rows) else None
    if following is not None and following.prev_hash == expected_prev:
        return Break(row.origin, seq, int(row.id), Tampering.INSERTED, f"record {int(following.seq)} chains past it to record {expected_seq - 1}")
    if before is not None:
        earlier = rows[index - 2].hash if index >= 2 else GENESIS
        if row.prev_hash == earlier:
            return Break(before.origin, int(before.seq), int(before.id), Tampering.INSERTED, f"record {seq} chains past it to the record before it")
        return Break(before.origin, int(before.seq), int(before.id), Tampering.ALTERED, f"its hash is not the one record {seq} chained to")
    return Break(row.origin, seq, int(row.id), Tampering.ALTERED, "the first record does not start the chain")


def _gap_of(row: Any) -> tuple[int, int] | None:
    """The records a stored ``restore`` record declares lost (its bytes were checked against its columns before)."""
    if row.action != RESTORE:
        return None
    try:
        return declared_gap(json.loads(bytes(row.record).decode("utf-8")))
    except (UnicodeDecodeError, ValueError):
        return None


def plain(values: Mapping[str, Any] | None) -> dict[str, Any] | None:
    """Values as JSON holds them: dates and moments as ISO 8601 (as given), money as amount and currency, words as text."""
    if values is None:
        return None
    return {key: _jsonable(value) for key, value in values.items()}


def _jsonable(value: Any) -> Any:
    if isinstance(value, dt.date | dt.datetime):
        return value.isoformat()
    if isinstance(value, Money):
        return value.as_json()
    if isinstance(value, StrEnum):
        return str(value)
    return value


def _moment(value: dt.datetime) -> str:
    return value.astimezone(dt.UTC).isoformat()


def _entry(row: Any) -> AuditEntry:
    return AuditEntry(row.at, row.actor, row.point, row.action, row.entity, row.entity_id, row.before, row.after, row.reason)
