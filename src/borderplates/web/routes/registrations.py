"""Temporary registrations: the search, one registration with what the role may do to it, and its printed certificate.

The certificate (``/registrations/{number}/certificate.pdf?size=A5|A4``) is printed in
the person's language, its QR code holding the verification address at the
configured public address (or, when none is configured, the address the browser
used) with a token signed by this site's key.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request
from starlette.responses import RedirectResponse, Response

from borderplates import documents
from borderplates.errors import BorderplatesError, ValidationError
from borderplates.services import certificates, registrations
from borderplates.vocabulary import RegistrationStatus
from borderplates.web import forms
from borderplates.web.forms import Problems
from borderplates.web.i18n import BORDER_TIME
from borderplates.web.pages import PAGE_HEADERS, Page, WebRoute, one_time_key, open_page
from borderplates.web.printing import certificate_pdf, public_base_url

router = APIRouter(route_class=WebRoute, include_in_schema=False)
Field = Annotated[str, Form(max_length=forms.FIELD_LENGTH)]
PAGE_SIZE = 50


@router.get("/registrations")
def search(request: Request, plate: str = "", status: str = "", point: str = "", cursor: str = "") -> Response:
    page = open_page(request)
    problems = Problems()
    found = None
    try:
        found = registrations.list_registrations(
            actor=page.actor,
            plate=plate.strip()[:40] or None,
            status=status or None,
            point=point[:60] or None,
            limit=PAGE_SIZE,
            cursor=cursor[:80] or None,
            db=page.served.db,
        )
    except ValidationError as error:
        forms.explain(page, error, problems)
    return page.render("registrations.html", found=found, problems=problems, plate=plate, wanted_status=status, point=point, statuses=list(RegistrationStatus))


def _detail(page: Page, number: str, problems: Problems | None = None, status_code: int = 200) -> Response:
    registration, trail = registrations.show_registration(number, actor=page.actor, db=page.served.db)
    source_title, source_url = certificates.legal_source(registration)
    return page.render(
        "registration.html",
        status=status_code,
        registration=registration,
        trail=trail,
        problems=problems or Problems(),
        issued=page.request.query_params.get("issued") == "1",
        request_key=one_time_key(),
        end_key=one_time_key(),
        source_title=source_title,
        source_url=source_url,
        today=page.now().astimezone(BORDER_TIME).date(),
    )


@router.get("/registrations/{number}")
def detail(request: Request, number: str) -> Response:
    return _detail(open_page(request), number[:20])


def _act(request: Request, number: str, csrf_token: str, act: str, point: str, reason: str, request_key: str) -> Response:
    page = open_page(request)
    number = number[:20]
    problems = Problems()
    if not forms.csrf_fresh(page, csrf_token):
        problems.add(None, forms.stale_form(page))
        return _detail(page, number, problems, 403)
    now = page.now()
    where = point or page.actor.point or ""
    try:
        if act == "renew":
            changed = registrations.renew(number, now, point=where, actor=page.actor, request_key=request_key or None, db=page.served.db)
        elif act == "return":
            changed = registrations.return_on_exit(number, now, point=where, actor=page.actor, request_key=request_key or None, db=page.served.db)
        else:
            if not reason:
                problems.add("reason", page._("Say why the registration is cancelled."))
                return _detail(page, number, problems, 422)
            changed = registrations.cancel(number, now, reason=reason, actor=page.actor, request_key=request_key or None, db=page.served.db)
    except BorderplatesError as error:
        forms.explain(page, error, problems)
        return _detail(page, number, problems, 409)
    return RedirectResponse(f"/registrations/{changed.number}", 303, headers=PAGE_HEADERS)


@router.post("/registrations/{number}/renew")
def renew(request: Request, number: str, csrf_token: Field = "", point: Field = "", request_key: Field = "") -> Response:
    return _act(request, number, csrf_token, "renew", point, "", request_key)


@router.post("/registrations/{number}/return")
def return_on_exit(request: Request, number: str, csrf_token: Field = "", point: Field = "", request_key: Field = "") -> Response:
    return _act(request, number, csrf_token, "return", point, "", request_key)


@router.post("/registrations/{number}/cancel")
def cancel(request: Request, number: str, csrf_token: Field = "", reason: Field = "", request_key: Field = "") -> Response:
    return _act(request, number, csrf_token, "cancel", "", reason.strip(), request_key)


@router.get("/registrations/{number}/certificate.pdf")
def certificate(request: Request, number: str, size: str = "A5") -> Response:
    """The printable certificate with its signed QR code."""
    page = open_page(request)
    page_size: documents.PageSize = "A4" if size.upper() == "A4" else "A5"
    issued = certificates.certify(
        number[:20],
        page.now(),
        actor=page.actor,
        keys=page.web.keys,
        public_base_url=public_base_url(page.served.settings, request),
        db=page.served.db,
    )
    pdf = certificate_pdf(issued, page.language, page_size)
    disposition = f'inline; filename="certificate-{issued.registration.number}-{page_size}.pdf"'
    return Response(pdf, media_type="application/pdf", headers={"Content-Disposition": disposition, "Cache-Control": "no-store"})
