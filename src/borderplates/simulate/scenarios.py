"""Policy scenarios at a crossing point, compared on the same traffic.

The crossing points between Kosovo and Serbia are joint (the IBM agreement): a
vehicle stops once, where the officers of the side it leaves and of the side it
enters each take their decision, so its time at the booth is the sum of an exit
control and an entry control. A scenario says which decisions these are for
each plate origin and direction:

- ``temporary-plates``: vehicles of either side entering the other get a temporary registration;
- ``stickers``: they get stickers over the state symbols;
- ``none``: everybody is admitted;
- ``one-side``: only one side's vehicles get temporary plates (by default XK's entering RS,
  as from 2011 to 2021), the other side's are admitted;
- ``law``: what the shipped rules decide on a date, for a representative vehicle of each origin
  and class, at local noon; where the rules say nothing (Serbia's exit controls, plates of other
  jurisdictions) the vehicle is admitted and the scenario's notes say so.

Vehicles going home, pedestrians and plates of other jurisdictions are admitted in
every scenario but ``law``. Service times are assumptions, not measurements: see
:data:`DEFAULT_SERVICE`; every figure can be replaced.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from enum import StrEnum
from typing import Any

from borderplates import law, reference
from borderplates.errors import BorderplatesError, ValidationError
from borderplates.law.reciprocity import representative_vehicle
from borderplates.simulate.calibration import BORDER_TIME, OTHER, Calibration
from borderplates.simulate.demo import DEMO_VOLUMES, demo_week_calibration
from borderplates.simulate.model import (
    HOURS_PER_DAY,
    Blocked,
    Distribution,
    Policy,
    ServiceModel,
    ServiceTime,
    Setup,
    SimulationResult,
    Station,
    simulate,
)
from borderplates.vocabulary import Decision, Direction, Mode, VehicleClass, words

MAX_DAYS = 31
MAX_SCENARIOS = 8
#: A day simulated before the counted days, so that the first counted night starts with the queue the evening left.
WARMUP_DAYS = 1


class Scenario(StrEnum):
    """The policies the simulator compares."""

    TEMPORARY_PLATES = "temporary-plates"
    STICKERS = "stickers"
    NONE = "none"
    ONE_SIDE = "one-side"
    LAW = "law"


TITLES = {
    Scenario.TEMPORARY_PLATES: "temporary plates both ways",
    Scenario.STICKERS: "stickers both ways",
    Scenario.NONE: "none",
    Scenario.ONE_SIDE: "temporary plates, one side only",
    Scenario.LAW: "the law on",
}

#: Assumed minutes at the booth per control for a passenger car (not measured): gamma, coefficient of variation 0.5.
DEFAULT_SERVICE = ServiceModel(
    times={
        Decision.ADMIT: ServiceTime(Distribution.GAMMA, 0.5, 0.5),
        Decision.WARN: ServiceTime(Distribution.GAMMA, 1.5, 0.5),
        Decision.APPLY_STICKER: ServiceTime(Distribution.GAMMA, 2.0, 0.5),
        Decision.REFUSE: ServiceTime(Distribution.GAMMA, 2.0, 0.5),
        Decision.FINE: ServiceTime(Distribution.GAMMA, 4.0, 0.5),
        Decision.ISSUE_TEMPORARY_REGISTRATION: ServiceTime(Distribution.GAMMA, 6.0, 0.5),
    },
    mode_factor={Mode.PASSENGER: 1.0, Mode.CARGO: 4.0, Mode.BUS: 3.0, Mode.PEDESTRIAN: 0.5},
)

#: Lanes in each direction, per mode, where the point serves the mode: six per direction at a point that serves all four.
DEFAULT_LANES: Mapping[Mode, int] = {Mode.PASSENGER: 3, Mode.CARGO: 1, Mode.BUS: 1, Mode.PEDESTRIAN: 1}

VEHICLE_CLASS_BY_MODE = {Mode.PASSENGER: VehicleClass.CAR, Mode.CARGO: VehicleClass.TRUCK, Mode.BUS: VehicleClass.BUS}


@dataclass(frozen=True)
class ScenarioPolicy:
    """A scenario made concrete for one crossing point: its policy and what it decided, with notes."""

    scenario: Scenario
    title: str
    label: str
    policy: Policy
    notes: tuple[str, ...] = ()


@dataclass(frozen=True)
class ScenarioResult:
    """One scenario's run: its title, a short label for plots, what it decided, its notes and figures."""

    scenario: Scenario
    title: str
    label: str
    policy: Policy
    notes: tuple[str, ...]
    result: SimulationResult

    def as_json(self) -> dict[str, Any]:
        return {
            "name": str(self.scenario),
            "title": self.title,
            "label": self.label,
            "controls": [
                {"origin": origin, "towards": towards, "mode": str(mode), "decisions": [str(d) for d in decisions]}
                for (origin, towards, mode), decisions in self.policy.controls.items()
            ],
            "notes": list(self.notes),
            **self.result.as_json(),
        }


