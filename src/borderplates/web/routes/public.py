"""The public pages, no login: the verification of a certificate, and the board of the crossings.

The verification page is what a phone shows when it scans a certificate's QR code.
It checks the token's signature with the keys this site trusts and then the
registry, which knows what the paper cannot (a cancelled or returned registration),
and says it big: valid, expired, cancelled, returned, or not valid. It shows the
plate and the dates only, and sends no Referer to anywhere it links.

The board is what drivers, hauliers and bus companies read before they set off:
every crossing point, each way, each kind of traffic, whether it passes, the wait,
and where to go instead when it does not. It refreshes itself every minute;
``?at=`` shows it as it stood at a past moment (and then does not refresh).
"""

from __future__ import annotations

from dataclasses import dataclass

from fastapi import APIRouter, Request
from starlette.responses import Response

from borderplates import reference
from borderplates.api.schemas import parse_moment
from borderplates.errors import ValidationError
from borderplates.services import certificates, status
from borderplates.services.certificates import Standing, Verdict
from borderplates.services.status import STOPPED, BoardEntry
from borderplates.vocabulary import Mode
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


#: Seconds between two refreshes of the live board.
BOARD_REFRESH = 60


@dataclass(frozen=True)
class Way:
    """The flows of one crossing point into one jurisdiction, one per kind of traffic."""

    leaving: str
    entering: str
    entries: tuple[BoardEntry, ...]

    @property
    def stopped(self) -> bool:
        return any(entry.status.state in STOPPED for entry in self.entries)

    @property
    def groups(self) -> list[tuple[tuple[Mode, ...], BoardEntry]]:
        """The flows that read alike (status, reason, period, wait, alternatives) once, with their kinds of traffic."""
        grouped: dict[tuple[object, ...], tuple[list[Mode], BoardEntry]] = {}
        for entry in self.entries:
            state, wait = entry.status, entry.wait
            key = (state.state, state.reason, state.since, state.until, wait, tuple(a.point.id for a in entry.alternatives))
            grouped.setdefault(key, ([], entry))[0].append(state.mode)
        return [(tuple(modes), entry) for modes, entry in grouped.values()]


@dataclass(frozen=True)
class Crossing:
    """A crossing point on the board, both ways."""

    point: str
    ways: tuple[Way, ...]

    @property
    def stopped(self) -> bool:
        return any(way.stopped for way in self.ways)


@router.get("/board")
def board(request: Request, at: str = "") -> Response:
    page = open_page(request, login=False)
    moment = parse_moment(at[:40]) if at else page.now()
    entries = status.board(moment, db=page.served.db)
    crossings = []
    for point in reference.load().crossing_points.values():
        mine = [entry for entry in entries if entry.status.point == point.id]
        ways = tuple(
            Way(next(code for code in point.between if code != entering), entering, tuple(e for e in mine if e.status.entering == entering))
            for entering in point.between
        )
        crossings.append(Crossing(point.id, ways))
    return page.render("board.html", at=moment, live=not at, refresh=BOARD_REFRESH, crossings=crossings, STOPPED=STOPPED)
