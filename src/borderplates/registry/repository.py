"""Queries and writes on the registry tables; every function takes an open connection."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from typing import Any

import sqlalchemy as sa

from borderplates.reference import Plate
from borderplates.registry.tables import (
    audit_log,
    crossings,
    enforcement_actions,
    sticker_issuances,
    temporary_registrations,
    vehicles,
)

R = temporary_registrations
V = vehicles

#: ``status = 'active'`` written into the SQL, not bound: only then can SQLite and
#: PostgreSQL (with generic plans) use the partial unique index on active registrations.
IS_ACTIVE = R.c.status == sa.literal_column("'active'")

_ACTIVE_REGISTRATION = (
    sa.select(R, V.c.plate, V.c.issuer)
    .join(V, V.c.id == R.c.vehicle_id)
    .where(
        V.c.issuer == sa.bindparam("issuer"),
        V.c.plate == sa.bindparam("plate"),
        R.c.jurisdiction == sa.bindparam("jurisdiction"),
        IS_ACTIVE,
    )
)
_VEHICLE_ID = sa.select(V.c.id).where(V.c.issuer == sa.bindparam("issuer"), V.c.plate == sa.bindparam("plate"))

# Statements are built once, with their values bound at execution: SQLAlchemy then
# reuses the compiled form instead of building and caching a statement per call.
_VEHICLE_ID_AND_VIN = sa.select(V.c.id, V.c.vin).where(V.c.issuer == sa.bindparam("issuer"), V.c.plate == sa.bindparam("plate"))
_UPDATE_VEHICLE = V.update().where(V.c.id == sa.bindparam("row_id"))
_REGISTRATION = sa.select(R, V.c.plate, V.c.issuer).join(V, V.c.id == R.c.vehicle_id)
_REGISTRATION_BY_ID = _REGISTRATION.where(R.c.id == sa.bindparam("value"))
_REGISTRATION_BY_NUMBER = _REGISTRATION.where(R.c.number == sa.bindparam("value"))
_SET_STATUS = R.update().where(R.c.id == sa.bindparam("row_id"))
_AUDIT = audit_log.insert()
_STICKER_FOR = sa.select(sticker_issuances).where(
    sticker_issuances.c.vehicle_id == sa.bindparam("vehicle"),
    sticker_issuances.c.jurisdiction == sa.bindparam("jurisdiction"),
    sticker_issuances.c.rule_id == sa.bindparam("rule_id"),
    sticker_issuances.c.rule_version == sa.bindparam("rule_version"),
)
_COUNT_ACTIONS = sa.select(sa.func.count()).where(
    enforcement_actions.c.vehicle_id == sa.bindparam("vehicle"),
    enforcement_actions.c.kind == sa.bindparam("kind"),
    enforcement_actions.c.rule_id == sa.bindparam("rule_id"),
)
_TABLES = (vehicles, temporary_registrations, sticker_issuances, enforcement_actions, crossings)
_inserts = {table.name: table.insert().returning(table.c.id) for table in _TABLES}
_by_request_key = {table.name: sa.select(table).where(table.c.request_key == sa.bindparam("key")) for table in _TABLES if "request_key" in table.c}


def vehicle_id(conn: sa.Connection, plate: Plate) -> int | None:
    return conn.execute(_VEHICLE_ID, {"issuer": plate.issuer, "plate": plate.canonical}).scalar()


def ensure_vehicle(
    conn: sa.Connection, plate: Plate, at: dt.datetime, vehicle_class: str = "car", vin: str | None = None, *, actor: str, point: str | None
) -> int:
    """The vehicle's id, creating the vehicle on first sight (and filling in a VIN learnt later); audited."""
    found = conn.execute(_VEHICLE_ID_AND_VIN, {"issuer": plate.issuer, "plate": plate.canonical}).first()
    if found is not None:
        if vin and not found.vin:
            conn.execute(_UPDATE_VEHICLE, {"row_id": found.id, "vin": vin})
            audit(conn, at=at, actor=actor, point=point, action="update", entity="vehicle", entity_id=found.id, before={"vin": None}, after={"vin": vin})
        return int(found.id)
    values = {
        "issuer": plate.issuer,
        "plate": plate.canonical,
        "plate_kind": plate.kind,
        "area_code": plate.area.code if plate.area else None,
        "vin": vin,
        "vehicle_class": vehicle_class,
        "created_at": at,
    }
    vehicle_id = insert(conn, V, values)
    audit(conn, at=at, actor=actor, point=point, action="create", entity="vehicle", entity_id=vehicle_id, before=None, after=values)
    return vehicle_id


def active_registration(conn: sa.Connection, plate: Plate, jurisdiction: str) -> sa.Row[Any] | None:
    return conn.execute(_ACTIVE_REGISTRATION, {"issuer": plate.issuer, "plate": plate.canonical, "jurisdiction": jurisdiction}).first()


def registration_by(conn: sa.Connection, *, id: int | None = None, number: str | None = None) -> sa.Row[Any] | None:
    """The registration with this id or this number, with its plate and issuer."""
    if id is not None:
        return conn.execute(_REGISTRATION_BY_ID, {"value": id}).first()
    return conn.execute(_REGISTRATION_BY_NUMBER, {"value": number}).first()


