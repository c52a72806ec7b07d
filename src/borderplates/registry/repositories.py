"""The repositories: the registry's tables as the use cases need them, inside one unit of work.

Each repository is bound to the connection of a :class:`~borderplates.registry.unit_of_work.UnitOfWork`
and takes and returns the records of :mod:`borderplates.model`, never rows. Statements
are built once, at import, with their values bound at execution, so SQLAlchemy reuses
their compiled form.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import replace
from decimal import Decimal
from typing import Any

import sqlalchemy as sa

from borderplates.law import Money
from borderplates.model import Action, AuditEntry, Crossing, Held, NewCrossing, NewRegistration, NewVehicle, Registration, Stickers, StoredRead
from borderplates.reference import Plate
from borderplates.reference.crossing_status import StatusEntry
from borderplates.registry.audit import Audit
from borderplates.registry.driver import Driver
from borderplates.registry.ids import uuid7
from borderplates.registry.lookups import ACTION_COUNTS, ACTIVE_REGISTRATION, STICKER, counts_from, held_from, registration_from, sticker_from
from borderplates.registry.tables import (
    CENTRE,
    UTCDateTime,
    crossing_status_changes,
    crossings,
    enforcement_actions,
    plate_reads,
    queue_observations,
    sticker_issuances,
    temporary_registrations,
    vehicles,
)
from borderplates.vocabulary import ActionKind, CrossingState, Decision, Direction, Mode, RegistrationStatus, VehicleClass
from borderplates.waits import QueueObservation

R, V, C, S, E = temporary_registrations, vehicles, crossings, sticker_issuances, enforcement_actions
STATUS, QUEUES = crossing_status_changes, queue_observations

#: Rows per statement (or per progress report) when writing or reading in bulk.
CHUNK = 5000
Progress = Callable[[int, int | None], None]


# -------------------------------------------------------------------------------- statements

_REGISTRATION = sa.select(
    R.c.id,
    R.c.vehicle_id,
    R.c.number,
    R.c.jurisdiction,
    R.c.valid_from,
    R.c.valid_until,
    R.c.fee_minor,
    R.c.fee_currency,
    R.c.rule_id,
    R.c.rule_version,
    R.c.issued_at,
    R.c.issuing_point,
    R.c.clerk,
    R.c.status,
    R.c.status_reason,
    V.c.plate,
    V.c.issuer,
    R.c.holder,
).join(V, V.c.id == R.c.vehicle_id)
_REGISTRATION_BY_ID = _REGISTRATION.where(R.c.id == sa.bindparam("value"))
_REGISTRATION_BY_NUMBER = _REGISTRATION.where(R.c.number == sa.bindparam("value"))
_REGISTRATION_BY_KEY = _REGISTRATION.where(R.c.request_key == sa.bindparam("value"))
_REGISTRATION_BY_END_KEY = _REGISTRATION.where(R.c.end_request_key == sa.bindparam("value"))
_REGISTRATION_BY_UID = _REGISTRATION.add_columns(R.c.origin).where(R.c.uid == sa.bindparam("value"))
_DUE = _REGISTRATION.where(R.c.status == sa.literal_column("'active'"), R.c.jurisdiction == sa.bindparam("jurisdiction"), R.c.valid_until < sa.bindparam("day"))
_JURISDICTIONS = sa.select(R.c.jurisdiction).distinct()
_INSERT_REGISTRATION_SQL = (
    "INSERT INTO temporary_registrations (number, vehicle_id, jurisdiction, valid_from, valid_until, fee_minor, fee_currency, rule_id, rule_version, "
    "issued_at, issuing_point, clerk, status, status_changed_at, renews_id, request_key, holder, uid, origin) "
    "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id"
)
_SET_STATUS = R.update().where(R.c.id == sa.bindparam("row_id"))

_FIND_VEHICLE = "SELECT id, vin, resident FROM vehicles WHERE issuer = ? AND plate = ?"
# A vehicle first seen by two booths at once is created once: the second insert does nothing and finds the first.
_INSERT_VEHICLE_SQL = (
    "INSERT INTO vehicles (issuer, plate, plate_kind, area_code, vehicle_class, resident, vin, created_at, uid, origin) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) "
    "ON CONFLICT (issuer, plate) DO NOTHING RETURNING id"
)
_VEHICLE_BY_ID = sa.select(V.c.issuer, V.c.plate, V.c.vehicle_class, V.c.resident).where(V.c.id == sa.bindparam("value"))
_UPDATE_VEHICLE = V.update().where(V.c.id == sa.bindparam("row_id"))

_CROSSING = sa.select(C, V.c.plate, V.c.issuer).join(V, V.c.id == C.c.vehicle_id)
_CROSSING_BY_KEY = _CROSSING.where(C.c.request_key == sa.bindparam("value"))
_CROSSING_COLUMNS = (*NewCrossing._fields, "uid", "origin")
_INSERT_CROSSING_SQL = f"INSERT INTO crossings ({', '.join(_CROSSING_COLUMNS)}) VALUES ({', '.join('?' * len(_CROSSING_COLUMNS))}) RETURNING id"

_STICKER_BY_KEY = sa.select(S, V.c.plate).join(V, V.c.id == S.c.vehicle_id).where(S.c.request_key == sa.bindparam("value"))
_ACTION_BY_KEY = sa.select(E, V.c.plate).join(V, V.c.id == E.c.vehicle_id).where(E.c.request_key == sa.bindparam("value"))
_STICKER_FOR = sa.select(S.c.issued_at, S.c.point).where(
    S.c.vehicle_id == sa.bindparam("vehicle"),
    S.c.jurisdiction == sa.bindparam("jurisdiction"),
    S.c.rule_id == sa.bindparam("rule_id"),
    S.c.rule_version == sa.bindparam("rule_version"),
)
_INSERT_STICKER = S.insert().returning(S.c.id)
_INSERT_ACTION = E.insert().returning(E.c.id)

_READ_COLUMNS = tuple(column.name for column in plate_reads.columns if column.name != "id")
_INSERT_READ = plate_reads.insert().returning(plate_reads.c.id)
_READ_BY_ID = sa.select(plate_reads).where(plate_reads.c.id == sa.bindparam("value"))
_UPDATE_READ = plate_reads.update().where(plate_reads.c.id == sa.bindparam("row_id"))
_READS_TO_ERASE = sa.select(plate_reads).where(plate_reads.c.image_ref.is_not(None), plate_reads.c.at < sa.bindparam("moment")).order_by(plate_reads.c.id)
_INSERT_STATUS = STATUS.insert().returning(STATUS.c.id)
_STATUS_CHANGES = sa.select(STATUS).order_by(STATUS.c.id)
_LATEST_STATUS = sa.select(sa.func.max(STATUS.c.id))
_INSERT_QUEUE = QUEUES.insert().returning(QUEUES.c.id)
_QUEUES = (
    sa.select(QUEUES)
    .where(
        QUEUES.c.point == sa.bindparam("point"),
        QUEUES.c.entering == sa.bindparam("entering"),
        QUEUES.c.mode == sa.bindparam("mode"),
        QUEUES.c.at >= sa.bindparam("start"),
        QUEUES.c.at <= sa.bindparam("end"),
    )
    .order_by(QUEUES.c.at)
)
_BOOTH_TIMES = (
    sa.select(C.c.at)
    .where(
        C.c.point == sa.bindparam("point"),
        C.c.jurisdiction == sa.bindparam("jurisdiction"),
        C.c.direction == sa.bindparam("direction"),
        C.c.mode == sa.bindparam("mode"),
        C.c.at >= sa.bindparam("start"),
        C.c.at <= sa.bindparam("end"),
    )
    .order_by(C.c.at)
)


def to_minor(money: Money) -> int:
    """An amount in minor units (cents), as stored."""
    return int(money.amount * 100)


def from_minor(amount: int, currency: str) -> Money:
    return Money(Decimal(amount) / 100, currency)


# -------------------------------------------------------------------------------- repositories


class Vehicles:
    """Vehicles as the registry knows them: by issuer and canonical plate."""

    def __init__(self, conn: sa.Connection, driver: Driver, audit: Audit, origin: str = CENTRE) -> None:
        self._conn = conn
        self._driver = driver
        self._audit = audit
        self._origin = origin
        self._find = driver.statement(_FIND_VEHICLE)
        self._insert = driver.statement(_INSERT_VEHICLE_SQL)

    def id_of(self, plate: Plate) -> int | None:
        row = self._driver.one(self._find, (plate.issuer, plate.canonical))
        return int(row[0]) if row is not None else None

    def facts(self, vehicle_id: int) -> tuple[str, str, VehicleClass, str | None]:
        """(issuer, plate, class, keeper's residence) of a known vehicle."""
        row = self._conn.execute(_VEHICLE_BY_ID, {"value": vehicle_id}).one()
        return row.issuer, row.plate, VehicleClass(row.vehicle_class), row.resident

    def ensure(
        self, plate: Plate, *, vehicle_class: VehicleClass, resident: str | None, vin: str | None, at: dt.datetime, actor: str, point: str | None
    ) -> int:
        """The vehicle's id, creating it on first sight; facts learnt later (a VIN, the keeper's residence) are filled in. Audited."""
        found = self._driver.one(self._find, (plate.issuer, plate.canonical))
        if found is not None:
            vehicle_id, known_vin, known_resident = found
            learnt = {key: value for key, value, known in (("vin", vin, known_vin), ("resident", resident, known_resident)) if value and not known}
            if learnt:
                self._conn.execute(_UPDATE_VEHICLE, {"row_id": vehicle_id, **learnt})
                before = dict.fromkeys(learnt)
                self._audit.append(AuditEntry(at, actor, point, "update", "vehicle", vehicle_id, before, learnt))
            return int(vehicle_id)
        new = NewVehicle(plate.issuer, plate.canonical, str(plate.kind), plate.area.code if plate.area else None, vehicle_class, resident, vin, at)
        driver = self._driver
        params = (new.issuer, new.plate, new.plate_kind, new.area_code, str(vehicle_class), resident, vin, driver.moment(at), uuid7(), self._origin)
        row = driver.one(self._insert, params)
        if row is None:  # created a moment ago by another request
            return self.ensure(plate, vehicle_class=vehicle_class, resident=resident, vin=vin, at=at, actor=actor, point=point)
        vehicle_id = int(row[0])
        self._audit.append(AuditEntry(at, actor, point, "create", "vehicle", vehicle_id, None, new._asdict()))
        return vehicle_id


class Registrations:
    """Temporary registrations."""

    def __init__(self, conn: sa.Connection, driver: Driver, origin: str = CENTRE) -> None:
        self._conn = conn
        self._driver = driver
        self._origin = origin
        self._insert = driver.statement(_INSERT_REGISTRATION_SQL)

    def by_number(self, number: str) -> Registration | None:
        return self._one(_REGISTRATION_BY_NUMBER, number)

    def by_id(self, registration_id: int) -> Registration | None:
        return self._one(_REGISTRATION_BY_ID, registration_id)

    def by_request_key(self, key: str) -> Registration | None:
        return self._one(_REGISTRATION_BY_KEY, key)

    def by_end_key(self, key: str) -> Registration | None:
        """The registration a return or cancellation with this request key ended."""
        return self._one(_REGISTRATION_BY_END_KEY, key)

    def by_uid(self, uid: str) -> tuple[Registration, str] | None:
        """A registration by its global id, with its origin."""
        row = self._conn.execute(_REGISTRATION_BY_UID, {"value": uid}).first()
        return (registration_from(tuple(row)[:-1]), row.origin) if row is not None else None

    def add(self, new: NewRegistration, *, plate: str, issuer: str) -> Registration:
        d = self._driver
        at = d.moment(new.issued_at)
        params: tuple[Any, ...] = (new.number, new.vehicle_id, new.jurisdiction, d.day(new.valid_from), d.day(new.valid_until), to_minor(new.fee))
        params += (new.fee.currency, new.rule_id, new.rule_version, at, new.issuing_point, new.clerk, str(new.status), at, new.renews_id, new.request_key)
        params += (new.holder, uuid7(), self._origin)
        registration_id = int(d.one(self._insert, params)[0])
        return Registration(
            number=new.number,
            plate=plate,
            issuer=issuer,
            jurisdiction=new.jurisdiction,
            valid_from=new.valid_from,
            valid_until=new.valid_until,
            fee=new.fee,
            rule_id=new.rule_id,
            rule_version=new.rule_version,
            issued_at=new.issued_at.astimezone(dt.UTC),
            issuing_point=new.issuing_point,
            clerk=new.clerk,
            status=new.status,
            status_reason=None,
            holder=new.holder,
            id=registration_id,
            vehicle_id=new.vehicle_id,
        )

    def set_status(
        self, registration: Registration, status: RegistrationStatus, at: dt.datetime, reason: str | None, request_key: str | None = None
    ) -> Registration:
        values = {"row_id": registration.id, "status": str(status), "status_changed_at": at, "status_reason": reason}
        if request_key is not None:
            values["end_request_key"] = request_key
        self._conn.execute(_SET_STATUS, values)
        return _replace_status(registration, status, reason)

    def due(self, jurisdiction: str, day: dt.date) -> list[Registration]:
        """Active registrations of ``jurisdiction`` whose last valid day is before ``day``."""
        return [registration_from(row) for row in self._conn.execute(_DUE, {"jurisdiction": jurisdiction, "day": day})]

    def jurisdictions(self) -> list[str]:
        return list(self._conn.execute(_JURISDICTIONS).scalars())

    def search(
        self,
        *,
        plate: Plate | None = None,
        status: RegistrationStatus | None = None,
        point: str | None = None,
        limit: int = 100,
        before: tuple[dt.datetime, int] | None = None,
    ) -> list[Registration]:
        """Registrations newest first; ``before`` (issued at, id) continues a list after its last item."""
        query = _REGISTRATION
        if plate is not None:
            query = query.where(V.c.issuer == plate.issuer, V.c.plate == plate.canonical)
        if status is not None:
            query = query.where(R.c.status == str(status))
        if point is not None:
            query = query.where(R.c.issuing_point == point)
        if before is not None:
            query = query.where(sa.tuple_(R.c.issued_at, R.c.id) < sa.tuple_(sa.literal(before[0], type_=R.c.issued_at.type), sa.literal(before[1])))
        rows = self._conn.execute(query.order_by(R.c.issued_at.desc(), R.c.id.desc()).limit(limit))
        return [registration_from(row) for row in rows]

    def count(self, status: RegistrationStatus | None = None) -> int:
        query = sa.select(sa.func.count()).select_from(R)
        if status is not None:
            query = query.where(R.c.status == str(status))
        return int(self._conn.execute(query).scalar_one())

    def stream(self, status: RegistrationStatus | None = None) -> Iterator[Registration]:
        """Every registration (optionally of one status), oldest issue first, fetched in batches."""
        query = _REGISTRATION
        if status is not None:
            query = query.where(R.c.status == str(status))
        for row in _streaming(self._conn).execute(query.order_by(R.c.issued_at, R.c.id)):
            yield registration_from(row)

    def _one(self, statement: sa.Select[Any], value: object) -> Registration | None:
        row = self._conn.execute(statement, {"value": value}).first()
        return registration_from(row) if row is not None else None


class Holdings:
    """What a vehicle holds, asked inside a unit of work with the SQL the fast lookups use.

    In a unit of work that writes, the active registration is locked on PostgreSQL
    (``FOR UPDATE``), so a use case that judges a vehicle by it and then records
    something sees it unchanged until it commits; on SQLite the write lock taken at
    the start of the unit of work does the same.
    """

    def __init__(self, driver: Driver, *, lock: bool) -> None:
        self._driver = driver
        self._active = driver.statement(ACTIVE_REGISTRATION + (" FOR UPDATE OF r" if lock and driver.dialect == "postgresql" else ""))
        self._sticker = driver.statement(STICKER)
        self._counts = driver.statement(ACTION_COUNTS)

    def active_registration(self, issuer: str, plate: str, jurisdiction: str) -> Held | None:
        row = self._driver.one(self._active, (issuer, plate, jurisdiction))
        return held_from(row) if row is not None else None

    def sticker(self, issuer: str, plate: str, jurisdiction: str, rule_id: str, rule_version: str) -> Stickers | None:
        return sticker_from(self._driver.one(self._sticker, (issuer, plate, jurisdiction, rule_id, rule_version)))

    def action_counts(self, issuer: str, plate: str, rule_id: str) -> Counter[ActionKind]:
        return counts_from(self._driver.all(self._counts, (issuer, plate, rule_id)))


class Crossings:
    """Entries and exits."""

    def __init__(self, conn: sa.Connection, driver: Driver, origin: str = CENTRE) -> None:
        self._conn = conn
        self._driver = driver
        self._origin = origin
        self._insert = driver.statement(_INSERT_CROSSING_SQL)

    def add(self, new: NewCrossing, *, plate: str, issuer: str) -> Crossing:
        d = self._driver
        params: tuple[Any, ...] = (
            new.vehicle_id,
            new.point,
            str(new.direction),
            new.jurisdiction,
            str(new.mode),
            new.lane,
            d.moment(new.at),
            str(new.decision),
        )
        params += (new.officer, new.rule_id, new.rule_version, new.registration_id, new.request_key, uuid7(), self._origin)
        crossing_id = int(d.one(self._insert, params)[0])
        values = new._asdict()
        del values["vehicle_id"]
        values["at"] = new.at.astimezone(dt.UTC)
        return Crossing(id=crossing_id, plate=plate, issuer=issuer, vehicle_id=new.vehicle_id, **values)

    def by_request_key(self, key: str) -> Crossing | None:
        return self._one(_CROSSING_BY_KEY, key)

    def between(self, start: dt.datetime | None, end: dt.datetime | None, point: str | None) -> Iterator[Crossing]:
        """The crossings from ``start`` (inclusive) to ``end`` (exclusive), optionally at one point, oldest first, fetched in batches."""
        query = _CROSSING
        for condition in _crossing_filters(start, end, point):
            query = query.where(condition)
        for row in _streaming(self._conn).execute(query.order_by(C.c.at, C.c.id)):
            yield _crossing(row)

    def search(
        self,
        *,
        plate: Plate | None = None,
        point: str | None = None,
        direction: Direction | None = None,
        decision: Decision | None = None,
        start: dt.datetime | None = None,
        end: dt.datetime | None = None,
        limit: int = 100,
        before: tuple[dt.datetime, int] | None = None,
    ) -> list[Crossing]:
        """Crossings newest first; ``before`` (at, id) continues a list after its last item."""
        query = _CROSSING
        for condition in _crossing_filters(start, end, point):
            query = query.where(condition)
        if plate is not None:
            query = query.where(V.c.issuer == plate.issuer, V.c.plate == plate.canonical)
        if direction is not None:
            query = query.where(C.c.direction == str(direction))
        if decision is not None:
            query = query.where(C.c.decision == str(decision))
        if before is not None:
            query = query.where(sa.tuple_(C.c.at, C.c.id) < sa.tuple_(sa.literal(before[0], type_=C.c.at.type), sa.literal(before[1])))
        return [_crossing(row) for row in self._conn.execute(query.order_by(C.c.at.desc(), C.c.id.desc()).limit(limit))]

    def times(self, point: str, jurisdiction: str, direction: Direction, mode: Mode, start: dt.datetime, end: dt.datetime) -> list[dt.datetime]:
        """When vehicles of ``mode`` were recorded at one booth (``direction`` of ``jurisdiction`` at ``point``) from ``start`` to ``end``."""
        params = {"point": point, "jurisdiction": jurisdiction, "direction": str(direction), "mode": str(mode), "start": start, "end": end}
        return list(self._conn.execute(_BOOTH_TIMES, params).scalars())

    def count_between(self, start: dt.datetime | None, end: dt.datetime | None, point: str | None) -> int:
        query = sa.select(sa.func.count()).select_from(C)
        for condition in _crossing_filters(start, end, point):
            query = query.where(condition)
        return int(self._conn.execute(query).scalar_one())

    def _one(self, statement: sa.Select[Any], value: object) -> Crossing | None:
        row = self._conn.execute(statement, {"value": value}).first()
        return _crossing(row) if row is not None else None


class StatusChanges:
    """Crossing status set by supervisors, laid over the shipped history."""

    def __init__(self, conn: sa.Connection, origin: str = CENTRE) -> None:
        self._conn = conn
        self._origin = origin

    def add(self, entry: StatusEntry, recorded_at: dt.datetime) -> int:
        values = {
            "point": entry.point,
            "entering": entry.entering,
            "mode": str(entry.mode),
            "state": str(entry.state),
            "since": entry.since,
            "until": entry.until,
            "reason": entry.reason,
            "source": entry.note,
            "set_by": entry.set_by,
            "recorded_at": recorded_at,
            "uid": uuid7(),
            "origin": self._origin,
        }
        return int(self._conn.execute(_INSERT_STATUS, values).scalar_one())

    def all(self) -> list[StatusEntry]:
        """Every change, in the order it was recorded."""
        return [
            StatusEntry(row.point, row.entering, Mode(row.mode), CrossingState(row.state), row.since, row.until, row.reason, None, row.source, row.set_by)
            for row in self._conn.execute(_STATUS_CHANGES)
        ]

    def latest(self) -> int:
        """The id of the last change recorded (0 when none): whether anything changed since it was last read."""
        return int(self._conn.execute(_LATEST_STATUS).scalar_one() or 0)


class QueueObservations:
    """Queues as staff saw them."""

    def __init__(self, conn: sa.Connection, origin: str = CENTRE) -> None:
        self._conn = conn
        self._origin = origin

    def add(self, point: str, entering: str, mode: Mode, seen: QueueObservation, observed_by: str) -> int:
        values = {
            "point": point,
            "entering": entering,
            "mode": str(mode),
            "at": seen.at,
            "lanes_open": seen.lanes_open,
            "vehicles": seen.vehicles,
            "metres": seen.metres,
            "wait_minutes": seen.wait_minutes,
            "served_per_lane_per_hour": seen.served_per_lane_per_hour,
            "observed_by": observed_by,
            "uid": uuid7(),
            "origin": self._origin,
        }
        return int(self._conn.execute(_INSERT_QUEUE, values).scalar_one())

    def between(self, point: str, entering: str, mode: Mode, start: dt.datetime, end: dt.datetime) -> list[QueueObservation]:
        rows = self._conn.execute(_QUEUES, {"point": point, "entering": entering, "mode": str(mode), "start": start, "end": end})
        return [QueueObservation(row.at, row.lanes_open, row.vehicles, row.metres, row.wait_minutes, row.served_per_lane_per_hour) for row in rows]


class Reads:
    """Plate reads from camera images."""

    def __init__(self, conn: sa.Connection) -> None:
        self._conn = conn

    def add(self, read: StoredRead) -> StoredRead:
        values = {name: getattr(read, name) for name in _READ_COLUMNS}
        values["candidates"] = list(read.candidates)
        read_id = int(self._conn.execute(_INSERT_READ, values).scalar_one())
        return replace(read, id=read_id)

    def by_id(self, read_id: int) -> StoredRead | None:
        row = self._conn.execute(_READ_BY_ID, {"value": read_id}).first()
        return _read(row) if row is not None else None

    def confirm(self, read_id: int, issuer: str, plate: str, by: str, at: dt.datetime) -> None:
        self._conn.execute(_UPDATE_READ, {"row_id": read_id, "confirmed_plate": plate, "confirmed_issuer": issuer, "confirmed_by": by, "confirmed_at": at})

    def link(self, read_id: int, crossing_id: int) -> None:
        self._conn.execute(_UPDATE_READ, {"row_id": read_id, "crossing_id": crossing_id})

    def with_images_taken_before(self, moment: dt.datetime) -> list[StoredRead]:
        return [_read(row) for row in self._conn.execute(_READS_TO_ERASE, {"moment": moment})]

    def erase_image(self, read_id: int, at: dt.datetime) -> None:
        self._conn.execute(_UPDATE_READ, {"row_id": read_id, "image_ref": None, "image_erased_at": at})

    def recent(self, point: str | None, limit: int) -> list[StoredRead]:
        """The newest reads (at ``point``, when given), newest first."""
        query = sa.select(plate_reads)
        if point is not None:
            query = query.where(plate_reads.c.point == point)
        return [_read(row) for row in self._conn.execute(query.order_by(plate_reads.c.id.desc()).limit(limit))]


class Actions:
    """Stickers, warnings and fines."""

    def __init__(self, conn: sa.Connection, origin: str = CENTRE) -> None:
        self._conn = conn
        self._origin = origin

    def sticker_for(self, vehicle_id: int, jurisdiction: str, rule_id: str, rule_version: str) -> Stickers | None:
        """The stickers a vehicle got under a rule version, or None."""
        row = self._conn.execute(_STICKER_FOR, {"vehicle": vehicle_id, "jurisdiction": jurisdiction, "rule_id": rule_id, "rule_version": rule_version}).first()
        return Stickers(row.issued_at, row.point) if row is not None else None

    def add(self, action: Action, *, request_key: str | None, phase: str | None = None) -> tuple[int, dict[str, Any]]:
        """Record a sticker issuance, a warning or a fine; returns its id (per kind of record) and the values stored."""
        if action.kind == ActionKind.STICKER:
            values: dict[str, Any] = {
                "vehicle_id": action.vehicle_id,
                "jurisdiction": action.jurisdiction,
                "rule_id": action.rule_id,
                "rule_version": action.rule_version,
                "issued_at": action.at,
                "point": action.point,
                "officer": action.officer,
                "request_key": request_key,
            }
            return int(self._conn.execute(_INSERT_STICKER, {**values, "uid": uuid7(), "origin": self._origin}).scalar_one()), values
        values = {
            "vehicle_id": action.vehicle_id,
            "jurisdiction": action.jurisdiction,
            "kind": str(action.kind),
            "phase": phase,
            "amount_minor": to_minor(action.amount) if action.amount else None,
            "currency": action.amount.currency if action.amount else None,
            "rule_id": action.rule_id,
            "rule_version": action.rule_version,
            "at": action.at,
            "point": action.point,
            "officer": action.officer,
            "note": action.note,
            "request_key": request_key,
        }
        return int(self._conn.execute(_INSERT_ACTION, {**values, "uid": uuid7(), "origin": self._origin}).scalar_one()), values

    def by_request_key(self, kind: ActionKind, key: str) -> Action | None:
        """The sticker issuance (``kind`` sticker) or the warning or fine recorded with this request key."""
        if kind == ActionKind.STICKER:
            row = self._conn.execute(_STICKER_BY_KEY, {"value": key}).first()
            if row is None:
                return None
            return Action(
                ActionKind.STICKER, row.plate, row.jurisdiction, row.issued_at, row.point, row.officer, row.rule_id, row.rule_version, vehicle_id=row.vehicle_id
            )
        row = self._conn.execute(_ACTION_BY_KEY, {"value": key}).first()
        if row is None:
            return None
        amount = from_minor(row.amount_minor, row.currency) if row.amount_minor is not None else None
        return Action(
            ActionKind(row.kind),
            row.plate,
            row.jurisdiction,
            row.at,
            row.point,
            row.officer,
            row.rule_id,
            row.rule_version,
            amount,
            row.note,
            vehicle_id=row.vehicle_id,
        )


class Bulk:
    """Many rows at once, for imports, exports and demo data: COPY on PostgreSQL, executemany in chunks elsewhere.

    Every row written gets its global id and this registry's origin.
    """

    def __init__(self, conn: sa.Connection, origin: str = CENTRE) -> None:
        self._conn = conn
        self._origin = origin

    def is_empty(self) -> bool:
        """Whether the registry holds no border records (vehicles, registrations, stickers, warnings, fines, crossings): accounts and the audit trail aside."""
        return all(self._conn.execute(sa.select(sa.literal(1)).select_from(table).limit(1)).first() is None for table in (V, R, S, E, C))

    def add_vehicles(self, rows: Iterable[NewVehicle], progress: Progress | None = None) -> int:
        return self._insert(V, NewVehicle._fields, (tuple(row) for row in rows), progress)

    def add_registrations(self, rows: Iterable[NewRegistration], progress: Progress | None = None) -> int:
        columns = (*(f for f in NewRegistration._fields if f != "fee"), "fee_minor", "fee_currency", "status_changed_at")
        flat = (
            (*(value for field, value in zip(NewRegistration._fields, row, strict=True) if field != "fee"), to_minor(row.fee), row.fee.currency, row.issued_at)
            for row in rows
        )
        return self._insert(R, columns, flat, progress)

    def add_crossings(self, rows: Iterable[NewCrossing], progress: Progress | None = None) -> int:
        return self._insert(C, NewCrossing._fields, (tuple(row) for row in rows), progress)

    @contextmanager
    def crossing_writer(self) -> Iterator[Callable[[NewCrossing], None]]:
        """A function that writes one crossing: into a binary COPY on PostgreSQL, in executemany chunks elsewhere."""
        types = ["int4", "text", "text", "text", "text", "text", "timestamptz", "text", "text", "text", "text", "int4", "text", "text", "text"]
        with self._writer(C, NewCrossing._fields, binary_types=types) as write:
            yield write

    def vehicle_ids(self, keys: Iterable[tuple[str, str]]) -> dict[tuple[str, str], int]:
        """The ids of the known vehicles among (issuer, plate) pairs."""
        wanted = set(keys)
        plates = sorted({plate for _, plate in wanted})
        found: dict[tuple[str, str], int] = {}
        for vehicle_id, issuer, plate in self._among("SELECT id, issuer, plate FROM vehicles", "plate", plates):
            if (issuer, plate) in wanted:
                found[(issuer, plate)] = vehicle_id
        return found

    def all_vehicle_ids(self) -> dict[tuple[str, str], int]:
        return {(row.issuer, row.plate): row.id for row in self._conn.execute(sa.select(V.c.id, V.c.issuer, V.c.plate))}

    def registration_ids(self) -> dict[str, int]:
        return {row.number: row.id for row in self._conn.execute(sa.select(R.c.number, R.c.id))}

    def used_crossing_keys(self, keys: Sequence[str]) -> set[str]:
        """The request keys among ``keys`` that crossings in the registry already carry."""
        return {row[0] for row in self._among("SELECT request_key FROM crossings", "request_key", list(keys))}

    def set_first_seen(self, changes: Mapping[int, dt.datetime]) -> None:
        """Correct when vehicles were first seen."""
        if changes:
            update = V.update().where(V.c.id == sa.bindparam("vid")).values(created_at=sa.bindparam("at"))
            self._conn.execute(update, [{"vid": vehicle_id, "at": at} for vehicle_id, at in changes.items()])

    def _among(self, select: str, column: str, values: list[str]) -> Iterator[tuple[Any, ...]]:
        """The rows of ``select`` whose ``column`` is among ``values``: one array query on PostgreSQL, chunks of IN elsewhere."""
        if not values:
            return
        if self._conn.dialect.name == "postgresql":
            yield from (tuple(row) for row in self._conn.exec_driver_sql(f"{select} WHERE {column} = ANY(%s)", (values,)))
            return
        query = sa.text(f"{select} WHERE {column} IN :values").bindparams(sa.bindparam("values", expanding=True))
        for start in range(0, len(values), CHUNK):
            yield from (tuple(row) for row in self._conn.execute(query, {"values": values[start : start + CHUNK]}))

    def _insert(self, table: sa.Table, columns: Sequence[str], rows: Iterable[Sequence[Any]], progress: Progress | None) -> int:
        done = 0
        with self._writer(table, columns) as write:
            for row in rows:
                write(row)
                done += 1
                if progress is not None and done % CHUNK == 0:
                    progress(done, None)
        return done

    @contextmanager
    def _writer(self, table: sa.Table, columns: Sequence[str], binary_types: list[str] | None = None) -> Iterator[Callable[[Sequence[Any]], None]]:
        """A function that writes one row of ``columns`` (with a new global id and this origin): into a COPY on
        PostgreSQL; on SQLite in chunks of plain executemany on the driver, the moments and dates stored as
        SQLAlchemy stores them."""
        origin = self._origin
        columns = (*columns, "uid", "origin")
        if self._conn.dialect.name == "postgresql":
            with self._copy(table, columns, binary_types) as copy_row:
                yield lambda row: copy_row((*row, uuid7(), origin))
            return
        driver = Driver(self._conn)
        convert = [_converter(driver, table.c[name].type) for name in columns]
        sql = f"INSERT INTO {table.name} ({', '.join(columns)}) VALUES ({', '.join('?' * len(columns))})"
        chunk: list[tuple[Any, ...]] = []

        def write(row: Sequence[Any]) -> None:
            values = (*row, uuid7(), origin)
            chunk.append(tuple(value if to is None or value is None else to(value) for to, value in zip(convert, values, strict=True)))
            if len(chunk) == CHUNK:
                driver.many(sql, chunk)
                chunk.clear()

        yield write
        if chunk:
            driver.many(sql, chunk)

    @contextmanager
    def _copy(self, table: sa.Table, columns: Sequence[str], binary_types: list[str] | None = None) -> Iterator[Callable[[Sequence[Any]], None]]:
        driver: Any = self._conn.connection.driver_connection
        options = " (FORMAT BINARY)" if binary_types else ""
        with driver.cursor() as cursor, cursor.copy(f"COPY {table.name} ({', '.join(columns)}) FROM STDIN{options}") as copy:
            if binary_types:
                copy.set_types(binary_types)
            yield copy.write_row


# -------------------------------------------------------------------------------- helpers


def _converter(driver: Driver, column_type: sa.types.TypeEngine[Any]) -> Callable[[Any], Any] | None:
    """How a value of a column is handed to the driver: moments and dates as the registry stores them, words as text."""
    if isinstance(column_type, UTCDateTime):
        return driver.moment
    if isinstance(column_type, sa.Date):
        return driver.day
    if isinstance(column_type, sa.String):
        return str
    return None


def _read(row: Any) -> StoredRead:
    return StoredRead(
        id=row.id,
        **{name: getattr(row, name) for name in _READ_COLUMNS if name != "candidates"},
        candidates=tuple(row.candidates),
    )


def _crossing(row: Any) -> Crossing:
    return Crossing(
        id=row.id,
        plate=row.plate,
        issuer=row.issuer,
        point=row.point,
        direction=Direction(row.direction),
        jurisdiction=row.jurisdiction,
        mode=Mode(row.mode),
        lane=row.lane,
        at=row.at,
        decision=Decision(row.decision),
        officer=row.officer,
        rule_id=row.rule_id,
        rule_version=row.rule_version,
        registration_id=row.registration_id,
        request_key=row.request_key,
        vehicle_id=row.vehicle_id,
    )


def _crossing_filters(start: dt.datetime | None, end: dt.datetime | None, point: str | None) -> list[sa.ColumnElement[bool]]:
    conditions = []
    if start is not None:
        conditions.append(C.c.at >= start)
    if end is not None:
        conditions.append(C.c.at < end)
    if point is not None:
        conditions.append(C.c.point == point)
    return conditions


def _replace_status(registration: Registration, status: RegistrationStatus, reason: str | None) -> Registration:
    return replace(registration, status=status, status_reason=reason)


def _streaming(conn: sa.Connection) -> sa.Connection:
    """The connection set to fetch results in batches (a server-side cursor on PostgreSQL)."""
    return conn.execution_options(stream_results=True, yield_per=CHUNK)
