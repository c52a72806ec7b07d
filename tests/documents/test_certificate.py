"""The printed certificate, read back as a person and a phone would: its text, and its QR code decoded."""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
import subprocess
from decimal import Decimal
from functools import cache
from pathlib import Path
from zoneinfo import ZoneInfo

import jinja2.ext
import pytest
import zxingcpp
from PIL import Image

from borderplates.documents import CertificateView, LegalBasis, PageSize, render_certificate
from borderplates.errors import ValidationError
from borderplates.law import Money
from borderplates.tokens import KeySet, RegistrationClaims, SigningKey, sign_registration, verification_url, verify

TEMPLATE = Path(__file__).parents[2] / "src" / "borderplates" / "documents" / "templates" / "certificate.html"
BELGRADE = ZoneInfo("Europe/Belgrade")
KEY = SigningKey.generate()
VIEW = CertificateView(
    number="K7QM-4TXR-M",
    plate="ČA 123-AB",
    issuer_name="Serbia (RS)",
    jurisdiction_name="Kosovo",
    valid_from=dt.date(2021, 9, 27),
    valid_until=dt.date(2021, 11, 25),
    fee=Money(Decimal("5.00"), "EUR"),
    issuing_point="Jarinjë / Јариње",
    clerk="Arta Krasniqi",
    legal_basis=LegalBasis(
        "xk_rs.rs_plates_entering_xk",
        "XK Ministry of Internal Affairs decision of 2021-09-20 (reciprocity): temporary Kosovo plates, EUR 5, 60 days",
        "https://exit.al/en/kosovo-requires-serbian-cars-to-get-temporary-kosovo-plates-upon-entry/",
    ),
    issued_at=dt.datetime(2021, 9, 27, 10, 14, tzinfo=BELGRADE),
)
CLAIMS = RegistrationClaims(VIEW.number, VIEW.plate, "RS", "XK", VIEW.valid_from, VIEW.valid_until)
URL = verification_url("https://borderplates.example.org", VIEW.number, sign_registration(CLAIMS, KEY, VIEW.issued_at))
# The page sizes in PostScript points, as pdfinfo prints them.
POINTS = {"A5": "419.528 x 595.276", "A4": "595.276 x 841.89"}


@cache
def pdf(page_size: PageSize) -> bytes:
    return render_certificate(VIEW, qr_url=URL, page_size=page_size)


def run(tool: str, *args: str | Path) -> str:
    return subprocess.run([tool, *map(str, args)], capture_output=True, text=True, check=True, timeout=60).stdout


def written(tmp_path: Path, content: bytes, name: str = "certificate.pdf") -> Path:
    path = tmp_path / name
    path.write_bytes(content)
    return path


def text_of(tmp_path: Path, content: bytes) -> str:
    return run("pdftotext", "-layout", written(tmp_path, content), "-")


def decoded_qr_codes(tmp_path: Path, content: bytes, *options: str) -> list[str]:
    """The QR codes found on page 1 rendered at 150 dpi."""
    run("pdftoppm", "-r", "150", "-f", "1", "-l", "1", "-png", "-singlefile", *options, written(tmp_path, content), tmp_path / "page")
    with Image.open(tmp_path / "page.png") as image:
        return [code.text for code in zxingcpp.read_barcodes(image) if code.format == zxingcpp.BarcodeFormat.QRCode]


@pytest.mark.parametrize("page_size", ["A5", "A4"])
def test_the_certificate_prints_the_number_plate_dates_fee_and_legal_basis(tmp_path: Path, page_size: PageSize) -> None:
    text = text_of(tmp_path, pdf(page_size))
    for expected in ("K7QM-4TXR-M", "ČA 123-AB", "2021-09-27", "2021-11-25", "EUR 5.00", "Kosovo", "Serbia (RS)", "Jarinjë / Јариње", "Arta Krasniqi"):
        assert expected in text
    assert "2021-09-27 10:14 (UTC+02:00)" in text
    assert "Holder" not in text  # none was named
    assert "xk_rs.rs_plates_entering_xk" in text
    flowing = " ".join(text.split())
    assert VIEW.legal_basis.title in flowing
    assert VIEW.legal_basis.url in re.sub(r"\s+", "", text)
    assert "https://borderplates.example.org/verify/K7QM-4TXR-M" in re.sub(r"\s+", "", text)


@pytest.mark.parametrize("page_size", ["A5", "A4"])
def test_the_certificate_is_one_page_of_its_size_in_dejavu_sans(tmp_path: Path, page_size: PageSize) -> None:
    path = written(tmp_path, pdf(page_size))
    info = run("pdfinfo", path)
    assert re.search(r"^Pages:\s+1$", info, re.MULTILINE)
    assert POINTS[page_size] in info
    fonts = run("pdffonts", path)
    assert "DejaVu-Sans" in fonts
    assert all("DejaVu" in line for line in fonts.splitlines()[2:])


@pytest.mark.parametrize("page_size", ["A5", "A4"])
def test_the_qr_code_read_from_the_printed_page_is_the_verification_url(tmp_path: Path, page_size: PageSize) -> None:
    assert decoded_qr_codes(tmp_path, pdf(page_size)) == [URL]
    assert verify(URL, KeySet([KEY.public]), dt.datetime(2021, 10, 1, tzinfo=BELGRADE)).claims == CLAIMS


def test_the_qr_code_reads_from_a_greyscale_rendering(tmp_path: Path) -> None:
    assert decoded_qr_codes(tmp_path, pdf("A5"), "-gray") == [URL]


def test_every_label_goes_through_translate_and_every_message_can_be_extracted(tmp_path: Path) -> None:
    asked: list[str] = []
    cyrillic = {"Valid until": "Важи до", "Plate": "Таблица", "Legal basis": "Правни основ"}

    def translate(message: str) -> str:
        asked.append(message)
        return cyrillic.get(message, message)

    text = text_of(tmp_path, render_certificate(dataclasses.replace(VIEW, holder="Milica Jovanović"), qr_url=URL, translate=translate))
    assert all(word in text for word in cyrillic.values())
    assert "Valid until" not in text
    with TEMPLATE.open("rb") as template:
        extracted = {message for _, _, message, _ in jinja2.ext.babel_extract(template, ("_",), [], {})}
    assert set(asked) == extracted
    assert len(extracted) >= 15


def test_text_typed_by_people_is_printed_as_text_never_as_markup(tmp_path: Path) -> None:
    view = dataclasses.replace(VIEW, clerk="<b>Ana</b> & Co")
    assert "<b>Ana</b> & Co" in text_of(tmp_path, render_certificate(view, qr_url=URL))


def test_an_unknown_page_size_is_refused() -> None:
    with pytest.raises(ValidationError, match="page size 'Letter'"):
        render_certificate(VIEW, qr_url=URL, page_size="Letter")  # type: ignore[arg-type]
