"""Scenarios: what each decides, the law on a date from the shipped rules, and their order on the same traffic."""

from __future__ import annotations

import datetime as dt

import pytest

from borderplates.errors import ValidationError
from borderplates.simulate import OTHER, Blocked, Calibration, Scenario, Stream, compare_scenarios
from borderplates.simulate.scenarios import scenario_policy
from borderplates.vocabulary import Decision, Mode

PAIR = ("XK", "RS")
KEYS = [
    ("RS", "XK", Mode.PASSENGER),
    ("XK", "RS", Mode.PASSENGER),
    ("RS", "RS", Mode.PASSENGER),
    ("RS", "XK", Mode.BUS),
    (OTHER, "XK", Mode.PASSENGER),
    ("XK", "RS", Mode.PEDESTRIAN),
]
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def controls(scenario: Scenario, **options: object) -> dict[tuple[str, str, Mode], tuple[Decision, ...]]:
    return dict(scenario_policy(scenario, PAIR, KEYS, **options).policy.controls)  # type: ignore[arg-type]


def test_the_law_on_27_september_2021_issues_temporary_registrations_to_serbian_vehicles_entering_kosovo() -> None:
    decided = controls(Scenario.LAW, on=dt.date(2021, 9, 27))
    assert decided[("RS", "XK", Mode.PASSENGER)] == (Decision.ADMIT, Decision.ISSUE_TEMPORARY_REGISTRATION)
    assert decided[("RS", "XK", Mode.BUS)] == (Decision.ADMIT, Decision.ISSUE_TEMPORARY_REGISTRATION)
    # Serbia exchanged RKS plates for its temporary plates too, and Serbian cars went home freely.
    assert decided[("XK", "RS", Mode.PASSENGER)] == (Decision.ADMIT, Decision.ISSUE_TEMPORARY_REGISTRATION)
    assert decided[("RS", "RS", Mode.PASSENGER)] == (Decision.ADMIT, Decision.ADMIT)


def test_the_law_on_1_june_2022_applies_stickers_both_ways() -> None:
    decided = controls(Scenario.LAW, on=dt.date(2022, 6, 1))
    assert decided[("RS", "XK", Mode.PASSENGER)] == (Decision.ADMIT, Decision.APPLY_STICKER)
    assert decided[("XK", "RS", Mode.PASSENGER)] == (Decision.ADMIT, Decision.APPLY_STICKER)


def test_the_law_in_2024_admits_both_sides_vehicles() -> None:
    decided = controls(Scenario.LAW, on=dt.date(2024, 6, 1))
    assert decided[("RS", "XK", Mode.PASSENGER)] == (Decision.ADMIT, Decision.ADMIT)
    assert decided[("XK", "RS", Mode.PASSENGER)] == (Decision.ADMIT, Decision.ADMIT)


def test_the_law_scenario_says_where_the_shipped_rules_are_silent() -> None:
    made = scenario_policy(Scenario.LAW, PAIR, KEYS, on=dt.date(2021, 9, 27))
    assert made.title == "the law on 2021-09-27"
    assert any("leaving RS" in note and "no shipped rule" in note for note in made.notes)
    assert any(note.startswith("plates of neither XK nor RS") for note in made.notes)
    assert made.policy.controls[(OTHER, "XK", Mode.PASSENGER)] == (Decision.ADMIT, Decision.ADMIT)


def test_the_law_scenario_needs_a_date() -> None:
    with pytest.raises(ValidationError, match="needs a date"):
        scenario_policy(Scenario.LAW, PAIR, KEYS)


def test_policy_scenarios_touch_only_foreign_vehicles_entering() -> None:
    plates, stickers, none = controls(Scenario.TEMPORARY_PLATES), controls(Scenario.STICKERS), controls(Scenario.NONE)
    assert plates[("RS", "XK", Mode.PASSENGER)] == (Decision.ADMIT, Decision.ISSUE_TEMPORARY_REGISTRATION)
    assert plates[("XK", "RS", Mode.PASSENGER)] == (Decision.ADMIT, Decision.ISSUE_TEMPORARY_REGISTRATION)
    assert stickers[("RS", "XK", Mode.BUS)] == (Decision.ADMIT, Decision.APPLY_STICKER)
    for scenario in (plates, stickers, none):
        assert scenario[("RS", "RS", Mode.PASSENGER)] == (Decision.ADMIT, Decision.ADMIT)
        assert scenario[("XK", "RS", Mode.PEDESTRIAN)] == (Decision.ADMIT, Decision.ADMIT)
        assert scenario[(OTHER, "XK", Mode.PASSENGER)] == (Decision.ADMIT, Decision.ADMIT)
    assert set(none.values()) == {(Decision.ADMIT, Decision.ADMIT)}


