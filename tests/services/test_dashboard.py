"""The supervisors' figures per place and local day, on SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from borderplates.errors import Forbidden, ValidationError
from borderplates.registry import Database
from borderplates.services import crossings, dashboard, registrations
from borderplates.services.presentation import Presentation
from borderplates.vocabulary import Direction, Role
from tests.conftest import local, operator

CLERK = operator("clerk-1", Role.CLERK)
SUPERVISOR = operator("boss", Role.SUPERVISOR)


def traffic(db: Database) -> None:
    """Two registrations at Merdare on 27 Sep (one just before midnight, local), one at a centre on the 28th; entries, an exit and a refusal."""
    for plate, at, where in (
        ("NP 100-AB", local(2021, 9, 27, 10), "merdare"),
        ("NP 101-AB", local(2021, 9, 27, 23, 59), "merdare"),
        ("NP 102-AB", local(2021, 9, 28, 0, 1), "centre:Mitrovica"),
    ):
        registrations.issue_temporary_registration(Presentation(plate, "XK", at, point=where), actor=CLERK, db=db)
    crossings.record_crossing(Presentation("NP 100-AB", "XK", local(2021, 9, 27, 10, 5), point="merdare"), actor=CLERK, db=db)
    crossings.record_crossing(Presentation("NP 103-AB", "XK", local(2021, 9, 27, 11), point="jarinje"), actor=CLERK, db=db)  # blocked: refused
    crossings.record_crossing(Presentation("NP 100-AB", "XK", local(2021, 9, 28, 9), Direction.EXIT, point="merdare"), actor=CLERK, db=db)


def test_figures_are_counted_per_place_and_local_day(db: Database) -> None:
    traffic(db)
    figures = dashboard.daily_figures(dt.date(2021, 9, 27), dt.date(2021, 9, 28), actor=SUPERVISOR, db=db)
    found = {(line.place, line.day): (line.entries, line.exits, line.refusals, line.issuances, line.fees) for line in figures.lines}
    assert found == {
        ("jarinje", dt.date(2021, 9, 27)): (1, 0, 1, 0, {}),
        ("merdare", dt.date(2021, 9, 27)): (1, 0, 0, 2, {"EUR": Decimal("10.00")}),
        ("merdare", dt.date(2021, 9, 28)): (0, 1, 0, 0, {}),
        ("centre:Mitrovica", dt.date(2021, 9, 28)): (0, 0, 0, 1, {"EUR": Decimal("5.00")}),
    }
    assert figures.places == ("jarinje", "merdare", "centre:Mitrovica")
    total = figures.total()
    assert (total.entries, total.exits, total.refusals, total.issuances, total.fees) == (2, 1, 1, 3, {"EUR": Decimal("15.00")})


def test_figures_of_one_place_or_one_day(db: Database) -> None:
    traffic(db)
    merdare = dashboard.daily_figures(dt.date(2021, 9, 27), dt.date(2021, 9, 27), actor=SUPERVISOR, point="merdare", db=db)
    assert [(line.place, line.issuances, line.entries) for line in merdare.lines] == [("merdare", 2, 1)]
    centre = dashboard.daily_figures(dt.date(2021, 9, 20), dt.date(2021, 9, 30), actor=SUPERVISOR, point="centre:Mitrovica", db=db)
    assert [(line.place, line.issuances, line.entries) for line in centre.lines] == [("centre:Mitrovica", 1, 0)]


def test_only_supervisors_see_the_figures_and_a_period_is_bounded(db: Database) -> None:
    with pytest.raises(Forbidden):
        dashboard.daily_figures(dt.date(2021, 9, 27), dt.date(2021, 9, 27), actor=CLERK, db=db)
    with pytest.raises(ValidationError):
        dashboard.daily_figures(dt.date(2021, 9, 27), dt.date(2021, 9, 26), actor=SUPERVISOR, db=db)
    with pytest.raises(ValidationError):
        dashboard.daily_figures(dt.date(2021, 1, 1), dt.date(2021, 12, 31), actor=SUPERVISOR, db=db)
