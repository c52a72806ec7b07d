"""The printed certificate from the pages: its text, its QR code decoded from the rendered page, the verification page it opens, and the offline check."""

from __future__ import annotations

import datetime as dt
import json
import os
import re
import subprocess
import sys
from pathlib import Path
from urllib.parse import urlsplit

import httpx
import pytest
import zxingcpp
from PIL import Image

from borderplates.services import accounts, certificates, registrations
from borderplates.services.actors import Actor
from borderplates.tokens import KeyStore
from borderplates.vocabulary import Role
from tests.web.conftest import Site, hidden

DURING = "2021-10-01T12:00:00+02:00"


def issued(client: httpx.Client, plate: str, holder: str = "") -> str:
    """Issue a registration for ``plate`` (to ``holder``) through the form; returns its number."""
    form = client.get(f"/issue?plate={plate}&crossing=entry:XK&point=merdare&at=2021-09-27T10:05")
    data = {name: hidden(form.text, name) for name in ("request_key", "csrf_token")}
    facts = {"plate": plate, "crossing": "entry:XK", "point": "merdare", "at": "2021-09-27T10:05", "class": "car", "vin": "", "fee_paid": "yes"}
    facts["holder"] = holder
    answer = client.post("/issue", data={**data, **facts})
    assert answer.url.path.startswith("/registrations/"), answer.text[:300]
    return answer.url.path.rsplit("/", 1)[1]


def read_pdf(tmp_path: Path, pdf: bytes) -> tuple[str, str]:
    """The PDF's text (pdftotext) and the content of the QR code decoded from the page rendered at 150 dpi."""
    path = tmp_path / "certificate.pdf"
    path.write_bytes(pdf)
    text = subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True, timeout=60).stdout
    subprocess.run(["pdftoppm", "-r", "150", "-png", "-singlefile", str(path), str(tmp_path / "page")], check=True, timeout=60)
    codes = zxingcpp.read_barcodes(Image.open(tmp_path / "page.png"))
    assert len(codes) == 1
    return text, codes[0].text


@pytest.fixture(scope="module")
def clerk(site: Site) -> httpx.Client:
    return site.logged_in("clerk")


def test_the_certificate_prints_the_registration_in_albanian_with_a_qr_code_that_opens_valid(site: Site, clerk: httpx.Client, tmp_path: Path) -> None:
    number = issued(clerk, "NP 800-AB")
    clerk.get("/account?lang=sq")
    pdf = clerk.get(f"/registrations/{number}/certificate.pdf?size=A4")
    clerk.get("/account?lang=en")
    assert pdf.headers["content-type"] == "application/pdf"
    text, scanned = read_pdf(tmp_path, pdf.content)
    assert "Certifikatë e regjistrimit të përkohshëm" in text
    assert number in text and "NP 800-AB" in text and "Merdarë" in text and "Kosova" in text
    assert scanned.startswith(f"{site.url}/verify/{number}?t=BP1.")
    page = site.client(**{"Accept-Language": "sq"}).get(urlsplit(scanned).path + "?" + urlsplit(scanned).query)
    assert 'data-standing="valid"' in page.text and "I VLEFSHËM" in page.text
    assert page.headers["referrer-policy"] == "no-referrer"
    assert "NP 800-AB" in page.text and "clerk" not in page.text  # the plate and dates, nothing about who issued it


def test_the_holders_name_is_on_the_page_and_the_paper_with_the_dates_and_fee_as_the_language_writes_them(clerk: httpx.Client, tmp_path: Path) -> None:
    number = issued(clerk, "NP 815-AB", holder="Milica Jovanović")
    assert "Milica Jovanović" in clerk.get(f"/registrations/{number}").text
    clerk.get("/account?lang=sr-Latn")
    pdf = clerk.get(f"/registrations/{number}/certificate.pdf")
    clerk.get("/account?lang=sq")
    albanian = clerk.get(f"/registrations/{number}/certificate.pdf")
    clerk.get("/account?lang=en")
    text, _ = read_pdf(tmp_path, pdf.content)
    assert "Milica Jovanović" in text and "Imalac" in text
    assert "27. 9. 2021." in text and "25. 11. 2021." in text and "5,00 €" in text
    text, _ = read_pdf(tmp_path, albanian.content)
    assert "Mbajtësi" in text and "27 sht 2021" in text and "25 nën 2021" in text


