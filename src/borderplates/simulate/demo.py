"""Volumes from the demo week (20–26 Sep 2021), generated as the demo registry is, without a database.

This module is the one place that reads the demo-week generator.
"""

from __future__ import annotations

from functools import cache

from borderplates.demo import generate_week
from borderplates.simulate.calibration import Calibration, RecordedCrossing, calibrate

DEMO_SEED = 2021
DEMO_VOLUMES = "the demo week of 20–26 Sep 2021 (generated traffic)"


@cache
def demo_week_crossings(seed: int = DEMO_SEED) -> tuple[RecordedCrossing, ...]:
    """Every crossing of the demo week, as the demo registry would hold it."""
    week = generate_week(seed)
    return tuple(RecordedCrossing(c.at, c.point, c.direction, c.jurisdiction, c.mode, c.decision, c.vehicle[0]) for c in week.crossings)


def demo_week_calibration(point: str, seed: int = DEMO_SEED) -> Calibration:
    """The traffic of ``point`` in the demo week."""
    return calibrate(demo_week_crossings(seed), point)
