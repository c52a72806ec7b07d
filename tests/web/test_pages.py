"""The pages over HTTP: logins, the booth's answers, forms that refuse bad input and save nothing, issuing once, roles, the language."""

from __future__ import annotations

import re

import httpx
import pytest

from borderplates.registry import Database
from borderplates.services import enforcement
from borderplates.services.presentation import Presentation
from tests.conftest import OPERATOR, local
from tests.web.conftest import PASSWORD, Site, hidden

CHECK = "/check?plate=NP+123-AB&crossing=entry:XK&point={point}&at=2021-09-27T10:00"


def registrations_count(db: Database) -> int:
    with db.reading() as uow:
        return uow.registrations.count()


def issue_form(client: httpx.Client, plate: str, point: str = "merdare") -> dict[str, str]:
    """The issuance form as the page fills it in, with the fee confirmed."""
    page = client.get(f"/issue?plate={plate}&crossing=entry:XK&point={point}&at=2021-09-27T10:05")
    assert page.status_code == 200
    return {
        "plate": plate,
        "crossing": "entry:XK",
        "point": point,
        "at": "2021-09-27T10:05",
        "class": "car",
        "vin": "",
        "fee_paid": "yes",
        "request_key": hidden(page.text, "request_key"),
        "csrf_token": hidden(page.text, "csrf_token"),
    }


def test_a_page_without_a_session_sends_the_browser_to_the_login_and_back(site: Site) -> None:
    client = site.client()
    answer = client.get("/check?plate=NP+123-AB", follow_redirects=False)
    assert answer.status_code == 303
    assert answer.headers["location"] == "/login?next=%2Fcheck%3Fplate%3DNP%2B123-AB"


def test_a_wrong_password_is_said_on_the_login_form(site: Site) -> None:
    client = site.client()
    form = client.get("/login")
    answer = client.post("/login", data={"name": "clerk", "password": "wrong-password!", "form_token": hidden(form.text, "form_token"), "target": "/"})
    assert answer.status_code == 401
    assert "Wrong name or password." in answer.text


def test_a_login_form_from_another_page_load_is_refused(site: Site) -> None:
    client = site.client()
    client.get("/login")
    answer = client.post("/login", data={"name": "clerk", "password": PASSWORD, "form_token": "forged", "target": "/"})
    assert answer.status_code == 403
    assert "This form had expired" in answer.text
    assert "borderplates_session" not in client.cookies


def test_a_one_time_password_leads_to_choosing_one(site: Site) -> None:
    client = site.client()
    form = client.get("/login")
    answer = client.post(
        "/login", data={"name": "newcomer", "password": site.one_time["newcomer"], "form_token": hidden(form.text, "form_token"), "target": "/"}
    )
    assert answer.url.path == "/password"
    assert client.get("/check").url.path == "/password"
    csrf = hidden(answer.text, "csrf_token")
    refused = client.post("/password", data={"current": site.one_time["newcomer"], "new": "short", "repeated": "short", "csrf_token": csrf})
    assert refused.status_code == 422
    done = client.post("/password", data={"current": site.one_time["newcomer"], "new": PASSWORD, "repeated": PASSWORD, "csrf_token": csrf})
    assert done.url.path == "/check"


def test_the_check_at_jarinje_on_27_september_2021_is_refused_with_the_open_crossings(site: Site) -> None:
    answer = site.logged_in("officer").get(CHECK.format(point="jarinje"))
    assert 'data-decision="refuse"' in answer.text
    assert "tone-stop" in answer.text
    assert re.search(r"Open instead:</strong>\s*Merdarë / Merdare", answer.text)


def test_the_check_at_merdare_asks_for_a_temporary_registration_with_the_rule_and_its_source(site: Site) -> None:
    answer = site.logged_in("clerk").get(CHECK.format(point="merdare"), headers={"HX-Request": "true"})
    assert answer.text.lstrip().startswith('<section class="answer tone-amber"')  # htmx gets the answer alone
    assert 'data-decision="issue_temporary_registration"' in answer.text
    assert "xk_rs.rs_plates_entering_xk" in answer.text
    assert 'id="issue-link"' in answer.text and 'id="record"' in answer.text
    assert "temporary registration, 60 days, €5.00" in answer.text


