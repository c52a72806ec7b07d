"""The queue at one crossing point, simulated with SimPy.

Vehicles arrive in streams, one per plate origin, direction of travel (the
jurisdiction they enter) and mode, at a rate that follows a daily profile of 24
hourly weights (a Poisson process with a rate constant within each local hour).
Each (direction, mode) has its own lanes and its own first-come-first-served queue.
At the booth each vehicle goes through its controls (the decisions a policy
gives it, e.g. the exit control of the side it leaves and the entry control of
the side it enters); its time at the booth is the sum of one draw per control
from that decision's service-time distribution, scaled by its mode.

Runs are seeded and deterministic. Arrivals do not depend on the policy, and a
vehicle's service draws depend only on its position in the arrival order and on
the distribution family and coefficient of variation, so two policies run on the
same seed see the same traffic (common random numbers): a longer service time
for a decision makes every such vehicle's service longer, not merely different.

Arrivals stop at the end of the horizon; vehicles still queued then are served
before the run ends, so every counted vehicle has a wait. Waits, queue lengths
and utilisation are counted from the end of the warm-up to the end of the horizon.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

import numpy as np
import numpy.typing as npt
import simpy

from borderplates.errors import ValidationError
from borderplates.vocabulary import Decision, Mode, words

#: Limits that keep one run within seconds to a minute: a user cannot hang the machine by accident.
MAX_HOURS = 366 * 24
MAX_LANES = 64
MAX_EXPECTED_VEHICLES = 1_000_000
MAX_SERVICE_MINUTES = 24 * 60.0
MAX_CONTROLS = 4

HOURS_PER_DAY = 24
Station = tuple[str, Mode]
"""Where vehicles queue: the jurisdiction they enter and their mode."""
FloatArray = npt.NDArray[np.float64]


class Distribution(StrEnum):
    """The families of service-time distributions."""

    EXPONENTIAL = "exponential"
    DETERMINISTIC = "deterministic"
    LOGNORMAL = "lognormal"
    GAMMA = "gamma"


class OnBlock(StrEnum):
    """What arrivals do while service is blocked."""

    QUEUE = "queue"
    TURN_AWAY = "turn-away"


@dataclass(frozen=True, slots=True)
class ServiceTime:
    """A service-time distribution: a family, a mean in minutes and a coefficient of variation.

    The exponential has a coefficient of variation of 1 and the deterministic of 0;
    lognormal and gamma take any positive one.
    """

    distribution: Distribution
    mean_minutes: float
    cv: float | None = None

    def __post_init__(self) -> None:
        if not isinstance(self.mean_minutes, int | float) or not 0 < self.mean_minutes <= MAX_SERVICE_MINUTES:
            raise ValidationError(f"a mean service time must be more than 0 and at most {MAX_SERVICE_MINUTES:g} minutes, not {self.mean_minutes!r}")
        fixed = {Distribution.EXPONENTIAL: 1.0, Distribution.DETERMINISTIC: 0.0}.get(self.distribution)
        if fixed is not None:
            if self.cv is not None and self.cv != fixed:
                raise ValidationError(f"a {self.distribution} service time has a coefficient of variation of {fixed:g}, not {self.cv:g}")
            object.__setattr__(self, "cv", fixed)
        elif self.cv is None or not 0 < self.cv <= 10:
            raise ValidationError(f"a {self.distribution} service time needs a coefficient of variation above 0 and at most 10, not {self.cv!r}")

    @property
    def variation(self) -> float:
        """The coefficient of variation (set for every family once constructed)."""
        return float(self.cv or 0.0)

    def standard(self, n: int, rng: np.random.Generator) -> FloatArray:
        """``n`` draws of this family and coefficient of variation with mean 1."""
        cv = self.variation
        if self.distribution is Distribution.DETERMINISTIC:
            return np.ones(n)
        if self.distribution is Distribution.EXPONENTIAL:
            return rng.standard_exponential(n)
        if self.distribution is Distribution.LOGNORMAL:
            sigma2 = math.log1p(cv * cv)
            return np.exp(rng.standard_normal(n) * math.sqrt(sigma2) - sigma2 / 2)
        shape = 1 / (cv * cv)
        return rng.standard_gamma(shape, n) / shape

    def as_json(self) -> dict[str, Any]:
        return {"distribution": str(self.distribution), "mean_minutes": self.mean_minutes, "cv": self.cv}


@dataclass(frozen=True)
class ServiceModel:
    """Service times per decision, and a factor per mode (a bus takes longer than a car)."""

    times: Mapping[Decision, ServiceTime]
    mode_factor: Mapping[Mode, float] = field(default_factory=dict)

    def __post_init__(self) -> None:
        for mode, factor in self.mode_factor.items():
            if not 0 < factor <= 100:
                raise ValidationError(f"the service-time factor for {mode} must be more than 0 and at most 100, not {factor!r}")

    def time_for(self, decision: Decision) -> ServiceTime:
        found = self.times.get(decision)
        if found is None:
            raise ValidationError(f"no service time is given for the decision {decision}")
        return found

    def factor(self, mode: Mode) -> float:
        return self.mode_factor.get(mode, 1.0)


@dataclass(frozen=True, slots=True)
class Stream:
    """Vehicles of one plate origin entering ``towards`` by one mode.

    ``arrivals_per_hour`` is the mean over the day; ``profile`` holds 24 weights
    for the local hours 0–23 (only their proportions count).
    """

    origin: str
    towards: str
    mode: Mode
    arrivals_per_hour: float
    profile: tuple[float, ...] = (1.0,) * HOURS_PER_DAY

    def __post_init__(self) -> None:
        if not isinstance(self.arrivals_per_hour, int | float) or not 0 <= self.arrivals_per_hour <= MAX_EXPECTED_VEHICLES:
            raise ValidationError(f"arrivals per hour must be between 0 and {MAX_EXPECTED_VEHICLES:,}, not {self.arrivals_per_hour!r}")
        if len(self.profile) != HOURS_PER_DAY or any(not w >= 0 or math.isinf(w) for w in self.profile) or (self.arrivals_per_hour and not sum(self.profile)):
            raise ValidationError("a daily profile is 24 weights, none negative, not all zero")

    @property
    def station(self) -> Station:
        return (self.towards, self.mode)

    def hourly_rates(self) -> FloatArray:
        """The arrival rate in each local hour of the day, per hour."""
        weights = np.asarray(self.profile, dtype=float)
        total = weights.sum()
        return np.zeros(HOURS_PER_DAY) if total == 0 else self.arrivals_per_hour * HOURS_PER_DAY * weights / total


@dataclass(frozen=True, slots=True)
class Blocked:
    """No service starts in ``[start_hour, end_hour)`` from the start of the run, at the stations of ``modes`` (all when empty).

    Service already under way at the start finishes. With :attr:`OnBlock.QUEUE`
    arrivals join the queue and wait for the end; with :attr:`OnBlock.TURN_AWAY`
    they leave at once and are counted as turned away.
    """

    start_hour: float
    end_hour: float
    on_block: OnBlock = OnBlock.QUEUE
    modes: frozenset[Mode] = frozenset()

    def __post_init__(self) -> None:
        if not 0 <= self.start_hour < self.end_hour <= MAX_HOURS:
            raise ValidationError(f"a blocked period needs 0 ≤ start < end ≤ {MAX_HOURS} hours, not [{self.start_hour:g}, {self.end_hour:g})")

    def applies_to(self, mode: Mode) -> bool:
        return not self.modes or mode in self.modes


@dataclass(frozen=True)
class Policy:
    """The decisions each vehicle goes through at the booth, by (origin, towards, mode); ``default`` for the rest."""

    controls: Mapping[tuple[str, str, Mode], tuple[Decision, ...]]
    default: tuple[Decision, ...] = (Decision.ADMIT,)

    def __post_init__(self) -> None:
        for key, decisions in (*self.controls.items(), (("", "", Mode.PASSENGER), self.default)):
            if not 1 <= len(decisions) <= MAX_CONTROLS:
                raise ValidationError(f"a vehicle goes through 1 to {MAX_CONTROLS} controls, not {len(decisions)} ({key})")

    def for_stream(self, stream: Stream) -> tuple[Decision, ...]:
        return self.controls.get((stream.origin, stream.towards, stream.mode), self.default)


@dataclass(frozen=True)
class Setup:
    """Everything but the policy: the traffic, the lanes, the service times, the horizon and the seed."""

    streams: tuple[Stream, ...]
    lanes: Mapping[Station, int]
    service: ServiceModel
    hours: float
    seed: int = 0
    blocked: Blocked | None = None
    warmup_hours: float = 0.0

    def __post_init__(self) -> None:
        if not isinstance(self.hours, int | float) or not 0 < self.hours <= MAX_HOURS:
            raise ValidationError(f"the horizon must be more than 0 and at most {MAX_HOURS} hours ({MAX_HOURS // 24} days), not {self.hours!r}")
        if not 0 <= self.warmup_hours < self.hours:
            raise ValidationError(f"the warm-up must be at least 0 and shorter than the horizon ({self.hours:g} h), not {self.warmup_hours!r}")
        if not self.streams:
            raise ValidationError("there is no traffic to simulate: give at least one stream of arrivals")
        for station, count in self.lanes.items():
            if not isinstance(count, int) or not 1 <= count <= MAX_LANES:
                raise ValidationError(f"lanes for {_station_text(station)} must be a whole number from 1 to {MAX_LANES}, not {count!r}")
        for stream in self.streams:
            if stream.station not in self.lanes and stream.arrivals_per_hour > 0:
                raise ValidationError(f"no lanes for {_station_text(stream.station)}, where {stream.origin} vehicles arrive")
        expected = sum(s.arrivals_per_hour for s in self.streams) * self.hours
        if expected > MAX_EXPECTED_VEHICLES:
            raise ValidationError(f"the run would see about {expected:,.0f} vehicles; the limit is {MAX_EXPECTED_VEHICLES:,}: shorten it or lower the arrivals")
        if not isinstance(self.seed, int) or not 0 <= self.seed < 2**63:
            raise ValidationError(f"the seed must be a whole number from 0 to 2^63-1, not {self.seed!r}")


@dataclass(frozen=True, slots=True)
class Figures:
    """What a group of vehicles (a station, a mode, the whole point) saw in one run.

    Waits are minutes from arrival to the start of service; ``None`` when no
    vehicle of the group was served. ``max_queue`` is the most vehicles waiting
    at once in one queue; ``utilisation`` the busy share of the group's lanes.
    """

    vehicles: int
    served: int
    turned_away: int
    mean_wait_minutes: float | None
    p95_wait_minutes: float | None
    max_wait_minutes: float | None
    waited_share: float | None
    max_queue: int
    lanes: int
    utilisation: float | None
    throughput_per_hour: float

    def as_json(self) -> dict[str, Any]:
        return {
            "vehicles": self.vehicles,
            "served": self.served,
            "turned_away": self.turned_away,
            "mean_wait_minutes": _rounded(self.mean_wait_minutes),
            "p95_wait_minutes": _rounded(self.p95_wait_minutes),
            "max_wait_minutes": _rounded(self.max_wait_minutes),
            "waited_share": _rounded(self.waited_share, 4),
            "max_queue": self.max_queue,
            "lanes": self.lanes,
            "utilisation": _rounded(self.utilisation, 4),
            "throughput_per_hour": _rounded(self.throughput_per_hour),
        }


@dataclass(frozen=True)
class SimulationResult:
    """The figures of one run: overall, per mode and per station; per hour after the warm-up, the mean wait by hour of arrival and the longest queue."""

    hours: float
    warmup_hours: float
    seed: int
    overall: Figures
    by_mode: Mapping[Mode, Figures]
    by_station: Mapping[Station, Figures]
    hourly_mean_wait: tuple[float | None, ...]
    hourly_max_queue: tuple[int, ...]

    def as_json(self) -> dict[str, Any]:
        return {
            "hours": self.hours,
            "warmup_hours": self.warmup_hours,
            "seed": self.seed,
            "overall": self.overall.as_json(),
            "by_mode": {str(mode): figures.as_json() for mode, figures in self.by_mode.items()},
            "by_station": [{"towards": towards, "mode": str(mode), **figures.as_json()} for (towards, mode), figures in self.by_station.items()],
            "hourly_mean_wait_minutes": [_rounded(w) for w in self.hourly_mean_wait],
            "hourly_max_queue": list(self.hourly_max_queue),
        }


def simulate(setup: Setup, policy: Policy) -> SimulationResult:
    """Run ``setup`` under ``policy`` and return what the vehicles saw."""
    arrivals, stream_of = _arrivals(setup)
    service = _service_times(setup, policy, stream_of)
    stations = sorted(setup.lanes, key=lambda st: (st[0], list(Mode).index(st[1])))
    station_index = {station: i for i, station in enumerate(stations)}
    station_of = np.array([station_index.get(setup.streams[k].station, -1) for k in stream_of], dtype=np.int64) if len(stream_of) else np.zeros(0, np.int64)
    run = _Run(setup, stations, arrivals, station_of, service)
    run.execute()
    return run.result()


def _arrivals(setup: Setup) -> tuple[FloatArray, npt.NDArray[np.int64]]:
    """Arrival moments (minutes from the start), sorted, and the stream of each."""
    hours = math.ceil(setup.hours)
    starts = np.arange(hours, dtype=float) * 60
    times: list[FloatArray] = []
    owners: list[npt.NDArray[np.int64]] = []
    for k, stream in enumerate(setup.streams):
        rng = np.random.default_rng([setup.seed, 1, k])
        rates = np.resize(stream.hourly_rates(), hours)
        # The last hour may be cut short by a fractional horizon.
        span = np.minimum(60.0, setup.hours * 60 - starts)
        counts = rng.poisson(rates * span / 60)
        moments = np.repeat(starts, counts) + rng.random(int(counts.sum())) * np.repeat(span, counts)
        times.append(moments)
        owners.append(np.full(len(moments), k, dtype=np.int64))
    every = np.concatenate(times)
    order = np.argsort(every, kind="stable")
    return every[order], np.concatenate(owners)[order]


def _service_times(setup: Setup, policy: Policy, stream_of: npt.NDArray[np.int64]) -> FloatArray:
    """Each vehicle's time at the booth: one draw per control, by arrival position (common random numbers)."""
    n = len(stream_of)
    total = np.zeros(n)
    controls = [policy.for_stream(stream) for stream in setup.streams]
    factors = np.array([setup.service.factor(stream.mode) for stream in setup.streams])
    draws: dict[tuple[int, Distribution, float], FloatArray] = {}
    for slot in range(max(len(c) for c in controls)):
        means = np.zeros(len(setup.streams))
        families: dict[tuple[Distribution, float], list[int]] = {}
        for k, decisions in enumerate(controls):
            if slot < len(decisions):
                time = setup.service.time_for(decisions[slot])
                means[k] = time.mean_minutes * factors[k]
                families.setdefault((time.distribution, time.variation), []).append(k)
        for (family, cv), members in families.items():
            key = (slot, family, cv)
            if key not in draws:
                rng = np.random.default_rng([setup.seed, 2, slot, list(Distribution).index(family), round(cv * 1_000_000)])
                draws[key] = ServiceTime(family, 1.0, cv).standard(n, rng)
            mask = np.isin(stream_of, members)
            total[mask] += draws[key][mask] * means[stream_of[mask]]
    return total


