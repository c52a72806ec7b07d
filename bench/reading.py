"""Benchmark: reading plates from synthetic camera images, accuracy and time.

Draws plates of every shipped format with the test suite's generator
(``tests/reading/synth.py``): crops under every distortion (clean, blur, noise,
rotation up to 5°, perspective, shadow, heavy JPEG, small) and full street
scenes, then reads each with ``borderplates.reading.read_image`` and reports:

- exact-plate accuracy per format and per distortion: the best candidate is the
  plate drawn (canonical text and issuer);
- the share of reads marked ``needs_confirmation``;
- the share of reads that are wrong and NOT marked (the number that matters:
  aim ≤ 1%), also as a share of the wrong reads; "no plate found" is not a wrong
  read (the officer types the plate);
- how these would move under other confirmation thresholds;
- time per image on a crop and on a scene: the whole pipeline (decode, OCR,
  ranking) against RapidOCR alone on the same decoded images in the same run,
  configured as borderplates configures it and with its own defaults. Each time
  is the best of 5 rounds for that image after a warm-up, the three taking turns
  in each round.

Run: ``python bench/reading.py [--quick]``.
"""

from __future__ import annotations

import argparse
import functools
import importlib
import math
import sys
import time
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from borderplates import reading, reference
from borderplates.reading import ranking
from tests.reading.synth import DISTORTIONS, FORMATS, SCENE_DISTORTIONS, Sample, make_sample

SEED = 50_000


@dataclass(frozen=True)
class Outcome:
    sample: Sample
    read: reading.PlateRead

    @property
    def truth(self) -> tuple[str, str]:
        return reference.parse_plate(self.sample.text, among=[self.sample.issuer]).canonical, self.sample.issuer

    @property
    def found(self) -> bool:
        return self.read.best is not None

    @property
    def exact(self) -> bool:
        best = self.read.best
        return best is not None and (best.canonical, best.issuer) == self.truth

    @property
    def wrong(self) -> bool:
        return self.found and not self.exact


