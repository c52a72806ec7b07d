"""Temporary registrations: issue, list, show, renew, return, cancel, and the expiry of those past their last day."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Header, Path, Query
from starlette.responses import Response

from borderplates.api.deps import CurrentActor, ServedDep
from borderplates.api.responses import moment_or_now, prebuilt
from borderplates.api.schemas import (
    CancellationCreate,
    ExpiredPublic,
    ExpiryCreate,
    RegistrationCreate,
    RegistrationPublic,
    RegistrationsPublic,
    RegistrationWithAuditPublic,
    RenewalCreate,
    ReturnCreate,
)
from borderplates.services import registrations
from borderplates.services.presentation import Presentation
from borderplates.vocabulary import REQUEST_KEY_LENGTH

router = APIRouter(tags=["registrations"])
IdempotencyKey = Annotated[
    str | None, Header(alias="Idempotency-Key", min_length=1, max_length=REQUEST_KEY_LENGTH, description="Retrying with the same key returns the first answer.")
]
Number = Annotated[str, Path(max_length=20, description="A registration number, e.g. K7QM-4TXR-M.")]


@router.post("/registrations", status_code=201, response_model=RegistrationPublic)
def issue(body: RegistrationCreate, actor: CurrentActor, served: ServedDep, idempotency_key: IdempotencyKey = None) -> Response:
    """Issue a temporary registration, when the law requires one and the vehicle holds none valid (as ``borderplates issue --json``)."""
    presentation = Presentation(
        body.plate,
        body.entering,
        moment_or_now(body.at),
        point=body.point,
        vehicle_class=body.vehicle_class,
        resident=body.resident,
        registered_on=body.registered_on,
        vin=body.vin,
    )
    issued = registrations.issue_temporary_registration(presentation, actor=actor, holder=body.holder, request_key=idempotency_key, db=served.db)
    return prebuilt(issued.as_json(), 201)


@router.get("/registrations")
def list_registrations(
    actor: CurrentActor,
    served: ServedDep,
    plate: Annotated[str | None, Query(min_length=1, max_length=40)] = None,
    status: Annotated[str | None, Query(min_length=1, max_length=20)] = None,
    point: Annotated[str | None, Query(min_length=1, max_length=60)] = None,
    limit: Annotated[int, Query(ge=1, le=10_000)] = 100,
    cursor: Annotated[str | None, Query(min_length=1, max_length=80)] = None,
) -> RegistrationsPublic:
    """Temporary registrations, newest first, by plate, status and issuing place; ``next_cursor`` continues the list."""
    page = registrations.list_registrations(actor=actor, plate=plate, status=status, point=point, limit=limit, cursor=cursor, db=served.db)
    return RegistrationsPublic.model_validate({"registrations": [r.as_json() for r in page.registrations], "next_cursor": page.next_cursor})


@router.get("/registrations/{number}")
def show(number: Number, actor: CurrentActor, served: ServedDep) -> RegistrationWithAuditPublic:
    """One registration with its audit trail (as ``borderplates registrations show --json``)."""
    registration, trail = registrations.show_registration(number, actor=actor, db=served.db)
    return RegistrationWithAuditPublic.model_validate({**registration.as_json(), "audit": trail})


@router.post("/registrations/{number}/renewal", status_code=201)
def renew(number: Number, body: RenewalCreate, actor: CurrentActor, served: ServedDep, idempotency_key: IdempotencyKey = None) -> RegistrationPublic:
    """Replace a registration with a new one valid from today, if the law still requires one."""
    renewed = registrations.renew(
        number,
        moment_or_now(body.at),
        point=body.point,
        actor=actor,
        request_key=idempotency_key,
        registered_on=body.registered_on,
        db=served.db,
    )
    return RegistrationPublic.model_validate(renewed.as_json())


@router.post("/registrations/{number}/return")
def return_on_exit(number: Number, body: ReturnCreate, actor: CurrentActor, served: ServedDep, idempotency_key: IdempotencyKey = None) -> RegistrationPublic:
    """The vehicle leaves for good and hands its registration back."""
    returned = registrations.return_on_exit(number, moment_or_now(body.at), point=body.point, actor=actor, request_key=idempotency_key, db=served.db)
    return RegistrationPublic.model_validate(returned.as_json())


@router.post("/registrations/{number}/cancellation")
def cancel(number: Number, body: CancellationCreate, actor: CurrentActor, served: ServedDep, idempotency_key: IdempotencyKey = None) -> RegistrationPublic:
    """Cancel an active registration, with the reason."""
    cancelled = registrations.cancel(
        number, moment_or_now(body.at), reason=body.reason, point=body.point, actor=actor, request_key=idempotency_key, db=served.db
    )
    return RegistrationPublic.model_validate(cancelled.as_json())


@router.post("/expiry")
def expire(body: ExpiryCreate, actor: CurrentActor, served: ServedDep) -> ExpiredPublic:
    """Mark registrations past their last valid day as expired (safe to repeat)."""
    return ExpiredPublic(expired=registrations.expire_due(moment_or_now(body.at), actor=actor, db=served.db))
