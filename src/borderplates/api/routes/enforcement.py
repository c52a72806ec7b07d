"""Stickers, warnings and fines, recorded against the vehicle and the rule that demands them."""

from __future__ import annotations

from fastapi import APIRouter

from borderplates.api.deps import CurrentActor, ServedDep
from borderplates.api.responses import moment_or_now
from borderplates.api.routes.registrations import IdempotencyKey
from borderplates.api.schemas import ActionPublic, EnforcementCreate, StickerCreate, VehicleFacts
from borderplates.services import enforcement
from borderplates.services.presentation import Presentation

router = APIRouter(tags=["enforcement"])


def _presentation(body: VehicleFacts, entering: str) -> Presentation:
    return Presentation(
        body.plate,
        entering,
        moment_or_now(body.at),
        point=body.point,
        vehicle_class=body.vehicle_class,
        resident=body.resident,
        registered_on=body.registered_on,
    )


@router.post("/stickers", status_code=201)
def sticker(body: StickerCreate, actor: CurrentActor, served: ServedDep, idempotency_key: IdempotencyKey = None) -> ActionPublic:
    """Record the stickers that cover the state symbols, when the law requires them."""
    action = enforcement.issue_sticker(_presentation(body, body.entering), actor=actor, request_key=idempotency_key, db=served.db)
    return ActionPublic.model_validate(action.as_json())


@router.post("/warnings", status_code=201)
def warning(body: EnforcementCreate, actor: CurrentActor, served: ServedDep, idempotency_key: IdempotencyKey = None) -> ActionPublic:
    """Record a warning, when the law is in its warning phase."""
    action = enforcement.record_warning(_presentation(body, body.entering), actor=actor, note=body.note, request_key=idempotency_key, db=served.db)
    return ActionPublic.model_validate(action.as_json())


@router.post("/fines", status_code=201)
def fine(body: EnforcementCreate, actor: CurrentActor, served: ServedDep, idempotency_key: IdempotencyKey = None) -> ActionPublic:
    """Record a fine of the amount the law sets, when it is in a fine phase."""
    action = enforcement.record_fine(_presentation(body, body.entering), actor=actor, note=body.note, request_key=idempotency_key, db=served.db)
    return ActionPublic.model_validate(action.as_json())
