"""From raw text detections to plate candidates: assemble, validate, rank, and say when to confirm.

An OCR engine returns runs of text, not plates: a Serbian plate may come back as
``SRB | NP | 123-AB`` with the Cyrillic ``НП`` under the coat of arms read as junk,
or as ``NP0123-AB`` with the coat of arms read as a character. Runs that sit
together form a group; the small ones (the band's distinguishing sign, the
Cyrillic area code) are set aside, the sign kept as evidence of the issuer; the
characters of the rest are laid out left to right, and every stretch of them, with
doubtful characters dropped or read as their look-alikes, is validated by the
reference layer (:func:`borderplates.reference.read_plate`). Each valid plate gets
a confidence in 0..1 from the characters' confidences, the edits it took, the
characters it left out, and how well the issuer fits; the best come first.

>>> from borderplates.reading.model import Box, TextDetection
>>> found = rank([TextDetection("NP", 0.99, Box(60, 10, 130, 80)), TextDetection("123-AB", 0.98, Box(170, 10, 400, 80)),
...               TextDetection("SRB", 0.99, Box(5, 60, 45, 80))])
>>> [(c.canonical, c.issuer) for c in found][:1], needs_confirmation(found)
([('NP 123-AB', 'RS')], False)
"""

from __future__ import annotations

import functools
import math
import statistics
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, replace

from borderplates import reference
from borderplates.errors import ValidationError
from borderplates.reading.model import Box, PlateCandidate, TextDetection

#: A read whose best candidate is less sure than this needs a person to confirm it.
CONFIRM_BELOW = 0.85
#: A read whose second candidate comes this close to the best needs a person to choose.
CLOSE_MARGIN = 0.10
#: At most this many candidates are returned.
MAX_CANDIDATES = 5

#: Characters read with less confidence than this may be dropped (a coat of arms, dirt) or read as a look-alike.
DOUBTFUL_BELOW = 0.8
#: Text runs lower than this share of the tallest run in their group are not plate characters (sign, Cyrillic area code).
MAIN_HEIGHT_RATIO = 0.6
#: Runs are grouped when their boxes, grown by this share of their height sideways, touch.
GROUP_REACH = 1.2
#: Plates have 6 to 10 letters and digits; stretches outside 5..12 are not tried.
MIN_CHARS, MAX_CHARS = 5, 12
#: At most this many doubtful characters per stretch are considered for an edit, and at most this many edits made.
MAX_DOUBTFUL, MAX_EDITS = 6, 2

#: Confidence factor for a doubtful character dropped where the coat of arms sits (right after the area code).
EMBLEM_DROP = 0.98
#: Confidence factor for a confident character dropped there: coats of arms are often read as one of :data:`EMBLEM_LOOK_ALIKES`.
EMBLEM_DROP_CONFIDENT = 0.92
#: A character after a gap wider than this many character widths is not the coat of arms: the gap is.
EMBLEM_GAP = 1.0
#: Confidence factor for a character kept although small text (the Cyrillic area code under the coat of arms) lies under it.
KEPT_OVER_SMALL_TEXT = 0.75
#: Confidence factor for each confident character left out of the plate.
LEFT_OUT = 0.8
#: Confidence of a doubtful character read as its look-alike.
LOOK_ALIKE_CONFIDENCE = 0.5
#: A letter read with less confidence than this may be its diacritic look-alike (D or Đ) almost as well.
DIACRITIC_SURE = 0.98
#: Confidence factor for reading a letter as its diacritic look-alike: close enough that a person chooses.
DIACRITIC_ALIKE = 0.97
#: Confidence factor for reading O as 0 or I as 1 and back (the plate's format tells which it is).
SAME_SHAPE = 0.9
#: Confidence factor when the band's distinguishing sign names another issuer.
OTHER_SIGN = 0.6
#: Confidence factor for a reading whose registration area was read without its diacritics (ST for ŠT), when another reading needs none.
RESTORED_AREA = 0.9
#: Confidence factor for a reading without a registration area when another reading of the same text has one.
NO_AREA = 0.8
#: Confidence factor per hyphen read where the plate prints none: readers seldom see a hyphen that is not there.
HYPHEN_NOT_PRINTED = 0.7
#: Confidence factor per hyphen the plate prints that was not read: small hyphens are often missed.
HYPHEN_NOT_READ = 0.9

