"""Planning: scenarios simulated at a crossing point on its recorded traffic, as figures or as a plot."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Request
from pydantic import BeforeValidator, Field
from starlette.responses import Response

from borderplates.api.deps import CurrentActor, ServedDep
from borderplates.api.responses import prebuilt
from borderplates.api.schemas import Code, IsoDate, Public, Strict, text_only
from borderplates.services import planning
from borderplates.simulate import MAX_LANES, Scenario
from borderplates.vocabulary import NAME_LENGTH, Mode

router = APIRouter(tags=["planning"])

#: Days a plan may count over HTTP: a week keeps a run to seconds.
MAX_DAYS = 7
PNG = "image/png"
ScenarioWord = Annotated[Scenario, Field(strict=False), BeforeValidator(text_only)]
TrafficWord = Annotated[planning.Traffic, Field(strict=False), BeforeValidator(text_only)]


class SimulationCreate(Strict):
    """Scenarios to compare at a crossing point on the same traffic, lanes and seed."""

    scenarios: list[ScenarioWord] = Field(min_length=1, max_length=len(Scenario))
    point: str = Field("merdare", min_length=1, max_length=NAME_LENGTH, description="The crossing point, e.g. merdare.")
    traffic: TrafficWord = Field(planning.Traffic.AUTO, description="recorded, demo, or auto (recorded when there is some).")
    from_: IsoDate | None = Field(None, alias="from", description="First local date of the recorded crossings used.")
    until: IsoDate | None = Field(None, description="Last local date of the recorded crossings used.")
    on: IsoDate | None = Field(None, description="The date of the law scenario.")
    days: int = Field(1, ge=1, le=MAX_DAYS, description="Days counted, after a day of warm-up.")
    seed: int = Field(1, ge=0, le=2**31 - 1)
    lanes: int | None = Field(None, ge=1, le=MAX_LANES, description="Passenger lanes in each direction; default the point's.")
    plates_for: Code | None = Field(None, description="Whose vehicles get temporary plates in the one-side scenario.")


class SimulationPublic(Public):
    point: str
    point_name: str
    days: int
    seed: int
    on: str | None
    volumes: dict[str, Any]
    lanes: list[dict[str, Any]]
    service: dict[str, Any]
    blocked: dict[str, Any] | None
    scenarios: list[dict[str, Any]]


@router.post(
    "/simulations",
    response_model=SimulationPublic,
    responses={200: {"content": {PNG: {}}, "description": "The figures as JSON, or the plot when the request accepts image/png only."}},
)
def simulate(body: SimulationCreate, request: Request, actor: CurrentActor, served: ServedDep) -> Response:
    """Compare scenarios at a crossing point (supervisors): mean and 95th-percentile waits, the longest queue, per scenario.

    Runs on the crossings recorded at the point (in the period given), or on the demo
    week's traffic where none were; writes nothing. One simulation runs at a time: another
    request meanwhile is answered 429 with ``Retry-After``.
    """
    comparison = planning.plan(
        body.scenarios,
        point=body.point,
        traffic=body.traffic,
        first_day=body.from_,
        last_day=body.until,
        on=body.on,
        days=body.days,
        seed=body.seed,
        lanes={Mode.PASSENGER: body.lanes} if body.lanes is not None else None,
        plates_for=body.plates_for.upper() if body.plates_for else None,
        actor=actor,
        db=served.db,
    )
    if _wants_png(request.headers.get("accept", "")):
        return Response(comparison.png, media_type=PNG)
    return prebuilt(comparison.as_json())


def _wants_png(accept: str) -> bool:
    """Whether the request accepts a PNG and not JSON."""
    kinds = {part.split(";")[0].strip().lower() for part in accept.split(",")}
    return PNG in kinds and "application/json" not in kinds
