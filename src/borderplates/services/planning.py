"""Planning: what a policy would do to the queues at a crossing point, on the traffic it recorded.

The simulator (:mod:`borderplates.simulate`) runs scenarios on a crossing point's
traffic: by default the crossings the registry recorded there (in a period, when one
is given), or the demo week's volumes where nothing was recorded. Supervisors and
the ministry's analysts plan; the runs write nothing.
"""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from enum import StrEnum

from borderplates import reference
from borderplates import simulate as sim
from borderplates.errors import TryLater, ValidationError
from borderplates.registry import Database
from borderplates.services import inputs
from borderplates.services.actors import Actor, Permission, authorise
from borderplates.simulate.calibration import BORDER_TIME
from borderplates.vocabulary import Mode

#: Seconds a planner is asked to wait while another plan runs.
RETRY_AFTER = 5
#: One plan runs at a time in a process: a run takes seconds of the processor the booths' checks need.
_running = threading.Lock()


class Traffic(StrEnum):
    """Whose traffic a plan runs on."""

    AUTO = "auto"
    """The recorded crossings when the registry holds some at the point (in the period), else the demo week."""
    RECORDED = "recorded"
    DEMO = "demo"


def recorded_traffic(
    point: str,
    *,
    first_day: dt.date | None = None,
    last_day: dt.date | None = None,
    side: str | None = None,
    actor: Actor,
    db: Database,
) -> sim.Calibration | None:
    """The traffic the booths of ``side`` recorded at ``point`` from ``first_day`` to ``last_day`` (local dates, both
    included; by default every day recorded), or None when they recorded none."""
    authorise(actor, Permission.PLAN)
    where = inputs.any_place(point, centres=False)
    start, end = _period(first_day, last_day)
    if side is not None:
        side = reference.jurisdiction(inputs.text(side, "side", 10)).code
    with db.reading() as uow:
        try:
            return sim.calibrate(uow.crossings.between(start, end, where), where, side=side)
        except sim.NoTraffic:
            return None


def plan(
    scenarios: Sequence[sim.Scenario | str],
    *,
    point: str = "merdare",
    traffic: Traffic | str = Traffic.AUTO,
    first_day: dt.date | None = None,
    last_day: dt.date | None = None,
    on: dt.date | None = None,
    days: int = 1,
    seed: int = 1,
    lanes: Mapping[Mode, int] | None = None,
    service: sim.ServiceModel | None = None,
    blocked: sim.Blocked | None = None,
    plates_for: str | None = None,
    actor: Actor,
    db: Database,
) -> sim.Comparison:
    """Run ``scenarios`` at ``point`` on its traffic (see :class:`Traffic`) and compare them; writes nothing.

    Raises :class:`TryLater` while another plan runs in this process.
    """
    authorise(actor, Permission.PLAN)
    source = inputs.word(Traffic, traffic, "traffic")
    where = inputs.any_place(point, centres=False)
    if source == Traffic.DEMO and (first_day is not None or last_day is not None):
        raise ValidationError("a period of recorded crossings is for recorded traffic, not the demo week")
    calibration = None
    if source != Traffic.DEMO:
        calibration = recorded_traffic(where, first_day=first_day, last_day=last_day, actor=actor, db=db)
        if calibration is None and source == Traffic.RECORDED:
            name = reference.crossing_point(where).name
            period = (f" from {first_day}" if first_day else "") + (f" until {last_day}" if last_day else "")
            raise ValidationError(f"no crossings recorded at {name}{period} to simulate; simulate the demo week's traffic instead")
    with _one_at_a_time():
        return sim.compare_scenarios(
            scenarios,
            point=where,
            on=on,
            days=days,
            seed=seed,
            lanes=lanes,
            service=service,
            blocked=blocked,
            plates_for=plates_for,
            calibration=calibration,
        )


@contextmanager
def _one_at_a_time() -> Iterator[None]:
    if not _running.acquire(blocking=False):
        raise TryLater(f"another simulation is running; try again in {RETRY_AFTER} s", RETRY_AFTER)
    try:
        yield
    finally:
        _running.release()


def _period(first_day: dt.date | None, last_day: dt.date | None) -> tuple[dt.datetime | None, dt.datetime | None]:
    """The moments from local midnight before ``first_day`` to local midnight after ``last_day``."""
    first = inputs.day(first_day, "first day") if first_day is not None else None
    last = inputs.day(last_day, "last day") if last_day is not None else None
    if first is not None and last is not None and last < first:
        raise ValidationError(f"the last day ({last}) comes before the first ({first})")
    start = dt.datetime.combine(first, dt.time(0), BORDER_TIME) if first is not None else None
    end = dt.datetime.combine(last, dt.time(0), BORDER_TIME) + dt.timedelta(days=1) if last is not None else None
    return start, end
