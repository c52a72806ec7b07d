"""Volumes from the demo week (20–26 Sep 2021), generated as the demo registry is, without a database.

This module is the one place that knows where the demo-week generator lives.
"""

from __future__ import annotations

import random
from functools import cache

from borderplates.simulate.calibration import Calibration, RecordedCrossing, calibrate

DEMO_SEED = 2021
DEMO_VOLUMES = "the demo week of 20–26 Sep 2021 (generated traffic)"


@cache
def demo_week_crossings(seed: int = DEMO_SEED) -> tuple[RecordedCrossing, ...]:
    """Every crossing of the demo week, as the demo registry would hold it."""
    from borderplates.services.demo import _Week  # the generator's home: the one line to change when it moves

    week = _Week(random.Random(seed))
    week.generate()
    # Each row: (issuer, plate), point, direction, jurisdiction, mode, lane, at, decision, rule, version, number, officer.
    return tuple(RecordedCrossing(row[6], row[1], row[2], row[3], row[4], row[7], row[0][0]) for row in week.crossings)


def demo_week_calibration(point: str, seed: int = DEMO_SEED) -> Calibration:
    """The traffic of ``point`` in the demo week."""
    return calibrate(demo_week_crossings(seed), point)
