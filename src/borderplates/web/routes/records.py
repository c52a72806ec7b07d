"""What supervisors and everyone at the border read: the crossings log, the rules of a pair of jurisdictions over time, and the dashboard."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from fastapi import APIRouter, Request
from starlette.responses import Response

from borderplates import reference
from borderplates.errors import NoRuleData, ValidationError
from borderplates.law import Ruling
from borderplates.services import crossings, dashboard
from borderplates.services import law as law_services
from borderplates.vocabulary import Decision, Direction
from borderplates.web import charts, forms, words
from borderplates.web.forms import Problems
from borderplates.web.i18n import BORDER_TIME
from borderplates.web.pages import WebRoute, open_page

router = APIRouter(route_class=WebRoute, include_in_schema=False)
PAGE_SIZE = 50


@router.get("/crossings")
def crossings_log(
    request: Request, plate: str = "", point: str = "", direction: str = "", decision: str = "", start: str = "", end: str = "", cursor: str = ""
) -> Response:
    """The crossings log, newest first, with its filters (supervisors)."""
    page = open_page(request)
    problems = Problems()
    since, until = forms.day(page, start[:10], problems, "start"), forms.day(page, end[:10], problems, "end")
    found = None
    if not problems:
        try:
            found = crossings.list_crossings(
                actor=page.actor,
                plate=plate.strip()[:40] or None,
                point=point[:60] or None,
                direction=direction or None,
                decision=decision or None,
                start=dt.datetime.combine(since, dt.time(), BORDER_TIME) if since else None,
                end=dt.datetime.combine(until + dt.timedelta(days=1), dt.time(), BORDER_TIME) if until else None,
                limit=PAGE_SIZE,
                cursor=cursor[:80] or None,
                db=page.served.db,
            )
        except ValidationError as error:
            forms.explain(page, error, problems)
    filters = {"plate": plate, "point": point, "direction": direction, "decision": decision, "start": start, "end": end}
    return page.render(
        "crossings.html",
        found=found,
        problems=problems,
        filters=filters,
        points=list(reference.load().crossing_points.values()),
        directions=list(Direction),
        decisions=list(Decision),
    )


@dataclass(frozen=True)
class Stretch:
    """A period in which what one side required of the other's vehicles stayed the same."""

    start: dt.datetime
    until: dt.datetime | None
    ruling: Ruling


def _stretches(rulings: list[tuple[dt.datetime, Ruling]]) -> list[Stretch]:
    stretches: list[Stretch] = []
    for start, ruling in rulings:
        if stretches and stretches[-1].ruling.version is ruling.version:
            continue
        if stretches:
            stretches[-1] = Stretch(stretches[-1].start, start, stretches[-1].ruling)
        stretches.append(Stretch(start, None, ruling))
    return stretches


@router.get("/rules/{a}/{b}")
def rules_timeline(request: Request, a: str, b: str) -> Response:
    """The history of what each of two jurisdictions required of the other's vehicles, one above the other (the reciprocity view)."""
    page = open_page(request, login=False)
    code_a, code_b = reference.jurisdiction(a[:5]).code, reference.jurisdiction(b[:5]).code
    if code_a == code_b:
        raise ValidationError("reciprocity compares two different jurisdictions")
    moments = sorted(
        {version.starts_at for rule in law_services.rules(direction=Direction.ENTRY) if rule.jurisdiction in (code_a, code_b) for version in rule.versions}
    )
    a_to_b: list[tuple[dt.datetime, Ruling]] = []
    b_to_a: list[tuple[dt.datetime, Ruling]] = []
    for moment in moments:
        try:
            compared = law_services.reciprocity(code_a, code_b, moment).comparison
        except NoRuleData:
            continue
        a_to_b.append((moment, compared.a_to_b))
        b_to_a.append((moment, compared.b_to_a))
    periods = law_services.reciprocity(code_a, code_b, moments[-1]).periods if moments else ()
    now = page.now().astimezone(BORDER_TIME)
    end = max([now, *moments]) + dt.timedelta(days=180)
    rows = []
    for entering, leaving, rulings in ((code_b, code_a, a_to_b), (code_a, code_b, b_to_a)):
        stretches = _stretches(rulings)
        label = page._("%(from)s plates entering %(to)s", **{"from": page.language.jurisdiction_name(leaving), "to": page.language.jurisdiction_name(entering)})
        rows.append((label, stretches))
    svg = charts.timeline(
        [
            (label, [charts.Segment(s.start, s.until, s.ruling.requirement.kind, words.requirement(page.language, s.ruling.requirement)) for s in stretches])
            for label, stretches in rows
        ],
        [(period.start, period.until) for period in periods],
        end=end,
        title=page._("Timeline of the rules between %(a)s and %(b)s", a=page.language.jurisdiction_name(code_a), b=page.language.jurisdiction_name(code_b)),
    )
    return page.render("rules.html", a=code_a, b=code_b, rows=rows, periods=periods, svg=svg, kinds=charts.KIND_COLOURS)


@router.get("/dashboard")
def dashboard_page(request: Request, start: str = "", end: str = "", point: str = "") -> Response:
    """Per crossing point and day: entries, exits, refusals, issuances and fees, with charts (supervisors)."""
    page = open_page(request)
    problems = Problems()
    today = page.now().astimezone(BORDER_TIME).date()
    until = forms.day(page, end[:10], problems, "end") or today
    since = forms.day(page, start[:10], problems, "start") or until - dt.timedelta(days=6)
    figures = None
    try:
        figures = dashboard.daily_figures(since, until, actor=page.actor, point=point[:60] or None, db=page.served.db)
    except ValidationError as error:
        forms.explain(page, error, problems)
    plots = {}
    if figures is not None:
        labels = [page.language.date(day, "short") for day in figures.days]
        for place in figures.places:
            by_day = {line.day: line for line in figures.of(place)}
            series = [
                (page._("Entries"), [by_day[day].entries if day in by_day else 0 for day in figures.days]),
                (page._("Exits"), [by_day[day].exits if day in by_day else 0 for day in figures.days]),
                (page._("Refusals"), [by_day[day].refusals if day in by_day else 0 for day in figures.days]),
                (page._("Issuances"), [by_day[day].issuances if day in by_day else 0 for day in figures.days]),
            ]
            plots[place] = charts.bars(labels, series, title=page._("Daily figures at %(place)s", place=page.language.place_name(place)))
    return page.render(
        "dashboard.html",
        figures=figures,
        plots=plots,
        problems=problems,
        start=since.isoformat(),
        end=until.isoformat(),
        point=point,
        points=list(reference.load().crossing_points.values()),
        series_colours=charts.SERIES_COLOURS,
    )