PLATE_CHARS = frozenset("ABCČĆDĐEFGHIJKLMNOPQRSŠTUVWXYZŽ0123456789")
#: What a coat of arms is read as when a reader takes it for a character.
EMBLEM_LOOK_ALIKES = frozenset("0O1IDQU8")
#: Letters that differ only by a diacritic; readers lose the bar of Đ and the carons easily.
DIACRITIC_ALIKES = {"D": "Đ", "Đ": "D", "C": "ČĆ", "Č": "CĆ", "Ć": "CČ", "S": "Š", "Š": "S", "Z": "Ž", "Ž": "Z"}
SAME_SHAPES = {"O": "0", "0": "O", "I": "1", "1": "I"}
#: Characters a reader confuses when it is unsure; tried only for doubtful characters.
LOOK_ALIKES = {
    "8": "B",
    "B": "8",
    "5": "S",
    "S": "5",
    "2": "Z",
    "Z": "2",
    "6": "G",
    "G": "6",
    "4": "A",
    "A": "4",
    "7": "T",
    "T": "7",
    "D": "0",
    "Q": "0",
    "U": "V",
    "V": "U",
}


@dataclass(frozen=True, slots=True)
class _Char:
    """One plate character on the line: where it is, how sure the reader was, what lies before and under it."""

    char: str
    confidence: float
    left: float
    right: float
    space_before: bool
    gap_before: float = 0.0
    over_small_text: bool = False


@dataclass(frozen=True, slots=True)
class _Option:
    """One way to take a character: as read, dropped (``char`` empty), or as another character."""

    char: str
    read: str
    confidence: float
    factor: float = 1.0
    emblem_only: bool = False

    @property
    def edited(self) -> bool:
        return self.char != self.read


def rank(detections: Sequence[TextDetection]) -> tuple[PlateCandidate, ...]:
    """The plates ``detections`` may show, best first (empty when none is a valid plate)."""
    best: dict[tuple[str, str], PlateCandidate] = {}
    for group in _groups(detections):
        for candidate in _group_candidates(group):
            key = (candidate.canonical, candidate.issuer)
            if key not in best or candidate.confidence > best[key].confidence:
                best[key] = candidate
    ranked = sorted(best.values(), key=lambda c: (-c.confidence, c.canonical, c.issuer))
    return tuple(ranked[:MAX_CANDIDATES])


def needs_confirmation(candidates: Sequence[PlateCandidate]) -> bool:
    """Whether a person must confirm: the best is below :data:`CONFIRM_BELOW`, or another is within :data:`CLOSE_MARGIN`."""
    if not candidates:
        return False
    best = candidates[0].confidence
    return best < CONFIRM_BELOW or (len(candidates) > 1 and candidates[1].confidence >= best - CLOSE_MARGIN)


@functools.cache
def _signs() -> dict[str, str]:
    """Distinguishing sign (printed on the plate's band) → issuer."""
    return {j.sign: j.code for j in reference.load().jurisdictions.values()}


def _compact(text: str) -> str:
    return "".join(ch for ch in _plate_text(text) if ch in PLATE_CHARS)


def _plate_text(text: str) -> str:
    try:
        return reference.normalise(text)
    except ValidationError:
        return ""