def test_one_side_only_gives_temporary_plates_to_the_chosen_sides_vehicles() -> None:
    default, serbian = controls(Scenario.ONE_SIDE), controls(Scenario.ONE_SIDE, plates_for="RS")
    assert default[("XK", "RS", Mode.PASSENGER)] == (Decision.ADMIT, Decision.ISSUE_TEMPORARY_REGISTRATION)
    assert default[("RS", "XK", Mode.PASSENGER)] == (Decision.ADMIT, Decision.ADMIT)
    assert serbian[("RS", "XK", Mode.PASSENGER)] == (Decision.ADMIT, Decision.ISSUE_TEMPORARY_REGISTRATION)
    assert serbian[("XK", "RS", Mode.PASSENGER)] == (Decision.ADMIT, Decision.ADMIT)
    with pytest.raises(ValidationError, match="not MK"):
        controls(Scenario.ONE_SIDE, plates_for="MK")


def busy_point() -> Calibration:
    """A day at Mutivode with a morning peak in both directions (Mutivode serves passengers, buses and pedestrians)."""
    profile = (1,) * 7 + (6, 9, 10, 10, 9, 8, 7, 7, 6, 5, 4, 3, 2, 2, 1, 1, 1)
    streams = (
        Stream("RS", "XK", Mode.PASSENGER, 12, tuple(float(w) for w in profile)),
        Stream("XK", "RS", Mode.PASSENGER, 8, tuple(float(w) for w in profile)),
        Stream("XK", "RS", Mode.BUS, 0.5),
    )
    return Calibration("mutivode", "XK", dt.date(2021, 9, 20), dt.date(2021, 9, 20), 490, streams, {})


def test_temporary_plates_wait_longer_than_stickers_and_stickers_longer_than_nothing() -> None:
    comparison = compare_scenarios(["temporary-plates", "stickers", "none"], point="mutivode", calibration=busy_point(), days=2, seed=4)
    plates, stickers, none = (comparison.result(s).result.overall for s in ("temporary-plates", "stickers", "none"))
    assert plates.vehicles == stickers.vehicles == none.vehicles
    assert plates.mean_wait_minutes > stickers.mean_wait_minutes > none.mean_wait_minutes  # type: ignore[operator]
    assert plates.p95_wait_minutes >= stickers.p95_wait_minutes >= none.p95_wait_minutes  # type: ignore[operator]
    assert plates.max_queue >= stickers.max_queue >= none.max_queue
    assert comparison.png.startswith(PNG_SIGNATURE)


def test_a_comparison_is_deterministic_for_its_seed() -> None:
    first = compare_scenarios(["stickers"], point="mutivode", calibration=busy_point(), seed=8).as_json()
    again = compare_scenarios(["stickers"], point="mutivode", calibration=busy_point(), seed=8).as_json()
    assert first == again


def test_merdares_demo_week_waits_longer_with_temporary_plates_than_with_stickers() -> None:
    comparison = compare_scenarios(["temporary-plates", "stickers", "law"], on=dt.date(2021, 9, 27), days=1)
    plates, stickers, law = (comparison.result(s).result.overall for s in ("temporary-plates", "stickers", "law"))
    assert comparison.point_name == "Merdarë / Merdare"
    assert plates.mean_wait_minutes > 10 * stickers.mean_wait_minutes  # type: ignore[operator]
    # The law of that day asked temporary plates of both sides' vehicles: the same run, vehicle for vehicle.
    assert law == plates
    shown = comparison.as_json()
    assert shown["volumes"]["source"].startswith("the demo week")
    assert [s["name"] for s in shown["scenarios"]] == ["temporary-plates", "stickers", "law"]
    assert comparison.png.startswith(PNG_SIGNATURE)


def test_a_blocked_period_is_counted_from_the_first_simulated_midnight() -> None:
    comparison = compare_scenarios(["none"], point="mutivode", calibration=busy_point(), blocked=Blocked(8, 10))
    hourly = comparison.result("none").result.hourly_mean_wait
    assert hourly[8] is not None and hourly[8] > 30
    assert hourly[6] is not None and hourly[6] < 1
    assert comparison.as_json()["blocked"]["start_hour"] == 8


@pytest.mark.parametrize(
    ("scenarios", "options", "message"),
    [
        ([], {}, "at least one scenario"),
        (["fast-lane"], {}, "unknown scenario 'fast-lane'"),
        (["none"], {"on": dt.date(2021, 9, 27)}, "only for the law scenario"),
        (["none"], {"days": 0}, "days must be"),
        (["none"], {"days": 400}, "days must be"),
        (["none"], {"point": "jarinje"}, "traffic given is that of mutivode"),
        (["none"], {"blocked": Blocked(30, 31)}, "starts after the 1 simulated day"),
    ],
)
def test_bad_comparisons_are_refused(scenarios: list[str], options: dict[str, object], message: str) -> None:
    with pytest.raises(ValidationError, match=message):
        compare_scenarios(scenarios, **{"point": "mutivode", "calibration": busy_point(), **options})  # type: ignore[arg-type]
