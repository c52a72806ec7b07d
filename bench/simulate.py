"""Benchmark: simulated days per second for a week at a six-lane crossing with Merdare's demo-week traffic.

Builds Merdare's traffic from the demo week (20–26 Sep 2021, generated; about 850
vehicles a day both ways), with six lanes in each direction (3 passenger, 1 cargo,
1 bus, 1 pedestrian), then measures in one run:

- ``trivial``: one control per vehicle with a constant service time,
- ``stickers`` and ``temporary plates``: two controls per vehicle (exit and entry) with
  gamma service times per decision, as the scenarios run them,
- ``compare 5 scenarios + plot``: what ``borderplates simulate --scenario all --on 2021-09-27
  --days 7`` does, the PNG included (per simulated day of each scenario),

and prints simulated days per second and the ratio of each model's speed to the
trivial one's. Each figure is the best of 5 repeats after a warm-up, timed with
``time.perf_counter``.

Run: ``python bench/simulate.py [--quick]`` (``--quick``: 2 days, 2 repeats).
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
import time
from collections.abc import Callable

from borderplates.simulate import DEFAULT_SERVICE, Distribution, Policy, ServiceModel, ServiceTime, Setup, compare_scenarios, simulate
from borderplates.simulate.demo import demo_week_calibration
from borderplates.simulate.scenarios import Scenario, default_lanes, scenario_policy
from borderplates.vocabulary import Decision

POINT = "merdare"
SEED = 2021


def best_of(repeats: int, work: Callable[[], object]) -> float:
    work()
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        work()
        times.append(time.perf_counter() - start)
    return min(times)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="a smoke run: 2 days, 2 repeats")
    options = parser.parse_args()
    days, repeats = (2, 2) if options.quick else (7, 5)

    traffic = demo_week_calibration(POINT)
    lanes = default_lanes(POINT, ("XK", "RS"))
    keys = [(s.origin, s.towards, s.mode) for s in traffic.streams]
    trivial = Setup(traffic.streams, lanes, ServiceModel({Decision.ADMIT: ServiceTime(Distribution.DETERMINISTIC, 1.0)}), days * 24, SEED)
    realistic = Setup(traffic.streams, lanes, DEFAULT_SERVICE, days * 24, SEED)
    stickers = scenario_policy(Scenario.STICKERS, ("XK", "RS"), keys).policy
    plates = scenario_policy(Scenario.TEMPORARY_PLATES, ("XK", "RS"), keys).policy
    vehicles = simulate(trivial, Policy({})).overall.vehicles

    print(f"{POINT}: {days} simulated days, {vehicles:,} vehicles, {sum(lanes.values())} lanes ({sum(lanes.values()) // 2} each way); best of {repeats}")
    rows = [
        ("trivial (1 control, constant)", best_of(repeats, lambda: simulate(trivial, Policy({}))), 1),
        ("stickers (2 controls, gamma)", best_of(repeats, lambda: simulate(realistic, stickers)), 1),
        ("temporary plates (2 controls, gamma)", best_of(repeats, lambda: simulate(realistic, plates)), 1),
        (
            "compare 5 scenarios + plot",
            best_of(max(1, repeats // 2), lambda: compare_scenarios(list(Scenario), point=POINT, on=dt.date(2021, 9, 27), days=days, seed=SEED)),
            len(Scenario),
        ),
    ]
    base = days / rows[0][1]
    print(f"{'model':<40} {'seconds':>9} {'days/s':>9} {'× trivial':>10}")
    for name, seconds, runs in rows:
        rate = days * runs / seconds
        print(f"{name:<40} {seconds:>9.3f} {rate:>9.1f} {rate / base:>10.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
