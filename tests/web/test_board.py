"""The public board: every crossing point both ways, no login, in four languages, on a phone, as it stood at a past moment."""

from __future__ import annotations

import datetime as dt
import re
from html import unescape
from pathlib import Path
from urllib.parse import quote

import pytest
from playwright.sync_api import Page, expect

from borderplates.services import status
from borderplates.vocabulary import Role
from tests.conftest import local, operator
from tests.web.conftest import Site

AT = "2021-09-25T12:00:00+02:00"
PHONE = {"width": 390, "height": 844}


def flows(html: str) -> dict[tuple[str, str, str], str]:
    """(point, entering, mode) → status, read from the board's markup."""
    found = {}
    for point, section in re.findall(r'<section class="crossing[^"]*"[^>]*data-point="([a-z]+)">(.*?)</section>', html, re.S):
        for entering, modes, state in re.findall(r'data-entering="([A-Z]+)" data-modes="([a-z ]+)" data-status="([a-z]+)"', section):
            for mode in modes.split():
                found[(point, entering, mode)] = state
    return found


def test_on_25_september_2021_jarinje_and_brnjak_are_blocked_with_merdare_open_instead_as_the_feed_says(site: Site) -> None:
    with site.client() as anyone:
        page = anyone.get("/board", params={"at": AT})
        feed = anyone.get("/board.json", params={"at": AT}).json()
    assert page.status_code == 200 and "text/html" in page.headers["content-type"]
    shown = flows(page.text)
    assert shown == {(line["point"], line["entering"], line["mode"]): line["status"] for line in feed["crossings"]}
    for point in ("jarinje", "brnjak"):
        assert shown[(point, "XK", "passenger")] == shown[(point, "RS", "cargo")] == "blocked"
        assert shown[(point, "XK", "pedestrian")] == "open"
        section = re.search(rf'data-point="{point}">(.*?)</section>', page.text, re.S)
        assert section is not None and 'href="#point-merdare"' in section.group(1)
    assert shown[("merdare", "XK", "passenger")] == "open"
    assert "hx-trigger" not in page.text and 'http-equiv="refresh"' not in page.text  # a past board stays as it was


def test_the_live_board_refreshes_itself_with_and_without_javascript(site: Site) -> None:
    with site.client() as anyone:
        html = anyone.get("/board").text
    assert 'hx-trigger="every 60s"' in html and 'hx-select="#board"' in html
    assert '<noscript><meta http-equiv="refresh" content="60"></noscript>' in html


def test_a_queue_staff_reported_shows_as_a_wait_with_its_lanes_and_how_it_was_known(site: Site) -> None:
    at = local(2021, 9, 25, 11, 50)
    status.observe_queue("mucibaba", "RS", "bus", at, lanes_open=2, wait_minutes=35, actor=operator("board-test", Role.OFFICER), db=site.db)
    with site.client() as anyone:
        html = anyone.get("/board", params={"at": AT}).text
    section = re.search(r'data-point="mucibaba">(.*?)</section>', html, re.S)
    assert section is not None
    [line] = re.findall(r'data-entering="RS" data-modes="bus" data-status="open">(.*?)</li>', section.group(1), re.S)
    assert "about 35 minutes" in line and "2 lanes open" in line and "reported by staff" in line


@pytest.mark.parametrize(
    ("language", "title", "blocked"), [("sq", "Pikat kufitare", "i bllokuar"), ("sr-Latn", "Granični prelazi", None), ("sr-Cyrl", "Гранични прелази", None)]
)
def test_the_board_speaks_each_language(site: Site, language: str, title: str, blocked: str | None) -> None:
    with site.client() as anyone:
        html = anyone.get(f"/board?at={quote(AT)}&lang={language}").text
    assert f"<h1>{title}</h1>" in html
    if blocked:
        assert blocked in html


@pytest.mark.parametrize("moment", ["yesterday", "2021-09-25T12:00:00", "9999-12-31T23:59:00+00:00", "<script>alert(1)</script>", "x" * 5000])
def test_a_bad_moment_is_a_page_saying_so_without_echoing_markup(site: Site, moment: str) -> None:
    with site.client() as anyone:
        answer = anyone.get("/board", params={"at": moment})
    assert answer.status_code == 422 and "text/html" in answer.headers["content-type"]
    assert "<script>alert" not in answer.text
    detail = re.search(r'<p lang="en">(.*?)</p>', answer.text, re.S)
    assert detail is not None and len(unescape(detail.group(1))) < 200


def test_on_a_phone_the_board_fits_the_screen_in_albanian_and_in_serbian_cyrillic(page: Page, site: Site, screenshots: Path) -> None:
    page.set_viewport_size(PHONE)
    for language, blocked in (("sq", "i bllokuar"), ("sr-Cyrl", "блокиран")):
        page.goto(f"{site.url}/board?at={quote(AT)}&lang={language}")
        expect(page.locator('[data-point="jarinje"] [data-status="blocked"]').first).to_contain_text(blocked)
        expect(page.locator('[data-point="jarinje"] .instead').first).to_be_visible()
        assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
        page.screenshot(path=screenshots / f"board-{language}-phone.png", full_page=True)


def test_the_live_board_in_a_browser_shows_the_pages_clock(page: Page, site: Site) -> None:
    page.goto(f"{site.url}/board?lang=en")
    clock = site.settings.demo_clock
    assert clock is not None
    expect(page.locator(".as-of")).to_contain_text(f"{clock.day} Sept {clock.year}")
    assert dt.datetime.now(dt.UTC).year > clock.year
