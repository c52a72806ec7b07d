"""The audit trail: its records, newest first, and the verification of its hash chains. For supervisors."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from borderplates.api.deps import CurrentActor, ServedDep
from borderplates.api.schemas import AuditPublic, AuditVerificationPublic
from borderplates.services import audit

router = APIRouter(tags=["audit"])


@router.get("/audit")
def records(
    actor: CurrentActor,
    served: ServedDep,
    entity: Annotated[str | None, Query(min_length=1, max_length=40)] = None,
    entity_id: Annotated[int | None, Query(ge=0, le=2**31 - 1)] = None,
    by: Annotated[str | None, Query(min_length=1, max_length=60, description="Who acted.")] = None,
    action: Annotated[str | None, Query(min_length=1, max_length=40)] = None,
    limit: Annotated[int, Query(ge=1, le=10_000)] = 100,
    cursor: Annotated[str | None, Query(min_length=1, max_length=20)] = None,
) -> AuditPublic:
    """Audit records, newest first: who changed what, where, when, before and after; ``next_cursor`` continues the list."""
    page = audit.list_audit(actor=actor, entity=entity, entity_id=entity_id, by=by, action=action, limit=limit, cursor=cursor, db=served.db)
    return AuditPublic.model_validate({"records": [record.as_json() for record in page.records], "next_cursor": page.next_cursor})


@router.get("/audit/verification")
def verification(actor: CurrentActor, served: ServedDep) -> AuditVerificationPublic:
    """Walk every audit chain: the first record altered, inserted or deleted in each, or how many records were checked."""
    return AuditVerificationPublic.model_validate(audit.verify_chains(actor=actor, db=served.db).as_json())
