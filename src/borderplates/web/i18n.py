"""The four languages of the pages and the printed certificate: choosing one, translating, and writing dates, money and names.

The messages live in Babel catalogues under ``borderplates/locale`` (``messages.pot``
extracted from the templates and the code; ``sq``, ``sr_Latn`` and ``sr_Cyrl``
translated; the Cyrillic catalogue derived from the Latin one by
:mod:`borderplates.web.catalogues`). Compiled ``.mo`` files are build products: a
catalogue whose ``.mo`` is missing or older than its ``.po`` is compiled in memory
on first use.

A request's language is, in order: ``?lang=``, the account's choice, the
``bp_lang`` cookie, the browser's Accept-Language, English. Babel's own
negotiation ignores script subtags, so each tag is parsed with its likely script
filled in (``sr-RS`` is Serbian in Cyrillic, ``sr-Latn-RS`` and ``sr-ME`` in Latin).

>>> negotiate("sr-RS,sr;q=0.9,en;q=0.5").code, negotiate("sr-Latn-RS").code, negotiate("de-DE, sq;q=0.3").code
('sr-Cyrl', 'sr-Latn', 'sq')
>>> negotiate("fr, de;q=0.9") is DEFAULT
True
"""

from __future__ import annotations

import datetime as dt
import gettext
import io
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from functools import cache
from importlib.resources import files
from importlib.resources.abc import Traversable
from zoneinfo import ZoneInfo

import cyrtranslit  # type: ignore[import-untyped]  # cyrtranslit ships no type hints
from babel import Locale, UnknownLocaleError
from babel.dates import format_date, format_skeleton, format_time, format_timedelta
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.numbers import format_currency, format_decimal

from borderplates import reference
from borderplates.errors import BorderplatesError
from borderplates.law import Money

#: Where dates and times are shown: the border's local time.
BORDER_TIME = ZoneInfo("Europe/Belgrade")
DOMAIN = "messages"
LOCALE_DIR: Traversable = files("borderplates") / "locale"
#: The longest Accept-Language header read (longer ones are cut).
MAX_ACCEPT_LANGUAGE = 500


@dataclass(frozen=True)
class Language:
    """A language of the pages: its tag (as in ``?lang=``), its own name, its catalogue and its CLDR locale."""

    code: str
    """The BCP 47 tag: ``en``, ``sq``, ``sr-Latn``, ``sr-Cyrl``."""
    name: str
    """The language's name in itself, for the switch."""
    catalogue: str | None
    """The catalogue's folder under ``locale/`` (None: the messages as written, in English)."""
    cldr: str
    """The locale dates, numbers and money are written in."""
    names: str
    """Which of the data's names of places to show: ``en`` (both, as signposted), ``sq`` or ``sr``."""
    cyrillic: bool = False
    locale: Locale = field(init=False, compare=False, repr=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "locale", Locale.parse(self.cldr))

    @property
    def translations(self) -> gettext.NullTranslations:
        return _translations(self.catalogue)

    def gettext(self, message: str) -> str:
        return self.translations.gettext(message)

    def ngettext(self, singular: str, plural: str, n: int) -> str:
        return self.translations.ngettext(singular, plural, n)

    # -------------------------------------------------------------------------- writing values

    def date(self, day: dt.date, width: str = "medium") -> str:
        """A calendar date: ``27 Sept 2021``, ``27 sht 2021``, ``27. 9. 2021.``."""
        return format_date(day, width, locale=self.locale)

    def long_date(self, day: dt.date) -> str:
        return format_date(day, "long", locale=self.locale)

    def moment(self, at: dt.datetime) -> str:
        """A moment in the border's local time, to the minute: ``27 Sept 2021 10:14``."""
        local = at.astimezone(BORDER_TIME)
        return f"{format_skeleton('yMMMd', local, locale=self.locale)} {format_time(local, 'HH:mm', locale=self.locale)}"

    def time(self, at: dt.datetime) -> str:
        return format_time(at.astimezone(BORDER_TIME), "HH:mm", locale=self.locale)

    def since(self, at: dt.datetime) -> str:
        """How long ago ``at`` was, roughly: ``3 hours ago``, ``pre 3 sata`` (a moment ahead of this clock is said as just past)."""
        return format_timedelta(min(at - dt.datetime.now(dt.UTC), -dt.timedelta(seconds=1)), add_direction=True, locale=self.locale)

    def money(self, money: Money | None) -> str:
        if money is None:
            return ""
        return format_currency(money.amount, money.currency, locale=self.locale)

    def amount(self, amount: Decimal, currency: str) -> str:
        return format_currency(amount, currency, locale=self.locale)

    def number(self, value: int | float | Decimal) -> str:
        return format_decimal(value, locale=self.locale)

    # -------------------------------------------------------------------------- names from the data

    def script(self, text: str) -> str:
        """``text`` (Serbian in Latin letters) in this language's script."""
        return cyrtranslit.to_cyrillic(text, "sr") if self.cyrillic else text

    def point_name(self, point_id: str) -> str:
        """A crossing point's name: both as signposted in English, its Albanian or its Serbian name otherwise."""
        try:
            point = reference.crossing_point(point_id)
        except BorderplatesError:
            return point_id
        if self.names == "en":
            return point.name
        return self.script(point.names.get(self.names, point.name))

    def place_name(self, place: str) -> str:
        """A crossing point's name, or a registration centre's (``centre:Mitrovica``) as given."""
        if place.startswith("centre:"):
            return self.gettext("centre %(name)s") % {"name": place.partition(":")[2]}
        return self.point_name(place)

    def jurisdiction_name(self, code: str) -> str:
        try:
            names = reference.jurisdiction(code).names
        except BorderplatesError:
            return code
        return self.script(names.get(self.names, code))

    def area_name(self, issuer: str, area_code: str | None) -> str:
        """The town of a plate's registration area in this language (the data's other name when there is none)."""
        if area_code is None:
            return ""
        try:
            jurisdiction = reference.jurisdiction(issuer)
            area = jurisdiction.areas[area_code]
        except (BorderplatesError, KeyError):
            return area_code
        if self.names == "en":
            return area.name
        if self.names in area.names:
            return self.script(area.names[self.names]) if self.names == "sr" else area.names[self.names]
        # The town's name in its issuer's language: Serbian ones take the Serbian script.
        return self.script(area.name) if "Cyrl" in jurisdiction.scripts else area.name