def test_an_officer_sees_no_issuance_and_may_not_issue(site: Site) -> None:
    client = site.logged_in("officer")
    answer = client.get(CHECK.format(point="merdare"))
    assert 'id="issue-link"' not in answer.text
    assert 'href="/issue"' not in answer.text
    form = issue_form(client, "NP 700-AB")
    before = registrations_count(site.db)
    refused = client.post("/issue", data=form)
    assert refused.status_code == 422
    assert "Your account may not do this here." in refused.text
    assert registrations_count(site.db) == before
    assert client.get("/dashboard").status_code == 403


def test_a_malformed_plate_is_said_next_to_the_field_and_nothing_is_saved(site: Site) -> None:
    client = site.logged_in("clerk")
    form = {**issue_form(client, "NP 123-AB"), "plate": "??"}
    before = registrations_count(site.db)
    answer = client.post("/issue", data=form)
    assert answer.status_code == 422
    assert 'id="plate-problem"' in answer.text and 'aria-invalid="true"' in answer.text
    assert registrations_count(site.db) == before


@pytest.mark.parametrize(("field", "message"), [("plate", "Type the plate."), ("fee_paid", "Confirm that the fee was paid.")])
def test_a_missing_field_is_said_and_nothing_is_saved(site: Site, field: str, message: str) -> None:
    client = site.logged_in("clerk")
    form = issue_form(client, "NP 701-AB")
    del form[field]
    before = registrations_count(site.db)
    answer = client.post("/issue", data=form)
    assert answer.status_code == 422
    assert message in answer.text
    assert registrations_count(site.db) == before


def test_a_stale_csrf_token_is_refused_and_nothing_is_saved(site: Site) -> None:
    client = site.logged_in("clerk")
    form = issue_form(client, "NP 702-AB")
    again = site.logged_in("clerk")  # another session: the first form's token is not this one's
    before = registrations_count(site.db)
    answer = again.post("/issue", data=form)
    assert answer.status_code == 403
    assert "This form had expired" in answer.text
    assert registrations_count(site.db) == before


def test_the_same_issuance_form_sent_twice_issues_once_and_a_second_issuance_is_refused(site: Site) -> None:
    client = site.logged_in("clerk")
    form = issue_form(client, "NP 703-AB")
    before = registrations_count(site.db)
    first = client.post("/issue", data=form)
    second = client.post("/issue", data=form)
    assert first.url.path == second.url.path
    assert first.url.path.startswith("/registrations/")
    assert registrations_count(site.db) == before + 1
    duplicate = client.post("/issue", data=issue_form(client, "NP 703-AB"))
    assert duplicate.status_code == 409
    assert "already holds a valid temporary registration" in duplicate.text
    assert registrations_count(site.db) == before + 1


def test_the_crossing_is_recorded_once_per_answer(site: Site) -> None:
    client = site.logged_in("officer")
    answer = client.get(CHECK.format(point="jarinje"))
    form = {name: hidden(answer.text, name) for name in ("plate", "crossing", "point", "at", "class", "request_key", "csrf_token")}
    first = client.post("/check/crossing", data=form, headers={"HX-Request": "true"})
    second = client.post("/check/crossing", data=form, headers={"HX-Request": "true"})
    assert "Crossing recorded" in first.text and "decision: Refuse entry" in first.text
    assert re.findall(r"Merdar|Jarinj\w+", first.text) == re.findall(r"Merdar|Jarinj\w+", second.text)
    with site.db.reading() as uow:
        assert len([c for c in uow.crossings.between(None, None, "jarinje") if c.plate == "NP 123-AB"]) == 1


def test_roles_see_only_what_they_may_do(site: Site) -> None:
    nav = {name: re.findall(r'<a href="(/[a-z/A-Z]+)"', site.logged_in(name).get("/account").text) for name in ("officer", "clerk", "supervisor")}
    assert "/issue" not in nav["officer"] and "/registrations" not in nav["officer"]
    assert "/issue" in nav["clerk"] and "/dashboard" not in nav["clerk"]
    assert {"/issue", "/registrations", "/crossings", "/dashboard"} <= set(nav["supervisor"])