def test_a_holders_name_too_long_is_said_next_to_its_field_and_nothing_is_issued(site: Site, clerk: httpx.Client) -> None:
    form = clerk.get("/issue?plate=NP 814-AB&crossing=entry:XK&point=merdare&at=2021-09-27T10:05")
    data = {name: hidden(form.text, name) for name in ("request_key", "csrf_token")}
    facts = {"plate": "NP 814-AB", "crossing": "entry:XK", "point": "merdare", "at": "2021-09-27T10:05", "class": "car", "fee_paid": "yes"}
    answer = clerk.post("/issue", data={**data, **facts, "holder": "M" * 101})
    assert answer.status_code == 422
    assert 'id="holder-problem"' in answer.text and 'value="' + "M" * 101 + '"' in answer.text
    with site.db.reading() as uow:
        assert uow.holdings.active_registration("RS", "NP 814-AB", "XK") is None


def test_a_qr_code_changed_in_one_character_is_not_valid(site: Site, clerk: httpx.Client, tmp_path: Path) -> None:
    number = issued(clerk, "NP 801-AB")
    _, scanned = read_pdf(tmp_path, clerk.get(f"/registrations/{number}/certificate.pdf").content)
    last = scanned[-5]
    altered = scanned[:-5] + ("A" if last != "A" else "B") + scanned[-4:]
    page = site.client().get(urlsplit(altered).path + "?" + urlsplit(altered).query)
    assert 'data-standing="invalid"' in page.text
    assert 'class="verdict-plate"' not in page.text


def test_a_cancelled_registration_shows_cancelled_whatever_its_paper_says(site: Site, clerk: httpx.Client, tmp_path: Path) -> None:
    number = issued(clerk, "NP 802-AB")
    _, scanned = read_pdf(tmp_path, clerk.get(f"/registrations/{number}/certificate.pdf").content)
    supervisor = site.logged_in("supervisor")
    detail = supervisor.get(f"/registrations/{number}")
    missing = supervisor.post(f"/registrations/{number}/cancel", data={"csrf_token": hidden(detail.text, "csrf_token"), "reason": ""})
    assert missing.status_code == 422
    end_key = re.search(r'action="/registrations/[^"]+/cancel".*?name="request_key" value="([^"]+)"', detail.text, re.S)
    assert end_key is not None
    form = {"csrf_token": hidden(detail.text, "csrf_token"), "reason": "plates lost", "request_key": end_key.group(1)}
    first, again = (supervisor.post(f"/registrations/{number}/cancel", data=form) for _ in range(2))
    assert first.status_code == again.status_code == 200 and first.url.path == again.url.path == f"/registrations/{number}"  # sent twice, cancelled once
    _, trail = registrations.show_registration(number, actor=Actor("test-supervisor", Role.SUPERVISOR), db=site.db)
    assert [entry["action"] for entry in trail].count("cancel") == 1
    page = site.client().get(urlsplit(scanned).path + "?" + urlsplit(scanned).query)
    assert 'data-standing="cancelled"' in page.text
    assert clerk.get(f"/registrations/{number}/certificate.pdf").status_code == 409


def test_the_verification_page_says_unknown_for_a_number_nobody_issued(site: Site) -> None:
    page = site.client().get("/verify/K7QM-4TXR-M")
    assert page.status_code == 404
    assert 'data-standing="unknown"' in page.text


