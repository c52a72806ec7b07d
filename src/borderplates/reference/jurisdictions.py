"""Jurisdictions, their registration areas and plate formats, from data/jurisdictions/.

A plate format is written in a small pattern language: ``@`` is the registration
area code, ``n`` a digit, ``l`` a serial letter from the format's ``letters``,
upper-case letters and digits stand for themselves, and ``' '`` and ``'-'`` are the
separators printed on the plate. ``"@ nnn-ll"`` reads ``BG 123-AB``.

An area code may be typed without its diacritics (``CA`` for ``ČA``), with ``DJ``
for ``Đ`` (``DJA``), or in another spelling in use that the data lists under
``also_written`` (``DJ`` for ``ĐA``).
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass, field
from importlib.resources.abc import Traversable
from typing import Any, Literal

import pydantic

from borderplates.errors import DataError
from borderplates.reference.datafiles import DATA, Source, Strict, display_name, files, read_toml, validate
from borderplates.reference.text import normalise, shape
from borderplates.vocabulary import PlateKind


class AreaSchema(Strict):
    name: str
    name_sq: str | None = None
    name_sr: str | None = None
    territory: str | None = None
    also_written: tuple[str, ...] = ()
    note: str | None = None


class FormatSchema(Strict):
    id: str = pydantic.Field(pattern=r"^[a-z_]+$")
    kind: PlateKind
    description: str
    patterns: tuple[str, ...] = pydantic.Field(min_length=1)
    letters: str
    issued_from: dt.date | None = None
    valid_until: dt.date | None = None
    examples: tuple[str, ...] = pydantic.Field(min_length=1)
    counterexamples: tuple[str, ...] = ()
    source: Source


class JurisdictionSchema(Strict):
    code: str = pydantic.Field(pattern=r"^[A-Z]{2}$")
    sign: str = pydantic.Field(pattern=r"^[A-Z]{1,3}$")
    timezone: str
    scripts: tuple[Literal["Latn", "Cyrl"], ...]
    name: Mapping[Literal["en", "sq", "sr"], str]
    source: Source
    areas: dict[str, str | AreaSchema] = pydantic.Field(default_factory=dict)
    formats: tuple[FormatSchema, ...] = pydantic.Field(min_length=1)


@dataclass(frozen=True)
class Area:
    """A registration area: the code on the plate, the town, and where the town lies."""

    code: str
    name: str
    issuer: str
    territory: str
    names: Mapping[str, str] = field(default_factory=dict)
    note: str | None = None
    also_written: tuple[str, ...] = ()


_FOLD = str.maketrans("ČĆŠŽĐ", "CCSZD")
_SEPARATORS = " -"


@dataclass(frozen=True)
class PlateFormat:
    """One plate format of one jurisdiction, compiled for matching.

    ``regexes`` holds, for each pattern, its regex, tokens and separators;
    ``pattern_shapes`` the shapes (:func:`borderplates.reference.text.shape`) text
    fitting each pattern can have, and ``shapes`` all of them.
    """

    id: str
    issuer: str
    kind: PlateKind
    description: str
    patterns: tuple[str, ...]
    letters: str
    issued_from: dt.date | None
    valid_until: dt.date | None
    examples: tuple[str, ...]
    counterexamples: tuple[str, ...]
    source: Source
    regexes: tuple[tuple[re.Pattern[str], tuple[str, ...], tuple[str, ...]], ...]
    area_codes: Mapping[str, tuple[str, ...]]
    pattern_shapes: tuple[frozenset[str], ...]
    shapes: frozenset[str]

    def accepts(self, text: str) -> bool:
        """Whether ``text`` (normalised) fits this format, registration area included."""
        normal = normalise(text)
        for regex, tokens, _ in self.regexes:
            match = regex.match(normal)
            if match and (tokens[0] != "@" or match.group("t0") in self.area_codes):
                return True
        return False

    def is_valid_on(self, day: dt.date) -> bool:
        """Whether plates of this format are valid on ``day`` (issuance dates aside)."""
        return self.valid_until is None or day < self.valid_until


@dataclass(frozen=True)
class Jurisdiction:
    code: str
    sign: str
    timezone: str
    scripts: tuple[str, ...]
    names: Mapping[str, str]
    areas: Mapping[str, Area]
    formats: tuple[PlateFormat, ...]
    source: Source

    @property
    def name(self) -> str:
        return self.names["en"]


def load_jurisdictions(root: Traversable | Any = DATA) -> dict[str, Jurisdiction]:
    """Every jurisdiction under ``root`` (the shipped data by default), validated, by code."""
    result: dict[str, Jurisdiction] = {}
    names: dict[str, str] = {}
    for path in files("jurisdictions", root):
        schema = validate(JurisdictionSchema, read_toml(path), path)
        name = display_name(path)
        if path.name != f"{schema.code.lower()}.toml":
            raise DataError(name, "code", f"{schema.code} must live in {schema.code.lower()}.toml")
        if schema.code in result:
            raise DataError(name, "code", f"jurisdiction {schema.code} is defined twice")
        result[schema.code] = _build(schema, name)
        names[schema.code] = name
    for jurisdiction in result.values():
        for area in jurisdiction.areas.values():
            if area.territory not in result:
                raise DataError(names[jurisdiction.code], f"areas.{area.code}.territory", f"unknown jurisdiction {area.territory}")
    return result


def _build(schema: JurisdictionSchema, file: str) -> Jurisdiction:
    areas: dict[str, Area] = {}
    for code, value in schema.areas.items():
        if unicodedata.normalize("NFC", code) != code or (not code.isupper() and not code.isdigit()):
            raise DataError(file, f"areas.{code}", "area codes are upper-case letters or digits")
        area = value if isinstance(value, AreaSchema) else AreaSchema(name=value)
        names = {k: v for k, v in {"sq": area.name_sq, "sr": area.name_sr}.items() if v}
        areas[code] = Area(code, area.name, schema.code, area.territory or schema.code, names, area.note, area.also_written)
    for area_spec in areas.values():
        for spelling in area_spec.also_written:
            if not re.fullmatch(r"[A-Z0-9]{2,3}", spelling):
                raise DataError(file, f"areas.{area_spec.code}.also_written", f"{spelling!r} is not 2 or 3 upper-case Latin letters or digits")
            if spelling in areas:
                raise DataError(file, f"areas.{area_spec.code}.also_written", f"{spelling} is the code of another area ({areas[spelling].name})")
    formats = []
    seen: set[str] = set()
    for index, spec in enumerate(schema.formats):
        key = f"formats.{index}"
        if spec.id in seen:
            raise DataError(file, f"{key}.id", f"format {spec.id} is defined twice")
        seen.add(spec.id)
        regexes = tuple(_compile(pattern, spec.letters, bool(areas), file, f"{key}.patterns") for pattern in spec.patterns)
        area_codes = _loose_area_codes(areas) if areas else {}
        pattern_shapes = tuple(frozenset(_shapes(tokens, area_codes)) for _, tokens, _ in regexes)
        formats.append(
            PlateFormat(
                id=f"{schema.code.lower()}.{spec.id}",
                issuer=schema.code,
                kind=spec.kind,
                description=spec.description,
                patterns=spec.patterns,
                letters=spec.letters,
                issued_from=spec.issued_from,
                valid_until=spec.valid_until,
                examples=spec.examples,
                counterexamples=spec.counterexamples,
                source=spec.source,
                regexes=regexes,
                area_codes=area_codes,
                pattern_shapes=pattern_shapes,
                shapes=frozenset().union(*pattern_shapes),
            )
        )
    jurisdiction_names: dict[str, str] = dict(schema.name.items())
    return Jurisdiction(schema.code, schema.sign, schema.timezone, schema.scripts, jurisdiction_names, areas, tuple(formats), schema.source)


def _shapes(tokens: tuple[str, ...], area_codes: Mapping[str, tuple[str, ...]]) -> set[str]:
    """Every shape (see :func:`borderplates.reference.text.shape`) text of these tokens can have."""
    found = {""}
    for token in tokens:
        options = {shape(code) for code in area_codes} if token == "@" else {token if token[0] in "nl" else shape(token)}
        found = {head + tail for head in found for tail in options}
    return found


def _loose_area_codes(areas: Mapping[str, Area]) -> dict[str, tuple[str, ...]]:
    """Area codes as they may be typed: exactly, without diacritics, with DJ for Đ, or as the data says they are also written."""
    loose: dict[str, tuple[str, ...]] = {code: (code,) for code in areas}
    for code, area in areas.items():
        for spelling in {code.translate(_FOLD), code.replace("Đ", "DJ"), *area.also_written} - {code}:
            if spelling in areas:
                continue
            loose[spelling] = tuple(sorted({*loose.get(spelling, ()), code}))
    return loose


def _compile(pattern: str, letters: str, has_areas: bool, file: str, key: str) -> tuple[re.Pattern[str], tuple[str, ...], tuple[str, ...]]:
    """Compile one pattern to a regex that accepts any separators between its tokens.

    Returns the regex, the tokens (``@``, runs of ``n`` or ``l``, or literals) and the
    separators printed between them.
    """
    tokens: list[str] = []
    separators: list[str] = []
    pending: str | None = None
    for part in re.findall(r"@|n+|l+|[A-Z0-9]+|[ -]|.", pattern):
        if part in _SEPARATORS:
            if not tokens or pending is not None:
                raise DataError(file, key, f"pattern {pattern!r} has misplaced separators")
            pending = part
            continue
        if part != "@" and not re.fullmatch(r"n+|l+|[A-Z0-9]+", part):
            raise DataError(file, key, f"pattern {pattern!r} has an unknown symbol {part!r}")
        if part == "@" and not has_areas:
            raise DataError(file, key, f"pattern {pattern!r} uses @ but the jurisdiction has no areas")
        if part[0] == "l" and not letters:
            raise DataError(file, key, f"pattern {pattern!r} uses letters but the format has none")
        if tokens:
            separators.append(pending or "")
        pending = None
        tokens.append(part)
    if pending is not None:
        raise DataError(file, key, f"pattern {pattern!r} ends with a separator")
    regex = []
    letter_class = "[" + re.escape(letters) + "]" if letters else ""
    for index, token in enumerate(tokens):
        if index:
            regex.append(f"(?P<s{index}>[ -]?)")
        if token == "@":
            regex.append(r"(?P<t0>\w{2,3}?)")
        elif token[0] == "n":
            regex.append(rf"(?P<t{index}>\d{{{len(token)}}})")
        elif token[0] == "l":
            regex.append(rf"(?P<t{index}>{letter_class}{{{len(token)}}})")
        else:
            regex.append(rf"(?P<t{index}>{re.escape(token)})")
    return re.compile("".join(regex) + r"\Z"), tuple(tokens), tuple(separators)
