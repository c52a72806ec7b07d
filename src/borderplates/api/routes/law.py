"""Plates and the law: reading a plate, the check at the booth, the rules' history, reciprocity, crossing points."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query
from starlette.responses import Response

from borderplates import reference
from borderplates.api.deps import CurrentActor, ServedDep
from borderplates.api.responses import moment_or_now, prebuilt
from borderplates.api.schemas import (
    CheckPublic,
    CoordinatesPublic,
    CrossingPointPublic,
    CrossingPointsPublic,
    IsoDate,
    IsoMoment,
    PlateReadingPublic,
    ReciprocityPublic,
    RulesPublic,
)
from borderplates.errors import ValidationError
from borderplates.services import checks
from borderplates.services import law as law_services
from borderplates.services.actors import Permission, authorise
from borderplates.services.presentation import Presentation
from borderplates.vocabulary import Direction, VehicleClass

router = APIRouter(tags=["law"])
Code = Annotated[str | None, Query(min_length=1, max_length=10)]


@router.get("/plate", response_model=PlateReadingPublic)
async def read_plate(text: Annotated[str, Query(min_length=1, max_length=40)], actor: CurrentActor) -> Response:
    """Read a plate: issuer, registration area, kind, and every other reading it fits (as ``borderplates plate --json``)."""
    authorise(actor, Permission.CHECK)
    reading = law_services.read_plate(text)
    try:
        best = law_services.plate_json(reading.best)
    except ValidationError:
        best = None
    return prebuilt({"text": text, "plate": best, "ambiguous": best is None, "candidates": [law_services.candidate_json(c) for c in reading.candidates]})


@router.get("/check", response_model=CheckPublic)
async def check(
    plate: Annotated[str, Query(min_length=1, max_length=40)],
    actor: CurrentActor,
    served: ServedDep,
    entering: Code = None,
    leaving: Code = None,
    point: Annotated[str | None, Query(min_length=1, max_length=60)] = None,
    at: IsoMoment | None = None,
    vehicle_class: Annotated[VehicleClass, Query(alias="class")] = VehicleClass.CAR,
    resident: Code = None,
    registered_on: IsoDate | None = None,
) -> Response:
    """What the officer must do for this vehicle now: the law, and what it already holds (as ``borderplates check --json``)."""
    jurisdiction, direction = direction_of(entering, leaving)
    presentation = Presentation(plate, jurisdiction, moment_or_now(at), direction, point, vehicle_class, resident, registered_on)
    return prebuilt(checks.check_vehicle(presentation, actor=actor, db=served.db).as_json())


@router.get("/rules", response_model=RulesPublic)
async def rules(entering: Code = None, leaving: Code = None, issuer: Code = None) -> Response:
    """The history of the entry (and exit) rules, version by version, planned versions included. Public."""
    if entering and leaving:
        raise ValidationError("give entering or leaving, not both")
    found = law_services.rules(entering or leaving, issuer, "entry" if entering else "exit" if leaving else None)
    return prebuilt({"rules": [law_services.rule_json(rule) for rule in found]})


@router.get("/reciprocity", response_model=ReciprocityPublic)
async def reciprocity(
    a: Annotated[str, Query(min_length=1, max_length=10)],
    b: Annotated[str, Query(min_length=1, max_length=10)],
    actor: CurrentActor,
    at: IsoMoment | None = None,
) -> Response:
    """Whether A and B treat each other's vehicles alike at a moment, and every period they did not."""
    authorise(actor, Permission.CHECK)
    result = law_services.reciprocity(a, b, moment_or_now(at))
    comparison = result.comparison
    return prebuilt(
        {
            "a": result.a,
            "b": result.b,
            "at": comparison.at.isoformat(),
            "symmetric": comparison.symmetric,
            "a_to_b": {"vehicle": law_services.plate_json(comparison.a_to_b.vehicle.plate), **law_services.ruling_json(comparison.a_to_b)},
            "b_to_a": {"vehicle": law_services.plate_json(comparison.b_to_a.vehicle.plate), **law_services.ruling_json(comparison.b_to_a)},
            "asymmetric_periods": [{"from": p.start.isoformat(), "until": p.until.isoformat() if p.until else None} for p in result.periods],
        }
    )


@router.get("/crossing-points")
async def crossing_points() -> CrossingPointsPublic:
    """The crossing points, their names, the jurisdictions they join and the traffic they serve. Public."""
    return CrossingPointsPublic(
        crossing_points=[
            CrossingPointPublic(
                id=point.id,
                name=point.name,
                names=dict(point.names),
                between=list(point.between),
                modes=[str(mode) for mode in point.modes],
                location=point.location,
                coordinates=CoordinatesPublic(latitude=point.coordinates.latitude, longitude=point.coordinates.longitude) if point.coordinates else None,
            )
            for point in reference.load().crossing_points.values()
        ]
    )


def direction_of(entering: str | None, leaving: str | None) -> tuple[str, Direction]:
    if entering is not None and leaving is None:
        return entering, Direction.ENTRY
    if leaving is not None and entering is None:
        return leaving, Direction.EXIT
    raise ValidationError("give exactly one of entering or leaving")
