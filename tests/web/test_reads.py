"""Camera reads at the booth: an image sent from the page, the crop beside the candidates, one key to confirm, the crossing linked to the read."""

from __future__ import annotations

import random
import re
from contextlib import closing
from pathlib import Path

import httpx
import pytest
from playwright.sync_api import Page, expect

from borderplates.services import reads
from borderplates.services.actors import Actor
from borderplates.vocabulary import Role
from tests.reading.synth import distort, draw_plate, encode
from tests.web.conftest import PASSWORD, Site, hidden

SUPERVISOR = Actor("test-supervisor", Role.SUPERVISOR)


def plate_image(text: str, seed: int = 9) -> bytes:
    return encode(distort(draw_plate(text, "rs.standard"), "blur", random.Random(seed)))


def send(client: httpx.Client, data: bytes, name: str = "plate.png", kind: str = "image/png") -> httpx.Response:
    token = hidden(client.get("/reads?point=merdare").text, "csrf_token")
    return client.post("/reads", data={"csrf_token": token, "point": "merdare"}, files={"image": (name, data, kind)}, follow_redirects=False)


def test_an_officer_sends_a_photo_confirms_the_plate_and_the_crossing_recorded_is_linked_to_the_read(site: Site) -> None:
    with closing(site.logged_in("officer")) as officer:
        sent = send(officer, plate_image("NP 456-CD"))
        assert sent.status_code == 303, sent.text[:500]
        address = sent.headers["location"]
        number = int(address.rsplit("/", 1)[1])
        screen = officer.get(address)
        assert f'<img src="/reads/{number}/crop.png"' in screen.text and 'id="pick-1"' in screen.text
        crop = officer.get(f"/reads/{number}/crop.png")
        assert crop.headers["content-type"] == "image/png" and crop.content.startswith(b"\x89PNG")
        confirmed = officer.post(
            f"/reads/{number}/confirmation",
            data={"csrf_token": hidden(screen.text, "csrf_token"), "plate": "NP 456-CD", "crossing": "entry:XK"},
            follow_redirects=False,
        )
        assert confirmed.status_code == 303
        assert f"read={number}" in confirmed.headers["location"] and "plate=NP+456-CD" in confirmed.headers["location"]
        booth = officer.get(confirmed.headers["location"])
        assert f'name="read" value="{number}"' in booth.text
        form = dict(re.findall(r'<input type="hidden" name="([a-z_]+)" value="([^"]*)"', booth.text.split('id="record-form"')[1].split("</form>")[0]))
        recorded = officer.post("/check/crossing", data=form)
        assert recorded.status_code == 200 and "Crossing recorded" in recorded.text
    kept = reads.show_read(number, actor=SUPERVISOR, db=site.db)
    assert (kept.confirmed_plate, kept.confirmed_by) == ("NP 456-CD", "officer") and kept.crossing_id is not None


def test_the_list_shows_the_newest_reads_at_the_point_and_refreshes_itself(site: Site) -> None:
    with closing(site.logged_in("officer")) as officer:
        assert send(officer, plate_image("NP 789-EF", seed=4)).status_code == 303
        listed = officer.get("/reads?point=merdare").text
    assert 'hx-trigger="every 3s"' in listed
    assert re.search(r'<tr data-read="\d+"', listed)


@pytest.mark.parametrize(
    ("data", "name", "kind"),
    [(b"", "empty.png", "image/png"), (b"%PDF-1.7 not an image", "plate.png", "image/png"), (b"\x89PNG\r\n\x1a\n" + b"\x00" * 40, "cut.png", "image/png")],
)
def test_a_bad_photo_is_said_next_to_the_field_and_nothing_is_kept(site: Site, data: bytes, name: str, kind: str) -> None:
    with closing(site.logged_in("officer")) as officer:
        before = officer.get("/reads?point=merdare").text.count("data-read=")
        answer = send(officer, data, name, kind)
        after = officer.get("/reads?point=merdare").text.count("data-read=")
    assert answer.status_code == 422 and 'href="#image"' in answer.text
    assert after == before


def test_a_stale_form_a_wrong_plate_and_a_read_that_does_not_exist_change_nothing(site: Site) -> None:
    with closing(site.logged_in("officer")) as officer:
        stale = officer.post("/reads", data={"csrf_token": "old", "point": "merdare"}, files={"image": ("p.png", plate_image("NP 111-AA"), "image/png")})
        assert stale.status_code == 422 and "expired" in stale.text
        number = int(send(officer, plate_image("NP 222-BB", seed=5)).headers["location"].rsplit("/", 1)[1])
        token = hidden(officer.get(f"/reads/{number}").text, "csrf_token")
        wrong = officer.post(f"/reads/{number}/confirmation", data={"csrf_token": token, "plate": "<b>NOT A PLATE</b>", "crossing": "entry:XK"})
        assert wrong.status_code == 422 and "<b>NOT" not in wrong.text
        for address in ("/reads/abc", "/reads/99999999999", "/reads/0/crop.png"):
            assert officer.get(address).status_code == 404
    kept = reads.show_read(number, actor=SUPERVISOR, db=site.db)
    assert kept.confirmed_plate is None and kept.crossing_id is None


def test_at_the_booth_a_digit_confirms_the_candidate_and_f8_records_the_crossing(page: Page, site: Site, screenshots: Path, tmp_path: Path) -> None:
    photo = tmp_path / "plate.png"
    photo.write_bytes(plate_image("NP 333-CC", seed=7))
    page.goto(f"{site.url}/login")
    page.fill("#name", "officer")
    page.fill("#password", PASSWORD)
    page.keyboard.press("Enter")
    page.wait_for_url(lambda url: "/login" not in url)
    page.goto(f"{site.url}/reads?point=merdare")
    page.set_input_files("#image", str(photo))
    page.click("form.send-image button")
    page.wait_for_url(re.compile(r"/reads/\d+$"))
    expect(page.locator(".crop img")).to_be_visible()
    expect(page.locator("#pick-1")).to_contain_text("NP 333-CC")
    page.screenshot(path=screenshots / "read-confirm-1280.png", full_page=True)
    page.keyboard.press("1")
    page.wait_for_url(re.compile(r"/check\?.*read=\d+"))
    expect(page.locator("#answer [data-decision]")).to_be_visible()
    page.keyboard.press("F8")
    expect(page.locator(".answer-recorded")).to_contain_text("NP 333-CC")