@dataclass(frozen=True)
class Comparison:
    """Scenarios run on the same traffic, lanes, service times and seed, with their plot."""

    point: str
    point_name: str
    days: int
    seed: int
    on: dt.date | None
    volumes: str
    calibration: Calibration
    setup: Setup
    results: tuple[ScenarioResult, ...]
    png: bytes = field(repr=False)

    def result(self, scenario: Scenario | str) -> ScenarioResult:
        return next(r for r in self.results if r.scenario == scenario)

    def as_json(self) -> dict[str, Any]:
        return {
            "point": self.point,
            "point_name": self.point_name,
            "days": self.days,
            "seed": self.seed,
            "on": self.on.isoformat() if self.on else None,
            "volumes": {"source": self.volumes, **self.calibration.as_json()},
            "lanes": [{"towards": towards, "mode": str(mode), "lanes": n} for (towards, mode), n in self.setup.lanes.items()],
            "service": {
                "per_decision": {str(d): t.as_json() for d, t in self.setup.service.times.items()},
                "mode_factor": {str(m): f for m, f in self.setup.service.mode_factor.items()},
                "note": "assumed minutes at the booth per control, not measured",
            },
            "blocked": None
            if self.setup.blocked is None
            else {
                "start_hour": self.setup.blocked.start_hour - self.setup.warmup_hours,
                "end_hour": self.setup.blocked.end_hour - self.setup.warmup_hours,
                "on_block": str(self.setup.blocked.on_block),
                "modes": sorted(str(m) for m in self.setup.blocked.modes) or None,
            },
            "scenarios": [r.as_json() for r in self.results],
        }


def scenario_named(text: str) -> Scenario:
    try:
        return Scenario(text.strip().lower())
    except ValueError:
        raise ValidationError(f"unknown scenario {text!r}; known: {words(Scenario)}") from None


def scenario_policy(
    scenario: Scenario, pair: tuple[str, str], keys: Sequence[tuple[str, str, Mode]], *, plates_for: str | None = None, on: dt.date | None = None
) -> ScenarioPolicy:
    """The decisions of ``scenario`` for each (origin, towards, mode) in ``keys`` at a point between ``pair``."""
    if scenario is Scenario.LAW:
        if on is None:
            raise ValidationError("the law scenario needs a date (--on YYYY-MM-DD)")
        return _law_policy(pair, keys, on)
    one_side = plates_for or pair[0]
    if one_side not in pair:
        raise ValidationError(f"temporary plates for one side: choose {pair[0]} or {pair[1]}, not {one_side}")
    required = {
        Scenario.TEMPORARY_PLATES: {pair[0]: Decision.ISSUE_TEMPORARY_REGISTRATION, pair[1]: Decision.ISSUE_TEMPORARY_REGISTRATION},
        Scenario.STICKERS: {pair[0]: Decision.APPLY_STICKER, pair[1]: Decision.APPLY_STICKER},
        Scenario.NONE: {},
        Scenario.ONE_SIDE: {one_side: Decision.ISSUE_TEMPORARY_REGISTRATION},
    }[scenario]
    controls: dict[tuple[str, str, Mode], tuple[Decision, ...]] = {}
    for origin, towards, mode in keys:
        foreign = origin in pair and origin != towards and mode is not Mode.PEDESTRIAN
        entry = required.get(origin, Decision.ADMIT) if foreign else Decision.ADMIT
        controls[(origin, towards, mode)] = (Decision.ADMIT, entry)
    if scenario is Scenario.ONE_SIDE:
        title, label = f"{TITLES[scenario]} ({one_side} vehicles)", f"{scenario} ({one_side})"
    else:
        title, label = TITLES[scenario], str(scenario)
    return ScenarioPolicy(scenario, title, label, Policy(controls, (Decision.ADMIT, Decision.ADMIT)))


