"""Benchmark: decisions per second for plate reading plus the law, against a bare regex.

Builds a realistic mix of a few thousand plates and moments (mostly Serbian plates
with real area codes, Kosovo-town codes among them, RKS and KS plates, typed in
Cyrillic, lower case or without separators; moments from 2011 to 2025, denser in
September/October 2021 and November 2022; entering XK or RS), no plate twice (not
even typed differently), then measures in one run:

- ``decision``: ``reference.parse_plate(text)`` + ``law.load().requirement_for(...)``,
- its two halves, reading and ruling, on their own,
- ``bare regex``: one compiled ``re.Pattern.match`` per text,

and prints the rates and the ratio of each to the bare regex (aim: a decision costs
at most 20 bare matches). Each figure is the best of 5 repeats after a warm-up,
timed with ``time.perf_counter``.

Run: ``python bench/law.py`` (or ``python bench/run.py`` for every benchmark).
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
import re
import sys
import time
from collections import Counter
from collections.abc import Callable
from zoneinfo import ZoneInfo

from borderplates import law, reference
from borderplates.law import Vehicle
from borderplates.vocabulary import VehicleClass

SIZE = 4000
AIM = 20
REPEATS = 5
SEED = 20210920
BELGRADE = ZoneInfo("Europe/Belgrade")
BARE = re.compile(r"^[A-ZČĆŠŽĐ]{2} \d{3,4}-[A-Z]{2}$")

# Serbian Latin to Cyrillic, for the letters that have a one-letter counterpart.
TO_CYRILLIC = dict(zip("ABVGDĐEŽZIJKLMNOPRSTĆUFHCČŠ", "АБВГДЂЕЖЗИЈКЛМНОПРСТЋУФХЦЧШ", strict=True))
ASCII_SERIAL = "ABCDEFGHIJKLMNOPRSTUVZ"
SERBIAN_SERIAL = "ABCČĆDĐEFGHIJKLMNOPRSŠTUVZŽ"
# Area codes shared with North Macedonia: typed without separators they are ambiguous.
SHARED_WITH_MK = frozenset(reference.load().jurisdictions["MK"].areas)

Case = tuple[str, str, str | None, dt.date, dt.datetime]  # text, entering, resident, registered_on, at


def serbian_plate(rng: random.Random, areas: list[str], kosovo_towns: list[str]) -> tuple[str, str | None]:
    area = rng.choice(kosovo_towns) if rng.random() < 0.25 else rng.choice(areas)
    digits = f"{rng.randrange(1000):03d}" if rng.random() < 0.6 else f"{rng.randrange(1000, 10000)}"
    serial = "TX" if rng.random() < 0.03 else "".join(rng.choice(SERBIAN_SERIAL if rng.random() < 0.1 else ASCII_SERIAL) for _ in range(2))
    text = f"{area} {digits}-{serial}"
    style = rng.random()
    if style < 0.08 and all(ch in TO_CYRILLIC for ch in area + serial):
        text = "".join(TO_CYRILLIC.get(ch, ch) for ch in text)
        text = text.lower() if rng.random() < 0.5 else text
    elif style < 0.20:
        text = text.lower()
    elif style < 0.28 and (area not in SHARED_WITH_MK or len(digits) == 3):
        text = text.replace(" ", "").replace("-", "")
    elif style < 0.32:
        text = text.replace("-", " – ")
    resident = "XK" if area in kosovo_towns and rng.random() < 0.5 else None
    return text, resident


def moment(rng: random.Random) -> dt.datetime:
    """A local moment: 40% in Sep/Oct 2021 or Nov 2022, the rest anywhere from Nov 2011 to 2025."""
    pick = rng.random()
    if pick < 0.2:
        start, days = dt.date(2021, 9, 1), 61
    elif pick < 0.4:
        start, days = dt.date(2022, 11, 1), 30
    else:
        start, days = dt.date(2011, 11, 1), (dt.date(2025, 12, 31) - dt.date(2011, 11, 1)).days
    day = start + dt.timedelta(days=rng.randrange(days))
    return dt.datetime.combine(day, dt.time(rng.randrange(24), rng.randrange(60)), BELGRADE)


def build_mix(size: int = SIZE, seed: int = SEED) -> list[Case]:
    """``size`` cases, no plate twice: a plate seen before (in any typing) is drawn again."""
    rng = random.Random(seed)
    rs = reference.load().jurisdictions["RS"]
    areas = sorted(code for code, area in rs.areas.items() if area.territory == "RS")
    kosovo_towns = sorted(code for code, area in rs.areas.items() if area.territory == "XK")
    mix: list[Case] = []
    seen: set[str] = set()
    while len(mix) < size:
        kind = rng.random()
        resident: str | None = None
        if kind < 0.70:
            text, resident = serbian_plate(rng, areas, kosovo_towns)
            entering = "XK" if rng.random() < 0.85 else "RS"
        elif kind < 0.92:
            text = f"0{rng.randint(1, 7)}-{rng.randrange(1000):03d}-{rng.choice(ASCII_SERIAL)}{rng.choice(ASCII_SERIAL)}"
            text = text.lower() if rng.random() < 0.1 else text
            entering = "RS" if rng.random() < 0.85 else "XK"
        else:
            text = f"{rng.randrange(1000):03d}-KS-{rng.randrange(1000):03d}"
            entering = rng.choice(("XK", "RS"))
        registered_on = dt.date(2011, 1, 1) + dt.timedelta(days=rng.randrange(13 * 365))
        compact = reference.normalise(text).replace(" ", "").replace("-", "")
        if compact not in seen:
            seen.add(compact)
            mix.append((text, entering, resident, registered_on, moment(rng)))
    return mix


def best_rate(work: Callable[[], object], count: int) -> float:
    """Items per second: the best of REPEATS timed runs after one warm-up run."""
    work()
    best = float("inf")
    for _ in range(REPEATS):
        start = time.perf_counter()
        work()
        best = min(best, time.perf_counter() - start)
    return count / best


def main() -> int:
    parser = argparse.ArgumentParser(description="Decisions per second against a bare regex match.")
    parser.add_argument("--quick", action="store_true", help="a smoke run: a quarter of the mix")
    quick = parser.parse_args().quick
    mix = build_mix()
    if quick:
        mix = mix[: len(mix) // 4]
    the_law = law.load()
    parse = reference.parse_plate
    requirement_for = the_law.requirement_for
    texts = [text for text, *_ in mix]
    plates = [parse(text) for text in texts]  # also proves every text reads
    car = VehicleClass.CAR
    vehicles = [
        (Vehicle(plate, car, resident, registered_on), entering, at) for plate, (_text, entering, resident, registered_on, at) in zip(plates, mix, strict=True)
    ]
    decisions = Counter(str(requirement_for(*vehicle).decision) for vehicle in vehicles)  # and every case decides

    def decide() -> None:
        for text, entering, resident, registered_on, at in mix:
            requirement_for(Vehicle(parse(text), car, resident, registered_on), entering, at)

    def read() -> None:
        for text in texts:
            parse(text)

    def rule() -> None:
        for vehicle, entering, at in vehicles:
            requirement_for(vehicle, entering, at)

    def bare() -> None:
        match = BARE.match
        for text in texts:
            match(text)

    rates = {
        "decision (parse_plate + requirement_for)": best_rate(decide, len(mix)),
        "parse_plate only": best_rate(read, len(mix)),
        "requirement_for only (parsed plates)": best_rate(rule, len(mix)),
        "bare compiled regex .match": best_rate(bare, len(mix)),
    }
    bare_rate = rates["bare compiled regex .match"]
    issuers = Counter(plate.issuer for plate in plates)
    print(f"borderplates law benchmark: {len(mix)} plates and moments, best of {REPEATS} after a warm-up (Python {sys.version.split()[0]})")
    print(f"mix: issuers {dict(issuers)}; decisions {dict(decisions)}")
    print()
    print(f"{'measure':<44} {'per second':>14} {'µs each':>10} {'× bare':>8}")
    print("-" * 79)
    for name, rate in rates.items():
        print(f"{name:<44} {rate:>14,.0f} {1e6 / rate:>10.2f} {bare_rate / rate:>8.1f}")
    print()
    ratio = bare_rate / rates["decision (parse_plate + requirement_for)"]
    print(f"decision / bare = {ratio:.1f}× ({'within' if ratio <= AIM else 'above'} the {AIM}× aim)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
