"""The planning page: scenarios simulated at a crossing point, compared in a table and a plot (supervisors).

A form of plain fields read with GET (it changes nothing, and an address keeps a
comparison to share); the run itself is :func:`borderplates.services.planning.plan`,
one at a time per server. The plot is drawn by the simulator and sent inside the
page (a ``data:`` image), so nothing is kept between requests.
"""

from __future__ import annotations

import base64
from typing import Annotated

from fastapi import APIRouter, Query, Request
from starlette.responses import Response

from borderplates import reference
from borderplates.api.routes.planning import MAX_DAYS
from borderplates.errors import TryLater, ValidationError
from borderplates.services import planning
from borderplates.services.actors import Permission, authorise
from borderplates.simulate import MAX_LANES, Scenario
from borderplates.vocabulary import Mode
from borderplates.web import forms
from borderplates.web.forms import Problems
from borderplates.web.pages import Page, WebRoute, open_page

router = APIRouter(route_class=WebRoute, include_in_schema=False)


@router.get("/plan")
def plan(
    request: Request,
    scenario: Annotated[list[str], Query()] = [],  # noqa: B006  # FastAPI reads a repeated parameter into a list; never mutated
    point: str = "merdare",
    on: str = "",
    days: str = "1",
    traffic: str = "auto",
    start: str = "",
    end: str = "",
    lanes: str = "",
    seed: str = "1",
) -> Response:
    """The form, and when scenarios are chosen, their comparison."""
    page = open_page(request)
    authorise(page.actor, Permission.PLAN)
    problems = Problems()
    chosen = [name for name in scenario[: len(Scenario)] if name in Scenario._value2member_map_]
    law_day = forms.day(page, on[:10], problems, "on")
    first_day, last_day = forms.day(page, start[:10], problems, "start"), forms.day(page, end[:10], problems, "end")
    counted = _whole(page, days, problems, "days", 1, MAX_DAYS)
    lane_count = _whole(page, lanes, problems, "lanes", 1, MAX_LANES) if lanes.strip() else None
    run_seed = _whole(page, seed, problems, "seed", 0, 2**31 - 1)
    if Scenario.LAW in chosen and law_day is None:
        problems.add("on", page._("The law scenario needs the date of the law."))
    comparison = None
    if chosen and not problems:
        try:
            comparison = planning.plan(
                chosen,
                point=point[:60],
                traffic=traffic[:20],
                first_day=first_day,
                last_day=last_day,
                on=law_day,
                days=counted or 1,
                seed=run_seed or 0,
                lanes={Mode.PASSENGER: lane_count} if lane_count is not None else None,
                actor=page.actor,
                db=page.served.db,
            )
        except TryLater:
            problems.add(None, page._("Another simulation is running; try again in a few seconds."))
        except ValidationError as error:
            forms.explain(page, error, problems)
    chosen_or_default = chosen or [Scenario.TEMPORARY_PLATES, Scenario.STICKERS]
    values = {"point": point, "on": on, "days": days, "traffic": traffic, "start": start, "end": end, "lanes": lanes, "seed": seed}
    return page.render(
        "plan.html",
        status=422 if problems else 200,
        problems=problems,
        values=values,
        chosen=chosen_or_default,
        scenarios=list(Scenario),
        traffics=list(planning.Traffic),
        points=list(reference.load().crossing_points.values()),
        max_days=MAX_DAYS,
        comparison=comparison,
        plot=base64.b64encode(comparison.png).decode("ascii") if comparison is not None else None,
    )


def _whole(page: Page, text: str, problems: Problems, name: str, lowest: int, highest: int) -> int | None:
    """A whole number from ``lowest`` to ``highest`` typed into field ``name``, or a problem next to it."""
    try:
        number = int(text.strip()[:12])
    except ValueError:
        number = None
    if number is None or not lowest <= number <= highest:
        problems.add(name, page._("Give a whole number from %(lowest)s to %(highest)s.", lowest=lowest, highest=highest))
        return None
    return number
