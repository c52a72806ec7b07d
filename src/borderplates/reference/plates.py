"""Reading plates: normalise what was typed or scanned, match it against every
shipped format, and rank the jurisdictions it could come from.

>>> from borderplates.reference import parse_plate
>>> parse_plate("бг 123-аб").canonical
'BG 123-AB'
>>> parse_plate("ca 123-ab").area.name
'Čačak'
"""

from __future__ import annotations

import re
from collections.abc import Collection, Mapping
from dataclasses import dataclass

from borderplates.errors import AmbiguousPlate, InvalidPlate, ValidationError
from borderplates.reference.jurisdictions import Area, Jurisdiction, PlateFormat
from borderplates.reference.text import ALLOWED, CYRILLIC_LETTERS, normalise, shape

MAX_LENGTH = 20

SCORE_AREA = 4
SCORE_RESTORED_AREA = 2
SCORE_SEPARATORS = 2
SCORE_SCRIPT = 3


@dataclass(frozen=True, slots=True)
class Plate:
    """A plate as read: who issued it, its registration area, its kind, its canonical text."""

    canonical: str
    issuer: str
    kind: str
    format_id: str
    area: Area | None = None

    @property
    def compact(self) -> str:
        return self.canonical.replace(" ", "").replace("-", "")


@dataclass(frozen=True, slots=True)
class Candidate:
    """One way to read a text as a plate, with the score that ranks it and why."""

    plate: Plate
    score: int
    typed_area: str | None
    separators_as_printed: bool
    cyrillic: bool

    @property
    def reasons(self) -> tuple[str, ...]:
        reasons = []
        area = self.plate.area
        if area is not None:
            if self.typed_area == area.code:
                reasons.append(f"known registration area {area.code} ({area.name})")
            else:
                reasons.append(f"registration area {self.typed_area} read as {area.code} ({area.name})")
        if self.separators_as_printed:
            reasons.append("separators as printed on the plate")
        if self.cyrillic:
            reasons.append("written in Cyrillic, a script of this jurisdiction")
        return tuple(reasons) or ("fits the format",)


@dataclass(frozen=True, slots=True)
class PlateReading:
    """Every way a text can be read as a plate, best first."""

    text: str
    candidates: tuple[Candidate, ...]

    @property
    def best(self) -> Plate:
        """The single best reading; :class:`AmbiguousPlate` when two rank equal."""
        first = self.candidates[0]
        if len(self.candidates) > 1 and self.candidates[1].score == first.score:
            tied = [c for c in self.candidates if c.score == first.score]
            raise AmbiguousPlate(self.text, tied)
        return first.plate

    @property
    def alternatives(self) -> tuple[Candidate, ...]:
        return self.candidates[1:]


def read_plate(text: str, jurisdictions: Mapping[str, Jurisdiction], among: Collection[str] | None = None) -> PlateReading:
    """Every reading of ``text`` as a plate of ``jurisdictions`` (restricted to ``among``), best first."""
    normal = normalise(text)
    if len(normal) > MAX_LENGTH:
        raise InvalidPlate(f"plate {text!r} is too long: plates have at most {MAX_LENGTH} characters")
    cyrillic = not text.isascii() and any(ch in CYRILLIC_LETTERS for ch in text)
    candidates: list[Candidate] = []
    for jurisdiction, formats in _index(jurisdictions).get(shape(normal), ()):
        if among is not None and jurisdiction.code not in among:
            continue
        script_bonus = cyrillic and "Cyrl" in jurisdiction.scripts
        for fmt, patterns in formats:
            if _match(normal, fmt, patterns, jurisdiction, script_bonus, candidates):
                break
    if not candidates:
        raise InvalidPlate(_why_not(text, normal, jurisdictions, among))
    if len(candidates) > 1:
        candidates.sort(key=_by_score)
    return PlateReading(text, tuple(candidates))


_Pattern = tuple[re.Pattern[str], bool, tuple[str, ...], str]
_Index = dict[str, tuple[tuple[Jurisdiction, tuple[tuple[PlateFormat, tuple[_Pattern, ...]], ...]], ...]]
_indexes: dict[int, tuple[Mapping[str, Jurisdiction], _Index]] = {}


