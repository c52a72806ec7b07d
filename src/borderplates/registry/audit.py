"""The audit trail as hash chains: every record carries the SHA-256 of its canonical bytes and of the record before it.

Each origin (the site that wrote a record; for now one, :data:`LOCAL_ORIGIN`) has its
own chain, numbered by ``seq`` from 1. A record's canonical bytes are a compact JSON
object with sorted keys holding the previous record's hash, the origin, when it was
written and what it says (who, when, where, what, before, after, why); those exact
bytes are stored beside the columns and hashed, so verifying never re-serialises
anything. Appends of one origin are serialised: by an advisory lock per origin on
PostgreSQL, by the write lock on SQLite (every writing unit of work takes it first).

:func:`verify_rows` walks a chain and names the first record that was altered,
inserted or deleted. What a chain cannot show on its own is a cut at its end (the
newest records deleted) or a rewrite of every record after some point: that needs
its head kept elsewhere (signed checkpoints, to come with the sites).

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
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

import sqlalchemy as sa

from borderplates.law import Money
from borderplates.model import AuditEntry
from borderplates.registry.driver import Driver
from borderplates.registry.tables import audit_log

A = audit_log

#: The origin of every record this installation writes (sites with their own chains come later).
LOCAL_ORIGIN = "centre"
#: The "previous hash" of the first record of a chain.
GENESIS = "0" * 64
#: The version of the canonical form, inside every record.
FORMAT = 1
#: The fields of an entry that its canonical bytes hold, besides ``v``, ``origin``, ``prev`` and ``recorded_at``.
ENTRY_FIELDS = ("at", "actor", "point", "action", "entity", "entity_id", "before", "after", "reason")

_LOCK_SQL = "SELECT pg_advisory_xact_lock(hashtextextended(%s, 0))"
_HEAD_SQL = "SELECT seq, hash FROM audit_log WHERE origin = ? ORDER BY seq DESC LIMIT 1"
_INSERT_SQL = (
    "INSERT INTO audit_log (origin, seq, at, recorded_at, actor, point, action, entity, entity_id, before, after, reason, prev_hash, hash, record) "
    "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
)
_TRAIL = sa.select(A).where(A.c.entity == sa.bindparam("entity"), A.c.entity_id == sa.bindparam("entity_id")).order_by(A.c.id)
_CHAIN = sa.select(A).order_by(A.c.origin, A.c.seq)


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
        self._head: tuple[int, str] | None = None
        self._insert = driver.statement(_INSERT_SQL)

    def append(self, entry: AuditEntry) -> None:
        seq, prev = self._chain_head()
        fields = entry_fields(entry)
        recorded_at = dt.datetime.now(dt.UTC)
        record = canonical_bytes(prev, self._origin, fields, _moment(recorded_at))
        hashed = digest(record)
        d = self._driver
        params: tuple[Any, ...] = (
            self._origin,
            seq + 1,
            d.moment(entry.at),
            d.moment(recorded_at),
            fields["actor"],
            fields["point"],
            fields["action"],
            fields["entity"],
        )
        params += (fields["entity_id"], d.json(fields["before"]), d.json(fields["after"]), fields["reason"], prev, hashed, record)
        d.execute(self._insert, params)
        self._head = (seq + 1, hashed)

    def trail(self, entity: str, entity_id: int) -> list[AuditEntry]:
        return [_entry(row) for row in self._conn.execute(_TRAIL, {"entity": entity, "entity_id": entity_id})]

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
        query = sa.select(A)
        for column, value in ((A.c.entity, entity), (A.c.entity_id, entity_id), (A.c.actor, actor), (A.c.action, action)):
            if value is not None:
                query = query.where(column == value)
        if before is not None:
            query = query.where(A.c.id < before)
        return [(row.id, row.origin, row.seq, _entry(row)) for row in self._conn.execute(query.order_by(A.c.id.desc()).limit(limit))]

    def chain_rows(self) -> Iterator[Any]:
        """Every record, chain by chain (origin, then seq), fetched in batches."""
        yield from self._conn.execution_options(stream_results=True, yield_per=2000).execute(_CHAIN)

    def _chain_head(self) -> tuple[int, str]:
        """The last (seq, hash) of this origin's chain, locked for the rest of the transaction."""
        if self._head is None:
            d = self._driver
            if d.dialect == "postgresql":
                d.execute(_LOCK_SQL, (f"borderplates.audit:{self._origin}",))
            row = d.one(d.statement(_HEAD_SQL), (self._origin,))
            self._head = (int(row[0]), str(row[1])) if row is not None else (0, GENESIS)
        return self._head


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
        if seq != expected_seq:
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
