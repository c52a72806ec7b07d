"""The booth: the check that answers at a glance, the crossing recorded with one key, and issuance with the form filled in.

``GET /check`` with a plate checks it (htmx asks for the answer alone and puts it in
place; without JavaScript the whole page comes back). From the answer, F8 records
the crossing and F9 opens issuance filled in with the same facts. Every form carries
a one-time request key, so a double click or a retried submission acts once.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Form, Request
from starlette.responses import RedirectResponse, Response

from borderplates import reference
from borderplates.errors import BorderplatesError
from borderplates.law import Money
from borderplates.services import checks, crossings, registrations, status
from borderplates.services import law as law_services
from borderplates.services.checks import Check
from borderplates.services.presentation import Presentation
from borderplates.vocabulary import Decision, Direction, RequirementKind, VehicleClass
from borderplates.web import forms
from borderplates.web.forms import Problems
from borderplates.web.pages import PAGE_HEADERS, Page, WebRoute, one_time_key, open_page

router = APIRouter(route_class=WebRoute, include_in_schema=False)
Field = Annotated[str, Form(max_length=forms.FIELD_LENGTH)]

#: The colour an answer is shown in, by decision: go, amber (issue or stickers), orange (warn or fine), stop.
TONE = {
    Decision.ADMIT: "go",
    Decision.ISSUE_TEMPORARY_REGISTRATION: "amber",
    Decision.APPLY_STICKER: "amber",
    Decision.WARN: "orange",
    Decision.FINE: "orange",
    Decision.REFUSE: "stop",
}


@dataclass(frozen=True)
class Facts:
    """The facts a check, a crossing and an issuance are about, as typed in the forms."""

    plate: str = ""
    crossing: str = ""
    """``entry:XK`` or ``exit:RS``: the direction and the jurisdiction entered or left."""
    point: str = ""
    at: str = ""
    """Local date and time as ``2021-09-27T10:00``; empty means now."""
    vehicle_class: str = VehicleClass.CAR.value
    vin: str = ""
    read: str = ""
    """The number of the camera read the plate was confirmed from, if it was."""

    @property
    def direction(self) -> str:
        return self.crossing.partition(":")[0]

    @property
    def jurisdiction(self) -> str:
        return self.crossing.partition(":")[2]

    def query(self, **extra: str) -> str:
        values = {"plate": self.plate, "crossing": self.crossing, "point": self.point, "at": self.at, "class": self.vehicle_class, "read": self.read, **extra}
        return urlencode({key: value for key, value in values.items() if value})

    def presentation(self, page: Page, problems: Problems, *, vin: bool = False) -> Presentation | None:
        """The presentation these facts describe, or None when the form is incomplete (said in ``problems``)."""
        if not self.plate:
            problems.add("plate", page._("Type the plate."))
        if self.direction not in (Direction.ENTRY, Direction.EXIT) or not self.jurisdiction:
            problems.add("crossing", page._("Choose the direction of travel."))
        if not self.point:
            problems.add("point", page._("Choose the crossing point."))
        at = forms.moment(page, self.at, problems)
        if problems:
            return None
        moment = at if at is not None else page.now()
        return Presentation(self.plate, self.jurisdiction, moment, self.direction, self.point, self.vehicle_class, vin=(self.vin or None) if vin else None)


def defaults(page: Page, facts: Facts) -> Facts:
    """The facts with the account's crossing point and the first direction filled in where the form left them empty."""
    point = (
        facts.point
        or (page.actor.point if page.actor.point and not page.actor.point.startswith("centre:") else "")
        or next(iter(reference.load().crossing_points))
    )
    crossing = facts.crossing or f"{Direction.ENTRY}:{_between(point)[0]}"
    return replace(facts, point=point, crossing=crossing)


def _between(point: str) -> tuple[str, ...]:
    try:
        return reference.crossing_point(point).between
    except BorderplatesError:
        return ()


def choices(page: Page) -> dict[str, Any]:
    """What the booth's selects offer: the crossing points (the account's only, when it is bound to one), directions, classes."""
    bound = page.actor.point
    points = [point for point in reference.load().crossing_points.values() if bound is None or bound.startswith("centre:") or point.id == bound]
    codes = sorted({code for point in points for code in point.between})
    directions = [(f"{direction}:{code}", direction, code) for direction in (Direction.ENTRY, Direction.EXIT) for code in codes]
    return {"points": points, "directions": directions, "classes": list(VehicleClass)}


@dataclass(frozen=True)
class Answer:
    """A check's answer as the booth shows it."""

    check: Check
    tone: str
    record_key: str


def _answer(page: Page, presentation: Presentation) -> Answer:
    check = checks.check_vehicle(presentation, actor=page.actor, db=page.served.db)
    return Answer(check, TONE[check.decision], one_time_key())


@router.get("/check")
def check_page(request: Request, plate: str = "", crossing: str = "", point: str = "", at: str = "", read: str = "") -> Response:
    """The booth's screen; with a plate, the answer (alone when htmx asks for it)."""
    page = open_page(request)
    vehicle_class = request.query_params.get("class", "car")[:20]
    facts = defaults(page, Facts(plate.strip()[:40], crossing[:20], point[:60], at[:40], vehicle_class, read=read[:10] if read.isdigit() else ""))
    problems = Problems()
    answer = None
    if facts.plate:
        presentation = facts.presentation(page, problems)
        if presentation is not None:
            try:
                answer = _answer(page, presentation)
            except BorderplatesError as error:
                forms.explain(page, error, problems)
    values: dict[str, Any] = {"facts": facts, "answer": answer, "recorded": None, "problems": problems, **choices(page)}
    if page.is_fragment:
        return page.render("_answer.html", **values)
    return page.render("check.html", **values)