def test_the_language_follows_accept_language_with_its_script_then_lang_then_the_account(site: Site) -> None:
    anonymous = site.client(**{"Accept-Language": "sr-RS,sr;q=0.9"})
    assert "Пријава" in anonymous.get("/login").text
    assert "Prijava" in site.client(**{"Accept-Language": "sr-Latn-RS"}).get("/login").text
    assert "Hyr" in site.client(**{"Accept-Language": "de, sq;q=0.5"}).get("/login").text
    supervisor = site.logged_in("supervisor", **{"Accept-Language": "en"})
    switched = supervisor.get("/check?lang=sq")
    assert switched.url.path == "/check" and "lang" not in str(switched.url)
    assert '<html lang="sq">' in switched.text
    elsewhere = site.logged_in("supervisor", **{"Accept-Language": "en"})  # a new session, another browser
    assert '<html lang="sq">' in elsewhere.get("/check").text
    elsewhere.get("/check?lang=en")


def test_the_answer_in_serbian_cyrillic_names_the_places_and_counts_in_serbian(site: Site) -> None:
    client = site.logged_in("officer")
    client.get("/account?lang=sr-Cyrl")
    answer = client.get(CHECK.format(point="jarinje"))
    client.get("/account?lang=en")
    assert "Забрани улазак" in answer.text
    assert "Мердаре" in answer.text and "Нови Пазар" in answer.text
    assert re.search(r"\d+ км", answer.text)


def test_the_public_key_set_is_public_cached_and_a_jwk_set(site: Site) -> None:
    answer = site.client().get("/api/v1/keys/public")
    assert answer.status_code == 200
    assert answer.headers["content-type"] == "application/jwk-set+json"
    assert answer.headers["cache-control"] == "public, max-age=3600"
    assert all(key["kty"] == "EC" and key["alg"] == "ES256" for key in answer.json()["keys"])


def test_pages_allow_only_their_own_scripts_and_styles(site: Site) -> None:
    answer = site.client().get("/login")
    policy = answer.headers["content-security-policy"]
    assert "script-src 'self'" in policy and "'unsafe-inline'" not in policy
    assert answer.headers["x-frame-options"] == "DENY"
    static = site.client().get("/static/htmx.min.js")
    assert static.status_code == 200 and 'version:"2.' in static.text
    assert static.headers["cache-control"] == "public, max-age=86400"


def test_without_javascript_the_check_and_the_recording_come_back_as_whole_pages(site: Site) -> None:
    client = site.logged_in("officer")
    answer = client.get("/check?plate=BG+777-AB&crossing=entry:XK&point=merdare&at=2021-09-27T10:00")
    assert answer.text.startswith("<!DOCTYPE html>") and 'data-decision="issue_temporary_registration"' in answer.text
    form = {name: hidden(answer.text, name) for name in ("plate", "crossing", "point", "at", "class", "request_key", "csrf_token")}
    recorded = client.post("/check/crossing", data=form)
    assert recorded.text.startswith("<!DOCTYPE html>") and "Crossing recorded" in recorded.text and 'id="plate"' in recorded.text


def answer_in(client: httpx.Client, language: str, plate: str, at: str, point: str = "merdare") -> str:
    """The booth's answer for ``plate`` entering Kosovo at ``at``, in ``language``."""
    client.get(f"/account?lang={language}")
    return client.get(f"/check?plate={plate.replace(' ', '+')}&crossing=entry:XK&point={point}&at={at}", headers={"HX-Request": "true"}).text


def test_what_the_vehicle_holds_is_said_in_the_officers_language(site: Site) -> None:
    clerk = site.logged_in("clerk")
    clerk.post("/issue", data=issue_form(clerk, "NP 704-AB"))  # valid from 27 Sept 2021
    officer = site.logged_in("officer")
    try:
        assert "asnjë regjistrim i përkohshëm aktiv" in answer_in(officer, "sq", "NP 705-AB", "2021-09-27T10:00")
        early = answer_in(officer, "sr-Latn", "NP 704-AB", "2021-09-26T10:00")
        assert 'data-decision="issue_temporary_registration"' in early and "Još nije važeća." in early
        held = answer_in(officer, "sr-Cyrl", "NP 704-AB", "2021-09-28T10:00")
        assert 'data-decision="admit"' in held and "Поседује" in held and "Истиче" not in held
        enforcement.issue_sticker(Presentation("NP 706-AB", "XK", local(2021, 10, 4, 9), point="jarinje"), actor=OPERATOR, db=site.db)
        stickers = answer_in(officer, "sr-Cyrl", "NP 706-AB", "2021-10-05T10:00")
        assert 'data-decision="admit"' in stickers and "Налепнице" in stickers and "на прелазу Јариње" in stickers
    finally:
        officer.get("/account?lang=en")
