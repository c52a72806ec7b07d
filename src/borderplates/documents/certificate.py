"""The printed temporary registration certificate: a PDF with the facts in large type and a signed QR code.

The certificate is HTML and CSS (``templates/``) rendered by WeasyPrint in DejaVu
Sans, which covers Latin with diacritics and Cyrillic. It reads in black and white:
black on white, thick rules, no meaning carried by colour, the number, the plate
and the validity dates in large type. The QR code (segno, embedded as SVG) holds
``qr_url``, the verification address with its signed token.

Every label goes through ``translate``, a gettext-like callable installed in the
template as ``_``, so that ``pybabel extract`` finds the messages (``_("Valid
until")``) and a message catalogue plugs in. The values come as they are: dates
as ISO dates, money as amount and currency.
"""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal
from urllib.parse import quote, urlsplit, urlunsplit

import jinja2
import segno
import weasyprint  # type: ignore[import-untyped]  # WeasyPrint ships no type hints

from borderplates.errors import ValidationError
from borderplates.law import Money

PageSize = Literal["A5", "A4"]
PAGE_SIZES: tuple[PageSize, ...] = ("A5", "A4")
#: Error correction Q (25%), as the EU DCC recommends: a paper kept in a car gets worn.
QR_ERROR = "q"
#: The quiet zone around the code, in modules (the QR standard asks for 4).
QR_BORDER = 4

_TEMPLATES = jinja2.Environment(
    loader=jinja2.PackageLoader("borderplates.documents", "templates"),
    autoescape=True,
    undefined=jinja2.StrictUndefined,
    trim_blocks=True,
    lstrip_blocks=True,
)


@dataclass(frozen=True, slots=True)
class LegalBasis:
    """The rule that required the registration, and its published source."""

    rule_id: str
    title: str
    url: str


@dataclass(frozen=True, slots=True)
class CertificateView:
    """What a certificate shows, ready to print: names rather than codes, local dates and time."""

    number: str
    plate: str
    issuer_name: str
    jurisdiction_name: str
    valid_from: dt.date
    valid_until: dt.date
    fee: Money
    issuing_point: str
    clerk: str
    legal_basis: LegalBasis
    issued_at: dt.datetime
    holder: str | None = None


def _identity(message: str) -> str:
    return message


def render_certificate(
    view: CertificateView,
    *,
    qr_url: str,
    page_size: PageSize = "A5",
    translate: Callable[[str], str] | None = None,
    date_text: Callable[[dt.date], str] = dt.date.isoformat,
    money_text: Callable[[Money], str] = str,
) -> bytes:
    """The certificate as a one-page PDF of ``page_size`` (A5 or A4) with a QR code of ``qr_url``.

    Labels go through ``translate``, dates through ``date_text`` and the fee through ``money_text``
    (ISO dates and ``EUR 5.00`` unless a language's are given).
    """
    if page_size not in PAGE_SIZES:
        raise ValidationError(f"page size {page_size!r} is not one of {', '.join(PAGE_SIZES)}")
    if view.issued_at.utcoffset() is None:
        raise ValueError("issued_at must be a timezone-aware datetime in the time to print")
    html = _TEMPLATES.get_template("certificate.html").render(
        view=view,
        page_size=page_size,
        qr=_qr_svg(qr_url),
        online_url=_without_token(qr_url),
        issued_at=_printed_time(view.issued_at),
        source_is_link=urlsplit(view.legal_basis.url).scheme in ("http", "https"),
        valid_from=date_text(view.valid_from),
        valid_until=date_text(view.valid_until),
        fee=money_text(view.fee),
        _=translate or _identity,
    )
    # The page embeds everything it shows: WeasyPrint may read data: URIs and nothing else, so no file or network.
    pdf: bytes = weasyprint.HTML(string=html, url_fetcher=weasyprint.URLFetcher(allowed_protocols={"data"})).write_pdf()
    return pdf


def _qr_svg(text: str) -> str:
    """The QR code of ``text`` as an SVG data URI, its dark modules filled as one path.

    segno draws each row as a stroked line; rasterised at a size that is not a whole
    number of pixels per module, anti-aliasing leaves pale seams between the rows.
    One filled path of rectangles has no inner edges to blur.
    """
    qr = segno.make(text, error=QR_ERROR)
    size = qr.symbol_size(border=QR_BORDER)[0]
    runs = []
    for y, row in enumerate(qr.matrix_iter(border=QR_BORDER)):
        for dark, group in itertools.groupby(enumerate(row), key=lambda cell: bool(cell[1])):
            cells = list(group)
            if dark:
                runs.append(f"M{cells[0][0]} {y}h{len(cells)}v1h-{len(cells)}z")
    svg = (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {size} {size}" width="{size}" height="{size}">'
        f'<rect width="{size}" height="{size}" fill="#fff"/><path fill="#000" d="{"".join(runs)}"/></svg>'
    )
    return "data:image/svg+xml;charset=utf-8," + quote(svg)


def _printed_time(at: dt.datetime) -> str:
    """``2021-09-27 10:14 (UTC+02:00)``: the time as given, with its offset from UTC."""
    offset = at.strftime("%z")
    return f"{at:%Y-%m-%d %H:%M} (UTC{offset[:3]}:{offset[3:]})"


def _without_token(url: str) -> str:
    """The verification address without its token: short enough to print and to type."""
    parts = urlsplit(url)
    return urlunsplit((parts.scheme, parts.netloc, parts.path, "", ""))