def registrations(
    conn: sa.Connection, *, plate: Plate | None = None, status: str | None = None, point: str | None = None, limit: int = 100, offset: int = 0
) -> list[sa.Row[Any]]:
    query = sa.select(R, V.c.plate, V.c.issuer).join(V, V.c.id == R.c.vehicle_id)
    if plate is not None:
        query = query.where(V.c.issuer == plate.issuer, V.c.plate == plate.canonical)
    if status is not None:
        query = query.where(R.c.status == status)
    if point is not None:
        query = query.where(R.c.issuing_point == point)
    return list(conn.execute(query.order_by(R.c.issued_at.desc(), R.c.id.desc()).limit(limit).offset(offset)))


def insert(conn: sa.Connection, table: sa.Table, values: Mapping[str, Any]) -> int:
    """Insert one row and return its id (the statement is built once per table and cached)."""
    return int(conn.execute(_inserts[table.name], values).scalar_one())


def set_status(conn: sa.Connection, registration_id: int, status: str, at: dt.datetime, reason: str | None) -> None:
    conn.execute(_SET_STATUS, {"row_id": registration_id, "status": status, "status_changed_at": at, "status_reason": reason})


def audit(
    conn: sa.Connection,
    *,
    at: dt.datetime,
    actor: str,
    point: str | None,
    action: str,
    entity: str,
    entity_id: int,
    before: Mapping[str, Any] | None,
    after: Mapping[str, Any] | None,
    reason: str | None = None,
) -> None:
    conn.execute(
        _AUDIT,
        {
            "at": at,
            "actor": actor,
            "point": point,
            "action": action,
            "entity": entity,
            "entity_id": entity_id,
            "before": _plain(before),
            "after": _plain(after),
            "reason": reason,
        },
    )


def audit_trail(conn: sa.Connection, entity: str, entity_id: int) -> list[sa.Row[Any]]:
    query = sa.select(audit_log).where(audit_log.c.entity == entity, audit_log.c.entity_id == entity_id).order_by(audit_log.c.id)
    return list(conn.execute(query))


def by_request_key(conn: sa.Connection, table: sa.Table, key: str) -> sa.Row[Any] | None:
    return conn.execute(_by_request_key[table.name], {"key": key}).first()


def sticker_for(conn: sa.Connection, vehicle: int, jurisdiction: str, rule_id: str, rule_version: str) -> sa.Row[Any] | None:
    return conn.execute(_STICKER_FOR, {"vehicle": vehicle, "jurisdiction": jurisdiction, "rule_id": rule_id, "rule_version": rule_version}).first()


def count_actions(conn: sa.Connection, vehicle: int, kind: str, rule_id: str) -> int:
    return int(conn.execute(_COUNT_ACTIONS, {"vehicle": vehicle, "kind": kind, "rule_id": rule_id}).scalar_one())


def due_registrations(conn: sa.Connection, jurisdiction: str, day: dt.date) -> list[sa.Row[Any]]:
    query = sa.select(R.c.id, R.c.number, R.c.valid_until).where(IS_ACTIVE, R.c.jurisdiction == jurisdiction, R.c.valid_until < day)
    return list(conn.execute(query))


def crossings_between(conn: sa.Connection, start: dt.datetime | None, end: dt.datetime | None, point: str | None) -> sa.CursorResult[Any]:
    query = sa.select(crossings, V.c.plate, V.c.issuer).join(V, V.c.id == crossings.c.vehicle_id)
    if start is not None:
        query = query.where(crossings.c.at >= start)
    if end is not None:
        query = query.where(crossings.c.at < end)
    if point is not None:
        query = query.where(crossings.c.point == point)
    return conn.execute(query.order_by(crossings.c.at, crossings.c.id))


def _plain(values: Mapping[str, Any] | None) -> dict[str, Any] | None:
    if values is None:
        return None
    return {key: _jsonable(value) for key, value in values.items()}


def _jsonable(value: Any) -> Any:
    if isinstance(value, dt.date | dt.datetime):
        return value.isoformat()
    return value


def count(conn: sa.Connection, table: sa.Table) -> int:
    return int(conn.execute(sa.select(sa.func.count()).select_from(table)).scalar_one())


def bulk_insert(conn: sa.Connection, table: sa.Table, rows: Iterable[Mapping[str, Any]]) -> None:
    rows = list(rows)
    if rows:
        conn.execute(table.insert(), rows)


def all_registrations(conn: sa.Connection, status: str | None = None) -> sa.CursorResult[Any]:
    """Every temporary registration (optionally of one status) with its plate, oldest issue first; for exports."""
    query = sa.select(R, V.c.plate, V.c.issuer).join(V, V.c.id == R.c.vehicle_id)
    if status is not None:
        query = query.where(R.c.status == status)
    return conn.execute(query.order_by(R.c.issued_at, R.c.id))


def count_registrations(conn: sa.Connection, status: str | None = None) -> int:
    query = sa.select(sa.func.count()).select_from(R)
    if status is not None:
        query = query.where(R.c.status == status)
    return int(conn.execute(query).scalar_one())