def _law_policy(pair: tuple[str, str], keys: Sequence[tuple[str, str, Mode]], on: dt.date) -> ScenarioPolicy:
    shipped = law.load()
    at = dt.datetime.combine(on, dt.time(12), BORDER_TIME)
    notes: dict[str, None] = {}
    controls: dict[tuple[str, str, Mode], tuple[Decision, ...]] = {}
    for origin, towards, mode in keys:
        leaving = pair[1] if towards == pair[0] else pair[0]
        if mode is Mode.PEDESTRIAN:
            controls[(origin, towards, mode)] = (Decision.ADMIT, Decision.ADMIT)
            notes["pedestrians carry no plates: admitted"] = None
            continue
        if origin == OTHER:
            controls[(origin, towards, mode)] = (Decision.ADMIT, Decision.ADMIT)
            notes[f"plates of neither {pair[0]} nor {pair[1]}: admitted (the shipped rules are about these two)"] = None
            continue
        vehicle = representative_vehicle(shipped, origin)._replace(vehicle_class=VEHICLE_CLASS_BY_MODE[mode])
        decisions = []
        for jurisdiction, direction in ((leaving, Direction.EXIT), (towards, Direction.ENTRY)):
            try:
                ruling = shipped.requirement_for(vehicle, jurisdiction, at, direction)
            except BorderplatesError as silent:
                decisions.append(Decision.ADMIT)
                verb = "leaving" if direction == Direction.EXIT else "entering"
                notes[f"{origin} {vehicle.vehicle_class}s {verb} {jurisdiction}: admitted ({silent.text})"] = None
            else:
                decisions.append(Decision(ruling.decision))
        controls[(origin, towards, mode)] = tuple(decisions)
    title, label = f"{TITLES[Scenario.LAW]} {on.isoformat()}", f"{Scenario.LAW} {on.isoformat()}"
    return ScenarioPolicy(Scenario.LAW, title, label, Policy(controls, (Decision.ADMIT, Decision.ADMIT)), tuple(notes))


def default_lanes(point: str, pair: tuple[str, str], lanes: Mapping[Mode, int] | None = None) -> dict[Station, int]:
    """Lanes in each direction for the modes ``point`` serves: :data:`DEFAULT_LANES` with ``lanes`` over it."""
    modes = reference.crossing_point(point).modes
    chosen = {**DEFAULT_LANES, **(lanes or {})}
    return {(towards, mode): chosen[mode] for towards in pair for mode in Mode if mode in modes}


def compare_scenarios(
    scenarios: Sequence[Scenario | str],
    *,
    point: str = "merdare",
    on: dt.date | None = None,
    days: int = 1,
    seed: int = 1,
    lanes: Mapping[Mode, int] | None = None,
    service: ServiceModel | None = None,
    blocked: Blocked | None = None,
    plates_for: str | None = None,
    calibration: Calibration | None = None,
) -> Comparison:
    """Run ``scenarios`` at ``point`` on the same traffic and return the results with a PNG plot.

    The traffic is ``calibration`` (from recorded crossings), by default the point's
    demo-week volumes. ``on`` is the date of the ``law`` scenario. ``blocked`` counts
    hours from the local midnight that starts the first simulated day.
    """
    from borderplates.simulate.plots import comparison_png

    chosen = list(dict.fromkeys(scenario_named(s) if isinstance(s, str) else s for s in scenarios))
    if not chosen:
        raise ValidationError(f"name at least one scenario: {words(Scenario)}")
    if len(chosen) > MAX_SCENARIOS:
        raise ValidationError(f"at most {MAX_SCENARIOS} scenarios in one comparison")
    if on is not None and Scenario.LAW not in chosen:
        raise ValidationError("a date (--on) is only for the law scenario")
    if not isinstance(days, int) or not 1 <= days <= MAX_DAYS:
        raise ValidationError(f"days must be a whole number from 1 to {MAX_DAYS}, not {days!r}")
    crossing_point = reference.crossing_point(point)
    volumes = "recorded crossings" if calibration is not None else DEMO_VOLUMES
    traffic = calibration or demo_week_calibration(crossing_point.id)
    if traffic.point != crossing_point.id:
        raise ValidationError(f"the traffic given is that of {traffic.point}, not of {crossing_point.id}")
    pair = crossing_point.between
    warmup = WARMUP_DAYS * HOURS_PER_DAY
    if blocked is not None:
        if blocked.start_hour >= days * HOURS_PER_DAY:
            raise ValidationError(f"the blocked period starts after the {days} simulated day{'s' * (days > 1)}")
        # Given from the first counted midnight; the run starts a warm-up day earlier.
        blocked = replace(blocked, start_hour=blocked.start_hour + warmup, end_hour=blocked.end_hour + warmup)
    setup = Setup(
        streams=traffic.streams,
        lanes=default_lanes(crossing_point.id, pair, lanes),
        service=service or DEFAULT_SERVICE,
        hours=(days + WARMUP_DAYS) * HOURS_PER_DAY,
        seed=seed,
        blocked=blocked,
        warmup_hours=warmup,
    )
    keys = [(s.origin, s.towards, s.mode) for s in traffic.streams]
    results = []
    for scenario in chosen:
        made = scenario_policy(scenario, pair, keys, plates_for=plates_for, on=on)
        results.append(ScenarioResult(scenario, made.title, made.label, made.policy, made.notes, simulate(setup, made.policy)))
    done = Comparison(crossing_point.id, crossing_point.name, days, seed, on, volumes, traffic, setup, tuple(results), b"")
    return replace(done, png=comparison_png(done))
