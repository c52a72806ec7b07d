"""Calibration from recorded crossings: synthetic streams with known counts, and the demo week."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from borderplates.errors import UnknownCrossingPoint, ValidationError
from borderplates.simulate import OTHER, RecordedCrossing, calibrate, demo_week_calibration
from borderplates.vocabulary import Decision, Mode

BELGRADE = ZoneInfo("Europe/Belgrade")


def crossing(
    day: int, hour: int, direction: str, issuer: str, *, decision: str = "admit", jurisdiction: str = "XK", point: str = "merdare"
) -> RecordedCrossing:
    at = dt.datetime(2021, 9, day, hour, 17, tzinfo=BELGRADE).astimezone(dt.UTC)
    return RecordedCrossing(at, point, direction, jurisdiction, "passenger", decision, issuer)


def records() -> list[RecordedCrossing]:
    """Two days at Merdare as Kosovo's booths record them, plus records that must not count."""
    found = []
    for day in (20, 21):
        found += [crossing(day, 10, "entry", "RS", decision="issue_temporary_registration") for _ in range(6)]
        found += [crossing(day, 10, "entry", "RS") for _ in range(2)]
        found += [crossing(day, 15, "exit", "XK") for _ in range(4)]
        found += [crossing(day, 9, "entry", "MK")]
        # The same passages towards Serbia, as Serbia's booths record them: not counted again.
        found += [crossing(day, 15, "entry", "XK", jurisdiction="RS", decision="issue_temporary_registration") for _ in range(4)]
        found += [crossing(day, 10, "entry", "RS", point="konculj") for _ in range(5)]
    return found


def test_calibration_counts_each_passage_once_from_one_sides_records() -> None:
    calibration = calibrate(records(), "merdare")
    assert calibration.side == "XK"
    assert calibration.days == 2
    assert calibration.records == 2 * (6 + 2 + 4 + 1)
    assert calibration.per_day() == {("RS", "XK", Mode.PASSENGER): 8.0, (OTHER, "XK", Mode.PASSENGER): 1.0, ("XK", "RS", Mode.PASSENGER): 4.0}


def test_calibration_gives_each_stream_its_hourly_profile_and_mean_rate() -> None:
    streams = {(s.origin, s.towards, s.mode): s for s in calibrate(records(), "merdare").streams}
    into_kosovo = streams[("RS", "XK", Mode.PASSENGER)]
    assert into_kosovo.arrivals_per_hour == pytest.approx(8 / 24)
    assert into_kosovo.hourly_rates()[10] == pytest.approx(8.0)
    assert into_kosovo.hourly_rates().sum() == pytest.approx(8.0)
    assert streams[("XK", "RS", Mode.PASSENGER)].hourly_rates()[15] == pytest.approx(4.0)


def test_calibration_gives_the_decision_mix_of_each_stream() -> None:
    mix = calibrate(records(), "merdare").decision_mix
    assert mix[("RS", "XK", Mode.PASSENGER)] == {Decision.ISSUE_TEMPORARY_REGISTRATION: 0.75, Decision.ADMIT: 0.25}
    assert mix[("XK", "RS", Mode.PASSENGER)] == {Decision.ADMIT: 1.0}


def test_calibration_can_read_the_other_sides_records() -> None:
    calibration = calibrate(records(), "merdare", side="RS")
    assert calibration.per_day() == {("XK", "RS", Mode.PASSENGER): 4.0}
    assert calibration.decision_mix[("XK", "RS", Mode.PASSENGER)] == {Decision.ISSUE_TEMPORARY_REGISTRATION: 1.0}


def test_calibration_without_records_at_the_point_is_a_clear_error() -> None:
    with pytest.raises(ValidationError, match="no crossings recorded by XK at Mutivodë / Mutivode"):
        calibrate(records(), "mutivode")
    with pytest.raises(ValidationError, match="not AL"):
        calibrate(records(), "merdare", side="AL")
    with pytest.raises(UnknownCrossingPoint):
        calibrate(records(), "nowhere")


def test_merdares_demo_week_is_its_busiest_traffic_into_kosovo() -> None:
    calibration = demo_week_calibration("merdare")
    per_day = calibration.per_day()
    assert (calibration.first_on, calibration.last_on) == (dt.date(2021, 9, 20), dt.date(2021, 9, 26))
    assert per_day[("RS", "XK", Mode.PASSENGER)] > 500
    assert per_day[("RS", "XK", Mode.PASSENGER)] > 3 * per_day[("XK", "RS", Mode.PASSENGER)]
    rates = next(s for s in calibration.streams if (s.origin, s.towards, s.mode) == ("RS", "XK", Mode.PASSENGER)).hourly_rates()
    assert rates[11] > 5 * rates[3]  # busiest late in the morning, quiet at night
