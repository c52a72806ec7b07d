"""Recording crossings: every entry and exit, with the decision taken; refusals are crossings too."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa

from borderplates import reference
from borderplates.errors import ConflictError, ValidationError
from borderplates.registry import Database, repository
from borderplates.registry.tables import crossings
from borderplates.services import common
from borderplates.services.checks import Check, check_vehicle
from borderplates.services.registrations import change_status


@dataclass(frozen=True)
class CrossingRecord:
    id: int
    plate: str
    issuer: str
    point: str
    direction: str
    jurisdiction: str
    mode: str
    lane: str | None
    at: dt.datetime
    decision: str
    officer: str
    check: Check | None = None

    def as_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "plate": self.plate,
            "issuer": self.issuer,
            "point": self.point,
            "direction": self.direction,
            "jurisdiction": self.jurisdiction,
            "mode": self.mode,
            "lane": self.lane,
            "at": self.at.isoformat(),
            "decision": self.decision,
            "officer": self.officer,
            "reasons": list(self.check.reasons) if self.check else [],
        }


def record_crossing(
    plate_text: str,
    jurisdiction: str,
    at: dt.datetime,
    direction: str = "entry",
    *,
    point: str,
    officer: str,
    mode: str = "passenger",
    lane: str | None = None,
    request_key: str | None = None,
    vehicle_class: str = "car",
    resident: str | None = None,
    registered_on: dt.date | None = None,
    return_registration: bool = False,
    db: Database | None = None,
) -> CrossingRecord:
    """Check the vehicle and record the crossing with the decision taken, in one transaction.

    On exit, ``return_registration`` also takes back the vehicle's active temporary registration.
    """
    officer, key = common.person(officer, "officer"), common.request_key(request_key)
    code = reference.jurisdiction(jurisdiction).code
    crossing_point = reference.crossing_point(point)
    where = common.place(crossing_point.id, code)
    if mode not in crossing_point.modes:
        raise ValidationError(f"{crossing_point.name} serves {', '.join(crossing_point.modes)}, not {mode!r}")
    if lane is not None and (not lane.strip() or len(lane) > 20):
        raise ValidationError("a lane is named in 1 to 20 characters")
    if return_registration and direction != "exit":
        raise ValidationError("a registration is returned on exit only")
    check = check_vehicle(plate_text, code, at, direction, point=where, vehicle_class=vehicle_class, resident=resident, registered_on=registered_on, db=db)
    plate = check.ruling.vehicle.plate
    database = common.database(db)
    try:
        with database.write() as conn:
            if key is not None and (existing := repository.by_request_key(conn, crossings, key)) is not None:
                if existing.vehicle_id != repository.vehicle_id(conn, plate):
                    raise ConflictError("this request key was already used for another vehicle")
                return _record(existing, plate, None)
            vehicle = repository.ensure_vehicle(conn, plate, at, vehicle_class, actor=officer, point=where)
            registration_id = None
            if check.registration is not None and check.decision == "admit":
                held = repository.registration_by(conn, number=check.registration.number)
                registration_id = held.id if held is not None else None
            if return_registration:
                active = repository.active_registration(conn, plate, code)
                if active is None:
                    raise ConflictError(f"{plate.canonical} holds no active temporary registration to return")
                change_status(conn, active, "returned", at, officer, where, "returned on exit")
                registration_id = active.id
            values = {
                "vehicle_id": vehicle,
                "point": where,
                "direction": direction,
                "jurisdiction": code,
                "mode": mode,
                "lane": lane.strip() if lane else None,
                "at": at,
                "decision": check.decision,
                "rule_id": check.ruling.rule.id,
                "rule_version": check.ruling.version.id,
                "registration_id": registration_id,
                "officer": officer,
                "request_key": key,
            }
            new_id = repository.insert(conn, crossings, values)
            repository.audit(conn, at=at, actor=officer, point=where, action="record", entity="crossing", entity_id=new_id, before=None, after=values)
            return _record(conn.execute(sa.select(crossings).where(crossings.c.id == new_id)).one(), plate, check)
    except sa.exc.IntegrityError:
        if key is not None:
            # A concurrent retry of the same request committed first: answer with its crossing.
            with database.read() as conn:
                existing = repository.by_request_key(conn, crossings, key)
                if existing is not None and existing.vehicle_id == repository.vehicle_id(conn, plate):
                    return _record(existing, plate, None)
        raise ConflictError("this request key was used at the same moment by another request") from None


def _record(row: sa.Row[Any], plate: reference.Plate, check: Check | None) -> CrossingRecord:
    return CrossingRecord(
        row.id,
        plate.canonical,
        plate.issuer,
        row.point,
        row.direction,
        row.jurisdiction,
        row.mode,
        row.lane,
        row.at,
        row.decision,
        row.officer,
        check,
    )
