"""Wait estimates at a crossing point, in the manner of the US CBP Border Wait Times feed.

An estimate is the expected time from joining the queue to reaching the booth, for
one crossing point, direction and mode (the caller passes the values of one such
flow). It is made from plain values by one of three methods:

- ``measured``: the median time between a plate's read at the end of the queue and
  its read at the booth, over the last N minutes (needs readers at both ends);
- ``model``: Little's law, Wq = Lq / λ: the queue in front, from the latest staff
  observation, over the throughput counted at the booth in the last N minutes
  (where the booths record crossings);
- ``manual``: the latest staff observation alone: the wait they entered, or the queue
  over the service rate they measured per lane times the lanes open.

When several can be made, a fresh estimate beats a stale one, and then ``measured``
beats ``model`` beats ``manual``: measured times are waits that vehicles really had,
the model rests on crossings the booths recorded, and a manual figure on what staff
judged. A wait that cannot be known is None, never a fake 0; a queue that does not
move (vehicles waiting, nothing crossing) is ``unbounded``. Only what was known at
the moment asked is used: values stamped later than ``at`` plus a small allowance
for clocks that run ahead are ignored, and those within it count as ``at``. Nothing
here reads the clock.

>>> from zoneinfo import ZoneInfo
>>> at = dt.datetime(2024, 7, 1, 12, 0, tzinfo=ZoneInfo("Europe/Belgrade"))
>>> crossings = [at - dt.timedelta(minutes=m) for m in range(60)]  # one a minute
>>> seen = QueueObservation(at=at - dt.timedelta(minutes=5), lanes_open=2, vehicles=10)
>>> estimate = estimate_wait(at=at, mode="passenger", crossings=crossings, observations=[seen], max_lanes=4)
>>> estimate.method, estimate.delay_minutes, estimate.lanes_open, estimate.stale
(<WaitMethod.MODEL: 'model'>, 10.0, 2, False)
"""

from __future__ import annotations

import datetime as dt
from bisect import bisect_right
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from statistics import median
from types import MappingProxyType

from borderplates.errors import ValidationError
from borderplates.vocabulary import Mode, WaitMethod, words

METRES_PER_VEHICLE: Mapping[Mode, float] = MappingProxyType(
    {Mode.PASSENGER: 6.5, Mode.CARGO: 18.0, Mode.BUS: 15.0, Mode.PEDESTRIAN: 0.75},
)
"""The length of queue one waiting vehicle (or person on foot) takes, gap included, to turn metres into vehicles."""
MAX_LANES_OPEN = 100
"""The most lanes a queue observation may say are open."""
MAX_QUEUE = 100_000
"""The most vehicles, metres or minutes of wait a queue observation may say."""

_PRECEDENCE = (WaitMethod.MEASURED, WaitMethod.MODEL, WaitMethod.MANUAL)


@dataclass(frozen=True, slots=True)
class QueueObservation:
    """What staff saw of one queue at ``at``: its length (vehicles or metres of the column), lanes open, and optionally a wait or a service rate.

    ``served_per_lane_per_hour`` is the rate staff measured at one booth; ``wait_minutes``
    is a wait they entered directly and wins over the rate.
    """

    at: dt.datetime
    lanes_open: int
    vehicles: int | None = None
    metres: float | None = None
    wait_minutes: float | None = None
    served_per_lane_per_hour: float | None = None

    def __post_init__(self) -> None:
        _check_aware(self.at, "a queue observation")
        for name, kinds, most in (
            ("lanes_open", int, MAX_LANES_OPEN),
            ("vehicles", int, MAX_QUEUE),
            ("metres", int | float, MAX_QUEUE),
            ("wait_minutes", int | float, MAX_QUEUE),
        ):
            value = getattr(self, name)
            if value is not None and (isinstance(value, bool) or not isinstance(value, kinds) or not 0 <= value <= most):
                whole = "whole " if kinds is int else ""
                raise ValidationError(f"{name.replace('_', ' ')} must be a {whole}number from 0 to {most:,}, not {value!r:.30}")
        rate = self.served_per_lane_per_hour
        if rate is not None and (isinstance(rate, bool) or not isinstance(rate, int | float) or rate <= 0):
            raise ValidationError(f"the service rate must be a number above 0, not {rate!r}")


@dataclass(frozen=True, slots=True)
class PlateRead:
    """One plate read by a camera at the end of the queue or at the booth (the plate as normalised by the reader)."""

    plate: str
    at: dt.datetime

    def __post_init__(self) -> None:
        _check_aware(self.at, "a plate read")