def samples(per_cell: int) -> list[Sample]:
    """``per_cell`` crops per format and distortion, and per format and scene distortion, ``per_cell`` scenes."""
    found = []
    seed = SEED
    for format_id in FORMATS:
        for distortion in DISTORTIONS:
            for _ in range(per_cell):
                found.append(make_sample(seed, format_id, distortion))
                seed += 1
        for distortion in SCENE_DISTORTIONS:
            for _ in range(max(1, per_cell // 2)):
                found.append(make_sample(seed, format_id, distortion, scene=True))
                seed += 1
    return found


def table(title: str, rows: Sequence[Sequence[str]], header: Sequence[str]) -> None:
    widths = [max(len(str(cell)) for cell in column) for column in zip(header, *rows, strict=True)]
    print(f"\n{title}")
    print("  " + "  ".join(h.ljust(w) for h, w in zip(header, widths, strict=True)))
    for row in rows:
        print("  " + "  ".join(str(cell).ljust(w) for cell, w in zip(row, widths, strict=True)))


def pct(part: int, whole: int) -> str:
    return f"{100 * part / whole:5.1f}%" if whole else "    –"


def accuracy_rows(outcomes: list[Outcome], key: Callable[[Outcome], str]) -> list[list[str]]:
    groups: dict[str, list[Outcome]] = defaultdict(list)
    for outcome in outcomes:
        groups[key(outcome)].append(outcome)
    groups["all"] = outcomes
    rows = []
    for name, group in groups.items():
        n = len(group)
        rows.append(
            [
                name,
                str(n),
                pct(sum(o.exact for o in group), n),
                pct(sum(o.read.needs_confirmation for o in group), n),
                pct(sum(not o.found for o in group), n),
                pct(sum(o.wrong for o in group), n),
                pct(sum(o.wrong and not o.read.needs_confirmation for o in group), n),
                pct(sum(o.exact and not o.read.needs_confirmation for o in group), n),
            ]
        )
    return rows


HEADER = ("", "images", "exact", "confirm", "no plate", "wrong", "wrong unmarked", "exact unmarked")


def flagged(read: reading.PlateRead, confirm_below: float, margin: float) -> bool:
    candidates = read.candidates
    if not candidates:
        return False
    best = candidates[0].confidence
    return best < confirm_below or (len(candidates) > 1 and candidates[1].confidence >= best - margin)


def thresholds(outcomes: list[Outcome]) -> None:
    rows = []
    for confirm_below in (0.7, 0.75, 0.8, 0.85, 0.9, 0.95):
        for margin in (0.05, 0.1, 0.15):
            marks = [flagged(o.read, confirm_below, margin) for o in outcomes]
            n = len(outcomes)
            wrong_unmarked = sum(o.wrong and not m for o, m in zip(outcomes, marks, strict=True))
            accepted = sum(o.exact and not m for o, m in zip(outcomes, marks, strict=True))
            current = "  <- in use" if (confirm_below, margin) == (ranking.CONFIRM_BELOW, ranking.CLOSE_MARGIN) else ""
            rows.append([f"{confirm_below:.2f}", f"{margin:.2f}", pct(sum(marks), n), pct(wrong_unmarked, n), pct(accepted, n) + current])
    table("Confirmation thresholds (same reads)", rows, ("confirm below", "margin", "marked", "wrong unmarked", "exact unmarked"))


def interleaved_best(actions: Sequence[Callable[[], object]], repeats: int) -> list[float]:
    """The best time of each action over ``repeats`` rounds, the actions taking turns so that load on the machine hits all alike."""
    best = [math.inf] * len(actions)
    for _ in range(repeats):
        for i, action in enumerate(actions):
            start = time.perf_counter()
            action()
            best[i] = min(best[i], time.perf_counter() - start)
    return best


def timing(outcomes: list[Outcome], repeats: int, per_kind: int) -> None:
    reader = reading.default_reader()
    ours, _ = reading.readers._rapidocr_engine()
    stock = importlib.import_module("rapidocr").RapidOCR(params={"Global.log_level": "error"})
    rows = []
    for kind, scene in (("crop", False), ("scene", True)):
        chosen = [o.sample for o in outcomes if o.sample.scene == scene][:per_kind]
        totals = [0.0, 0.0, 0.0]
        for sample in chosen:
            blob = sample.encoded()
            array = np.ascontiguousarray(np.asarray(sample.image.convert("RGB"))[:, :, ::-1])
            actions = (functools.partial(reading.read_image, blob, reader), functools.partial(ours, array), functools.partial(stock, array))
            for action in actions:
                action()
            totals = [t + b for t, b in zip(totals, interleaved_best(actions, repeats), strict=True)]
        pipeline, alone, defaults = (t / len(chosen) for t in totals)
        rows.append(
            [
                kind,
                str(len(chosen)),
                f"{1000 * pipeline:7.0f}",
                f"{1000 * alone:7.0f}",
                f"{pipeline / alone:5.2f}×",
                f"{1000 * defaults:7.0f}",
                f"{pipeline / defaults:5.2f}×",
            ]
        )
    table(
        f"Time per image (ms, best of {repeats} rounds, the three taking turns)",
        rows,
        ("", "images", "pipeline", "RapidOCR as configured", "pipeline / it", "RapidOCR defaults", "pipeline / it"),
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--quick", action="store_true", help="a smoke run: one image per format and distortion")
    args = parser.parse_args()
    per_cell = 1 if args.quick else 4
    repeats = 2 if args.quick else 5
    reader = reading.default_reader()
    drawn = samples(per_cell)
    print(f"reading {len(drawn)} synthetic images with {reader.name} {reader.version}", flush=True)
    start = time.perf_counter()
    outcomes = [Outcome(s, reading.read_image(s.encoded(), reader)) for s in drawn]
    print(f"read in {time.perf_counter() - start:.0f} s")
    table("By format (crops and scenes)", accuracy_rows(outcomes, lambda o: o.sample.format_id), HEADER)
    table("By distortion (crops)", accuracy_rows([o for o in outcomes if not o.sample.scene], lambda o: o.sample.distortions[0]), HEADER)
    table("By distortion (street scenes)", accuracy_rows([o for o in outcomes if o.sample.scene], lambda o: o.sample.distortions[0]), HEADER)
    thresholds(outcomes)
    wrong = [o for o in outcomes if o.wrong]
    if wrong:
        rows = [
            [
                o.sample.text,
                o.sample.format_id,
                o.sample.distortions[0],
                "scene" if o.sample.scene else "crop",
                f"{o.read.best.canonical} {o.read.best.issuer}",
                f"{o.read.confidence:.2f}",
                "yes" if o.read.needs_confirmation else "NO",
            ]
            for o in wrong
            if o.read.best
        ]
        table("Wrong reads", rows, ("plate", "format", "distortion", "image", "read as", "confidence", "marked"))
    timing(outcomes, repeats, 3 if args.quick else 8)


if __name__ == "__main__":
    main()
