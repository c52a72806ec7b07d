"""The SimPy model against queueing theory, and its seeds, blocked periods and limits.

Tolerance for the M/M/c cases: the simulated mean wait is within 15% of Erlang C,
and the share of vehicles that waited within 0.04 of Erlang C's probability of
waiting. Each run sees 45,000–120,000 vehicles after a 20-hour warm-up; over ten
seeds, runs of this length (and half of it) had a standard deviation of 2.5–5%
of the mean wait, so 15% is about three standard deviations for the noisiest case.
"""

from __future__ import annotations

import pytest

from borderplates.errors import ValidationError
from borderplates.simulate import (
    Blocked,
    Distribution,
    OnBlock,
    Policy,
    ServiceModel,
    ServiceTime,
    Setup,
    Stream,
    erlang_c,
    run_mmc,
    simulate,
)
from borderplates.vocabulary import Decision, Mode

WAIT_TOLERANCE = 0.15
WAIT_PROBABILITY_TOLERANCE = 0.04


@pytest.mark.parametrize(
    ("lanes", "per_hour", "minutes", "hours"),
    [
        (4, 100, 2.0, 1200),  # ρ 0.83, Wq 1.973 min (ECOSYSTEM.md §11)
        (2, 30, 3.0, 3000),  # ρ 0.75, Wq 3.857 min
        (6, 200, 1.5, 600),  # ρ 0.83, Wq 0.881 min
        (1, 40, 1.0, 2400),  # M/M/1, ρ 0.67, Wq 2 min
    ],
)
def test_the_simulated_m_m_c_queue_agrees_with_erlang_c(lanes: int, per_hour: float, minutes: float, hours: float) -> None:
    result = run_mmc(lanes, per_hour, minutes, hours, seed=2021, warmup_hours=20)
    closed = erlang_c(lanes, per_hour, minutes)
    simulated = result.simulation.overall
    assert result.stable
    assert simulated.mean_wait_minutes == pytest.approx(closed.mean_wait_minutes, rel=WAIT_TOLERANCE)
    assert simulated.waited_share == pytest.approx(closed.probability_of_wait, abs=WAIT_PROBABILITY_TOLERANCE)
    assert simulated.utilisation == pytest.approx(closed.utilisation, abs=0.02)
    assert simulated.throughput_per_hour == pytest.approx(per_hour, rel=0.03)


@pytest.mark.parametrize(
    ("distribution", "cv", "expected"),
    [
        # Pollaczek–Khinchine for M/G/1 at λ = 40/h, S = 1 min (ρ = 2/3): Wq = ρ·S·(1 + cv²) / (2(1 − ρ)).
        (Distribution.DETERMINISTIC, None, 1.0),
        (Distribution.GAMMA, 0.5, 1.25),
        (Distribution.LOGNORMAL, 0.5, 1.25),
    ],
)
def test_one_lane_with_other_service_distributions_agrees_with_pollaczek_khinchine(distribution: Distribution, cv: float | None, expected: float) -> None:
    result = run_mmc(1, 40, 1.0, 2400, seed=7, distribution=distribution, cv=cv, warmup_hours=20)
    assert result.simulation.overall.mean_wait_minutes == pytest.approx(expected, rel=WAIT_TOLERANCE)


def test_utilisation_of_one_or_more_is_reported_as_an_unstable_queue() -> None:
    result = run_mmc(2, 70, 2.0, 20, seed=1)
    shown = result.as_json()
    assert not result.stable
    assert shown["stable"] is False
    assert shown["erlang_c"] is None
    assert "grows without bound" in shown["unstable_reason"]
    assert shown["utilisation"] == pytest.approx(70 * 2 / 60 / 2)
    assert shown["measured_utilisation"] > 0.95


def test_a_stable_run_reports_erlang_c_beside_the_simulation() -> None:
    shown = run_mmc(4, 100, 2.0, 50, seed=3).as_json()
    assert shown["stable"] is True
    assert shown["unstable_reason"] is None
    assert shown["erlang_c"]["probability_of_wait"] == pytest.approx(0.6577, abs=1e-4)
    assert shown["erlang_c"]["mean_wait_minutes"] == pytest.approx(1.973, abs=1e-3)
    assert {"mean_wait_minutes", "p95_wait_minutes", "max_queue", "utilisation"} <= shown.keys()


def test_the_same_seed_gives_the_same_run_and_another_seed_another() -> None:
    first = run_mmc(3, 80, 2.0, 24, seed=11).as_json()
    again = run_mmc(3, 80, 2.0, 24, seed=11).as_json()
    other = run_mmc(3, 80, 2.0, 24, seed=12).as_json()
    assert first == again
    assert first["mean_wait_minutes"] != other["mean_wait_minutes"]


def _two_decisions_setup(seed: int = 5) -> Setup:
    service = ServiceModel(
        {Decision.ADMIT: ServiceTime(Distribution.GAMMA, 0.5, 0.5), Decision.APPLY_STICKER: ServiceTime(Distribution.GAMMA, 2.0, 0.5)},
        {Mode.BUS: 3.0},
    )
    streams = (Stream("RS", "XK", Mode.PASSENGER, 50), Stream("RS", "XK", Mode.BUS, 2), Stream("XK", "RS", Mode.PASSENGER, 30))
    lanes = {("XK", Mode.PASSENGER): 2, ("XK", Mode.BUS): 1, ("RS", Mode.PASSENGER): 2}
    return Setup(streams, lanes, service, hours=48, seed=seed)


