"""Normalising plate text as typed or read: case, spacing, dashes, Serbian Cyrillic.

A plate is typed in Latin letters or in Serbian Cyrillic (transliterated letter by
letter). The letters that look and read alike in both scripts (A, E, J, K, M, O, T)
may be typed in either, so a keyboard left in the other layout for one of them does
no harm. Any other mix is refused: a Cyrillic ``Р`` among Latin letters may be meant
as ``P`` (how it looks) or as ``R`` (how it reads), and a wrong guess is a wrong
decision at the border, while typing the plate again in one script costs seconds.
Letters of other scripts (a Greek ``Β`` that looks like ``B``) are refused the same way.
"""

from __future__ import annotations

import unicodedata

from borderplates.errors import InvalidPlate, quoted

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
# The letters that look and read alike in Latin and Serbian Cyrillic.
_SHARED = {"A": "А", "E": "Е", "J": "Ј", "K": "К", "M": "М", "O": "О", "T": "Т"}
_LATIN_ONLY = frozenset(ch for ch in ALLOWED if ch.isalpha()) - set(_SHARED)
_CYRILLIC_ONLY = frozenset(_CYRILLIC) - set(_SHARED.values())
_CYRILLIC_SHARED = frozenset(_SHARED.values())
_SERBIAN_CYRILLIC = frozenset(_CYRILLIC)
_LATIN = _LATIN_ONLY | set(_SHARED)
# What a plate typed in one script may hold besides its letters: digits, spaces and dashes.
_NOT_LETTERS = frozenset("0123456789 -\t\n\r\u00a0\u2009\u202f\u2010\u2011\u2012\u2013\u2014\u2015\u2212")
_TYPED_IN_CYRILLIC = _SERBIAN_CYRILLIC | _NOT_LETTERS
_TYPED_IN_LATIN = _LATIN | _NOT_LETTERS
_PLATE_LATIN = _LATIN | frozenset("0123456789 -")


def normalise(text: str) -> str:
    """Upper-case Latin with single spaces and plain hyphens; Serbian Cyrillic is transliterated.

    >>> normalise("  np\\t123 – ab ")
    'NP 123-AB'
    """
    if not isinstance(text, str):
        raise InvalidPlate(f"a plate must be text, not {type(text).__name__}")
    upper = text.upper()
    if not upper.isascii():
        upper = _transliterated(unicodedata.normalize("NFC", upper))
    return _spaced(upper)


def normalise_to_read(text: str) -> tuple[str, bool]:
    """``normalise(text)``, and whether the text is written in Serbian Cyrillic; :class:`InvalidPlate` when it mixes scripts.

    >>> normalise_to_read("бг 123-аб"), normalise_to_read("Bg 123 – ab")
    (('BG 123-AB', True), ('BG 123-AB', False))
    """
    if not isinstance(text, str):
        raise InvalidPlate(f"a plate must be text, not {type(text).__name__}")
    upper = text.upper()
    if upper.isascii():
        return _spaced(upper), False
    composed = unicodedata.normalize("NFC", upper)
    if _PLATE_LATIN.issuperset(composed):  # Latin letters with diacritics: nothing to transliterate
        return _spaced(composed), False
    return _spaced(_transliterated(composed)), _in_cyrillic(composed, text)


def written_in_cyrillic(text: str) -> bool:
    """Whether ``text`` is written in Serbian Cyrillic; :class:`InvalidPlate` when it mixes scripts.

    >>> written_in_cyrillic("бг 123-аб"), written_in_cyrillic("BG 123-AB"), written_in_cyrillic("KM 123-АА")
    (True, False, True)
    >>> written_in_cyrillic("NР 123-AB")
    Traceback (most recent call last):
    ...
    borderplates.errors.InvalidPlate: plate 'NР 123-AB' mixes Latin letters (N, B) and Cyrillic letters (Р): type the plate in one script
    """
    return _in_cyrillic(unicodedata.normalize("NFC", text.upper()), text)


def _transliterated(composed: str) -> str:
    return unicodedata.normalize("NFC", composed.translate(_TABLE).upper())


def _spaced(upper: str) -> str:
    return " ".join(upper.split()).replace(" -", "-").replace("- ", "-")


def _in_cyrillic(composed: str, text: str) -> bool:
    """Whether ``composed`` (``text`` in capitals, composed) is written in Serbian Cyrillic; refuses a mix of scripts."""
    characters = set(composed)
    if characters <= _TYPED_IN_CYRILLIC:
        return not characters.isdisjoint(_SERBIAN_CYRILLIC)
    if characters <= _TYPED_IN_LATIN:
        return False
    letters = [ch for ch in composed if ch.isalpha()]
    typed = set(letters)
    foreign = [ch for ch in dict.fromkeys(letters) if ch not in _LATIN and ch not in _CYRILLIC and not _is_latin(ch)]
    if foreign:
        by_script: dict[str, list[str]] = {}
        for ch in foreign:
            by_script.setdefault(_script(ch), []).append(ch)
        what = "; ".join(f"{_some(chars)} {'is' if len(chars) == 1 else 'are'} {script}" for script, chars in list(by_script.items())[:2])
        if len(foreign) == len(typed):
            raise InvalidPlate(f"plate {quoted(text)} is not in Latin or Serbian Cyrillic letters ({what}): type the plate in one of them")
        raise InvalidPlate(f"plate {quoted(text)} mixes scripts ({what}): type the plate in Latin or Serbian Cyrillic letters")
    latin = list(dict.fromkeys(ch for ch in letters if ch in _LATIN_ONLY))
    cyrillic = list(dict.fromkeys(ch for ch in letters if ch in _CYRILLIC_ONLY))
    if latin and cyrillic:
        raise InvalidPlate(f"plate {quoted(text)} mixes Latin letters ({_some(latin)}) and Cyrillic letters ({_some(cyrillic)}): type the plate in one script")
    return bool(cyrillic) or (not latin and any(ch in _CYRILLIC_SHARED for ch in letters))


# How many letters a message names.
_NAMED = 5


def _some(letters: list[str]) -> str:
    return ", ".join(letters[:_NAMED]) + (", …" if len(letters) > _NAMED else "")


def _is_latin(letter: str) -> bool:
    """Latin letters that are not on plates (``É``) are left for the plate formats to refuse."""
    return unicodedata.name(letter, "").startswith("LATIN ")


def _script(letter: str) -> str:
    script = unicodedata.name(letter, "").split(" ")[0]
    if script == "CYRILLIC":
        return "Cyrillic but not Serbian"
    return (script if len(script) <= 3 else script.title()) if script else "of no known script"


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