@router.post("/check/crossing")
def record_crossing(
    request: Request,
    plate: Field = "",
    crossing: Field = "",
    point: Field = "",
    at: Field = "",
    vehicle_class: Annotated[str, Form(alias="class", max_length=20)] = "car",
    read: Field = "",
    request_key: Field = "",
    csrf_token: Field = "",
) -> Response:
    """Record the crossing of the vehicle just checked, with the decision taken now (once per request key), linked to its camera read."""
    page = open_page(request)
    facts = Facts(plate, crossing, point, at, vehicle_class, read=read if read.isdigit() else "")
    problems = Problems()
    recorded = None
    if not forms.csrf_fresh(page, csrf_token):
        problems.add(None, forms.stale_form(page))
    else:
        presentation = facts.presentation(page, problems)
        if presentation is not None:
            try:
                mode = status.mode_of(VehicleClass(facts.vehicle_class)) if facts.vehicle_class in VehicleClass._value2member_map_ else facts.vehicle_class
                key, read_id = request_key or None, int(facts.read) if facts.read else None
                recorded = crossings.record_crossing(presentation, actor=page.actor, mode=mode, request_key=key, read_id=read_id, db=page.served.db)
            except BorderplatesError as error:
                forms.explain(page, error, problems)
    status_code = 200 if recorded else 422
    if page.is_fragment:
        return page.render("_recorded.html", status=status_code, facts=facts, recorded=recorded, problems=problems)
    return page.render("check.html", status=status_code, facts=facts, answer=None, recorded=recorded, problems=problems, **choices(page))


@dataclass(frozen=True)
class Fee:
    """What the law asks for a registration on these facts: its fee and validity, or None when it asks for none."""

    money: Money | None
    days: int | None


def _fee(facts: Facts, page: Page) -> Fee | None:
    problems = Problems()
    presentation = facts.presentation(page, problems)
    if presentation is None:
        return None
    point = facts.point if not facts.point.startswith("centre:") else None
    try:
        ruling, _ = law_services.rule_for(
            presentation.plate, facts.jurisdiction, presentation.at, Direction.ENTRY, point_id=point, vehicle_class=facts.vehicle_class
        )
    except BorderplatesError:
        return None
    requirement = ruling.requirement
    if requirement.kind != RequirementKind.TEMPORARY_REGISTRATION:
        return None
    return Fee(requirement.fee, requirement.validity_days)


def _issue_form(page: Page, facts: Facts, problems: Problems, status_code: int = 200, key: str | None = None, holder: str = "") -> Response:
    facts = replace(facts, crossing=f"{Direction.ENTRY}:{facts.jurisdiction}" if facts.jurisdiction else facts.crossing)
    values: dict[str, Any] = {
        "facts": facts,
        "holder": holder,
        "problems": problems,
        "fee": _fee(facts, page) if facts.plate else None,
        "request_key": key or one_time_key(),
        **choices(page),
    }
    return page.render("issue.html", status=status_code, **values)


@router.get("/issue")
def issue_form(request: Request, plate: str = "", crossing: str = "", point: str = "", at: str = "") -> Response:
    """The issuance form, filled in with the facts of the check it comes from."""
    page = open_page(request)
    facts = defaults(page, Facts(plate.strip()[:40], crossing[:20], point[:60], at[:40], request.query_params.get("class", "car")[:20]))
    return _issue_form(page, facts, Problems())


@router.post("/issue")
def issue(
    request: Request,
    plate: Field = "",
    crossing: Field = "",
    point: Field = "",
    at: Field = "",
    vehicle_class: Annotated[str, Form(alias="class", max_length=20)] = "car",
    vin: Field = "",
    holder: Field = "",
    fee_paid: Field = "",
    request_key: Field = "",
    csrf_token: Field = "",
) -> Response:
    """Issue the temporary registration, then show it with its certificate; bad input is said next to the field and nothing is saved."""
    page = open_page(request)
    facts = Facts(plate.strip(), f"{Direction.ENTRY}:{crossing.partition(':')[2]}" if crossing else "", point, at, vehicle_class, vin.strip())
    problems = Problems()
    if not forms.csrf_fresh(page, csrf_token):
        problems.add(None, forms.stale_form(page))
        return _issue_form(page, facts, problems, 403, holder=holder)
    presentation = facts.presentation(page, problems, vin=True)
    if not fee_paid:
        problems.add("fee_paid", page._("Confirm that the fee was paid."))
    if presentation is None or problems:
        return _issue_form(page, facts, problems, 422, request_key, holder)
    try:
        issued = registrations.issue_temporary_registration(
            presentation, actor=page.actor, holder=holder.strip() or None, request_key=request_key or None, db=page.served.db
        )
    except BorderplatesError as error:
        forms.explain(page, error, problems)
        return _issue_form(page, facts, problems, 409 if "already holds" in error.text else 422, request_key, holder)
    return RedirectResponse(f"/registrations/{issued.number}?issued=1", 303, headers=PAGE_HEADERS)