def _lang(code: str, name: str, catalogue: str | None, cldr: str, names: str, cyrillic: bool = False) -> Language:
    return Language(code, name, catalogue, cldr, names, cyrillic)


LANGUAGES: tuple[Language, ...] = (
    _lang("sq", "Shqip", "sq", "sq_XK", "sq"),
    _lang("sr-Latn", "Srpski", "sr_Latn", "sr_Latn_RS", "sr"),
    _lang("sr-Cyrl", "Српски", "sr_Cyrl", "sr_Cyrl_RS", "sr", cyrillic=True),
    _lang("en", "English", None, "en_GB", "en"),
)
BY_CODE: dict[str, Language] = {language.code.lower(): language for language in LANGUAGES}
DEFAULT = BY_CODE["en"]
_Q = re.compile(r"^q=([01](?:\.\d{0,3})?)$")


def by_code(code: str | None) -> Language | None:
    """The language of a ``?lang=`` value or a stored choice (``sr-Cyrl``, ``sr_cyrl``, ``SQ``...), or None."""
    if not code or len(code) > 20:
        return None
    return BY_CODE.get(code.strip().replace("_", "-").lower())


def negotiate(accept_language: str | None) -> Language:
    """The best of the four languages for an Accept-Language header, script subtags included; English when none fits."""
    for tag in _tags(accept_language or ""):
        found = _match(tag)
        if found is not None:
            return found
    return DEFAULT


def _tags(header: str) -> list[str]:
    """The tags of an Accept-Language header, most wanted first (ties keep their order)."""
    weighted: list[tuple[float, int, str]] = []
    for position, item in enumerate(header[:MAX_ACCEPT_LANGUAGE].split(",")):
        tag, *parameters = (part.strip() for part in item.split(";"))
        quality = 1.0
        for parameter in parameters:
            match = _Q.match(parameter.replace(" ", ""))
            if match:
                quality = float(match.group(1))
        if tag and tag != "*" and quality > 0:
            weighted.append((-quality, position, tag))
    return [tag for _, _, tag in sorted(weighted)]


def _match(tag: str) -> Language | None:
    try:
        parsed = Locale.parse(tag.replace("_", "-"), sep="-")
    except (ValueError, TypeError, UnknownLocaleError):
        return None
    if parsed.language == "sr":
        script = parsed.script or "Cyrl"  # Serbian's official script, and the likely one without a region that says otherwise
        return BY_CODE["sr-latn"] if script == "Latn" else BY_CODE["sr-cyrl"]
    return BY_CODE.get(parsed.language)


@cache
def _translations(catalogue: str | None) -> gettext.NullTranslations:
    """The compiled catalogue: its ``.mo`` when it is newer than its ``.po``, else the ``.po`` compiled in memory."""
    if catalogue is None:
        return gettext.NullTranslations()
    folder = LOCALE_DIR / catalogue / "LC_MESSAGES"
    po, mo = folder / f"{DOMAIN}.po", folder / f"{DOMAIN}.mo"
    if mo.is_file() and _mtime(mo) >= _mtime(po):
        with mo.open("rb") as compiled:
            return gettext.GNUTranslations(compiled)
    with po.open("rb") as source:
        catalog = read_po(source, locale=catalogue)
    buffer = io.BytesIO()
    write_mo(buffer, catalog)
    buffer.seek(0)
    return gettext.GNUTranslations(buffer)


def _mtime(path: Traversable) -> float:
    try:
        return float(path.stat().st_mtime)  # type: ignore[attr-defined]  # a Traversable of an installed package is a Path
    except (AttributeError, OSError):
        return 0.0


def preload(languages: Sequence[Language] = LANGUAGES) -> None:
    """Load every catalogue now (at start), so that no request pays for it."""
    for language in languages:
        _translations(language.catalogue)
