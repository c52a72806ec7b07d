"""Importing a crossings CSV file, all or nothing, at the speed of a bulk write.

Two passes: a quick survey (header, vehicles, request keys), then, in the one unit
of work, the vehicles are looked up and created in bulk, and every row is checked
and, while no row has been bad, streamed to the registry (COPY on PostgreSQL), so
that checking and writing overlap. A bad row anywhere rolls the whole unit of work
back: a rejected file leaves no trace.
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Callable
from dataclasses import dataclass
from typing import IO, Any

from borderplates import reference
from borderplates.errors import ConflictError, ValidationError
from borderplates.model import AuditEntry, NewCrossing, NewVehicle
from borderplates.reference import Plate
from borderplates.registry import Database, DuplicateRecord, UnitOfWork
from borderplates.services.actors import Actor, Permission, authorise
from borderplates.services.sync import refuse_at_site
from borderplates.services.transfer.rows import (
    CHUNK,
    VEHICLE_CLASS_BY_MODE,
    Bad,
    GoodRow,
    ImportRejected,
    Problem,
    Progress,
    Reader,
    RowChecker,
    Survey,
    VehicleKey,
    moment,
    open_source,
    read_plate,
    survey,
)
from borderplates.vocabulary import Mode, VehicleClass

IMPORT_POLICY = (
    "all or nothing: the whole file is validated first; if any row is bad nothing is imported and every bad row is reported "
    "with its line number; a valid file is imported in one transaction"
)


@dataclass(frozen=True)
class ImportResult:
    file: str
    rows: int
    vehicles_created: int
    policy: str = IMPORT_POLICY

    def as_json(self) -> dict[str, Any]:
        return {"imported": self.rows, "vehicles_created": self.vehicles_created, "file": self.file, "policy": self.policy}


def import_crossings(source: str | os.PathLike[str] | IO[bytes] | IO[str], *, actor: Actor, db: Database, progress: Progress | None = None) -> ImportResult:
    """Import a crossings CSV file, all or nothing (see :mod:`borderplates.services.transfer`).

    ``progress(rows_done, total)`` is called during the survey (``total`` None) and
    while checking and writing (``total`` the number of rows).
    """
    authorise(actor, Permission.IMPORT)
    refuse_at_site(db, "import crossings")
    name, opener = open_source(source)
    with opener() as text:
        found = survey(text, progress)
    if found.rows == 0:
        raise ImportRejected(f"{name}: the file has a header but no rows; nothing was imported")
    try:
        with db.begin() as uow:
            problems = [
                (found.keys[key], f"request key {key!r} was already used by a crossing in the registry")
                for key in uow.bulk.used_crossing_keys(list(found.keys))
            ]
            readings: dict[tuple[str, frozenset[str]], Plate | Bad] = {}
            ids, created = _vehicles(uow, found, readings)
            checker = RowChecker(readings)
            first_seen: dict[int, dt.datetime] = {}
            with opener() as text, uow.bulk.crossing_writer() as write:
                problems += _check_and_write(Reader(text), checker, ids, created, first_seen, None if problems else write, progress, found.rows)
                if problems:
                    raise ImportRejected.bad_rows(problems)
            uow.bulk.set_first_seen(first_seen)
            after = {"file": name, "rows": found.rows, "vehicles_created": len(created)}
            uow.audit.append(AuditEntry(dt.datetime.now(dt.UTC), actor.name, None, "import", "crossing_import", found.rows, None, after))
            uow.commit()
    except DuplicateRecord:
        raise ConflictError("another import or check wrote the same vehicles or request keys at the same moment; nothing was imported, try again") from None
    return ImportResult(name, found.rows, len(created))


def _check_and_write(
    reader: Reader,
    checker: RowChecker,
    ids: dict[VehicleKey, int],
    created: dict[int, dt.datetime],
    first_seen: dict[int, dt.datetime],
    write: Callable[[NewCrossing], None] | None,
    progress: Progress | None,
    total: int,
) -> list[Problem]:
    """Check every row; write each good one while no row has been bad. Returns the bad rows.

    A vehicle created by this import was first seen at its earliest crossing in the file:
    ``first_seen`` collects the corrections to the moment it was created with.
    """
    problems: list[Problem] = []
    count = 0
    for line, row in reader:
        count += 1
        if progress is not None and count % CHUNK == 0:
            progress(count, total)
        checked = checker.check(line, row)
        if isinstance(checked, Bad):
            problems.append((line, checked))
            continue
        if write is None or problems:
            continue
        vehicle = ids[checked.vehicle]
        earliest = first_seen.get(vehicle, created.get(vehicle))
        if earliest is not None and checked.at < earliest:
            first_seen[vehicle] = checked.at
        write(_crossing(vehicle, checked))
    if progress is not None:
        progress(count, total)
    return problems


def _crossing(vehicle: int, row: GoodRow) -> NewCrossing:
    return NewCrossing(vehicle, row.point, row.direction, row.jurisdiction, row.mode, row.lane, row.at, row.decision, row.officer, request_key=row.request_key)


def _vehicles(uow: UnitOfWork, found: Survey, readings: dict[tuple[str, frozenset[str]], Plate | Bad]) -> tuple[dict[VehicleKey, int], dict[int, dt.datetime]]:
    """The id of every vehicle the file names (as far as its plate and point read), creating those the registry
    does not know yet; and, for the new ones, the moment of their first row. ``readings`` caches the plate readings."""
    wanted: dict[VehicleKey, NewVehicle] = {}
    points: dict[str, frozenset[str] | None] = {}
    for (plate_text, point_text), (at_text, mode_text) in found.firsts.items():
        if point_text not in points:
            try:
                points[point_text] = frozenset(reference.crossing_point(point_text).between)
            except ValidationError:
                points[point_text] = None
        context = points[point_text]
        if context is None:
            continue
        plate = readings.get((plate_text, context))
        if plate is None:
            plate = readings[(plate_text, context)] = read_plate(plate_text, context)
        at = moment(at_text)
        if isinstance(plate, Bad) or isinstance(at, Bad) or (plate.issuer, plate.canonical) in wanted:
            continue
        vehicle_class = VEHICLE_CLASS_BY_MODE.get(Mode(mode_text), VehicleClass.CAR) if mode_text in Mode._value2member_map_ else VehicleClass.CAR
        wanted[(plate.issuer, plate.canonical)] = NewVehicle(
            plate.issuer, plate.canonical, str(plate.kind), plate.area.code if plate.area else None, vehicle_class, None, None, at
        )
    ids = uow.bulk.vehicle_ids(wanted)
    missing = [wanted[key] for key in wanted if key not in ids]
    uow.bulk.add_vehicles(missing)
    created: dict[int, dt.datetime] = {}
    if missing:
        new = uow.bulk.vehicle_ids((vehicle.issuer, vehicle.plate) for vehicle in missing)
        ids.update(new)
        created = {vehicle_id: wanted[key].created_at for key, vehicle_id in new.items()}
    return ids, created
