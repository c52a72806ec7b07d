"""Crossings in and out as CSV: import a file (all rows or none), export crossings and registrations."""

from __future__ import annotations

import io
import os
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from starlette.background import BackgroundTask
from starlette.concurrency import run_in_threadpool
from starlette.responses import FileResponse

from borderplates.api.deps import CurrentActor, ServedDep
from borderplates.api.schemas import ImportPublic, IsoMoment
from borderplates.errors import ValidationError
from borderplates.services import transfer

CSV = "text/csv"
_CSV_BODY = {"requestBody": {"required": True, "content": {CSV: {"schema": {"type": "string"}}}}}
_CSV_ANSWER: dict[int | str, dict[str, Any]] = {200: {"description": "CSV, UTF-8, with a header row", "content": {CSV: {"schema": {"type": "string"}}}}}


class _Upload(io.BytesIO):
    """The uploaded file, with the name the import reports."""

    def __init__(self, data: bytes, name: str) -> None:
        super().__init__(data)
        self.name = name


def build(max_import_bytes: int) -> APIRouter:
    """The router, with the largest CSV file an import reads."""
    router = APIRouter(tags=["transfer"])
    router.add_api_route("/imports/crossings", import_crossings, methods=["POST"], openapi_extra=_CSV_BODY, max_body_size=max_import_bytes)
    router.add_api_route("/exports/crossings", export_crossings, methods=["GET"], response_class=FileResponse, responses=_CSV_ANSWER)
    router.add_api_route("/exports/registrations", export_registrations, methods=["GET"], response_class=FileResponse, responses=_CSV_ANSWER)
    return router


async def import_crossings(
    request: Request,
    actor: CurrentActor,
    served: ServedDep,
    file: Annotated[str, Query(min_length=1, max_length=100, pattern=r"^[^/\\]+$", description="The file's name, for the record.")] = "upload.csv",
) -> ImportPublic:
    """Import crossings from a CSV body (``plate,point,direction,jurisdiction,at,mode,lane,decision,officer,request_key``): all rows or none."""
    if request.headers.get("content-type", "").split(";")[0].strip().lower() != CSV:
        raise ValidationError(f"send the file as {CSV}")
    data = await request.body()
    result = await run_in_threadpool(transfer.import_crossings, _Upload(data, file), actor=actor, db=served.db)
    return ImportPublic.model_validate(result.as_json())


async def export_crossings(
    actor: CurrentActor,
    served: ServedDep,
    start: Annotated[IsoMoment | None, Query(description="From this moment (included).")] = None,
    end: Annotated[IsoMoment | None, Query(description="Until this moment (excluded).")] = None,
    point: Annotated[str | None, Query(min_length=1, max_length=60)] = None,
) -> FileResponse:
    """Crossings as CSV in the import format, oldest first."""
    return await _exported("crossings", lambda out: transfer.export_crossings(out, actor=actor, db=served.db, start=start, end=end, point=point))


async def export_registrations(
    actor: CurrentActor, served: ServedDep, status: Annotated[str | None, Query(min_length=1, max_length=20)] = None
) -> FileResponse:
    """Temporary registrations as CSV, oldest issue first."""
    return await _exported("registrations", lambda out: transfer.export_registrations(out, actor=actor, db=served.db, status=status))


async def _exported(what: str, write: Callable[[str], int]) -> FileResponse:
    """Write the export to a temporary file off the event loop, send it, then delete it."""
    handle, name = tempfile.mkstemp(prefix="borderplates-export-", suffix=".csv")
    os.close(handle)
    path = Path(name)
    try:
        await run_in_threadpool(write, name)
    except BaseException:
        path.unlink()
        raise
    return FileResponse(path, media_type=f"{CSV}; charset=utf-8", filename=f"{what}.csv", background=BackgroundTask(path.unlink, missing_ok=True))
