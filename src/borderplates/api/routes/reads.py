"""Plate reads from camera images: a camera or an officer sends an image, an officer confirms or corrects the read.

``POST /api/v1/reads`` takes the image itself as the request body (``Content-Type:
image/jpeg`` or ``image/png``, at most ``BORDERPLATES_MAX_IMAGE_BYTES``), with the
crossing in the query; it answers the read as kept and, when the crossing is given,
the check of the best candidate, provisional while the read needs confirmation.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Path, Query, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import Response
from pydantic import ConfigDict, Field

from borderplates.api.deps import CurrentActor, ServedDep
from borderplates.api.responses import moment_or_now
from borderplates.api.routes.law import direction_of
from borderplates.api.schemas import Code, IsoMoment, PlateText, Public, Strict
from borderplates.errors import ValidationError
from borderplates.services import reads
from borderplates.vocabulary import NAME_LENGTH

IMAGE_TYPES = ("image/jpeg", "image/png")
ReadId = Annotated[int, Path(ge=1, le=2**31 - 1, description="The read's number.")]
_IMAGE_BODY = {"requestBody": {"required": True, "content": {kind: {"schema": {"type": "string", "format": "binary"}} for kind in IMAGE_TYPES}}}


class ReadPublic(Public):
    """A plate read as kept: candidates best first, whether an officer must confirm it, and the check at the crossing given."""

    model_config = ConfigDict(extra="allow")

    id: int
    at: str
    point: str | None
    camera: str | None
    plate: str | None
    issuer: str | None
    confidence: float
    needs_confirmation: bool
    candidates: list[dict[str, Any]]
    check: dict[str, Any] | None = None


class ReadConfirmation(Strict):
    plate: PlateText = Field(description="The plate as the officer sees it: the read's, or the correct one.")


def build(max_image_bytes: int) -> APIRouter:
    """The router, with the largest image a read accepts."""
    router = APIRouter(tags=["reads"])
    router.add_api_route("/reads", read, methods=["POST"], status_code=201, openapi_extra=_IMAGE_BODY, max_body_size=max_image_bytes)
    router.add_api_route("/reads/{read_id}", show, methods=["GET"])
    router.add_api_route("/reads/{read_id}/crop.png", crop, methods=["GET"], response_class=Response, responses={200: {"content": {"image/png": {}}}})
    router.add_api_route("/reads/{read_id}/confirmation", confirm, methods=["POST"])
    return router


async def read(
    request: Request,
    actor: CurrentActor,
    served: ServedDep,
    point: Annotated[str | None, Query(min_length=1, max_length=NAME_LENGTH, description="The crossing point of the camera.")] = None,
    entering: Annotated[Code | None, Query(description="Check the plate read as entering this jurisdiction.")] = None,
    leaving: Annotated[Code | None, Query(description="Check the plate read as leaving this jurisdiction.")] = None,
    at: Annotated[IsoMoment | None, Query(description="When the image was taken; default now.")] = None,
    camera: Annotated[str | None, Query(min_length=1, max_length=NAME_LENGTH, description="The camera's name.")] = None,
) -> ReadPublic:
    """Read the plate on a camera image (JPEG or PNG as the body), keep the read, and check it at the crossing given."""
    kind = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if kind not in IMAGE_TYPES:
        raise ValidationError(f"send the image as {' or '.join(IMAGE_TYPES)}, not {kind or 'nothing'}")
    crossing = direction_of(entering, leaving) if entering is not None or leaving is not None else None
    data = await request.body()
    answer = await run_in_threadpool(
        reads.read_image,
        data,
        at=moment_or_now(at),
        point=point,
        camera=camera,
        crossing=crossing,
        actor=actor,
        db=served.db,
        store=reads.ImageStore(served.settings.reads_dir),
    )
    return ReadPublic.model_validate(answer.as_json())


def show(read_id: ReadId, actor: CurrentActor, served: ServedDep) -> ReadPublic:
    """A read as kept, with who confirmed or corrected it and the crossing it led to."""
    return ReadPublic.model_validate(reads.show_read(read_id, actor=actor, db=served.db).as_json())


def crop(read_id: ReadId, actor: CurrentActor, served: ServedDep) -> Response:
    """The plate's region of the read's image, for the officer to compare with the candidates."""
    png = reads.read_crop(read_id, actor=actor, db=served.db, store=reads.ImageStore(served.settings.reads_dir))
    return Response(png, media_type="image/png", headers={"Cache-Control": "no-store"})


def confirm(read_id: ReadId, body: ReadConfirmation, actor: CurrentActor, served: ServedDep) -> ReadPublic:
    """Confirm the read's plate, or correct it: only then may a crossing be recorded from a read that needed it."""
    return ReadPublic.model_validate(reads.confirm_read(read_id, body.plate, actor=actor, db=served.db).as_json())