@dataclass(frozen=True, slots=True)
class MatchedRead:
    """One vehicle's read at the end of the queue and its read at the booth."""

    plate: str
    queued_at: dt.datetime
    booth_at: dt.datetime

    @property
    def minutes(self) -> float:
        return (self.booth_at - self.queued_at).total_seconds() / 60


@dataclass(frozen=True, slots=True)
class WaitSettings:
    """How estimates are made: the counting window, when an estimate is stale, and the allowances."""

    window: dt.timedelta = dt.timedelta(minutes=15)
    stale_after: dt.timedelta = dt.timedelta(minutes=30)
    min_reads: int = 3
    clock_ahead: dt.timedelta = dt.timedelta(minutes=2)
    metres_per_vehicle: Mapping[Mode, float] = field(default_factory=lambda: METRES_PER_VEHICLE)

    def __post_init__(self) -> None:
        if self.window <= dt.timedelta(0) or self.stale_after <= dt.timedelta(0):
            raise ValidationError("the window and the stale age must be longer than 0")
        if self.clock_ahead < dt.timedelta(0) or self.min_reads < 1:
            raise ValidationError("the clock allowance cannot be negative and at least one read is needed")


@dataclass(frozen=True, slots=True)
class WaitEstimate:
    """The expected wait to reach the booth, how it was made, and how fresh it is.

    ``delay_minutes`` is None when the wait is unknown or ``unbounded`` (a queue that
    does not move); ``samples`` counts the reads, crossings or observations it rests on.
    """

    method: WaitMethod | None
    delay_minutes: float | None
    unbounded: bool
    lanes_open: int | None
    max_lanes: int | None
    updated_at: dt.datetime | None
    stale: bool
    samples: int


def estimate_wait(
    *,
    at: dt.datetime,
    mode: Mode | str,
    crossings: Iterable[dt.datetime] = (),
    observations: Iterable[QueueObservation] = (),
    matched: Iterable[MatchedRead] = (),
    max_lanes: int | None = None,
    settings: WaitSettings | None = None,
) -> WaitEstimate:
    """The best estimate at ``at`` from booth crossing times, staff observations and matched plate reads of one flow."""
    rules = settings or WaitSettings()
    observation = latest_observation(observations, at=at, settings=rules)
    candidates = [
        estimate
        for estimate in (
            measured_wait(matched, at=at, observation=observation, max_lanes=max_lanes, settings=rules),
            model_wait(crossings, observation, at=at, mode=mode, max_lanes=max_lanes, settings=rules),
            manual_wait(observation, at=at, mode=mode, max_lanes=max_lanes, settings=rules),
        )
        if estimate is not None
    ]
    if not candidates:
        lanes = observation.lanes_open if observation else None
        return WaitEstimate(None, None, False, lanes, max_lanes, None, False, 0)
    return min(candidates, key=lambda estimate: (estimate.stale, _PRECEDENCE.index(estimate.method)))


def measured_wait(
    matched: Iterable[MatchedRead],
    *,
    at: dt.datetime,
    observation: QueueObservation | None = None,
    max_lanes: int | None = None,
    settings: WaitSettings | None = None,
) -> WaitEstimate | None:
    """The median queue-to-booth time of the vehicles that reached the booth in the last window; None with too few."""
    rules = settings or WaitSettings()
    _check_aware(at, "the moment of the estimate")
    since, horizon = at - rules.window, at + rules.clock_ahead
    recent = [read for read in matched if since < read.booth_at <= horizon and read.queued_at <= read.booth_at]
    if len(recent) < rules.min_reads:
        return None
    updated = min(max(read.booth_at for read in recent), at)
    lanes = observation.lanes_open if observation else None
    return _estimate(WaitMethod.MEASURED, median(read.minutes for read in recent), lanes, max_lanes, updated, at, rules, len(recent))


def model_wait(
    crossings: Iterable[dt.datetime],
    observation: QueueObservation | None,
    *,
    at: dt.datetime,
    mode: Mode | str,
    max_lanes: int | None = None,
    settings: WaitSettings | None = None,
) -> WaitEstimate | None:
    """Little's law: the observed queue over the booth throughput of the last window.

    ``crossings`` are the flow's recorded booth times over a span longer than the
    window (the last hours, say): none at all means the booths record nothing, and
    there is no model (None); some, but none in the window, means the queue does not
    move. None too without a queue length.
    """
    rules = settings or WaitSettings()
    _check_aware(at, "the moment of the estimate")
    queue = _queue(observation, _mode(mode), rules)
    if observation is None or queue is None:
        return None
    since, horizon = at - rules.window, at + rules.clock_ahead
    known = count = 0
    for moment in crossings:
        _check_aware(moment, "a crossing time")
        if moment <= horizon:
            known += 1
            if since < moment:
                count += 1
    if not known:
        return None
    updated = min(observation.at, at)
    if queue == 0:
        return _estimate(WaitMethod.MODEL, 0.0, observation.lanes_open, max_lanes, updated, at, rules, count)
    if count == 0:
        return _estimate(WaitMethod.MODEL, None, observation.lanes_open, max_lanes, updated, at, rules, 0)
    per_minute = count / (rules.window.total_seconds() / 60)
    return _estimate(WaitMethod.MODEL, queue / per_minute, observation.lanes_open, max_lanes, updated, at, rules, count)


