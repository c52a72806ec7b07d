"""Normalising plate text as typed or read: case, spacing, dashes, Serbian Cyrillic."""

from __future__ import annotations

import unicodedata

from borderplates.errors import InvalidPlate

_CYRILLIC = {
    "А": "A",
    "Б": "B",
    "В": "V",
    "Г": "G",
    "Д": "D",
    "Ђ": "Đ",
    "Е": "E",
    "Ж": "Ž",
    "З": "Z",
    "И": "I",
    "Ј": "J",
    "К": "K",
    "Л": "L",
    "Љ": "LJ",
    "М": "M",
    "Н": "N",
    "Њ": "NJ",
    "О": "O",
    "П": "P",
    "Р": "R",
    "С": "S",
    "Т": "T",
    "Ћ": "Ć",
    "У": "U",
    "Ф": "F",
    "Х": "H",
    "Ц": "C",
    "Ч": "Č",
    "Џ": "DŽ",
    "Ш": "Š",
}
_TABLE = str.maketrans(
    {
        **{ord(k): v for k, v in _CYRILLIC.items()},
        **{ord(k.lower()): v for k, v in _CYRILLIC.items()},
        **{ord(dash): "-" for dash in "\u2010\u2011\u2012\u2013\u2014\u2015\u2212"},
        **{ord(space): " " for space in "\t\n\r\u00a0\u2009\u202f"},
    }
)
ALLOWED = frozenset("ABCČĆDĐEFGHIJKLMNOPQRSŠTUVWXYZŽ0123456789 -")
CYRILLIC_LETTERS = frozenset(_CYRILLIC) | frozenset(k.lower() for k in _CYRILLIC)


def normalise(text: str) -> str:
    """Upper-case Latin with single spaces and plain hyphens; Serbian Cyrillic is transliterated.

    >>> normalise("  np\\t123 – ab ")
    'NP 123-AB'
    """
    if not isinstance(text, str):
        raise InvalidPlate(f"a plate must be text, not {type(text).__name__}")
    text = text.upper()
    if not text.isascii():
        text = unicodedata.normalize("NFC", unicodedata.normalize("NFC", text).translate(_TABLE).upper())
    text = " ".join(text.split())
    return text.replace(" -", "-").replace("- ", "-")


_SHAPE = str.maketrans(
    {
        **{ord(ch): "l" for ch in ALLOWED if ch.isalpha()},
        **{ord(ch): "n" for ch in "0123456789"},
        ord(" "): None,
        ord("-"): None,
    }
)


def shape(normal: str) -> str:
    """The shape of normalised text without separators: ``"NP 123-AB"`` → ``"llnnnll"``."""
    return normal.translate(_SHAPE)
