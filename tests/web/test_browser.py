"""The pages in a real browser (Debian's Chromium through Playwright): the clerk's walk to a valid QR code, the keyboard-only booth, languages, roles.

Screenshots of every step land in tmp/web-screenshots/.
"""

from __future__ import annotations

import subprocess
import time
from pathlib import Path

import pytest
import zxingcpp
from PIL import Image
from playwright.sync_api import Page, expect

from tests.web.conftest import PASSWORD, Site

DESKTOP = {"width": 1280, "height": 800}
TABLET = {"width": 820, "height": 1180}
PHONE = {"width": 390, "height": 844}


def log_in(page: Page, site: Site, name: str) -> None:
    """Log in with the keyboard only."""
    page.goto(f"{site.url}/login")
    expect(page.locator("#name")).to_be_focused()
    page.keyboard.type(name)
    page.keyboard.press("Tab")
    page.keyboard.type(PASSWORD)
    page.keyboard.press("Enter")
    page.wait_for_url(lambda url: "/login" not in url)


def check(page: Page, plate: str) -> None:
    """Type a plate into the plate field once it has the focus, as the officer does, and press Enter; wait for the answer.

    The answer on the screen is marked first: the new one has come when the marked one is gone (its response may arrive before htmx swaps it in).
    """
    expect(page.locator("#plate")).to_be_focused()
    page.evaluate("document.querySelectorAll('#answer > *').forEach(e => e.setAttribute('data-before', ''))")
    page.keyboard.type(plate)
    with page.expect_response(lambda response: "/check?" in response.url):
        page.keyboard.press("Enter")
    expect(page.locator("#answer [data-before]")).to_have_count(0)
    expect(page.locator("#answer [data-decision]")).to_be_visible()


def settled(page: Page, expression: str, seconds: float = 5.0) -> None:
    """Wait until ``expression`` is true in the page. Evaluated from outside: the pages' Content-Security-Policy
    forbids the evaluation of strings that Playwright's own waiting would do inside the page."""
    deadline = time.monotonic() + seconds
    while not page.evaluate(expression):
        assert time.monotonic() < deadline, f"not true within {seconds} s: {expression}"
        page.wait_for_timeout(50)


def decision(page: Page) -> str | None:
    return page.locator("#answer [data-decision]").get_attribute("data-decision")


def test_the_clerk_checks_issues_prints_and_the_qr_code_opens_a_page_that_says_valid(page: Page, site: Site, screenshots: Path, tmp_path: Path) -> None:
    page.set_viewport_size(DESKTOP)
    log_in(page, site, "clerk")
    expect(page.locator("#plate")).to_be_focused()
    page.select_option("#point", "jarinje")
    page.focus("#plate")
    check(page, "NP 123-AB")
    assert decision(page) == "refuse"
    expect(page.locator(".alternatives")).to_contain_text("Merdarë / Merdare")
    page.screenshot(path=screenshots / "check-jarinje-refused-en-1280.png")

    page.select_option("#point", "merdare")
    page.focus("#plate")
    page.keyboard.press("Control+A")
    check(page, "NP 123-AB")
    assert decision(page) == "issue_temporary_registration"
    page.screenshot(path=screenshots / "check-merdare-issue-en-1280.png")
    page.keyboard.press("F9")
    page.wait_for_url("**/issue?**")
    expect(page.locator("#plate")).to_have_value("NP 123-AB")
    expect(page.locator(".fee-amount")).to_contain_text("€5.00")
    page.check("#fee_paid")
    page.screenshot(path=screenshots / "issue-en-1280.png")
    page.dblclick("#issue")
    page.wait_for_url("**/registrations/**")
    number = page.locator("h1.number").inner_text()
    with site.db.reading() as uow:
        assert [r.number for r in uow.registrations.search(plate=None, limit=100) if r.plate == "NP 123-AB"] == [number]
    page.screenshot(path=screenshots / "registration-issued-en-1280.png")

    pdf = page.request.get(site.url + (page.locator("#print-a5").get_attribute("href") or ""))
    assert pdf.headers["content-type"] == "application/pdf"
    (tmp_path / "certificate.pdf").write_bytes(pdf.body())
    subprocess.run(["pdftoppm", "-r", "150", "-png", "-singlefile", str(tmp_path / "certificate.pdf"), str(screenshots / "certificate-en-a5")], check=True)
    scanned = zxingcpp.read_barcodes(Image.open(screenshots / "certificate-en-a5.png"))[0].text
    assert f"/verify/{number}?t=BP1." in scanned

    phone = page.context.browser.new_page(viewport=PHONE) if page.context.browser else None
    assert phone is not None
    phone.goto(scanned)
    expect(phone.locator("[data-standing]")).to_have_attribute("data-standing", "valid")
    expect(phone.locator("h1")).to_contain_text("VALID")
    phone.screenshot(path=screenshots / "verify-valid-en-phone.png")
    assert phone.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth") <= 0
    phone.close()


