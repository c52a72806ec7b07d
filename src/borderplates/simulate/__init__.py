"""The policy simulator: queues at a crossing point under temporary plates, stickers, nothing, or the law on a date.

A SimPy model of one crossing point (lanes per direction and mode, arrivals per
plate origin with a daily profile, service times per decision, an optional
blocked period), the Erlang C closed form it is checked against, calibration of
the traffic from recorded crossings, and scenario comparisons drawn as PNG.

>>> result = run_mmc(lanes=2, arrivals_per_hour=30, service_minutes=3, hours=2, seed=7)
>>> result.stable, round(result.utilisation, 2)
(True, 0.75)
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from borderplates.errors import ValidationError
from borderplates.simulate.calibration import OTHER, Calibration, CrossingRecord, NoTraffic, RecordedCrossing, calibrate
from borderplates.simulate.demo import demo_week_calibration, demo_week_crossings
from borderplates.simulate.erlang import ErlangC, UnstableQueue, erlang_c, offered_utilisation
from borderplates.simulate.model import (
    MAX_LANES,
    Blocked,
    Distribution,
    Figures,
    OnBlock,
    Policy,
    ServiceModel,
    ServiceTime,
    Setup,
    SimulationResult,
    Stream,
    distribution_named,
    simulate,
)
from borderplates.simulate.scenarios import (
    DEFAULT_LANES,
    DEFAULT_SERVICE,
    Comparison,
    Scenario,
    ScenarioResult,
    compare_scenarios,
    scenario_named,
)
from borderplates.vocabulary import Decision, Mode

__all__ = [
    "DEFAULT_LANES",
    "DEFAULT_SERVICE",
    "MAX_LANES",
    "OTHER",
    "Blocked",
    "Calibration",
    "Comparison",
    "CrossingRecord",
    "Distribution",
    "ErlangC",
    "Figures",
    "MMcResult",
    "NoTraffic",
    "OnBlock",
    "Policy",
    "RecordedCrossing",
    "Scenario",
    "ScenarioResult",
    "ServiceModel",
    "ServiceTime",
    "Setup",
    "SimulationResult",
    "Stream",
    "UnstableQueue",
    "calibrate",
    "compare_scenarios",
    "demo_week_calibration",
    "demo_week_crossings",
    "distribution_named",
    "erlang_c",
    "offered_utilisation",
    "run_mmc",
    "scenario_named",
    "simulate",
]

_ANY = "any"


@dataclass(frozen=True)
class MMcResult:
    """One queue with Poisson arrivals, ``lanes`` lanes and one service time, simulated and in closed form.

    ``utilisation`` is the offered utilisation λS/c; at 1 or more the queue is
    unstable, ``erlang_c`` is ``None`` and ``unstable_reason`` says why (the
    simulated waits are then those of this finite run only).
    """

    lanes: int
    arrivals_per_hour: float
    service: ServiceTime
    simulation: SimulationResult
    utilisation: float
    erlang_c: ErlangC | None
    unstable_reason: str | None

    @property
    def stable(self) -> bool:
        return self.erlang_c is not None

    def as_json(self) -> dict[str, Any]:
        figures = self.simulation.overall
        approximation = None
        if self.erlang_c is not None and self.service.distribution is not Distribution.EXPONENTIAL:
            approximation = {"method": "Allen–Cunneen", "mean_wait_minutes": round(self.erlang_c.allen_cunneen_wait_minutes(self.service.variation), 6)}
        return {
            "lanes": self.lanes,
            "arrivals_per_hour": self.arrivals_per_hour,
            "service": self.service.as_json(),
            "hours": self.simulation.hours,
            "warmup_hours": self.simulation.warmup_hours,
            "seed": self.simulation.seed,
            "stable": self.stable,
            "utilisation": round(self.utilisation, 6),
            "measured_utilisation": figures.as_json()["utilisation"],
            "vehicles": figures.vehicles,
            "mean_wait_minutes": figures.as_json()["mean_wait_minutes"],
            "p95_wait_minutes": figures.as_json()["p95_wait_minutes"],
            "max_wait_minutes": figures.as_json()["max_wait_minutes"],
            "waited_share": figures.as_json()["waited_share"],
            "max_queue": figures.max_queue,
            "throughput_per_hour": figures.as_json()["throughput_per_hour"],
            "erlang_c": None if self.erlang_c is None else self.erlang_c.as_json(),
            "unstable_reason": self.unstable_reason,
            "approximation": approximation,
        }


def run_mmc(
    lanes: int,
    arrivals_per_hour: float,
    service_minutes: float,
    hours: float,
    seed: int = 0,
    *,
    distribution: Distribution = Distribution.EXPONENTIAL,
    cv: float | None = None,
    warmup_hours: float = 0.0,
    blocked: Blocked | None = None,
) -> MMcResult:
    """Simulate one queue with constant Poisson arrivals, and give Erlang C beside it."""
    rho = offered_utilisation(lanes, arrivals_per_hour, service_minutes)
    if lanes > MAX_LANES:
        raise ValidationError(f"lanes must be a whole number from 1 to {MAX_LANES}, not {lanes}")
    service = ServiceTime(distribution, service_minutes, cv)
    station = (_ANY, Mode.PASSENGER)
    setup = Setup(
        streams=(Stream(_ANY, _ANY, Mode.PASSENGER, arrivals_per_hour),),
        lanes={station: lanes},
        service=ServiceModel({Decision.ADMIT: service}),
        hours=hours,
        seed=seed,
        blocked=blocked,
        warmup_hours=warmup_hours,
    )
    try:
        closed: ErlangC | None = erlang_c(lanes, arrivals_per_hour, service_minutes)
        reason = None
    except UnstableQueue as unstable:
        closed, reason = None, unstable.text + "; the simulated waits are those of this finite run only"
    return MMcResult(lanes, arrivals_per_hour, service, simulate(setup, Policy({})), rho, closed, reason)