def _groups(detections: Sequence[TextDetection]) -> list[list[TextDetection]]:
    """Detections that sit together (one plate each, in a scene), by a union of touching grown boxes."""
    parent = list(range(len(detections)))

    def root(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    grown = [d.box.grown(GROUP_REACH * d.box.height, 0.3 * d.box.height) for d in detections]
    for i in range(len(detections)):
        for j in range(i + 1, len(detections)):
            a, b = grown[i], grown[j]
            if a[0] <= b[2] and b[0] <= a[2] and a[1] <= b[3] and b[1] <= a[3]:
                parent[root(i)] = root(j)
    groups: dict[int, list[TextDetection]] = {}
    for i, detection in enumerate(detections):
        groups.setdefault(root(i), []).append(detection)
    return list(groups.values())


def _group_candidates(group: list[TextDetection]) -> Iterator[PlateCandidate]:
    tallest = max(d.box.height for d in group)
    main = [d for d in group if d.box.height >= MAIN_HEIGHT_RATIO * tallest and _compact(d.text)]
    signs = {c for d in group if d not in main and (c := _compact(d.text)) in _signs()}
    chars = _line(main)
    if not chars:
        return
    chars = _marked(chars, [d.box for d in group if d not in main and _compact(d.text) not in _signs()], main)
    box = functools.reduce(Box.union, (d.box for d in group))
    raw = " ".join(d.text for d in sorted(main, key=lambda d: d.box.left))
    for start in range(len(chars)):
        for stop in range(start + 1, len(chars) + 1):
            window = chars[start:stop]
            count = sum(1 for c in window if c.char != "-")
            if not MIN_CHARS <= count <= MAX_CHARS or window[0].char == "-" or window[-1].char == "-":
                continue
            outside = [c for c in (*chars[:start], *chars[stop:]) if c.char != "-" and c.confidence >= DOUBTFUL_BELOW]
            prefix = "".join(c.char for c in chars[:start] if c.char != "-")
            window_signs = signs | ({prefix} if prefix in _signs() else set())
            left_out = LEFT_OUT ** (len(outside) - (len(prefix) if prefix in _signs() else 0))
            for options in _edits(window):
                yield from _readings(window, options, window_signs, left_out, box, raw)


def _marked(chars: list[_Char], small: list[Box], main: list[TextDetection]) -> list[_Char]:
    """Mark the characters with small text under them: on Serbian plates, the Cyrillic area code under the coat of arms."""
    middle = statistics.fmean((d.box.top + d.box.bottom) / 2 for d in main)
    below = [b for b in small if b.top > middle]
    return [replace(c, over_small_text=True) if any(b.left <= (c.left + c.right) / 2 <= b.right for b in below) else c for c in chars]


def _line(main: list[TextDetection]) -> list[_Char]:
    """The characters of the main runs, left to right; where two runs overlap, the surer of two characters in one place."""
    chars = [(char, n) for n, detection in enumerate(main) for char in _explode(detection)]
    chars.sort(key=lambda pair: (pair[0].left + pair[0].right) / 2)
    merged: list[tuple[_Char, int]] = []
    for char, run in chars:
        if merged and merged[-1][1] != run:
            last = merged[-1][0]
            overlap = min(last.right, char.right) - max(last.left, char.left)
            if overlap > 0.5 * min(last.right - last.left, char.right - char.left):
                if char.confidence > last.confidence:
                    merged[-1] = (char, run)
                continue
        merged.append((char, run))
    widths = [c.right - c.left for c, _ in merged if c.char != "-"]
    typical = max(1.0, statistics.median(widths)) if widths else 1.0
    return [replace(c, gap_before=(c.left - merged[i - 1][0].right) / typical if i else math.inf) for i, (c, _) in enumerate(merged)]


def _explode(detection: TextDetection) -> list[_Char]:
    """A run's plate characters with their positions (the reader's own, or spread evenly) and where the spaces are."""
    text = detection.text
    if detection.chars and "".join(c.char for c in detection.chars) == text.replace(" ", ""):
        spans = iter((c.confidence, float(c.box.left), float(c.box.right)) for c in detection.chars)
    else:
        width = detection.box.width / max(1, len(text))
        spans = iter((detection.confidence, detection.box.left + i * width, detection.box.left + (i + 1) * width) for i, ch in enumerate(text) if ch != " ")
    found = []
    space = True
    for ch in text:
        if ch == " ":
            space = True
            continue
        confidence, left, right = next(spans)
        normal = _plate_text(ch)
        if normal == "-" or (len(normal) == 1 and normal in PLATE_CHARS):
            found.append(_Char(normal, confidence, left, right, space))
            space = False
        else:
            space = True
    return found


def _edits(window: Sequence[_Char]) -> Iterator[tuple[_Option, ...]]:
    """Every way to take the window's characters with at most :data:`MAX_EDITS` edits of doubtful or same-shape ones."""
    choices: list[list[_Option]] = [[_Option(c.char, c.char, c.confidence)] for c in window]
    doubtful = sorted(
        (i for i, c in enumerate(window) if c.confidence < DOUBTFUL_BELOW and c.char != "-"),
        key=lambda i: (window[i].confidence, window[i].char not in LOOK_ALIKES),
    )
    for i in doubtful[:MAX_DOUBTFUL]:
        c = window[i]
        choices[i].append(_Option("", c.char, c.confidence))
        if c.char in LOOK_ALIKES:
            choices[i].append(_Option(LOOK_ALIKES[c.char], c.char, min(c.confidence, LOOK_ALIKE_CONFIDENCE)))
    for i, c in enumerate(window):
        if c.char in SAME_SHAPES:
            choices[i].append(_Option(SAME_SHAPES[c.char], c.char, c.confidence, SAME_SHAPE))
        if c.char in DIACRITIC_ALIKES and c.confidence < DIACRITIC_SURE:
            choices[i].extend(_Option(alike, c.char, c.confidence, DIACRITIC_ALIKE) for alike in DIACRITIC_ALIKES[c.char])
        if c.char in EMBLEM_LOOK_ALIKES and c.confidence >= DOUBTFUL_BELOW:
            choices[i].append(_Option("", c.char, c.confidence, EMBLEM_DROP_CONFIDENT, emblem_only=True))
    yield from _combinations(choices, 0, MAX_EDITS, ())


def _combinations(choices: list[list[_Option]], index: int, budget: int, taken: tuple[_Option, ...]) -> Iterator[tuple[_Option, ...]]:
    if index == len(choices):
        yield taken
        return
    for n, option in enumerate(choices[index]):
        if n and not budget:
            break
        yield from _combinations(choices, index + 1, budget - (1 if n else 0), (*taken, option))


def _readings(window: Sequence[_Char], options: tuple[_Option, ...], signs: set[str], left_out: float, box: Box, raw: str) -> Iterator[PlateCandidate]:
    text = _spell(window, options)
    try:
        reading = reference.read_plate(text)
    except ValidationError:
        # Runs split inside a group of digits or letters ("NP 1 23-AB"): read the text without the spaces.
        if " " not in text:
            return
        try:
            reading = reference.read_plate(text.replace(" ", ""))
        except ValidationError:
            return
    best_area = max(_area_fit(found) for found in reading.candidates)
    for found in reading.candidates:
        plate = found.plate
        scored = _score(window, options, plate, found.typed_area)
        if scored is None:
            continue
        confidences, factor, notes = scored
        if signs:
            issuer_factor = 1.0 if plate.issuer in {_signs()[sign] for sign in signs} else OTHER_SIGN
            notes.append(f"the band reads {'/'.join(sorted(signs))}" + ("" if issuer_factor == 1.0 else f", not the sign of {plate.issuer}"))
        else:
            issuer_factor = 1.0 if _area_fit(found) == best_area else RESTORED_AREA if _area_fit(found) else NO_AREA
        ocr = 0.5 * statistics.fmean(confidences) + 0.5 * min(confidences)
        confidence = max(0.0, min(1.0, ocr * factor * left_out * issuer_factor * _hyphens(text, plate.canonical)))
        yield PlateCandidate(plate.canonical, plate.issuer, plate.kind, plate.format_id, confidence, box, raw, (*found.reasons, *notes))


def _area_fit(found: reference.Candidate) -> int:
    """2 for a known registration area as read, 1 for one read without its diacritics, 0 for a format without areas."""
    area = found.plate.area
    return 0 if area is None else 2 if found.typed_area == area.code else 1


def _hyphens(text: str, canonical: str) -> float:
    """How well the hyphens read agree with those the plate prints (the spaces say little: readers merge runs)."""
    read, printed = _separators(text), _separators(canonical)
    if len(read) != len(printed):
        return 1.0
    factor = 1.0
    for seen, shown in zip(read, printed, strict=True):
        if seen == "-" and shown != "-":
            factor *= HYPHEN_NOT_PRINTED
        elif shown == "-" and seen != "-":
            factor *= HYPHEN_NOT_READ
    return factor


def _separators(text: str) -> list[str]:
    """The separator after each character but the last: '-', ' ' or ''."""
    found: list[str] = []
    for ch in text:
        if ch in " -":
            if found:
                found[-1] = "-" if "-" in (ch, found[-1]) else " "
        else:
            found.append("")
    return found[:-1]


def _spell(window: Sequence[_Char], options: tuple[_Option, ...]) -> str:
    """The window as plate text: the chosen characters, with the spaces the reader saw."""
    parts: list[str] = []
    space = False
    for char, option in zip(window, options, strict=True):
        space = space or char.space_before
        if not option.char:
            continue
        if parts and space and option.char != "-" and parts[-1] != "-":
            parts.append(" ")
        parts.append(option.char)
        space = False
    return "".join(parts)


def _score(
    window: Sequence[_Char], options: tuple[_Option, ...], plate: reference.Plate, typed_area: str | None
) -> tuple[list[float], float, list[str]] | None:
    """The character confidences, the factor of the edits and their notes; None when the edits make no sense for this plate.

    A character kept counts with its confidence; a doubtful one dropped counts with
    the chance that it was not a character (one minus its confidence), unless it sits
    where the coat of arms is: right after the area code, over the Cyrillic area code,
    or with no wide gap before it (a wide gap is the coat of arms itself, unread).
    """
    factor = 1.0
    confidences: list[float] = []
    notes = []
    position = 0
    emblem_at = len(typed_area) if typed_area and plate.area is not None else -1
    for char, option in zip(window, options, strict=True):
        if not option.char:
            if position == emblem_at and char.over_small_text:
                notes.append(f"took {option.read!r} over the Cyrillic area code for the coat of arms")
            elif position == emblem_at and char.gap_before < EMBLEM_GAP:
                factor *= option.factor if option.emblem_only else EMBLEM_DROP
                notes.append(f"took {option.read!r} after the area code for the coat of arms")
            elif option.emblem_only:
                return None
            else:
                confidences.append(1.0 - option.confidence)
                notes.append(f"left out {option.read!r} (read with {option.confidence:.0%} confidence)")
            continue
        if option.edited:
            factor *= option.factor
            notes.append(f"read {option.read!r} as {option.char!r}")
        if char.over_small_text:
            factor *= KEPT_OVER_SMALL_TEXT
            notes.append(f"kept {option.char!r} although small text lies under it")
        if option.char != "-":
            confidences.append(option.confidence)
            position += 1
    return confidences, factor, notes
