"""Erlang C against figures computed independently (ECOSYSTEM.md §11, and the M/M/1 formulas)."""

from __future__ import annotations

import pytest

from borderplates.errors import ValidationError
from borderplates.simulate import UnstableQueue, erlang_c, offered_utilisation


def test_erlang_c_gives_the_checked_figures_for_four_lanes_at_100_an_hour_and_2_minutes() -> None:
    queue = erlang_c(lanes=4, arrivals_per_hour=100, service_minutes=2)
    assert queue.utilisation == pytest.approx(0.8333, abs=1e-4)
    assert queue.probability_of_wait == pytest.approx(0.6577, abs=1e-4)
    assert queue.mean_wait_minutes == pytest.approx(1.973, abs=1e-3)
    assert queue.mean_queue_length == pytest.approx(3.289, abs=1e-3)


def test_erlang_c_with_one_lane_is_the_m_m_1_queue() -> None:
    # M/M/1: P(wait) = ρ, Wq = ρ / (μ − λ); here λ = 40/h, S = 1 min, so ρ = 2/3 and Wq = 2 min.
    queue = erlang_c(lanes=1, arrivals_per_hour=40, service_minutes=1)
    assert queue.probability_of_wait == pytest.approx(2 / 3)
    assert queue.mean_wait_minutes == pytest.approx(2.0)
    assert queue.mean_queue_length == pytest.approx(40 / 60 * 2.0)


def test_erlang_c_mean_queue_length_follows_littles_law() -> None:
    queue = erlang_c(lanes=6, arrivals_per_hour=200, service_minutes=1.5)
    assert queue.mean_queue_length == pytest.approx(200 / 60 * queue.mean_wait_minutes)


def test_no_arrivals_means_no_wait() -> None:
    queue = erlang_c(lanes=3, arrivals_per_hour=0, service_minutes=2)
    assert queue.probability_of_wait == 0
    assert queue.mean_wait_minutes == 0


@pytest.mark.parametrize(("lanes", "per_hour", "minutes"), [(2, 60, 2), (1, 61, 1), (4, 200, 3)])
def test_utilisation_of_one_or_more_is_an_unstable_queue_not_a_number(lanes: int, per_hour: float, minutes: float) -> None:
    with pytest.raises(UnstableQueue) as unstable:
        erlang_c(lanes, per_hour, minutes)
    assert unstable.value.utilisation == pytest.approx(offered_utilisation(lanes, per_hour, minutes))
    assert unstable.value.utilisation >= 1
    assert "grows without bound" in unstable.value.text


def test_allen_cunneen_halves_the_wait_for_deterministic_service() -> None:
    queue = erlang_c(lanes=4, arrivals_per_hour=100, service_minutes=2)
    assert queue.allen_cunneen_wait_minutes(0.0) == pytest.approx(queue.mean_wait_minutes / 2)
    assert queue.allen_cunneen_wait_minutes(1.0) == pytest.approx(queue.mean_wait_minutes)


@pytest.mark.parametrize(("lanes", "per_hour", "minutes"), [(0, 10, 1), (-2, 10, 1), (2, -1, 1), (2, 10, 0), (2, 10, -3)])
def test_erlang_c_refuses_impossible_queues(lanes: int, per_hour: float, minutes: float) -> None:
    with pytest.raises(ValidationError):
        erlang_c(lanes, per_hour, minutes)
