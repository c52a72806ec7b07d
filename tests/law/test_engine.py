"""The engine: words from the vocabulary, moments within range, and rulings that do not depend on the fast path.

The engine reads a plate once (:func:`borderplates.reference.parse_plate`, the best
reading built alone) and finds the ruling in a timeline indexed by plate; the
property tests check both against the plain way: every reading, then every rule in
order of precedence.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from borderplates import law, reference
from borderplates.errors import AmbiguousPlate, InvalidPlate, MissingFact, NoRuleData, ValidationError
from borderplates.law import Ruling, Vehicle
from borderplates.law.rules import Rule
from borderplates.vocabulary import MOMENTS_FROM, MOMENTS_UNTIL_EXCLUSIVE, Decision, Direction, Phase, PlateKind, RequirementKind, VehicleClass

BELGRADE = ZoneInfo("Europe/Belgrade")
LAW = law.load()
RS_AREAS = sorted(reference.load().jurisdictions["RS"].areas)


def noon(day: str) -> dt.datetime:
    return dt.datetime.combine(dt.date.fromisoformat(day), dt.time(12), BELGRADE)


def vehicle(text: str, resident: str | None = None) -> Vehicle:
    return Vehicle(reference.parse_plate(text), resident=resident)


# ------------------------------------------------------------------ vocabulary


def test_a_ruling_speaks_the_vocabulary() -> None:
    ruling = LAW.requirement_for(vehicle("NP 123-AB"), "XK", noon("2022-06-01"), "entry")
    assert ruling.direction is Direction.ENTRY
    assert ruling.decision is Decision.APPLY_STICKER
    assert ruling.requirement.kind is RequirementKind.COVER_SYMBOLS
    assert ruling.enforcement is not None
    assert ruling.enforcement.phase is Phase.STICKER
    assert ruling.vehicle.plate.kind is PlateKind.STANDARD
    assert ruling.vehicle.vehicle_class is VehicleClass.CAR
    assert (ruling.decision, ruling.requirement.kind) == ("apply_sticker", "cover_symbols")


def test_every_rule_and_version_is_typed_with_the_vocabulary() -> None:
    for rule in LAW.rules:
        assert isinstance(rule.direction, Direction)
        assert all(isinstance(kind, PlateKind) for kind in rule.kinds or ())
        assert all(isinstance(vehicle_class, VehicleClass) for vehicle_class in rule.vehicle_classes or ())
        for version in (*rule.versions, *rule.planned):
            assert version.requirement is None or isinstance(version.requirement.kind, RequirementKind)
            assert version.enforcement is None or isinstance(version.enforcement.phase, Phase)
            assert version.decision is None or isinstance(version.decision, Decision)


def test_an_exit_is_judged_by_the_exit_rules_whether_the_direction_is_a_word_or_a_member() -> None:
    at = noon("2022-06-01")
    assert LAW.requirement_for(vehicle("NP 123-AB"), "XK", at, "exit") == LAW.requirement_for(vehicle("NP 123-AB"), "XK", at, Direction.EXIT)
    assert LAW.requirement_for(vehicle("NP 123-AB"), "XK", at, "exit").rule.id == "xk_rs.leaving_xk"


def test_an_unknown_direction_is_refused_naming_the_directions() -> None:
    with pytest.raises(ValidationError, match="unknown direction 'sideways': entry or exit"):
        LAW.requirement_for(vehicle("NP 123-AB"), "XK", noon("2022-06-01"), "sideways")


def test_an_unknown_jurisdiction_has_no_rule_data_and_is_not_echoed_whole() -> None:
    with pytest.raises(NoRuleData) as caught:
        LAW.requirement_for(vehicle("NP 123-AB"), "Z" * 10_000, noon("2022-06-01"))
    assert len(str(caught.value)) < 120


# ------------------------------------------------------------------ moments


@pytest.mark.parametrize(
    "moment",
    [
        "0001-01-01T00:00:00+05:00",
        "0001-01-01T00:00:00+00:00",
        "9999-12-31T23:59:59-05:00",
        "9999-12-31T23:59:59+00:00",
        "1899-12-31T23:59:59+00:00",
        "2200-01-01T00:00:00+00:00",
        "2199-12-31T23:00:00-02:00",
    ],
)
def test_a_moment_outside_the_range_handled_is_a_validation_error(moment: str) -> None:
    with pytest.raises(ValidationError) as caught:
        LAW.requirement_for(vehicle("NP 123-AB"), "XK", dt.datetime.fromisoformat(moment))
    assert "1900-01-01 to 2199-12-31" in str(caught.value)


def test_the_first_and_last_moments_handled_are_judged() -> None:
    with pytest.raises(NoRuleData):
        LAW.requirement_for(vehicle("NP 123-AB"), "XK", MOMENTS_FROM)
    last = MOMENTS_UNTIL_EXCLUSIVE - dt.timedelta(microseconds=1)
    assert LAW.requirement_for(vehicle("NP 123-AB"), "XK", last).decision is Decision.ADMIT
    assert LAW.requirement_for(vehicle("NP 123-AB"), "XK", last.astimezone(BELGRADE)).decision is Decision.ADMIT


# ------------------------------------------------------------------ territory


@pytest.mark.parametrize("code", RS_AREAS)
def test_the_town_rules_follow_the_territory_the_reference_data_records(code: str) -> None:
    area = reference.load().jurisdictions["RS"].areas[code]
    ruling = LAW.requirement_for(vehicle(f"{code} 123-AB", resident="XK"), "XK", noon("2022-11-10"))
    in_kosovo = ruling.rule.id == "xk_rs.xk_town_plates_re_registration"
    assert in_kosovo is (area.territory == "XK")


def test_the_shipped_rules_name_no_kosovo_town_by_hand() -> None:
    kosovo_towns = {code for code, area in reference.load().jurisdictions["RS"].areas.items() if area.territory == "XK"}
    assert len(kosovo_towns) == 7
    for rule in LAW.rules:
        assert not (rule.areas or set()) >= kosovo_towns, rule.id


# ------------------------------------------------------------------ the fast path and the plain way


def plain_ruling(the_law: law.Law, vehicle: Vehicle, jurisdiction: str, at: dt.datetime, direction: str) -> Ruling:
    """The ruling found the plain way: every rule of every regime, in order of precedence."""
    utc = at.astimezone(dt.UTC)
    for regime in the_law.regimes:
        for rule in regime.by_precedence:
            if not fits(rule, vehicle, jurisdiction, direction):
                continue
            version = rule.version_at(utc)
            if version is None or version.requirement is None or version.decision is None:
                continue
            if rule.registered_after is not None:
                if vehicle.registered_on is None:
                    raise MissingFact("registration date", rule.id, "")
                if vehicle.registered_on <= rule.registered_after:
                    continue
            return Ruling(vehicle, jurisdiction, Direction(direction), at, rule, version, version.requirement, version.decision)
    raise NoRuleData("")


def fits(rule: Rule, vehicle: Vehicle, jurisdiction: str, direction: str) -> bool:
    plate, area = vehicle.plate, vehicle.plate.area
    return (
        rule.jurisdiction == jurisdiction
        and rule.direction == direction
        and (rule.issuers is None or plate.issuer in rule.issuers)
        and (rule.kinds is None or plate.kind in rule.kinds)
        and (rule.areas is None or (area is not None and area.code in rule.areas))
        and (rule.territories is None or (area is not None and area.territory in rule.territories))
        and (rule.residents is None or vehicle.resident in rule.residents)
        and (rule.vehicle_classes is None or vehicle.vehicle_class in rule.vehicle_classes)
    )


def outcome(decide: Callable[[], Ruling]) -> object:
    """A ruling, or the kind of error raised."""
    try:
        return decide()
    except (NoRuleData, MissingFact, AmbiguousPlate, InvalidPlate) as error:
        return type(error).__name__


KOSOVO_TOWNS = sorted(code for code, area in reference.load().jurisdictions["RS"].areas.items() if area.territory == "XK")
PLATES = st.one_of(
    st.builds("{} {:03d}-{}".format, st.sampled_from([*KOSOVO_TOWNS, "DJ", "DA", "DJA"]), st.integers(0, 999), st.sampled_from(["AB", "TX"])),
    st.builds("{} {:03d}-{}".format, st.sampled_from([*RS_AREAS, "DJ", "DA", "CA", "BC"]), st.integers(0, 999), st.sampled_from(["AB", "TX", "ŠŽ", "YW"])),
    st.builds("{} {:04d} {}".format, st.sampled_from(["BT", "SK", "KU", "NP", "PZ"]), st.integers(0, 9999), st.sampled_from(["AB", "KM"])),
    st.builds("0{}-{:03d}-{}".format, st.integers(1, 7), st.integers(0, 999), st.sampled_from(["AB", "KM"])),
    st.builds("{:03d}-KS-{:03d}".format, st.integers(0, 999), st.integers(0, 999)),
    st.builds("{:02d} CD {:03d}".format, st.integers(0, 99), st.integers(0, 999)),
    st.builds("{} {:03d} {}".format, st.sampled_from(["AA", "TR", "NP"]), st.integers(0, 999), st.sampled_from(["AB", "ZZ"])),
)
ZONES = st.sampled_from([BELGRADE, dt.UTC, dt.timezone(dt.timedelta(hours=-11))])
MOMENTS = st.one_of(
    st.datetimes(min_value=dt.datetime(2011, 10, 1), max_value=dt.datetime(2025, 12, 31), timezones=ZONES),
    st.datetimes(min_value=dt.datetime(2022, 8, 15), max_value=dt.datetime(2024, 2, 1), timezones=ZONES),
)


@settings(deadline=None, max_examples=500)
@given(
    text=PLATES,
    lower=st.booleans(),
    jurisdiction=st.sampled_from(["XK", "RS"]),
    direction=st.sampled_from(["entry", "exit"]),
    at=MOMENTS,
    resident=st.sampled_from([None, "XK", "RS"]),
    vehicle_class=st.sampled_from(list(VehicleClass)),
    registered_on=st.one_of(st.none(), st.dates(dt.date(2010, 1, 1), dt.date(2025, 1, 1))),
)
def test_a_decision_on_the_fast_path_is_the_ruling_on_every_reading_and_every_rule(
    text: str,
    lower: bool,
    jurisdiction: str,
    direction: str,
    at: dt.datetime,
    resident: str | None,
    vehicle_class: VehicleClass,
    registered_on: dt.date | None,
) -> None:
    typed = text.lower() if lower else text
    fast = outcome(lambda: LAW.requirement_for(Vehicle(reference.parse_plate(typed), vehicle_class, resident, registered_on), jurisdiction, at, direction))
    plain = outcome(lambda: plain_ruling(LAW, Vehicle(reference.read_plate(typed).best, vehicle_class, resident, registered_on), jurisdiction, at, direction))
    assert fast == plain
