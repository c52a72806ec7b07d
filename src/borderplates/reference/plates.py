"""Reading plates: normalise what was typed or scanned, match it against every
shipped format, and rank the jurisdictions it could come from.

>>> from borderplates.reference import parse_plate
>>> parse_plate("бг 123-аб").canonical
'BG 123-AB'
>>> parse_plate("ca 123-ab").area.name
'Čačak'
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass

from borderplates.errors import AmbiguousPlate, InvalidPlate, ValidationError
from borderplates.reference.jurisdictions import Area, Jurisdiction, PlateFormat
from borderplates.reference.text import ALLOWED, CYRILLIC_LETTERS, normalise

MAX_LENGTH = 20

SCORE_AREA = 4
SCORE_RESTORED_AREA = 2
SCORE_SEPARATORS = 2
SCORE_SCRIPT = 3


@dataclass(frozen=True)
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


@dataclass(frozen=True)
class Candidate:
    """One way to read a text as a plate, with the score that ranks it and why."""

    plate: Plate
    score: int
    reasons: tuple[str, ...]


@dataclass(frozen=True)
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
    if not normal:
        raise InvalidPlate("the plate is empty")
    if len(normal) > MAX_LENGTH:
        raise InvalidPlate(f"plate {text!r} is too long: plates have at most {MAX_LENGTH} characters")
    stray = set(normal) - ALLOWED
    if stray:
        shown = "".join(sorted(stray))
        raise InvalidPlate(f"plate {text!r} contains characters that are not on plates: {shown!r}")
    cyrillic = not text.isascii() and any(ch in CYRILLIC_LETTERS for ch in text)
    candidates: list[Candidate] = []
    for jurisdiction in jurisdictions.values():
        if among is not None and jurisdiction.code not in among:
            continue
        for fmt in jurisdiction.formats:
            found = _match(normal, fmt, jurisdiction, cyrillic)
            if found:
                candidates.extend(found)
                break
    if not candidates:
        raise InvalidPlate(_why_not(text, normal, jurisdictions, among))
    candidates.sort(key=lambda c: -c.score)
    return PlateReading(text, tuple(candidates))


def _match(normal: str, fmt: PlateFormat, jurisdiction: Jurisdiction, cyrillic: bool) -> list[Candidate]:
    for regex, tokens, separators in fmt.regexes:
        m = regex.match(normal)
        if m is None:
            continue
        values = [m.group(f"t{i}") for i in range(len(tokens))]
        typed = [m.group(f"s{i}") for i in range(1, len(tokens))]
        score, reasons = 0, []
        if typed == list(separators):
            score += SCORE_SEPARATORS
            reasons.append("separators as printed on the plate")
        if cyrillic and "Cyrl" in jurisdiction.scripts:
            score += SCORE_SCRIPT
            reasons.append("written in Cyrillic, a script of this jurisdiction")
        if tokens[0] != "@":
            return [Candidate(_plate(fmt, tokens, separators, values, None), score, tuple(reasons) or ("fits the format",))]
        codes = fmt.area_codes.get(values[0])
        if not codes:
            continue
        result = []
        for code in codes:
            area = jurisdiction.areas[code]
            if code == values[0]:
                area_score, why = SCORE_AREA, f"known registration area {code} ({area.name})"
            else:
                area_score, why = SCORE_RESTORED_AREA, f"registration area {values[0]} read as {code} ({area.name})"
            values[0] = code
            plate = _plate(fmt, tokens, separators, values, area)
            result.append(Candidate(plate, score + area_score, (why, *reasons)))
            values[0] = m.group("t0")
        return result
    return []


def _plate(fmt: PlateFormat, tokens: tuple[str, ...], separators: tuple[str, ...], values: list[str], area: Area | None) -> Plate:
    canonical = values[0] + "".join(sep + value for sep, value in zip(separators, values[1:], strict=True))
    return Plate(canonical, fmt.issuer, fmt.kind, fmt.id, area)


def _why_not(text: str, normal: str, jurisdictions: Mapping[str, Jurisdiction], among: Collection[str] | None) -> str:
    """Say why nothing matched, naming the format the text starts like when there is one."""
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