def test_verify_token_accepts_the_qr_content_offline_and_refuses_it_with_one_character_changed(site: Site, clerk: httpx.Client, tmp_path: Path) -> None:
    number = issued(clerk, "NP 803-AB")
    _, scanned = read_pdf(tmp_path, clerk.get(f"/registrations/{number}/certificate.pdf").content)
    keys = tmp_path / "keys.json"
    keys.write_text(site.client().get("/api/v1/keys/public").text, encoding="utf-8")
    patrol = {**os.environ, "BORDERPLATES_DATA_DIR": str(tmp_path / "patrol")}  # a laptop with the published keys only, no registry, no network

    def verify(text: str) -> tuple[int, dict[str, object]]:
        done = subprocess.run(
            [sys.executable, "-m", "borderplates", "verify-token", text, "--keys", str(keys), "--at", DURING, "--json"],
            capture_output=True,
            text=True,
            env=patrol,
            timeout=120,
        )
        return done.returncode, json.loads(done.stdout)

    code, said = verify(scanned)
    assert (code, said["valid"], said["number"], said["plate"]) == (0, True, number, "NP 803-AB")
    token_end = len(scanned) - 3
    changed = scanned[:token_end] + ("x" if scanned[token_end] != "x" else "y") + scanned[token_end + 1 :]
    code, said = verify(changed)
    assert code == 1 and said["valid"] is False


def test_a_certificate_is_signed_with_the_site_key_and_names_its_legal_source(site: Site) -> None:
    clerk = Actor("clerk", Role.CLERK)
    page = site.logged_in("clerk")
    number = issued(page, "NP 804-AB")
    certificate = certificates.certify(
        number, dt.datetime(2021, 9, 28, tzinfo=dt.UTC), actor=clerk, keys=KeyStore(site.settings.data_dir / "keys"), public_base_url=site.url, db=site.db
    )
    assert certificate.url.startswith(f"{site.url}/verify/{number}?t=BP1.")
    assert certificate.source_title.startswith("XK ")
    trusted = KeyStore(site.settings.data_dir / "keys").key_set()
    verdict = certificates.check_certificate(number, urlsplit(certificate.url).query[2:], dt.datetime(2021, 9, 28, tzinfo=dt.UTC), trusted=trusted, db=site.db)
    assert (verdict.standing, verdict.signed, verdict.in_registry) == (certificates.Standing.VALID, True, True)


def test_the_api_prints_the_same_certificate_for_a_machine_with_a_key(site: Site, clerk: httpx.Client, tmp_path: Path) -> None:
    number = issued(clerk, "NP 805-AB")
    _, key = accounts.create_key("clerk", actor=Actor("test-admin", Role.ADMIN), db=site.db)
    machine = site.client(Authorization=f"Bearer {key}")
    pdf = machine.get(f"/api/v1/registrations/{number}/certificate", params={"size": "A4", "lang": "sr-Cyrl"})
    assert pdf.headers["content-type"] == "application/pdf"
    text, scanned = read_pdf(tmp_path, pdf.content)
    assert "Потврда о привременој регистрацији" in text and "Мердаре" in text
    assert f"/verify/{number}?t=BP1." in scanned
    assert machine.get(f"/api/v1/registrations/{number}/certificate", params={"size": "B5"}).status_code == 422


def test_a_registration_returned_on_exit_shows_returned_and_a_renewal_replaces_it(site: Site, clerk: httpx.Client, tmp_path: Path) -> None:
    renewed_number = issued(clerk, "NP 806-AB")
    detail = clerk.get(f"/registrations/{renewed_number}")
    renewal = clerk.post(
        f"/registrations/{renewed_number}/renew",
        data={"csrf_token": hidden(detail.text, "csrf_token"), "request_key": hidden(detail.text, "request_key"), "point": "merdare"},
    )
    assert renewal.url.path != f"/registrations/{renewed_number}" and "active" in renewal.text
    assert 'data-standing="expired"' in site.client().get(f"/verify/{renewed_number}").text
    number = issued(clerk, "NP 807-AB")
    _, scanned = read_pdf(tmp_path, clerk.get(f"/registrations/{number}/certificate.pdf").content)
    detail = clerk.get(f"/registrations/{number}")
    clerk.post(f"/registrations/{number}/return", data={"csrf_token": hidden(detail.text, "csrf_token"), "point": "merdare"})
    page = site.client().get(urlsplit(scanned).path + "?" + urlsplit(scanned).query)
    assert 'data-standing="returned"' in page.text
