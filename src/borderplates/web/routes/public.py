"""The public verification page: what a phone shows when it scans a certificate's QR code. No login.

It checks the token's signature with the keys this site trusts and then the
registry, which knows what the paper cannot (a cancelled or returned registration),
and says it big: valid, expired, cancelled, returned, or not valid. It shows the
plate and the dates only, and sends no Referer to anywhere it links.
"""

from __future__ import annotations

from fastapi import APIRouter, Request
from starlette.responses import Response

from borderplates.errors import ValidationError
from borderplates.services import certificates
from borderplates.services.certificates import Standing, Verdict
from borderplates.web.pages import WebRoute, open_page

router = APIRouter(route_class=WebRoute, include_in_schema=False)
#: The longest token read from the address (a token is about 250 characters).
MAX_TOKEN = 2000


@router.get("/verify/{number}")
def verify(request: Request, number: str, t: str = "") -> Response:
    page = open_page(request, login=False)
    token = t.strip()[:MAX_TOKEN] or None
    try:
        verdict = certificates.check_certificate(number[:20], token, page.now(), trusted=page.web.keys.key_set(), db=page.served.db)
    except ValidationError:
        verdict = Verdict(Standing.UNKNOWN, number[:20])
    status = 200 if verdict.standing != Standing.UNKNOWN else 404
    return page.render("verify.html", status=status, headers={"Referrer-Policy": "no-referrer"}, verdict=verdict, Standing=Standing)
