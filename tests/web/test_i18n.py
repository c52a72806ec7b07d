"""The four languages: choosing one from the browser's wishes, the catalogues complete and in step, and values written each language's way."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal
from pathlib import Path

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.pofile import read_po

from borderplates.law import Money
from borderplates.web import catalogues, i18n
from borderplates.web.i18n import BY_CODE, negotiate

ROOT = Path(__file__).parents[2]
LOCALE = ROOT / "src" / "borderplates" / "locale"
PLACEHOLDER = re.compile(r"%\(\w+\)[sd]")


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        ("sr-RS", "sr-Cyrl"),
        ("sr", "sr-Cyrl"),
        ("sr-Latn-RS", "sr-Latn"),
        ("sr-ME", "sr-Latn"),
        ("sr-Cyrl-XK", "sr-Cyrl"),
        ("sq-XK,sq;q=0.9", "sq"),
        ("de-DE,sr-Latn;q=0.8,sq;q=0.9", "sq"),
        ("en-US,en;q=0.9", "en"),
        ("fr;q=0.9, *;q=0.5", "en"),
        ("sr;q=0, sq;q=0.1", "sq"),
        ("", "en"),
        ("!!;q=abc,,;;", "en"),
    ],
)
def test_accept_language_chooses_the_language_and_script(header: str, expected: str) -> None:
    assert negotiate(header).code == expected


def test_a_language_code_is_read_in_any_spelling() -> None:
    assert i18n.by_code("sr_cyrl") is BY_CODE["sr-cyrl"]
    assert i18n.by_code("SQ") is BY_CODE["sq"]
    assert i18n.by_code("de") is None and i18n.by_code("x" * 50) is None


def test_dates_times_and_money_are_written_each_languages_way() -> None:
    moment = dt.datetime(2021, 9, 27, 8, 14, tzinfo=dt.UTC)
    fee = Money(Decimal("1234.50"), "EUR")
    languages = ("en", "sq", "sr-latn", "sr-cyrl")
    written = {code: (BY_CODE[code].long_date(moment.date()), BY_CODE[code].time(moment), BY_CODE[code].money(fee)) for code in languages}
    assert written["en"] == ("27 September 2021", "10:14", "€1,234.50")
    assert written["sq"] == ("27 shtator 2021", "10:14", "1\xa0234,50\xa0€")
    assert written["sr-latn"] == ("27. septembar 2021.", "10:14", "1.234,50\xa0€")
    assert written["sr-cyrl"] == ("27. септембар 2021.", "10:14", "1.234,50\xa0€")


@pytest.mark.parametrize(("count", "serbian"), [(1, "1 dan"), (2, "2 dana"), (5, "5 dana"), (11, "11 dana"), (21, "21 dan"), (22, "22 dana")])
def test_serbian_has_three_plural_forms(count: int, serbian: str) -> None:
    latin = BY_CODE["sr-latn"]
    assert latin.ngettext("%(num)d day", "%(num)d days", count) % {"num": count} == serbian
    entries = latin.ngettext("%(count)s entry", "%(count)s entries", count) % {"count": count}
    assert entries.split()[1] == {1: "ulazak", 2: "ulaska", 5: "ulazaka", 11: "ulazaka", 21: "ulazak", 22: "ulaska"}[count]


def test_places_and_jurisdictions_are_named_in_the_language() -> None:
    assert [BY_CODE[code].point_name("konculj") for code in ("en", "sq", "sr-latn", "sr-cyrl")] == [
        "Dheu i Bardhë / Bela Zemlja",
        "Dheu i Bardhë",
        "Bela Zemlja",
        "Бела Земља",
    ]
    assert [BY_CODE[code].jurisdiction_name("RS") for code in ("en", "sq", "sr-cyrl")] == ["Serbia", "Serbia", "Србија"]
    assert [BY_CODE[code].area_name("RS", "ĐA") for code in ("sq", "sr-latn", "sr-cyrl")] == ["Gjakovë", "Đakovica", "Ђаковица"]
    assert BY_CODE["sr-cyrl"].area_name("XK", "01") == "Приштина"


def _extracted() -> set[str | tuple[str, str]]:
    """The messages in the sources now, found as dev/catalogues.sh finds them (babel.cfg, keyword N_)."""
    with (ROOT / "babel.cfg").open(encoding="utf-8") as config:
        method_map, options_map = parse_mapping_cfg(config)
    keywords = {"_": None, "gettext": None, "ngettext": (1, 2), "N_": None}
    found: set[str | tuple[str, str]] = set()
    for _, _, message, _, _ in extract_from_dir(str(ROOT), method_map, options_map, keywords=keywords):
        found.add(message if isinstance(message, str) else (message[0], message[1]))
    found.discard("")
    return found


def _ids(locale: str | None) -> dict[str | tuple[str, str], object]:
    path = LOCALE / "messages.pot" if locale is None else LOCALE / locale / "LC_MESSAGES" / "messages.po"
    with path.open("rb") as source:
        catalog = read_po(source, locale=locale)
    return {(message.id if isinstance(message.id, str) else (message.id[0], message.id[1])): message for message in catalog if message.id}


def test_the_template_catalogue_holds_every_message_in_the_sources() -> None:
    assert set(_ids(None)) == _extracted(), "run dev/catalogues.sh"


@pytest.mark.parametrize("locale", ["sq", "sr_Latn", "sr_Cyrl"])
def test_every_message_is_translated_in_every_catalogue_with_the_same_placeholders(locale: str) -> None:
    messages = _ids(locale)
    assert set(messages) == set(_ids(None)), f"{locale} lacks or keeps messages the sources do not have: run dev/catalogues.sh"
    for message_id, message in messages.items():
        strings = message.string if isinstance(message.string, tuple) else (message.string,)  # type: ignore[attr-defined]
        assert all(strings), f"{locale}: {message_id!r} is not translated"
        assert not message.fuzzy, f"{locale}: {message_id!r} is fuzzy"  # type: ignore[attr-defined]
        wanted = set(PLACEHOLDER.findall(message_id if isinstance(message_id, str) else message_id[1]))
        for string in strings:
            assert set(PLACEHOLDER.findall(string)) == wanted, f"{locale}: {message_id!r} → {string!r}"


def test_the_cyrillic_catalogue_is_the_latin_one_transliterated() -> None:
    derived = catalogues.derive_cyrillic(catalogues.read("sr_Latn", LOCALE))
    committed = catalogues.read("sr_Cyrl", LOCALE)
    assert {m.id: m.string for m in derived if m.id} == {m.id: m.string for m in committed if m.id}, "run dev/catalogues.sh"


def test_transliteration_keeps_codes_placeholders_and_quoted_words() -> None:
    assert catalogues.cyrillic('VIN %(vin)s za "merdare", F9 i „Q“, borderplates, NP 123-AB, <b>Jarinje</b>, NIJE VAŽEĆA') == (
        'VIN %(vin)s за "merdare", F9 и „Q“, borderplates, NP 123-AB, <b>Јариње</b>, НИЈЕ ВАЖЕЋА'
    )
