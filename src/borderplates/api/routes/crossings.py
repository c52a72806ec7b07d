"""Crossings: record an entry or exit with the decision taken, and the crossings log."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from borderplates.api.deps import CurrentActor, ServedDep
from borderplates.api.responses import moment_or_now
from borderplates.api.routes.law import direction_of
from borderplates.api.routes.registrations import IdempotencyKey
from borderplates.api.schemas import CrossingCreate, CrossingRecordPublic, CrossingsPublic, IsoMoment
from borderplates.services import crossings
from borderplates.services.crossings import crossing_json
from borderplates.services.presentation import Presentation

router = APIRouter(tags=["crossings"])


@router.post("/crossings", status_code=201)
def record(body: CrossingCreate, actor: CurrentActor, served: ServedDep, idempotency_key: IdempotencyKey = None) -> CrossingRecordPublic:
    """Check the vehicle and record the crossing with the decision taken, refusals included (as ``borderplates cross --json``)."""
    jurisdiction, direction = direction_of(body.entering, body.leaving)
    presentation = Presentation(
        body.plate,
        jurisdiction,
        moment_or_now(body.at),
        direction,
        point=body.point,
        vehicle_class=body.vehicle_class,
        resident=body.resident,
        registered_on=body.registered_on,
    )
    recorded = crossings.record_crossing(
        presentation,
        actor=actor,
        mode=body.mode,
        lane=body.lane,
        request_key=idempotency_key,
        return_registration=body.return_registration,
        read_id=body.read_id,
        db=served.db,
    )
    return CrossingRecordPublic.model_validate(recorded.as_json())


@router.get("/crossings")
def log(
    actor: CurrentActor,
    served: ServedDep,
    plate: Annotated[str | None, Query(min_length=1, max_length=40)] = None,
    point: Annotated[str | None, Query(min_length=1, max_length=60)] = None,
    direction: Annotated[str | None, Query(min_length=1, max_length=10)] = None,
    decision: Annotated[str | None, Query(min_length=1, max_length=40)] = None,
    start: IsoMoment | None = None,
    end: IsoMoment | None = None,
    limit: Annotated[int, Query(ge=1, le=10_000)] = 100,
    cursor: Annotated[str | None, Query(min_length=1, max_length=80)] = None,
) -> CrossingsPublic:
    """The crossings log, newest first, by plate, point, direction, decision and period; ``next_cursor`` continues it."""
    page = crossings.list_crossings(
        actor=actor, plate=plate, point=point, direction=direction, decision=decision, start=start, end=end, limit=limit, cursor=cursor, db=served.db
    )
    return CrossingsPublic.model_validate({"crossings": [crossing_json(c) for c in page.crossings], "next_cursor": page.next_cursor})