def _index(jurisdictions: Mapping[str, Jurisdiction]) -> _Index:
    """For each text shape, the formats (by jurisdiction, in order) that text of that shape can fit."""
    cached = _indexes.get(id(jurisdictions))
    if cached is not None and cached[0] is jurisdictions:
        return cached[1]
    index: dict[str, list[tuple[Jurisdiction, list[tuple[PlateFormat, tuple[_Pattern, ...]]]]]] = {}
    for jurisdiction in jurisdictions.values():
        for fmt in jurisdiction.formats:
            patterns = tuple(
                (regex, tokens[0] == "@", separators, "{}" + "".join(sep + "{}" for sep in separators)) for regex, tokens, separators in fmt.regexes
            )
            for form in fmt.shapes:
                entries = index.setdefault(form, [])
                if not entries or entries[-1][0] is not jurisdiction:
                    entries.append((jurisdiction, []))
                entries[-1][1].append((fmt, patterns))
    frozen: _Index = {form: tuple((j, tuple(f)) for j, f in entries) for form, entries in index.items()}
    _indexes[id(jurisdictions)] = (jurisdictions, frozen)
    return frozen


def _by_score(candidate: Candidate) -> int:
    return -candidate.score


def _match(normal: str, fmt: PlateFormat, patterns: tuple[_Pattern, ...], jurisdiction: Jurisdiction, cyrillic: bool, found: list[Candidate]) -> bool:
    """Append the readings of ``normal`` in ``fmt`` to ``found``; whether there were any."""
    for regex, has_area, separators, template in patterns:
        m = regex.match(normal)
        if m is None:
            continue
        groups = m.groups()
        values = list(groups[0::2])
        as_printed = groups[1::2] == separators
        score = (SCORE_SEPARATORS if as_printed else 0) + (SCORE_SCRIPT if cyrillic else 0)
        if not has_area:
            found.append(Candidate(Plate(template.format(*values), fmt.issuer, fmt.kind, fmt.id), score, None, as_printed, cyrillic))
            return True
        typed = values[0]
        codes = fmt.area_codes.get(typed)
        if not codes:
            continue
        for code in codes:
            values[0] = code
            plate = Plate(template.format(*values), fmt.issuer, fmt.kind, fmt.id, jurisdiction.areas[code])
            found.append(Candidate(plate, score + (SCORE_AREA if code == typed else SCORE_RESTORED_AREA), typed, as_printed, cyrillic))
        return True
    return False


def _why_not(text: str, normal: str, jurisdictions: Mapping[str, Jurisdiction], among: Collection[str] | None) -> str:
    """Say why nothing matched, naming the format the text starts like when there is one."""
    if not normal:
        return "the plate is empty"
    stray = set(normal) - ALLOWED
    if stray:
        return f"plate {text!r} contains characters that are not on plates: {''.join(sorted(stray))!r}"
    codes = [code for code in jurisdictions if among is None or code in among]
    if not codes:
        return f"plate {text!r}: no jurisdiction to read it for"
    head = normal.split(" ")[0].split("-")[0]
    for code in codes:
        jurisdiction = jurisdictions[code]
        for fmt in jurisdiction.formats:
            if fmt.area_codes and head in fmt.area_codes and fmt.kind == "standard":
                area = jurisdiction.areas[fmt.area_codes[head][0]]
                shapes = " or ".join(repr(e) for e in _shapes(fmt))
                return f"plate {text!r} starts like a {code} plate of {area.name} but does not fit its format ({shapes})"
    return f"plate {text!r} fits no plate format of {', '.join(codes)}"


def _shapes(fmt: PlateFormat) -> list[str]:
    return [pattern.replace("@", "XX").replace("n", "9").replace("l", "A") for pattern in fmt.patterns]


def is_valid(text: str, jurisdictions: Mapping[str, Jurisdiction]) -> bool:
    """Whether ``text`` reads as exactly one best plate."""
    try:
        return bool(read_plate(text, jurisdictions).best)
    except ValidationError:
        return False
