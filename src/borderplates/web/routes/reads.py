"""Plate reads at the booth: the newest reads at the officer's crossing, one read with its crop, confirmed or corrected with one key.

A camera sends its images to ``POST /api/v1/reads``; an officer may also send one
from the page. ``/reads`` lists the newest reads at the account's crossing point and
refreshes itself. ``/reads/{id}`` shows the plate's crop beside the candidates: a
digit key confirms the candidate of that number, or the officer types the plate as
it really is. Only then does the booth check the plate, and the crossing recorded
with F8 is linked to the read.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, File, Form, Request, UploadFile
from starlette.concurrency import run_in_threadpool
from starlette.responses import RedirectResponse, Response

from borderplates.errors import BorderplatesError
from borderplates.services import reads
from borderplates.web import forms
from borderplates.web.forms import Problems
from borderplates.web.pages import PAGE_HEADERS, Page, WebRoute, open_page
from borderplates.web.routes.booth import Facts, choices, defaults

router = APIRouter(route_class=WebRoute, include_in_schema=False)
Field = Annotated[str, Form(max_length=forms.FIELD_LENGTH)]
#: The newest reads the list shows, and how often it asks for new ones.
LISTED, REFRESH_SECONDS = 20, 3
#: Candidates an officer can pick with a digit key.
KEYED = 9


def _store(page: Page) -> reads.ImageStore:
    return reads.ImageStore(page.served.settings.reads_dir)


def _list(page: Page, problems: Problems, point: str = "", status_code: int = 200) -> Response:
    facts = defaults(page, Facts(point=point[:60]))
    found = reads.recent_reads(point=facts.point, limit=LISTED, actor=page.actor, db=page.served.db)
    return page.render("reads.html", status=status_code, found=found, facts=facts, problems=problems, refresh=REFRESH_SECONDS, **choices(page))


@router.get("/reads")
def reads_list(request: Request, point: str = "") -> Response:
    """The newest reads at a crossing point (the account's, when it is bound to one), refreshed every few seconds, and a form to send an image."""
    return _list(open_page(request), Problems(), point)


@router.post("/reads")
async def send_image(request: Request, image: Annotated[UploadFile, File()], point: Field = "", csrf_token: Field = "") -> Response:
    """Read the plate on an image sent from the page, keep the read, and show it for confirmation."""
    page = await run_in_threadpool(open_page, request)
    problems = Problems()
    limit = page.served.settings.max_image_bytes
    data = await image.read(limit + 1)
    if not forms.csrf_fresh(page, csrf_token):
        problems.add(None, forms.stale_form(page))
    elif not data:
        problems.add("image", page._("Choose a photo of the plate (JPEG or PNG)."))
    elif len(data) > limit:
        problems.add("image", page._("The photo is larger than %(megabytes)s MB.", megabytes=limit // 1_048_576))
    if problems:
        return await run_in_threadpool(_list, page, problems, point, 422)
    try:
        answer = await run_in_threadpool(reads.read_image, data, at=page.now(), point=point or None, actor=page.actor, db=page.served.db, store=_store(page))
    except BorderplatesError as error:
        problems.add("image", page._("This photo could not be read: it is not a JPEG or PNG image, or it is damaged."))
        problems.details.append(error.text)
        return await run_in_threadpool(_list, page, problems, point, 422)
    return RedirectResponse(f"/reads/{answer.read.id}", 303, headers=PAGE_HEADERS)


def _read_id(text: str) -> int:
    """The read's number in the address; NotFound for anything else."""
    return reads.checked_id(int(text) if text.isdigit() and len(text) < 11 else None)


@router.get("/reads/{read_id}")
def read_page(request: Request, read_id: str, crossing: str = "") -> Response:
    """One read: the plate's crop, the candidates (a digit key picks one), and a field to type the plate as it is."""
    page = open_page(request)
    found = reads.show_read(_read_id(read_id), actor=page.actor, db=page.served.db)
    facts = defaults(page, Facts(point=found.point or "", crossing=crossing[:20]))
    return page.render("read.html", read=found, facts=facts, keyed=KEYED, problems=Problems(), **choices(page))


@router.get("/reads/{read_id}/crop.png")
def read_crop(request: Request, read_id: str) -> Response:
    """The plate's region of the read's image."""
    page = open_page(request)
    png = reads.read_crop(_read_id(read_id), actor=page.actor, db=page.served.db, store=_store(page))
    return Response(png, media_type="image/png", headers={**PAGE_HEADERS, "Cache-Control": "private, no-store"})


@router.post("/reads/{read_id}/confirmation")
def confirm(request: Request, read_id: str, plate: Field = "", crossing: Field = "", csrf_token: Field = "") -> Response:
    """Confirm a candidate, or the plate as typed; then the booth checks that plate, and F8 records the crossing from this read."""
    page = open_page(request)
    number = _read_id(read_id)
    found = reads.show_read(number, actor=page.actor, db=page.served.db)
    facts = defaults(page, Facts(plate=plate.strip(), point=found.point or "", crossing=crossing[:20]))
    problems = Problems()
    if not forms.csrf_fresh(page, csrf_token):
        problems.add(None, forms.stale_form(page))
    elif not facts.plate:
        problems.add("plate", page._("Type the plate."))
    else:
        try:
            confirmed = reads.confirm_read(number, facts.plate, actor=page.actor, db=page.served.db)
        except BorderplatesError as error:
            forms.explain(page, error, problems)
        else:
            checked = Facts(confirmed.confirmed_plate or facts.plate, facts.crossing, facts.point, read=str(number))
            return RedirectResponse(f"/check?{checked.query()}", 303, headers=PAGE_HEADERS)
    return page.render("read.html", status=422, read=found, facts=facts, keyed=KEYED, problems=problems, **choices(page))
