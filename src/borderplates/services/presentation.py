"""A vehicle presented at the border: the facts every use case about it needs, in one value.

The interfaces build a :class:`Presentation` from what the officer or clerk typed (the
plate as typed, the jurisdiction entered or left, the moment, the direction, the
crossing point or registration centre, the vehicle's class, its keeper's residence,
the date its registration was issued, its VIN) and pass it down unchanged;
:func:`judge` checks it and asks the law, and the use cases work from the
:class:`Judgement`, so no fact is lost on the way to the law or the registry.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from borderplates import reference
from borderplates.errors import ValidationError, quoted
from borderplates.law import Ruling
from borderplates.reference import Plate
from borderplates.services import inputs
from borderplates.services import law as law_services
from borderplates.services.law import Notes
from borderplates.vocabulary import Direction, VehicleClass


@dataclass(frozen=True, slots=True)
class Presentation:
    """The facts about a vehicle at a border, as given: the plate as typed, or already read (a renewal knows its issuer)."""

    plate: str | Plate
    jurisdiction: str
    at: dt.datetime
    direction: Direction | str = Direction.ENTRY
    point: str | None = None
    vehicle_class: VehicleClass | str = VehicleClass.CAR
    resident: str | None = None
    registered_on: dt.date | None = None
    vin: str | None = None


@dataclass(frozen=True, slots=True)
class Judgement:
    """A presentation checked and ruled on: the law's ruling, where it happens, how the plate was read."""

    ruling: Ruling
    where: str | None
    notes: Notes
    """How the plate was read (written out when read)."""
    vin: str | None

    @property
    def plate(self) -> Plate:
        return self.ruling.vehicle.plate

    @property
    def jurisdiction(self) -> str:
        return self.ruling.jurisdiction

    @property
    def at(self) -> dt.datetime:
        return self.ruling.at

    @property
    def day(self) -> dt.date:
        """The local calendar day of the moment, in the jurisdiction's time zone."""
        return self.ruling.local_at.date()

    @property
    def vehicle_class(self) -> VehicleClass:
        return VehicleClass(self.ruling.vehicle.vehicle_class)

    @property
    def resident(self) -> str | None:
        return self.ruling.vehicle.resident

    @property
    def at_crossing_point(self) -> bool:
        return self.where is not None and not inputs.is_centre(self.where)


def judge(presentation: Presentation, *, centres: bool = False, point_required: bool = False) -> Judgement:
    """Check every fact of ``presentation`` and ask the law; ``centres`` admits ``centre:<name>`` as the place."""
    at = inputs.moment(presentation.at)
    code = reference.jurisdiction(presentation.jurisdiction).code
    direction = inputs.word(Direction, presentation.direction, "direction")
    vehicle_class = inputs.word(VehicleClass, presentation.vehicle_class, "vehicle class")
    if presentation.point is None:
        if point_required:
            raise ValidationError("say where: a crossing point id" + (" or centre:<name>" if centres else ""))
        where = None
    else:
        where = inputs.place(presentation.point, code, centres=centres)
    resident = reference.jurisdiction(presentation.resident).code if presentation.resident is not None else None
    registered_on = _registered_on(presentation.registered_on)
    vin = _vin(presentation.vin)
    ruling, notes = law_services.rule_for(
        presentation.plate,
        code,
        at,
        direction,
        point_id=where if where is not None and not inputs.is_centre(where) else None,
        vehicle_class=vehicle_class,
        resident=resident,
        registered_on=registered_on,
    )
    return Judgement(ruling, where, notes, vin)


def _registered_on(value: object) -> dt.date | None:
    if value is None:
        return None
    if not isinstance(value, dt.date) or isinstance(value, dt.datetime):
        raise ValidationError("the registration date is a calendar date")
    if not inputs.FIRST_YEAR <= value.year <= inputs.LAST_YEAR:
        raise ValidationError(f"the registration date {value.isoformat()} is outside the years {inputs.FIRST_YEAR}–{inputs.LAST_YEAR}")
    return value


def _vin(value: object) -> str | None:
    if value is None:
        return None
    vin = inputs.text(value, "VIN", 17).upper()
    if len(vin) != 17 or any(ch in "IOQ" for ch in vin) or not (vin.isascii() and vin.isalnum()):
        raise ValidationError(f"VIN {quoted(vin)} must be 17 letters and digits, without I, O or Q")
    return vin