class _Run:
    """One SimPy run: a source process, a process per vehicle, a resource per station."""

    def __init__(self, setup: Setup, stations: Sequence[Station], arrivals: FloatArray, station_of: npt.NDArray[np.int64], service: FloatArray) -> None:
        self.setup, self.stations = setup, stations
        self.arrivals, self.station_of, self.service = arrivals, station_of, service
        self.env = simpy.Environment()
        self.lanes = [simpy.Resource(self.env, capacity=setup.lanes[station]) for station in stations]
        self.horizon = setup.hours * 60
        self.warmup = setup.warmup_hours * 60
        n = len(arrivals)
        # Plain lists while the run goes: indexing numpy arrays one item at a time is slow.
        self.starts: list[float] = [math.nan] * n
        self.ends: list[float] = [math.nan] * n
        self.turned: list[bool] = [False] * n
        self.waiting = [0] * len(stations)
        self.max_queue = [0] * len(stations)
        self.hourly_queue = [[0] * math.ceil(setup.hours) for _ in stations]
        self.busy = [0.0] * len(stations)
        blocked = setup.blocked
        self.block: list[tuple[float, float] | None] = [
            (blocked.start_hour * 60, blocked.end_hour * 60) if blocked is not None and blocked.applies_to(station[1]) else None for station in stations
        ]
        self.turn_away = blocked is not None and blocked.on_block is OnBlock.TURN_AWAY

    def execute(self) -> None:
        self.env.process(self._source())
        self.env.run()

    def _source(self) -> simpy.events.ProcessGenerator:
        env = self.env
        vehicles = zip(self.arrivals.tolist(), self.station_of.tolist(), self.service.tolist(), strict=True)
        for index, (at, station, service) in enumerate(vehicles):
            if at > env.now:
                yield env.timeout(at - env.now)
            if station < 0:
                continue
            block = self.block[station]
            if self.turn_away and block is not None and block[0] <= at < block[1]:
                self.turned[index] = True
                continue
            env.process(self._vehicle(index, station, service, block))

    def _vehicle(self, index: int, station: int, service: float, block: tuple[float, float] | None) -> simpy.events.ProcessGenerator:
        env = self.env
        self._queue_grew(station)
        lanes = self.lanes[station]
        lane = lanes.request()
        yield lane
        if block is not None and block[0] <= env.now < block[1]:
            yield env.timeout(block[1] - env.now)
        self.waiting[station] -= 1
        start = self.starts[index] = env.now
        yield env.timeout(service)
        end = self.ends[index] = env.now
        lanes.release(lane)
        self.busy[station] += max(0.0, min(end, self.horizon) - max(start, self.warmup))

    def _queue_grew(self, station: int) -> None:
        waiting = self.waiting[station] = self.waiting[station] + 1
        now = self.env.now
        if self.warmup <= now < self.horizon:
            if waiting > self.max_queue[station]:
                self.max_queue[station] = waiting
            hourly = self.hourly_queue[station]
            hour = int(now // 60)
            if waiting > hourly[hour]:
                hourly[hour] = waiting

    def result(self) -> SimulationResult:
        setup = self.setup
        counted = (self.arrivals >= self.warmup) & (self.station_of >= 0)
        done = _Done(np.array(self.starts) - self.arrivals, np.array(self.ends), np.array(self.turned, dtype=bool))
        stations = {station: self._figures(counted & (self.station_of == i), done, [i]) for i, station in enumerate(self.stations)}
        by_mode = {
            mode: self._figures(counted & np.isin(self.station_of, members), done, members)
            for mode in Mode
            if (members := [i for i, station in enumerate(self.stations) if station[1] is mode])
        }
        overall = self._figures(counted, done, list(range(len(self.stations))))
        hours = math.ceil(setup.hours)
        hour_of = np.minimum((self.arrivals // 60).astype(np.int64), hours - 1) if len(self.arrivals) else np.zeros(0, np.int64)
        served = counted & ~done.turned
        sums = np.bincount(hour_of[served], weights=done.waits[served], minlength=hours)
        counts = np.bincount(hour_of[served], minlength=hours)
        first = int(setup.warmup_hours)
        hourly = tuple(float(s / c) if c else None for s, c in zip(sums[first:], counts[first:], strict=True))
        hourly_queue = tuple(max(queues) for queues in zip(*self.hourly_queue, strict=True))[first:] if self.stations else (0,) * (hours - first)
        return SimulationResult(setup.hours, setup.warmup_hours, setup.seed, overall, by_mode, stations, hourly, hourly_queue)

    def _figures(self, members: npt.NDArray[np.bool_], done: _Done, stations: Sequence[int]) -> Figures:
        served = members & ~done.turned
        wait = done.waits[served]
        span = (self.horizon - self.warmup) / 60
        lanes = sum(self.setup.lanes[self.stations[i]] for i in stations)
        capacity = lanes * (self.horizon - self.warmup)
        return Figures(
            vehicles=int(members.sum()),
            served=int(served.sum()),
            turned_away=int((members & done.turned).sum()),
            mean_wait_minutes=float(wait.mean()) if len(wait) else None,
            p95_wait_minutes=float(np.percentile(wait, 95)) if len(wait) else None,
            max_wait_minutes=float(wait.max()) if len(wait) else None,
            waited_share=float((wait > 1e-9).mean()) if len(wait) else None,
            max_queue=max((self.max_queue[i] for i in stations), default=0),
            lanes=lanes,
            utilisation=float(sum(self.busy[i] for i in stations) / capacity) if capacity else None,
            throughput_per_hour=float((served & (done.ends <= self.horizon)).sum() / span),
        )


@dataclass(frozen=True, slots=True)
class _Done:
    """What happened to each vehicle, by arrival position: its wait, when it left the booth, whether it turned away."""

    waits: FloatArray
    ends: FloatArray
    turned: npt.NDArray[np.bool_]


def _station_text(station: Station) -> str:
    towards, mode = station
    return f"{mode} traffic entering {towards}"


def _rounded(value: float | None, digits: int = 3) -> float | None:
    return None if value is None else round(value, digits)


def distribution_named(text: str) -> Distribution:
    """The distribution family called ``text``; a clear error for any other word."""
    try:
        return Distribution(text.strip().lower())
    except ValueError:
        raise ValidationError(f"unknown distribution {text!r}; known: {words(Distribution)}") from None
