"""The public check of a registration number: anyone may ask, without logging in."""

from __future__ import annotations

import datetime as dt

from fastapi import APIRouter

from borderplates.api.deps import ServedDep
from borderplates.api.schemas import VerificationPublic
from borderplates.services.verification import verify_registration

router = APIRouter(tags=["public"])


@router.get("/verify/{number}")
async def verify(number: str, served: ServedDep) -> VerificationPublic:
    """A registration's number, plate, validity and status; nothing about who issued it or who holds it. Public."""
    found = verify_registration(number, dt.datetime.now(dt.UTC), db=served.db)
    return VerificationPublic.model_validate(found.as_json())
