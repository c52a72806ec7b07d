"""Checking a vehicle at the border: the law, then what the vehicle already holds."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from borderplates import reference
from borderplates.errors import ValidationError
from borderplates.law import Ruling
from borderplates.registry import Database, repository
from borderplates.services import common
from borderplates.services import law as law_services
from borderplates.services.registrations import Registration, registration_from_row

#: A registration whose last valid day is this close is admitted with a notice.
EXPIRY_NOTICE_DAYS = 3


@dataclass(frozen=True)
class Check:
    """What the officer must do now, and why."""

    ruling: Ruling
    decision: str
    notes: tuple[str, ...]
    held: tuple[str, ...]
    registration: Registration | None = None

    @property
    def reasons(self) -> tuple[str, ...]:
        """How the plate was read, the law's reasons, then what the vehicle holds."""
        return (*self.notes, *self.ruling.reasons, *self.held)

    def as_json(self) -> dict[str, Any]:
        result = law_services.check_json(self.ruling, self.decision, self.reasons)
        result["registration"] = self.registration.as_json() if self.registration else None
        return result


def check_vehicle(
    plate_text: str,
    jurisdiction: str,
    at: dt.datetime,
    direction: str = "entry",
    *,
    point: str | None = None,
    vehicle_class: str = "car",
    resident: str | None = None,
    registered_on: dt.date | None = None,
    db: Database | None = None,
) -> Check:
    """The decision for a vehicle at a crossing: the law's, adjusted for what it holds."""
    at = common.aware(at)
    code = reference.jurisdiction(jurisdiction).code
    where = common.place(point, code) if point is not None else None
    if direction not in ("entry", "exit"):
        raise ValidationError("direction is entry or exit")
    ruling, notes = law_services.rule_for(
        plate_text, code, at, direction, point_id=where, vehicle_class=vehicle_class, resident=resident, registered_on=registered_on
    )
    decision, held, registration = _against_registry(ruling, common.database(db))
    return Check(ruling, decision, notes, held, registration)


def _against_registry(ruling: Ruling, db: Database) -> tuple[str, tuple[str, ...], Registration | None]:
    decision = ruling.decision
    plate = ruling.vehicle.plate
    day = ruling.local_at.date()
    if decision == "issue_temporary_registration" and ruling.requirement.kind == "temporary_registration":
        with db.lookup() as conn:
            row = repository.active_registration(conn, plate, ruling.jurisdiction)
        if row is None:
            return decision, ("the vehicle holds no active temporary registration",), None
        registration = registration_from_row(row)
        if registration.valid_from <= day <= registration.valid_until:
            left = (registration.valid_until - day).days
            reasons = [f"holds temporary registration {registration.number}, valid {registration.valid_from} to {registration.valid_until}"]
            if left < EXPIRY_NOTICE_DAYS:
                reasons.append(f"notice: it expires {'today' if left == 0 else f'in {left} day' + ('s' if left > 1 else '')}; tell the driver to renew it")
            return "admit", tuple(reasons), registration
        if registration.valid_until < day:
            return (
                decision,
                (f"temporary registration {registration.number} expired after {registration.valid_until}; a new one is needed",),
                registration,
            )
        return decision, (f"temporary registration {registration.number} is valid only from {registration.valid_from}",), registration
    if decision == "apply_sticker":
        with db.lookup() as conn:
            vehicle = repository.vehicle_id(conn, plate)
            sticker = repository.sticker_for(conn, vehicle, ruling.jurisdiction, ruling.rule.id, ruling.version.id) if vehicle else None
        if sticker is not None:
            local = sticker.issued_at.astimezone(ruling.rule.timezone)
            return "admit", (f"stickers were issued on {local:%Y-%m-%d %H:%M} at {sticker.point}; check that they cover the state symbols",), None
    if decision in ("warn", "fine"):
        with db.lookup() as conn:
            vehicle = repository.vehicle_id(conn, plate)
            counts = [(repository.count_actions(conn, vehicle, kind, ruling.rule.id), kind) for kind in ("warning", "fine")] if vehicle else []
        earlier = [f"{n} {kind}{'s' if n > 1 else ''}" for n, kind in counts if n]
        if earlier:
            return decision, (f"recorded earlier for this vehicle under this rule: {', '.join(earlier)}",), None
    return decision, (), None