def test_the_booth_works_with_the_keyboard_alone(page: Page, site: Site, screenshots: Path) -> None:
    page.set_viewport_size(DESKTOP)
    log_in(page, site, "officer")
    check(page, "BG 123-AB")
    assert decision(page) == "refuse"  # Jarinje, the officer's first crossing point, is blocked that day
    with page.expect_response(lambda response: response.url.endswith("/check/crossing")):
        page.keyboard.press("F8")
    expect(page.locator(".answer-recorded")).to_contain_text("Crossing recorded")
    expect(page.locator("#plate")).to_be_focused()
    # The next plate typed replaces this one: the whole plate is selected once the answer has settled.
    whole = "(e => e.id === 'plate' && e.value.length > 0 && e.selectionStart === 0 && e.selectionEnd === e.value.length)(document.activeElement)"
    settled(page, whole)
    assert page.evaluate("document.activeElement.value") == "BG 123-AB"
    page.screenshot(path=screenshots / "check-recorded-en-1280.png")
    page.keyboard.press("Tab")
    focused = page.evaluate("getComputedStyle(document.activeElement).outlineStyle")
    assert focused != "none"  # the focus is visible
    with site.db.reading() as uow:
        assert [c.decision for c in uow.crossings.between(None, None, "jarinje") if c.plate == "BG 123-AB"] == ["refuse"]


def test_a_booth_drawn_whole_selects_its_plate_too(page: Page, site: Site) -> None:
    """The page drawn from its address (a reload, or F8 pressed before htmx took the answer's form over) behaves as the swapped answer does."""
    page.set_viewport_size(DESKTOP)
    log_in(page, site, "officer")
    page.goto(f"{site.url}/check?plate=BG+125-AB&point=jarinje")
    expect(page.locator("#answer [data-decision]")).to_be_visible()
    settled(page, "(e => e.id === 'plate' && e.selectionStart === 0 && e.selectionEnd === 'BG 125-AB'.length)(document.activeElement)")
    page.keyboard.type("NP 125-AB")
    assert page.evaluate("document.activeElement.value") == "NP 125-AB"


def test_the_language_switch_turns_the_booth_into_serbian_cyrillic_and_albanian(page: Page, site: Site, screenshots: Path) -> None:
    page.set_viewport_size(TABLET)
    log_in(page, site, "clerk")
    page.click("a[hreflang='sr-Cyrl']")
    expect(page.locator("html")).to_have_attribute("lang", "sr-Cyrl")
    page.select_option("#point", "merdare")
    page.focus("#plate")
    check(page, "NP 124-AB")
    expect(page.locator("#decision")).to_have_text("Издај привремену регистрацију")
    expect(page.locator(".main-nav")).to_contain_text("Провери")
    page.screenshot(path=screenshots / "check-merdare-sr-Cyrl-tablet.png", full_page=True)
    page.click("a[hreflang='sq']")
    expect(page.locator("html")).to_have_attribute("lang", "sq")
    expect(page.locator("#decision")).to_have_text("Lësho regjistrim të përkohshëm")
    expect(page.locator(".kicker")).to_contain_text("Merdar")  # kept in the address, answered again in Albanian
    page.screenshot(path=screenshots / "check-merdare-sq-tablet.png", full_page=True)
    page.click("a[hreflang='en']")


def test_each_role_sees_what_it_may_do(page: Page, site: Site, screenshots: Path) -> None:
    page.set_viewport_size(DESKTOP)
    log_in(page, site, "officer")
    nav = page.locator(".main-nav")
    expect(nav).to_contain_text("Check")
    expect(nav.get_by_role("link", name="Issue")).to_have_count(0)
    expect(nav.get_by_role("link", name="Dashboard")).to_have_count(0)
    page.goto(f"{site.url}/dashboard")
    expect(page.locator("h1")).to_have_text("You may not do this")
    page.context.clear_cookies()
    log_in(page, site, "supervisor")
    expect(page).to_have_url(f"{site.url}/dashboard")
    expect(page.locator(".main-nav").get_by_role("link", name="Crossings")).to_be_visible()
    page.screenshot(path=screenshots / "dashboard-en-1280.png", full_page=True)


@pytest.mark.parametrize(("language", "size"), [("en", DESKTOP), ("sq", TABLET), ("sr-Cyrl", DESKTOP), ("sr-Latn", TABLET)])
def test_every_page_renders_in_the_language_at_the_size(page: Page, site: Site, screenshots: Path, language: str, size: dict[str, int]) -> None:
    page.set_viewport_size(size)
    log_in(page, site, "supervisor")
    page.goto(f"{site.url}/account?lang={language}")
    width = "1280" if size is DESKTOP else "tablet"
    paths = {
        "check": "/check?plate=NP+123-AB&crossing=entry:XK&point=merdare",
        "issue": "/issue?plate=NP+125-AB&crossing=entry:XK&point=merdare",
        "registrations": "/registrations",
        "crossings": "/crossings",
        "rules": "/rules/XK/RS",
        "dashboard": "/dashboard?start=2021-09-21&end=2021-09-27",
    }
    for name, path in paths.items():
        page.goto(site.url + path)
        expect(page.locator("html")).to_have_attribute("lang", language)
        page.screenshot(path=screenshots / f"{name}-{language}-{width}.png", full_page=True)
        overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
        assert overflow <= 0, f"{name} is wider than the window at {size}"
    page.goto(f"{site.url}/account?lang=en")
