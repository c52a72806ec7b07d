"""The booth's answer drawn from real checks in each language: what the vehicle holds, the notice to renew, earlier warnings and fines, a site's freshness."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace

import pytest

from borderplates.registry import Database
from borderplates.services import checks, enforcement, registrations, sync
from borderplates.services.presentation import Presentation
from borderplates.web.forms import Problems
from borderplates.web.i18n import by_code
from borderplates.web.pages import environment
from borderplates.web.routes.booth import TONE, Answer, Facts
from tests.conftest import OPERATOR, local, operator

pytestmark = pytest.mark.usefixtures("test_rules")

PLATE = "NP 123-AB"
RESIDENT_KM = "KM 456-XY"


def drawn(check: checks.Check, language: str) -> str:
    """The answer as the booth draws it in ``language`` for an officer who may do nothing more than look."""
    found = by_code(language)
    assert found is not None
    template = environment(found, "test").get_template("_answer.html")
    facts = Facts(check.ruling.vehicle.plate.canonical, f"entry:{check.ruling.jurisdiction}", "jarinje")
    return template.render(facts=facts, answer=Answer(check, TONE[check.decision], "key"), problems=Problems(), may=lambda permission: False, csrf_token="")


def check_on(db: Database, day: int, plate: str = PLATE, **facts: str) -> checks.Check:
    return checks.check_vehicle(Presentation(plate, "XK", local(2021, 11, day, 10), point="jarinje", **facts), actor=OPERATOR, db=db)


@pytest.mark.parametrize(
    ("day", "language", "notice"),
    [
        (15, "sq", None),
        (16, "sq", "Skadon pas 2 ditësh: thuajini shoferit ta rinovojë."),
        (17, "sr-Latn", "Ističe za 1 dan: recite vozaču da je produži."),
        (18, "sr-Cyrl", "Истиче данас: реците возачу да је продужи."),
        (19, "en", "It has expired: a new one is needed."),
    ],
)
def test_the_officer_is_told_to_have_the_registration_renewed_in_its_last_days(db: Database, day: int, language: str, notice: str | None) -> None:
    registrations.issue_temporary_registration(Presentation(PLATE, "XK", local(2021, 9, 20, 10), point="jarinje"), actor=operator("clerk-1"), db=db)
    html = drawn(check_on(db, day), language)  # valid until 18 Nov
    if notice is None:
        assert 'class="heed"' not in html
    else:
        assert f'<strong class="heed">{notice}</strong>' in html


def test_earlier_warnings_and_fines_are_counted_with_each_languages_plurals(db: Database) -> None:
    presentation = Presentation(RESIDENT_KM, "XK", local(2020, 3, 2, 10), point="jarinje", resident="XK")
    for _ in range(3):
        enforcement.record_warning(presentation, actor=operator("o1"), db=db)
    enforcement.record_fine(replace(presentation, at=local(2020, 8, 3, 10)), actor=operator("o1"), db=db)
    check = checks.check_vehicle(replace(presentation, at=local(2020, 8, 4, 10)), actor=OPERATOR, db=db)
    assert "3 упозорења, 1 казна" in drawn(check, "sr-Cyrl")
    assert "3 paralajmërime, 1 gjobë" in drawn(check, "sq")
    assert "3 warnings, 1 fine" in drawn(check, "en")


def test_a_site_says_how_fresh_its_knowledge_is_in_the_officers_language(db: Database) -> None:
    check = check_on(db, 1)
    assert "Known at this site" not in drawn(check, "en")
    reached = replace(check, freshness=sync.Freshness("merdare", dt.datetime.now(dt.UTC) - dt.timedelta(hours=3, minutes=5)))
    assert "пре 3 сата" in drawn(reached, "sr-Cyrl")
    assert "(3 hours ago)" in drawn(reached, "en")
    ahead = replace(check, freshness=sync.Freshness("merdare", dt.datetime.now(dt.UTC) + dt.timedelta(minutes=4)))  # the clock set back since
    assert "(1 second ago)" in drawn(ahead, "en")
    never = replace(check, freshness=sync.Freshness("merdare", None))
    assert "Qendra nuk është arritur kurrë" in drawn(never, "sq")