def test_a_longer_decision_lengthens_every_wait_on_the_same_traffic() -> None:
    setup = _two_decisions_setup()
    admitted = simulate(setup, Policy({}, (Decision.ADMIT, Decision.ADMIT)))
    stickered = simulate(setup, Policy({}, (Decision.ADMIT, Decision.APPLY_STICKER)))
    assert admitted.overall.vehicles == stickered.overall.vehicles
    assert stickered.overall.mean_wait_minutes > admitted.overall.mean_wait_minutes  # type: ignore[operator]  # both served vehicles
    for mode in (Mode.PASSENGER, Mode.BUS):
        assert stickered.by_mode[mode].utilisation > admitted.by_mode[mode].utilisation  # type: ignore[operator]


def test_a_vehicle_spends_the_sum_of_its_controls_at_the_booth_scaled_by_its_mode() -> None:
    times = {Decision.ADMIT: ServiceTime(Distribution.DETERMINISTIC, 0.5), Decision.FINE: ServiceTime(Distribution.DETERMINISTIC, 4.0)}
    service = ServiceModel(times, {Mode.BUS: 3.0})
    streams = (Stream("RS", "XK", Mode.PASSENGER, 6), Stream("RS", "XK", Mode.BUS, 6))
    setup = Setup(streams, {("XK", Mode.PASSENGER): 8, ("XK", Mode.BUS): 8}, service, hours=200, seed=3)
    result = simulate(setup, Policy({}, (Decision.ADMIT, Decision.FINE)))
    # Busy minutes per served vehicle: 4.5 for a car, 13.5 for a bus (a few straddle the end of the run).
    for mode, minutes in ((Mode.PASSENGER, 4.5), (Mode.BUS, 13.5)):
        figures = result.by_mode[mode]
        busy = figures.utilisation * figures.lanes * 200 * 60  # type: ignore[operator]
        assert busy / figures.served == pytest.approx(minutes, rel=0.01)
        assert figures.max_wait_minutes == 0


def _blocked_run(on_block: OnBlock) -> Setup:
    service = ServiceModel({Decision.ADMIT: ServiceTime(Distribution.DETERMINISTIC, 0.2)})
    return Setup(
        (Stream("RS", "XK", Mode.PASSENGER, 60),),
        {("XK", Mode.PASSENGER): 1},
        service,
        hours=6,
        seed=9,
        blocked=Blocked(2, 3, on_block),
    )


def test_arrivals_during_a_blocked_period_queue_until_it_ends() -> None:
    result = simulate(_blocked_run(OnBlock.QUEUE), Policy({}))
    assert result.overall.turned_away == 0
    assert result.overall.max_wait_minutes == pytest.approx(60, abs=2)
    assert result.overall.max_queue >= 45
    assert result.hourly_mean_wait[2] is not None and result.hourly_mean_wait[2] > 20
    assert result.hourly_mean_wait[0] is not None and result.hourly_mean_wait[0] < 1


def test_arrivals_during_a_blocked_period_turn_away_when_told_to() -> None:
    queued = simulate(_blocked_run(OnBlock.QUEUE), Policy({}))
    turned = simulate(_blocked_run(OnBlock.TURN_AWAY), Policy({}))
    assert 40 <= turned.overall.turned_away <= 80
    assert turned.overall.served + turned.overall.turned_away == queued.overall.vehicles
    assert turned.overall.max_wait_minutes < 5  # type: ignore[operator]
    assert turned.hourly_mean_wait[2] is None


@pytest.mark.parametrize(
    "build",
    [
        lambda: run_mmc(0, 10, 1, 10),
        lambda: run_mmc(-1, 10, 1, 10),
        lambda: run_mmc(65, 10, 1, 10),
        lambda: run_mmc(2, 10, 1, 0),
        lambda: run_mmc(2, 10, 1, 10**6),
        lambda: run_mmc(2, 200_000, 1, 24 * 7),
        lambda: run_mmc(2, 10, 0, 10),
        lambda: run_mmc(2, 10, 1, 10, seed=-1),
        lambda: run_mmc(2, 10, 1, 10, warmup_hours=10),
        lambda: ServiceTime(Distribution.EXPONENTIAL, 2.0, 0.5),
        lambda: ServiceTime(Distribution.GAMMA, 2.0),
        lambda: ServiceTime(Distribution.LOGNORMAL, 2.0, -1),
        lambda: Stream("RS", "XK", Mode.PASSENGER, 10, (1.0,) * 23),
        lambda: Stream("RS", "XK", Mode.PASSENGER, 10, (0.0,) * 24),
        lambda: Blocked(3, 2),
        lambda: Setup((Stream("RS", "XK", Mode.BUS, 5),), {("XK", Mode.PASSENGER): 2}, ServiceModel({}), 10),
    ],
)
def test_impossible_or_absurd_runs_are_refused_before_they_start(build: object) -> None:
    with pytest.raises(ValidationError):
        build()  # type: ignore[operator]


def test_a_decision_without_a_service_time_is_refused() -> None:
    setup = Setup((Stream("RS", "XK", Mode.PASSENGER, 5),), {("XK", Mode.PASSENGER): 1}, ServiceModel({}), 5)
    with pytest.raises(ValidationError, match="no service time"):
        simulate(setup, Policy({}))
