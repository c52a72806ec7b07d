"""Reading plates: normalise what was typed or scanned, match it against every
shipped format, and rank the jurisdictions it could come from.

Two ways to read, with the same ranking: :func:`read_plate` builds every reading
(to show the alternatives), :func:`parse_plate` builds only the winner and reads
everything only when two readings tie, to name them in the error.

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
from typing import NamedTuple

from borderplates.errors import AmbiguousPlate, InvalidPlate, ValidationError, quoted
from borderplates.reference.jurisdictions import Area, Jurisdiction, PlateFormat
from borderplates.reference.text import ALLOWED, normalise, shape, written_in_cyrillic
from borderplates.vocabulary import PlateKind

MAX_LENGTH = 20

SCORE_AREA = 4
SCORE_RESTORED_AREA = 2
SCORE_SEPARATORS = 2
SCORE_SCRIPT = 3


class Plate(NamedTuple):
    """A plate as read: who issued it, its registration area, its kind, its canonical text."""

    canonical: str
    issuer: str
    kind: PlateKind
    format_id: str
    area: Area | None = None

    @property
    def compact(self) -> str:
        return self.canonical.replace(" ", "").replace("-", "")


class Candidate(NamedTuple):
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
    normal, cyrillic = _prepare(text)
    candidates: list[Candidate] = []
    shaped = _index(jurisdictions).get(shape(normal))
    for jurisdiction, formats, writes_cyrillic in shaped.in_order if shaped else ():
        if among is not None and jurisdiction.code not in among:
            continue
        script_bonus = cyrillic and writes_cyrillic
        for fmt, patterns, _ in formats:
            if _match(normal, fmt, patterns, jurisdiction, script_bonus, candidates):
                break
    if not candidates:
        raise InvalidPlate(_why_not(text, normal, jurisdictions, among))
    if len(candidates) > 1:
        candidates.sort(key=_by_score)
    return PlateReading(text, tuple(candidates))


def parse_plate(text: str, jurisdictions: Mapping[str, Jurisdiction], among: Collection[str] | None = None) -> Plate:
    """The best reading of ``text``, built alone; raises ``InvalidPlate``, or ``AmbiguousPlate`` naming the tied readings.

    Jurisdictions are tried from the highest score they could reach, those that cannot
    reach the best found so far are not tried at all, and a format is not tried when
    the text does not start with one of its area codes.
    """
    normal, cyrillic = _prepare(text)
    shaped = _index(jurisdictions).get(shape(normal))
    if shaped is None:
        raise InvalidPlate(_why_not(text, normal, jurisdictions, among))
    head2, head3 = normal[:2], normal[:3]
    best_score, tie, done = -1, False, ""
    best: tuple[PlateFormat, str, tuple[str, ...], str | None] | None = None
    for reach, issuer, bonus, fmt, patterns, leading_areas in shaped.cyrillic if cyrillic else shaped.latin:
        if reach < best_score:
            break
        if issuer == done or (among is not None and issuer not in among):
            continue  # the jurisdiction's first format that fits is its reading
        if leading_areas is not None and head2 not in leading_areas and head3 not in leading_areas:
            continue
        for regex, has_area, separators, template in patterns:
            m = regex.match(normal)
            if m is None:
                continue
            groups = m.groups()
            score = (bonus + SCORE_SEPARATORS) if groups[1::2] == separators else bonus
            if not has_area:
                if score > best_score:
                    best_score, best, tie = score, (fmt, template, groups, None), False
                elif score == best_score:
                    tie = True
                done = issuer
                break
            typed = groups[0]
            codes = fmt.area_codes.get(typed)
            if not codes:
                continue
            for area_code in codes:
                area_score = score + (SCORE_AREA if area_code == typed else SCORE_RESTORED_AREA)
                if area_score > best_score:
                    best_score, best, tie = area_score, (fmt, template, groups, area_code), False
                elif area_score == best_score:
                    tie = True
            done = issuer
            break
    if best is None:
        raise InvalidPlate(_why_not(text, normal, jurisdictions, among))
    if tie:
        return read_plate(text, jurisdictions, among).best
    fmt, template, groups, read_code = best
    values = groups[0::2]
    if read_code is None:
        return Plate(template.format(*values), fmt.issuer, fmt.kind, fmt.id)
    return Plate(template.format(read_code, *values[1:]), fmt.issuer, fmt.kind, fmt.id, jurisdictions[fmt.issuer].areas[read_code])


def _prepare(text: str) -> tuple[str, bool]:
    """The normalised text and whether it was written in Cyrillic; refuses text that is too long or mixes scripts."""
    normal = normalise(text)
    if len(normal) > MAX_LENGTH:
        raise InvalidPlate(f"plate {quoted(text)} is too long: plates have at most {MAX_LENGTH} characters")
    return normal, False if text.isascii() else written_in_cyrillic(text)


# A pattern's regex, whether it starts with the area, its separators, and a template to print the plate.
_Pattern = tuple[re.Pattern[str], bool, tuple[str, ...], str]
# A format, its patterns that text of one shape can fit, and its area codes when each of those starts with the area.
_Format = tuple[PlateFormat, tuple[_Pattern, ...], Mapping[str, tuple[str, ...]] | None]
# A jurisdiction's formats for one shape of text, and whether it writes Cyrillic.
_Entry = tuple[Jurisdiction, tuple[_Format, ...], bool]
# One format to try: the highest score its jurisdiction can reach, the jurisdiction, the bonus for the script, and the format.
_Attempt = tuple[int, str, int, PlateFormat, tuple[_Pattern, ...], Mapping[str, tuple[str, ...]] | None]


class _Shaped(NamedTuple):
    """The formats text of one shape can fit: by jurisdiction in data order, and as attempts for
    Latin and for Cyrillic text, the jurisdictions that can reach the highest score first."""

    in_order: tuple[_Entry, ...]
    latin: tuple[_Attempt, ...]
    cyrillic: tuple[_Attempt, ...]


_indexes: dict[int, tuple[Mapping[str, Jurisdiction], dict[str, _Shaped]]] = {}


def _index(jurisdictions: Mapping[str, Jurisdiction]) -> dict[str, _Shaped]:
    """For each text shape, the formats (by jurisdiction, in order) and their patterns that text of that shape can fit."""
    cached = _indexes.get(id(jurisdictions))
    if cached is not None and cached[0] is jurisdictions:
        return cached[1]
    index: dict[str, list[tuple[Jurisdiction, list[_Format]]]] = {}
    for jurisdiction in jurisdictions.values():
        for fmt in jurisdiction.formats:
            for form in fmt.shapes:
                patterns = tuple(
                    (regex, tokens[0] == "@", separators, "{}" + "".join(sep + "{}" for sep in separators))
                    for (regex, tokens, separators), shapes in zip(fmt.regexes, fmt.pattern_shapes, strict=True)
                    if form in shapes
                )
                leading_areas = fmt.area_codes if all(has_area for _, has_area, _, _ in patterns) else None
                entries = index.setdefault(form, [])
                if not entries or entries[-1][0] is not jurisdiction:
                    entries.append((jurisdiction, []))
                entries[-1][1].append((fmt, patterns, leading_areas))
    shaped: dict[str, _Shaped] = {}
    for form, found in index.items():
        in_order = tuple((j, tuple(formats), "Cyrl" in j.scripts) for j, formats in found)
        shaped[form] = _Shaped(in_order, _attempts(in_order, cyrillic=False), _attempts(in_order, cyrillic=True))
    _indexes[id(jurisdictions)] = (jurisdictions, shaped)
    return shaped


def _attempts(entries: tuple[_Entry, ...], cyrillic: bool) -> tuple[_Attempt, ...]:
    """The formats to try for text in one script, those of the jurisdictions that can reach the highest score first."""
    attempts: list[_Attempt] = []
    for jurisdiction, formats, writes_cyrillic in entries:
        bonus = SCORE_SCRIPT if cyrillic and writes_cyrillic else 0
        reach = bonus + max((SCORE_AREA if has_area else 0) + SCORE_SEPARATORS for _, patterns, _ in formats for _, has_area, _, _ in patterns)
        attempts.extend((reach, jurisdiction.code, bonus, fmt, patterns, leading_areas) for fmt, patterns, leading_areas in formats)
    return tuple(sorted(attempts, key=lambda attempt: -attempt[0]))


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
        return f"plate {quoted(text)} contains characters that are not on plates: {''.join(sorted(stray))!r}"
    codes = [code for code in jurisdictions if among is None or code in among]
    if not codes:
        return f"plate {quoted(text)}: no jurisdiction to read it for"
    head = normal.split(" ")[0].split("-")[0]
    for code in codes:
        jurisdiction = jurisdictions[code]
        for fmt in jurisdiction.formats:
            if fmt.area_codes and head in fmt.area_codes and fmt.kind == PlateKind.STANDARD:
                area = jurisdiction.areas[fmt.area_codes[head][0]]
                shapes = " or ".join(repr(e) for e in _shapes(fmt))
                return f"plate {quoted(text)} starts like a {code} plate of {area.name} but does not fit its format ({shapes})"
    return f"plate {quoted(text)} fits no plate format of {', '.join(codes)}"


def _shapes(fmt: PlateFormat) -> list[str]:
    return [pattern.replace("@", "XX").replace("n", "9").replace("l", "A") for pattern in fmt.patterns]


def is_valid(text: str, jurisdictions: Mapping[str, Jurisdiction]) -> bool:
    """Whether ``text`` reads as exactly one best plate."""
    try:
        return bool(parse_plate(text, jurisdictions))
    except ValidationError:
        return False