def manual_wait(
    observation: QueueObservation | None,
    *,
    at: dt.datetime,
    mode: Mode | str,
    max_lanes: int | None = None,
    settings: WaitSettings | None = None,
) -> WaitEstimate | None:
    """The wait staff entered, or their queue over their measured service rate; None if they gave neither."""
    rules = settings or WaitSettings()
    _check_aware(at, "the moment of the estimate")
    if observation is None:
        return None
    updated = min(observation.at, at)
    lanes = observation.lanes_open
    if observation.wait_minutes is not None:
        return _estimate(WaitMethod.MANUAL, float(observation.wait_minutes), lanes, max_lanes, updated, at, rules, 1)
    queue = _queue(observation, _mode(mode), rules)
    if queue == 0:
        return _estimate(WaitMethod.MANUAL, 0.0, lanes, max_lanes, updated, at, rules, 1)
    rate = observation.served_per_lane_per_hour
    if queue is None or rate is None:
        return None
    if lanes == 0:
        return _estimate(WaitMethod.MANUAL, None, lanes, max_lanes, updated, at, rules, 1)
    return _estimate(WaitMethod.MANUAL, queue / (rate * lanes) * 60, lanes, max_lanes, updated, at, rules, 1)


def latest_observation(observations: Iterable[QueueObservation], *, at: dt.datetime, settings: WaitSettings | None = None) -> QueueObservation | None:
    """The last observation known at ``at`` (allowing for clocks that run a little ahead); None if there is none."""
    rules = settings or WaitSettings()
    _check_aware(at, "the moment of the estimate")
    known = [observation for observation in observations if observation.at <= at + rules.clock_ahead]
    return max(known, key=lambda observation: observation.at, default=None)


def match_reads(queued: Iterable[PlateRead], booth: Iterable[PlateRead], *, max_wait: dt.timedelta = dt.timedelta(hours=12)) -> tuple[MatchedRead, ...]:
    """Pair each booth read with the same plate's latest earlier queue read, within ``max_wait``; each queue read pairs once."""
    by_plate: dict[str, list[dt.datetime]] = {}
    for read in queued:
        by_plate.setdefault(read.plate, []).append(read.at)
    for times in by_plate.values():
        times.sort()
    used: dict[str, int] = {}
    matched = []
    for read in sorted(booth, key=lambda read: read.at):
        times = by_plate.get(read.plate, [])
        index = bisect_right(times, read.at) - 1
        # A queue read at or before the one already paired belongs to an earlier pass of the same vehicle.
        if index >= 0 and index > used.get(read.plate, -1) and read.at - times[index] <= max_wait:
            used[read.plate] = index
            matched.append(MatchedRead(read.plate, times[index], read.at))
    return tuple(matched)


def _estimate(
    method: WaitMethod, delay: float | None, lanes: int | None, max_lanes: int | None, updated: dt.datetime, at: dt.datetime, rules: WaitSettings, samples: int
) -> WaitEstimate:
    return WaitEstimate(method, delay, delay is None, lanes, max_lanes, updated, at - updated > rules.stale_after, samples)


def _queue(observation: QueueObservation | None, mode: Mode, rules: WaitSettings) -> float | None:
    """The observed queue in vehicles (metres turned into vehicles for the mode); None if not observed."""
    if observation is None:
        return None
    if observation.vehicles is not None:
        return float(observation.vehicles)
    if observation.metres is None:
        return None
    length = rules.metres_per_vehicle.get(mode)
    if not length:
        raise ValidationError(f"no queue length per vehicle is set for {mode} traffic")
    return observation.metres / length


def _mode(mode: Mode | str) -> Mode:
    try:
        return Mode(mode)
    except ValueError:
        raise ValidationError(f"unknown mode {mode!r}; use {words(Mode)}") from None


def _check_aware(moment: dt.datetime, what: str) -> None:
    if not isinstance(moment, dt.datetime) or moment.utcoffset() is None:
        raise ValidationError(f"{what} needs a time with its time zone or UTC offset, not {moment!r}")
