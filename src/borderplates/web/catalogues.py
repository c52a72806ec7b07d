"""The message catalogues' upkeep: the Serbian Cyrillic catalogue derived from the Latin one, and the messages in use.

Serbian is written in two scripts that map letter for letter; the Latin catalogue
(``sr_Latn``) is the one translators write, and the Cyrillic one (``sr_Cyrl``) is
derived from it with ``cyrtranslit``, leaving alone what must stay as it is:
placeholders (``%(count)s``, ``{n}``), markup, the abbreviations read in Latin letters
(``QR``, ``PDF``, ``VIN``, ``API``), plates (``NP 123-AB``), key names (``F8``,
``Enter``), the name borderplates, and whatever stands in quotes (``"merdare"``,
``„Q“``). Words in capitals are Serbian words like any other (``VAŽEĆA``).

``dev/catalogues.sh`` runs ``pybabel extract`` and ``pybabel update``, then
``python -m borderplates.web.catalogues`` to write the Cyrillic catalogue, then
``pybabel compile``; the tests check that the committed catalogues are complete
and that the Cyrillic one is what this module derives.

>>> cyrillic("Registracija %(number)s važi do {day}: QR kod, PDF")
'Регистрација %(number)s важи до {day}: QR код, PDF'
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

import cyrtranslit  # type: ignore[import-untyped]  # cyrtranslit ships no type hints
from babel.messages.catalog import Catalog
from babel.messages.pofile import read_po, write_po

LOCALE = Path(__file__).resolve().parent.parent / "locale"
DOMAIN = "messages"
#: What stays as written: printf and format placeholders, tags and entities, words in capitals (codes, plates), addresses.
_KEEP = re.compile(
    r"%\([a-z_]+\)[sd]|%[sd]|\{[a-z_]*\}|<[^>]*>|&[a-z]+;|https?://\S+|\"[^\"]*\"|„[^“]*“|borderplates"
    r"|\b(?:QR|PDF|VIN|API|HTTP|URL|CSRF|EUR|A4|A5|Ctrl|Enter|Esc|Tab|F\d+)\b|\b[A-Z]{1,3}[ -]?\d{2,4}[ -]?[A-Z]{1,3}\b"
)


def cyrillic(text: str) -> str:
    """Serbian ``text`` in Latin letters, written in Cyrillic; placeholders, markup and capitalised codes are kept."""
    parts: list[str] = []
    last = 0
    for match in _KEEP.finditer(text):
        parts.append(cyrtranslit.to_cyrillic(text[last : match.start()], "sr"))
        parts.append(match.group(0))
        last = match.end()
    parts.append(cyrtranslit.to_cyrillic(text[last:], "sr"))
    return "".join(parts)


def derive_cyrillic(latin: Catalog) -> Catalog:
    """The ``sr_Cyrl`` catalogue of a ``sr_Latn`` one: the same messages, every translation in Cyrillic."""
    derived = Catalog(
        locale="sr_Cyrl",
        domain=DOMAIN,
        project=latin.project,
        version=latin.version,
        language_team="Serbian (Cyrillic), derived from sr_Latn",
        copyright_holder="borderplates",
        creation_date=latin.creation_date,
        revision_date=latin.revision_date,
        fuzzy=False,
    )
    for message in latin:
        if not message.id:
            continue
        forms = message.string if isinstance(message.string, (tuple, list)) else None
        string: str | tuple[str, ...] = tuple(cyrillic(form) for form in forms) if forms is not None else cyrillic(str(message.string or ""))
        derived.add(message.id, string, locations=message.locations, flags=message.flags, auto_comments=message.auto_comments, context=message.context)
    return derived


def read(locale: str, root: Path = LOCALE) -> Catalog:
    with (root / locale / "LC_MESSAGES" / f"{DOMAIN}.po").open("rb") as source:
        return read_po(source, locale=locale)


def write_cyrillic(root: Path = LOCALE) -> Path:
    """Write ``sr_Cyrl/LC_MESSAGES/messages.po`` from the ``sr_Latn`` catalogue; returns its path."""
    target = root / "sr_Cyrl" / "LC_MESSAGES" / f"{DOMAIN}.po"
    target.parent.mkdir(parents=True, exist_ok=True)
    with target.open("wb") as out:
        write_po(out, derive_cyrillic(read("sr_Latn", root)), width=120, omit_header=False, sort_output=False)
    return target


if __name__ == "__main__":
    print(write_cyrillic(Path(sys.argv[1]) if len(sys.argv) > 1 else LOCALE))
