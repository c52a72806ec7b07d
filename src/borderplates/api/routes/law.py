"""Plates and the law: reading a plate, the check at the booth, the rules' history, reciprocity, crossing points."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request
from starlette.responses import Response

from borderplates import reference
from borderplates.api.deps import CurrentActor, authenticated, served_by
from borderplates.api.responses import moment_or_now, prebuilt
from borderplates.api.schemas import (
    CheckPublic,
    CoordinatesPublic,
    CrossingPointPublic,
    CrossingPointsPublic,
    IsoMoment,
    PlateReadingPublic,
    ReciprocityPublic,
    RulesPublic,
    parse_date,
    parse_moment,
)
from borderplates.errors import ValidationError
from borderplates.services import checks
from borderplates.services import law as law_services
from borderplates.services.actors import Permission, authorise
from borderplates.services.presentation import Presentation
from borderplates.vocabulary import Direction, VehicleClass

router = APIRouter(tags=["law"])
Code = Annotated[str | None, Query(min_length=1, max_length=10)]


def _query_parameter(name: str, description: str, *, required: bool = False, max_length: int = 60, **schema: object) -> dict[str, object]:
    typed = {"type": "string", "minLength": 1, "maxLength": max_length, **schema}
    return {"name": name, "in": "query", "required": required, "description": description, "schema": typed}


CHECK_PARAMETERS = [
    _query_parameter("plate", "The plate as typed or read, e.g. 'NP 123-AB'.", required=True, max_length=40),
    _query_parameter("entering", "The jurisdiction entered, e.g. XK (or give leaving).", max_length=10),
    _query_parameter("leaving", "The jurisdiction left, e.g. XK (or give entering).", max_length=10),
    _query_parameter("point", "The crossing point id.", max_length=60),
    _query_parameter("at", "When: ISO 8601 with a UTC offset; default now.", max_length=40, format="date-time"),
    _query_parameter("class", "The vehicle class.", max_length=20, enum=[str(c) for c in VehicleClass]),
    _query_parameter("resident", "Where the keeper resides, e.g. XK.", max_length=10),
    _query_parameter("registered_on", "When the vehicle's registration was issued or renewed.", max_length=10, format="date"),
]


@router.get("/check", response_model=CheckPublic, openapi_extra={"parameters": CHECK_PARAMETERS})
async def check(request: Request) -> Response:
    """What the officer must do for this vehicle now: the law, and what it already holds (as ``borderplates check --json``).

    The booth's hot path: the query is read and the actor found here, without FastAPI's per-parameter
    machinery; the services check every value as they do for the command line.
    """
    actor = await authenticated(request)
    query = request.query_params
    plate = query.get("plate")
    if plate is None:
        raise ValidationError("give the plate")
    jurisdiction, direction = direction_of(query.get("entering"), query.get("leaving"))
    at, registered_on = query.get("at"), query.get("registered_on")
    presentation = Presentation(
        plate,
        jurisdiction,
        moment_or_now(parse_moment(at) if at is not None else None),
        direction,
        query.get("point"),
        query.get("class", VehicleClass.CAR),
        query.get("resident"),
        parse_date(registered_on) if registered_on is not None else None,
    )
    return prebuilt(checks.check_vehicle(presentation, actor=actor, db=served_by(request).db).as_json())


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
