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


def vehicle_id(conn: sa.Connection, plate: Plate) -> int | None:
    return conn.execute(_VEHICLE_ID, {"issuer": plate.issuer, "plate": plate.canonical}).scalar()


def ensure_vehicle(
    conn: sa.Connection, plate: Plate, at: dt.datetime, vehicle_class: str = "car", vin: str | None = None, *, actor: str, point: str | None
) -> int:
    """The vehicle's id, creating the vehicle on first sight (and filling in a VIN learnt later); audited."""
    found = conn.execute(sa.select(V.c.id, V.c.vin).where(V.c.issuer == plate.issuer, V.c.plate == plate.canonical)).first()
    if found is not None:
        if vin and not found.vin:
            conn.execute(V.update().where(V.c.id == found.id).values(vin=vin))
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
    vehicle_id = int(conn.execute(V.insert().values(**values).returning(V.c.id)).scalar_one())
    audit(conn, at=at, actor=actor, point=point, action="create", entity="vehicle", entity_id=vehicle_id, before=None, after=values)
    return vehicle_id


def active_registration(conn: sa.Connection, plate: Plate, jurisdiction: str) -> sa.Row[Any] | None:
    return conn.execute(_ACTIVE_REGISTRATION, {"issuer": plate.issuer, "plate": plate.canonical, "jurisdiction": jurisdiction}).first()


def registration_by(conn: sa.Connection, **where: Any) -> sa.Row[Any] | None:
    query = sa.select(R, V.c.plate, V.c.issuer).join(V, V.c.id == R.c.vehicle_id)
    for column, value in where.items():
        query = query.where(R.c[column] == value)
    return conn.execute(query).first()


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
    return int(conn.execute(table.insert().values(**values).returning(table.c.id)).scalar_one())


def set_status(conn: sa.Connection, registration_id: int, status: str, at: dt.datetime, reason: str | None) -> None:
    conn.execute(R.update().where(R.c.id == registration_id).values(status=status, status_changed_at=at, status_reason=reason))


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
        audit_log.insert().values(
            at=at,
            actor=actor,
            point=point,
            action=action,
            entity=entity,
            entity_id=entity_id,
            before=_plain(before),
            after=_plain(after),
            reason=reason,
        )
    )


def audit_trail(conn: sa.Connection, entity: str, entity_id: int) -> list[sa.Row[Any]]:
    query = sa.select(audit_log).where(audit_log.c.entity == entity, audit_log.c.entity_id == entity_id).order_by(audit_log.c.id)
    return list(conn.execute(query))


def by_request_key(conn: sa.Connection, table: sa.Table, key: str) -> sa.Row[Any] | None:
    return conn.execute(sa.select(table).where(table.c.request_key == key)).first()


def sticker_for(conn: sa.Connection, vehicle: int, jurisdiction: str, rule_id: str, rule_version: str) -> sa.Row[Any] | None:
    s = sticker_issuances
    query = sa.select(s).where(s.c.vehicle_id == vehicle, s.c.jurisdiction == jurisdiction, s.c.rule_id == rule_id, s.c.rule_version == rule_version)
    return conn.execute(query).first()


def count_actions(conn: sa.Connection, vehicle: int, kind: str, rule_id: str) -> int:
    e = enforcement_actions
    query = sa.select(sa.func.count()).where(e.c.vehicle_id == vehicle, e.c.kind == kind, e.c.rule_id == rule_id)
    return int(conn.execute(query).scalar_one())


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
