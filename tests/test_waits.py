"""Wait estimates on synthetic crossing streams whose answers are known.

A steady stream of one crossing a minute is 60 an hour: with 10 vehicles in front,
Little's law gives 10 minutes. Matched plate reads with chosen durations give their
median. The module is pure: it reads no clock and imports only the vocabulary and
the errors.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from statistics import median
from zoneinfo import ZoneInfo

import pytest

from borderplates import waits
from borderplates.errors import ValidationError
from borderplates.vocabulary import Mode, WaitMethod
from borderplates.waits import (
    METRES_PER_VEHICLE,
    MatchedRead,
    PlateRead,
    QueueObservation,
    WaitSettings,
    estimate_wait,
    latest_observation,
    manual_wait,
    match_reads,
    measured_wait,
    model_wait,
)
from tests.test_layers import clock_reads, package_imports

AT = dt.datetime(2024, 7, 1, 12, 0, tzinfo=ZoneInfo("Europe/Belgrade"))


def minutes(value: float) -> dt.timedelta:
    return dt.timedelta(minutes=value)


def steady(per_hour: int, over: dt.timedelta = dt.timedelta(hours=2), end: dt.datetime = AT) -> list[dt.datetime]:
    """Crossings at a steady rate, the last one at ``end``."""
    gap = dt.timedelta(hours=1) / per_hour
    count = int(over / gap)
    return [end - gap * i for i in range(count)]


def seen(ago: float = 5, lanes: int = 2, **values: float) -> QueueObservation:
    return QueueObservation(at=AT - minutes(ago), lanes_open=lanes, **values)  # type: ignore[arg-type]


def reads(durations: list[float], ago: float = 1) -> list[MatchedRead]:
    """Matched reads reaching the booth ``ago`` minutes before AT, one per duration (in minutes)."""
    return [MatchedRead(f"P{i}", AT - minutes(ago) - minutes(d), AT - minutes(ago)) for i, d in enumerate(durations)]


@pytest.mark.parametrize(("per_hour", "queue"), [(60, 10), (120, 30), (20, 4), (240, 1)])
def test_littles_law_divides_the_queue_by_the_throughput(per_hour: int, queue: int) -> None:
    estimate = estimate_wait(at=AT, mode=Mode.PASSENGER, crossings=steady(per_hour), observations=[seen(vehicles=queue)], max_lanes=6)
    assert estimate.method == WaitMethod.MODEL
    assert estimate.delay_minutes == pytest.approx(queue / (per_hour / 60))
    assert (estimate.unbounded, estimate.stale, estimate.lanes_open, estimate.max_lanes) == (False, False, 2, 6)
    assert estimate.samples == per_hour // 4
    assert estimate.updated_at == AT - minutes(5)


def test_a_steady_60_an_hour_with_10_in_front_is_10_minutes() -> None:
    estimate = estimate_wait(at=AT, mode="passenger", crossings=steady(60), observations=[seen(vehicles=10)])
    assert estimate.delay_minutes == pytest.approx(10.0)


def test_only_the_crossings_of_the_last_window_count() -> None:
    old_rush = steady(600, over=dt.timedelta(minutes=30), end=AT - dt.timedelta(hours=1))
    estimate = estimate_wait(at=AT, mode="passenger", crossings=old_rush + steady(60), observations=[seen(vehicles=10)])
    assert estimate.delay_minutes == pytest.approx(10.0)
    wide = estimate_wait(
        at=AT, mode="passenger", crossings=steady(60), observations=[seen(vehicles=10)], settings=WaitSettings(window=dt.timedelta(minutes=60))
    )
    assert wide.samples == 60
    assert wide.delay_minutes == pytest.approx(10.0)


@pytest.mark.parametrize(("mode", "metres"), [(Mode.PASSENGER, 130.0), (Mode.CARGO, 360.0), (Mode.BUS, 150.0)])
def test_a_queue_in_metres_is_turned_into_vehicles_by_the_length_of_one(mode: Mode, metres: float) -> None:
    estimate = estimate_wait(at=AT, mode=mode, crossings=steady(60), observations=[seen(metres=metres)])
    assert estimate.delay_minutes == pytest.approx(metres / METRES_PER_VEHICLE[mode])


def test_the_metres_per_vehicle_are_the_usual_road_figures() -> None:
    assert (METRES_PER_VEHICLE[Mode.PASSENGER], METRES_PER_VEHICLE[Mode.CARGO]) == (6.5, 18.0)
    assert set(METRES_PER_VEHICLE) == set(Mode)


def test_a_queue_with_nothing_crossing_is_unbounded_not_a_division_by_zero() -> None:
    estimate = estimate_wait(at=AT, mode="cargo", crossings=[AT - dt.timedelta(hours=1)], observations=[seen(vehicles=12)])
    assert estimate.method == WaitMethod.MODEL
    assert estimate.delay_minutes is None
    assert estimate.unbounded
    assert estimate.samples == 0


def test_an_empty_queue_is_a_real_zero_wait() -> None:
    estimate = estimate_wait(at=AT, mode="passenger", crossings=[AT - dt.timedelta(hours=1)], observations=[seen(vehicles=0)])
    assert (estimate.method, estimate.delay_minutes, estimate.unbounded) == (WaitMethod.MODEL, 0.0, False)


def test_with_nothing_known_the_wait_is_unknown_never_zero() -> None:
    estimate = estimate_wait(at=AT, mode="passenger", max_lanes=4)
    assert (estimate.method, estimate.delay_minutes, estimate.unbounded, estimate.updated_at, estimate.lanes_open, estimate.max_lanes) == (
        None,
        None,
        False,
        None,
        None,
        4,
    )


def test_without_recorded_crossings_there_is_no_model_and_staff_figures_decide() -> None:
    assert model_wait([], seen(vehicles=10), at=AT, mode="passenger") is None
    assert model_wait([AT + minutes(10)], seen(vehicles=10), at=AT, mode="passenger") is None
    estimate = estimate_wait(at=AT, mode="passenger", observations=[seen(vehicles=10, served_per_lane_per_hour=30)])
    assert estimate.method == WaitMethod.MANUAL
    assert estimate.delay_minutes == pytest.approx(10.0)


def test_crossings_alone_give_no_wait_without_the_queue_in_front() -> None:
    estimate = estimate_wait(at=AT, mode="passenger", crossings=steady(60))
    assert estimate.method is None
    assert estimate.delay_minutes is None


@pytest.mark.parametrize("durations", [[4, 6, 9, 30, 5], [12, 14, 13], [3.5, 2.5, 8, 20]])
def test_matched_reads_give_the_median_of_their_durations(durations: list[float]) -> None:
    estimate = estimate_wait(at=AT, mode="passenger", matched=reads(durations))
    assert estimate.method == WaitMethod.MEASURED
    assert estimate.delay_minutes == pytest.approx(median(durations))
    assert estimate.samples == len(durations)
    assert estimate.updated_at == AT - minutes(1)


def test_measured_waits_win_over_the_model_and_the_staff_figure() -> None:
    estimate = estimate_wait(at=AT, mode="passenger", crossings=steady(60), observations=[seen(vehicles=10, wait_minutes=45)], matched=reads([20, 22, 24]))
    assert (estimate.method, estimate.delay_minutes, estimate.lanes_open) == (WaitMethod.MEASURED, 22, 2)


def test_the_model_wins_over_the_wait_staff_entered() -> None:
    estimate = estimate_wait(at=AT, mode="passenger", crossings=steady(60), observations=[seen(vehicles=10, wait_minutes=45)])
    assert estimate.method == WaitMethod.MODEL
    assert estimate.delay_minutes == pytest.approx(10.0)
    staff = manual_wait(seen(vehicles=10, wait_minutes=45), at=AT, mode="passenger")
    assert staff is not None
    assert (staff.method, staff.delay_minutes) == (WaitMethod.MANUAL, 45.0)


def test_too_few_matched_reads_are_not_a_measurement() -> None:
    assert measured_wait(reads([5, 6]), at=AT) is None
    estimate = estimate_wait(at=AT, mode="passenger", crossings=steady(60), observations=[seen(vehicles=10)], matched=reads([5, 6]))
    assert estimate.method == WaitMethod.MODEL
    assert measured_wait(reads([5, 6]), at=AT, settings=WaitSettings(min_reads=2)) is not None


def test_reads_that_reached_the_booth_before_the_window_do_not_count() -> None:
    assert measured_wait(reads([5, 6, 7], ago=16), at=AT) is None
    assert measured_wait(reads([5, 6, 7], ago=14), at=AT) is not None


@pytest.mark.parametrize(
    ("observation", "expected"),
    [
        (seen(vehicles=30, lanes=2, served_per_lane_per_hour=30), 30.0),
        (seen(vehicles=30, lanes=3, served_per_lane_per_hour=60), 10.0),
        (seen(metres=650, lanes=1, served_per_lane_per_hour=50), 120.0),
        (seen(vehicles=0, lanes=1), 0.0),
        (seen(wait_minutes=25, vehicles=30, served_per_lane_per_hour=60), 25.0),
    ],
)
def test_a_staff_observation_alone_gives_a_manual_wait(observation: QueueObservation, expected: float) -> None:
    estimate = estimate_wait(at=AT, mode="passenger", observations=[observation])
    assert estimate.method == WaitMethod.MANUAL
    assert estimate.delay_minutes == pytest.approx(expected)
    assert estimate.samples == 1


def test_a_queue_with_every_lane_closed_is_unbounded_for_staff_too() -> None:
    estimate = manual_wait(seen(vehicles=8, lanes=0, served_per_lane_per_hour=40), at=AT, mode="passenger")
    assert estimate is not None
    assert (estimate.delay_minutes, estimate.unbounded, estimate.lanes_open) == (None, True, 0)


def test_a_queue_length_without_a_rate_gives_no_manual_wait() -> None:
    assert manual_wait(seen(vehicles=8), at=AT, mode="passenger") is None


def test_an_old_observation_makes_a_stale_estimate() -> None:
    fresh = estimate_wait(at=AT, mode="passenger", crossings=steady(60), observations=[seen(ago=30, vehicles=10)])
    old = estimate_wait(at=AT, mode="passenger", crossings=steady(60), observations=[seen(ago=31, vehicles=10)])
    assert (fresh.stale, old.stale) == (False, True)
    assert old.delay_minutes == pytest.approx(10.0)
    assert estimate_wait(at=AT, mode="passenger", observations=[seen(ago=31, vehicles=10)], settings=WaitSettings(stale_after=minutes(60))).stale is False


def test_a_fresh_estimate_wins_over_a_stale_one_whatever_its_method() -> None:
    settings = WaitSettings(window=minutes(60), stale_after=minutes(30))
    estimate = estimate_wait(at=AT, mode="passenger", observations=[seen(ago=5, wait_minutes=12)], matched=reads([40, 41, 42], ago=45), settings=settings)
    assert (estimate.method, estimate.delay_minutes, estimate.stale) == (WaitMethod.MANUAL, 12.0, False)


def test_values_stamped_after_the_moment_are_ignored_beyond_the_clock_allowance() -> None:
    far_future = [AT + minutes(10)] * 100
    estimate = estimate_wait(at=AT, mode="passenger", crossings=steady(60) + far_future, observations=[seen(vehicles=10), seen(ago=-10, vehicles=500)])
    assert estimate.delay_minutes == pytest.approx(10.0)
    assert estimate.updated_at == AT - minutes(5)


def test_a_clock_a_little_ahead_counts_as_now() -> None:
    ahead = seen(ago=-1, vehicles=20)
    assert latest_observation([seen(vehicles=10), ahead], at=AT) == ahead
    estimate = estimate_wait(at=AT, mode="passenger", crossings=steady(60), observations=[ahead])
    assert estimate.updated_at == AT
    assert not estimate.stale
    assert estimate.delay_minutes == pytest.approx(20.0)


def test_model_wait_counts_only_the_window_within_the_allowance() -> None:
    estimate = model_wait([AT + minutes(1), AT + minutes(3), AT - minutes(14), AT - minutes(16)], seen(vehicles=4), at=AT, mode="passenger")
    assert estimate is not None
    assert estimate.samples == 2


def test_booth_reads_pair_with_the_same_plates_latest_earlier_queue_read() -> None:
    queued = [PlateRead("NP123AB", AT - minutes(30)), PlateRead("NP123AB", AT - minutes(20)), PlateRead("01123AB", AT - minutes(12))]
    booth = [PlateRead("NP123AB", AT - minutes(5)), PlateRead("01123AB", AT - minutes(2)), PlateRead("BG999XX", AT - minutes(1))]
    matched = match_reads(queued, booth)
    assert [(m.plate, m.minutes) for m in matched] == [("NP123AB", 15.0), ("01123AB", 10.0)]


def test_a_queue_read_pairs_once_and_never_with_an_earlier_booth_read() -> None:
    queued = [PlateRead("KM100AA", AT - minutes(40)), PlateRead("KM200AA", AT - minutes(5))]
    booth = [PlateRead("KM100AA", AT - minutes(30)), PlateRead("KM100AA", AT - minutes(10)), PlateRead("KM200AA", AT - minutes(8))]
    assert [(m.plate, m.booth_at) for m in match_reads(queued, booth)] == [("KM100AA", AT - minutes(30))]


def test_a_pair_further_apart_than_the_longest_wait_is_not_a_match() -> None:
    queued = [PlateRead("NI555BB", AT - dt.timedelta(hours=13))]
    booth = [PlateRead("NI555BB", AT)]
    assert match_reads(queued, booth) == ()
    assert len(match_reads(queued, booth, max_wait=dt.timedelta(hours=14))) == 1


@pytest.mark.parametrize(
    ("make", "words"),
    [
        (lambda: QueueObservation(at=dt.datetime(2024, 7, 1, 12), lanes_open=1), "time zone"),
        (lambda: QueueObservation(at=AT, lanes_open=-1), "lanes open"),
        (lambda: QueueObservation(at=AT, lanes_open=1, vehicles=2.5), "whole number"),  # type: ignore[arg-type]
        (lambda: QueueObservation(at=AT, lanes_open=1, metres=-3.0), "metres"),
        (lambda: QueueObservation(at=AT, lanes_open=1, vehicles=10**20), "from 0 to 100,000"),
        (lambda: QueueObservation(at=AT, lanes_open=101), "lanes open must be a whole number from 0 to 100"),
        (lambda: QueueObservation(at=AT, lanes_open=1, wait_minutes=float("nan")), "wait minutes"),
        (lambda: QueueObservation(at=AT, lanes_open=1, metres=float("inf")), "metres"),
        (lambda: QueueObservation(at=AT, lanes_open=1, served_per_lane_per_hour=0), "service rate"),
        (lambda: PlateRead("NP123AB", dt.datetime(2024, 7, 1, 12)), "time zone"),
        (lambda: estimate_wait(at=dt.datetime(2024, 7, 1, 12), mode="passenger"), "time zone"),
        (lambda: estimate_wait(at=AT, mode="horse", observations=[seen(metres=10)]), "pedestrian"),
        (lambda: estimate_wait(at=AT, mode="passenger", crossings=[dt.datetime(2024, 7, 1, 11)], observations=[seen(vehicles=1)]), "crossing time"),
        (lambda: WaitSettings(window=dt.timedelta(0)), "window"),
        (lambda: WaitSettings(min_reads=0), "read"),
    ],
)
def test_bad_input_is_refused_with_a_clear_message(make: object, words: str) -> None:
    with pytest.raises(ValidationError, match=words):
        make()  # type: ignore[operator]


def test_the_waits_module_is_pure() -> None:
    path = Path(waits.__file__)
    assert package_imports(path, "borderplates.waits") == {"borderplates.errors", "borderplates.vocabulary"}
    assert clock_reads(path) == []
