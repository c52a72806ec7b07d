"""Reading plates: normalise what was typed or scanned, match it against every
shipped format, and rank the jurisdictions it could come from.

Two ways to read, with the same ranking: :func:`read_plate` builds every reading
(to show the alternatives), :func:`parse_plate` builds only the winner and reads
everything only when two readings tie, to name them in the error. Text typed as
printed on the plate (as most is, and as the camera reader gives it) is first
matched by one regex of every format as printed; only when another format could
read it too is it read the long way.

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
from itertools import groupby
from typing import NamedTuple

from borderplates.errors import AmbiguousPlate, InvalidPlate, ValidationError, quoted
from borderplates.reference.jurisdictions import Area, Jurisdiction, PlateFormat
from borderplates.reference.text import ALLOWED, normalise, normalise_to_read, shape
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


class PlateReader:
    """Reads text as plates of ``jurisdictions``, their formats indexed once by the shape of text they fit."""

    def __init__(self, jurisdictions: Mapping[str, Jurisdiction]) -> None:
        self.jurisdictions = jurisdictions
        self._index = _index(jurisdictions)
        self._printed = _printed_lane(jurisdictions)

    def read(self, text: str, among: Collection[str] | None = None) -> PlateReading:
        """Every reading of ``text`` (as a plate of one of ``among``), best first."""
        normal, cyrillic = _prepare(text)
        candidates: list[Candidate] = []
        shaped = self._index.get(shape(normal))
        for jurisdiction, formats, writes_cyrillic in shaped.in_order if shaped else ():
            if among is not None and jurisdiction.code not in among:
                continue
            script_bonus = cyrillic and writes_cyrillic
            for fmt, patterns, _ in formats:
                if _match(normal, fmt, patterns, jurisdiction, script_bonus, candidates):
                    break
        if not candidates:
            raise InvalidPlate(_why_not(text, normal, self.jurisdictions, among))
        if len(candidates) > 1:
            candidates.sort(key=_by_score)
        return PlateReading(text, tuple(candidates))

    def parse(self, text: str, among: Collection[str] | None = None) -> Plate:
        """The best reading of ``text``, built alone; ``InvalidPlate``, or ``AmbiguousPlate`` naming the tied readings.

        Text as printed on a plate is read by the regex of the patterns as printed, unless
        another pattern could read it too; other text, and text for some issuers only, the
        long way (:meth:`_best`).
        """
        ascii_text = isinstance(text, str) and text.isascii()
        # ASCII text in capitals that fits a pattern as printed is normalised already.
        normal, cyrillic = (text.upper(), False) if ascii_text else _prepare(text)
        if among is None:
            lane = self._printed.get(normal[:2])
            m = lane[0].fullmatch(normal, 2) if lane is not None else None
            if lane is not None and m is not None:
                issuer, kind, format_id, area, rivals = (lane[2] if cyrillic else lane[1])[m.lastindex or 0]
                if not rivals or not _read_by_any(rivals, normal):
                    # Built as a tuple: the named tuple's own constructor would only add the defaults.
                    return tuple.__new__(Plate, (normal, issuer, kind, format_id, area))
        if ascii_text:
            normal = normalise(text)
            if len(normal) > MAX_LENGTH:
                raise InvalidPlate(_too_long(text))
        return self._best(text, normal, cyrillic, among)

    def _best(self, text: str, normal: str, cyrillic: bool, among: Collection[str] | None) -> Plate:
        """The best reading of ``normal``, the long way, built alone.

        Jurisdictions are tried from the highest score they could reach, those that cannot
        reach the best found so far are not tried at all, and a format is not tried when
        the text does not start with one of its area codes.
        """
        shaped = self._index.get(shape(normal))
        if shaped is None:
            raise InvalidPlate(_why_not(text, normal, self.jurisdictions, among))
        head2, head3 = normal[:2], normal[:3]
        best_score, tie, done = -1, False, ""
        best: tuple[PlateFormat, str, tuple[str, ...], Area | None] | None = None
        for reach, issuer, bonus, fmt, patterns, leading_areas, areas in shaped.cyrillic if cyrillic else shaped.latin:
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
                for code in codes:
                    area_score = score + (SCORE_AREA if code == typed else SCORE_RESTORED_AREA)
                    if area_score > best_score:
                        best_score, best, tie = area_score, (fmt, template, groups, areas[code]), False
                    elif area_score == best_score:
                        tie = True
                done = issuer
                break
        if best is None:
            raise InvalidPlate(_why_not(text, normal, self.jurisdictions, among))
        if tie:
            return self.read(text, among).best
        fmt, template, groups, area = best
        values = groups[0::2]
        if area is None:
            return Plate(template.format(*values), fmt.issuer, fmt.kind, fmt.id)
        return Plate(template.format(area.code, *values[1:]), fmt.issuer, fmt.kind, fmt.id, area)


_readers: dict[int, PlateReader] = {}


def reader(jurisdictions: Mapping[str, Jurisdiction]) -> PlateReader:
    """The reader for ``jurisdictions``, made on first use."""
    found = _readers.get(id(jurisdictions))
    if found is None or found.jurisdictions is not jurisdictions:
        found = _readers[id(jurisdictions)] = PlateReader(jurisdictions)
    return found


def read_plate(text: str, jurisdictions: Mapping[str, Jurisdiction], among: Collection[str] | None = None) -> PlateReading:
    """Every reading of ``text`` as a plate of ``jurisdictions`` (restricted to ``among``), best first."""
    return reader(jurisdictions).read(text, among)


def parse_plate(text: str, jurisdictions: Mapping[str, Jurisdiction], among: Collection[str] | None = None) -> Plate:
    """The best reading of ``text`` as a plate of ``jurisdictions``, built alone; see :meth:`PlateReader.parse`."""
    return reader(jurisdictions).parse(text, among)


def _prepare(text: str) -> tuple[str, bool]:
    """The normalised text and whether it was written in Cyrillic; refuses text that is too long or mixes scripts."""
    normal, cyrillic = normalise_to_read(text)
    if len(normal) > MAX_LENGTH:
        raise InvalidPlate(_too_long(text))
    return normal, cyrillic


def _too_long(text: str) -> str:
    return f"plate {quoted(text)} is too long: plates have at most {MAX_LENGTH} characters"


# A pattern's regex, whether it starts with the area, its separators, and a template to print the plate.
_Pattern = tuple[re.Pattern[str], bool, tuple[str, ...], str]
# A format, its patterns that text of one shape can fit, and its area codes when each of those starts with the area.
_Format = tuple[PlateFormat, tuple[_Pattern, ...], Mapping[str, tuple[str, ...]] | None]
# A jurisdiction's formats for one shape of text, and whether it writes Cyrillic.
_Entry = tuple[Jurisdiction, tuple[_Format, ...], bool]
# One format to try: the highest score its jurisdiction can reach, the jurisdiction, the bonus for the script,
# the format as in _Format, and the jurisdiction's areas.
_Attempt = tuple[int, str, int, PlateFormat, tuple[_Pattern, ...], Mapping[str, tuple[str, ...]] | None, Mapping[str, Area]]


class _Shaped(NamedTuple):
    """The formats text of one shape can fit: by jurisdiction in data order, and as attempts for
    Latin and for Cyrillic text, the jurisdictions that can reach the highest score first."""

    in_order: tuple[_Entry, ...]
    latin: tuple[_Attempt, ...]
    cyrillic: tuple[_Attempt, ...]


def _index(jurisdictions: Mapping[str, Jurisdiction]) -> dict[str, _Shaped]:
    """For each text shape, the formats (by jurisdiction, in order) and their patterns that text of that shape can fit."""
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
    return shaped


def _attempts(entries: tuple[_Entry, ...], cyrillic: bool) -> tuple[_Attempt, ...]:
    """The formats to try for text in one script, those of the jurisdictions that can reach the highest score first."""
    attempts: list[_Attempt] = []
    for jurisdiction, formats, writes_cyrillic in entries:
        bonus = SCORE_SCRIPT if cyrillic and writes_cyrillic else 0
        reach = bonus + max((SCORE_AREA if has_area else 0) + SCORE_SEPARATORS for _, patterns, _ in formats for _, has_area, _, _ in patterns)
        attempts.extend((reach, jurisdiction.code, bonus, fmt, patterns, leading, jurisdiction.areas) for fmt, patterns, leading in formats)
    return tuple(sorted(attempts, key=lambda attempt: -attempt[0]))


# A pattern of another format as the long way reads it, with its area codes when it has an area.
_Rival = tuple[re.Pattern[str], Mapping[str, tuple[str, ...]] | None]


class _Printed(NamedTuple):
    """One pattern in a regex of patterns as printed: the plate it reads (but for its text), and the
    patterns that could read the same text first or as well."""

    issuer: str
    kind: PlateKind
    format_id: str
    area: Area | None
    rivals: tuple[_Rival, ...]


def _read_by_any(rivals: tuple[_Rival, ...], normal: str) -> bool:
    """Whether one of ``rivals`` reads ``normal`` (with an area code it knows)."""
    for regex, area_codes in rivals:
        m = regex.match(normal)
        if m is not None and (area_codes is None or m.group("t0") in area_codes):
            return True
    return False


class _Loose(NamedTuple):
    """One pattern of one format, as the long way reads it, with where it stands in the data."""

    jurisdiction: Jurisdiction
    order: tuple[int, int]
    fmt: PlateFormat
    regex: re.Pattern[str]
    tokens: tuple[str, ...]
    separators: tuple[str, ...]
    shapes: frozenset[str]


# By the first two characters of a text: one regex of the patterns as printed that text starting so can
# fit, and what each of its groups stands for when the text is written in Latin and in Cyrillic.
_Lane = dict[str, tuple[re.Pattern[str], dict[int, _Printed], dict[int, _Printed]]]


def _printed_lane(jurisdictions: Mapping[str, Jurisdiction]) -> _Lane:
    """By the first two characters of a text, one regex of the rest of every pattern as printed
    (normalised) that text starting so can fit, each pattern a capturing group; and what each group
    stands for.

    A text this regex reads as printed in pattern P reads the same the long way unless another pattern
    reads it too: an earlier one of P's jurisdiction (the first format that fits is the reading), or
    one of another jurisdiction that can score as high. Those are P's rivals; an earlier pattern of
    P's jurisdiction printed with the same tokens and separators is none, since it comes first here.
    """
    loose = [
        _Loose(jurisdiction, (f, p), fmt, regex, tokens, separators, shapes)
        for jurisdiction in jurisdictions.values()
        for f, fmt in enumerate(jurisdiction.formats)
        for p, ((regex, tokens, separators), shapes) in enumerate(zip(fmt.regexes, fmt.pattern_shapes, strict=True))
    ]
    printed = [(pattern, heads) for pattern in loose if (heads := _as_printed(pattern))]
    printed.sort(key=lambda item: -_score_as_printed(item[0], cyrillic=False))
    first = {(pattern.jurisdiction.code, *pattern.order): index for index, (pattern, _) in enumerate(printed)}

    def rivals(index: int, pattern: _Loose, cyrillic: bool) -> tuple[_Rival, ...]:
        score = _score_as_printed(pattern, cyrillic)
        return tuple(
            (rival.regex, rival.fmt.area_codes if rival.tokens[0] == "@" else None)
            for rival in loose
            if rival is not pattern
            and rival.shapes & pattern.shapes
            and (
                _score_as_printed(rival, cyrillic) >= score
                if rival.jurisdiction is not pattern.jurisdiction
                else rival.order < pattern.order and not _printed_first(rival, pattern, first.get((rival.jurisdiction.code, *rival.order)), index)
            )
        )

    def starting(head: str, found: tuple[_Rival, ...]) -> tuple[_Rival, ...]:
        """The rivals that can read text starting with ``head``: one with an area needs a code that starts so."""
        return tuple(rival for rival in found if rival[1] is None or head in heads_of[id(rival[1])])

    heads_of = {id(pattern.fmt.area_codes): {code[:2] for code in pattern.fmt.area_codes} for pattern in loose}
    by_head: dict[str, list[tuple[str, _Printed, _Printed]]] = {}
    for index, (pattern, heads) in enumerate(printed):
        fmt, latin, cyrillic = pattern.fmt, rivals(index, pattern, cyrillic=False), rivals(index, pattern, cyrillic=True)
        for head, rest in heads.items():
            area = pattern.jurisdiction.areas[head] if pattern.tokens[0] == "@" else None
            as_latin = _Printed(fmt.issuer, fmt.kind, fmt.id, area, starting(head, latin))
            by_head.setdefault(head, []).append((rest, as_latin, _Printed(fmt.issuer, fmt.kind, fmt.id, area, starting(head, cyrillic))))
    # Heads share their regexes: a few, always at hand, rather than one per area code.
    compiled: dict[tuple[str, ...], re.Pattern[str]] = {}
    lane: _Lane = {}
    for head, alternatives in by_head.items():
        rests = tuple(rest for rest, _, _ in alternatives)
        regex = compiled.get(rests) or compiled.setdefault(rests, re.compile("|".join(f"({rest})" for rest in rests)))
        lane[head] = (
            regex,
            {group: meaning for group, (_, meaning, _) in enumerate(alternatives, start=1)},
            {group: meaning for group, (_, _, meaning) in enumerate(alternatives, start=1)},
        )
    return lane


def _as_printed(pattern: _Loose) -> dict[str, str]:
    """By the first two characters of the texts the pattern fits as printed, the regex of the rest of them."""
    length = sum(2 if token == "@" else len(token) for token in pattern.tokens) + len("".join(pattern.separators))
    if length > MAX_LENGTH or "@" in pattern.tokens[1:]:
        return {}  # the long way reads an area only at the start
    places: list[str] = []  # the characters each place of a printed text can hold ("" for the area's two)
    for index, token in enumerate(pattern.tokens):
        if index and pattern.separators[index - 1]:
            places.append(pattern.separators[index - 1])
        if token == "@":
            places.extend(("", ""))
        elif token[0] in "nl":
            places.extend(["0123456789" if token[0] == "n" else pattern.fmt.letters] * len(token))
        else:
            places.extend(token)
    rest = "".join(f"[{re.escape(place)}]{{{len(list(run))}}}" for place, run in groupby(places[2:]))
    if pattern.tokens[0] == "@":
        # Two-letter codes only: then the long way splits the text where this regex does.
        return {code: rest for code in pattern.jurisdiction.areas if len(code) == 2}
    return {a + b: rest for a in places[0] for b in places[1]}


def _score_as_printed(pattern: _Loose, cyrillic: bool) -> int:
    """The highest score a text (written in Cyrillic, or not) reaches in the pattern."""
    script = SCORE_SCRIPT if cyrillic and "Cyrl" in pattern.jurisdiction.scripts else 0
    return (SCORE_AREA if pattern.tokens[0] == "@" else 0) + SCORE_SEPARATORS + script


def _printed_first(rival: _Loose, pattern: _Loose, rival_index: int | None, index: int) -> bool:
    """Whether every text printed as ``pattern`` that ``rival`` reads is printed as ``rival`` too, and tried before."""
    same_form = [t if t == "@" else len(t) for t in rival.tokens] == [t if t == "@" else len(t) for t in pattern.tokens]
    return rival_index is not None and rival_index < index and same_form and rival.separators == pattern.separators


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
