"""The law's use cases (services/law.py): a ruling for a plate as typed or as already read."""

from __future__ import annotations

import datetime as dt
import json
from zoneinfo import ZoneInfo

import pytest

from borderplates import reference
from borderplates.errors import InvalidPlate, ValidationError
from borderplates.services import law as services
from borderplates.vocabulary import Decision, Direction, VehicleClass

BELGRADE = ZoneInfo("Europe/Belgrade")
AT = dt.datetime(2022, 6, 1, 12, tzinfo=BELGRADE)


def test_a_plate_already_read_gives_the_ruling_of_the_plate_as_typed_without_the_reading_notes() -> None:
    typed, notes = services.rule_for("NP 123-AB", "XK", AT, point_id="jarinje")
    read, law_notes = services.rule_for(reference.parse_plate("NP 123-AB"), "XK", AT, point_id="jarinje")
    assert read == typed
    assert any("it would also fit AL" in note for note in notes())
    assert law_notes() == ()


def test_a_plate_already_read_keeps_the_validity_warnings_of_the_law() -> None:
    ruling, notes = services.rule_for(reference.parse_plate("123-KS-456"), "RS", AT)
    assert ruling.vehicle.plate.kind == "neutral"
    assert any("no longer valid since 2021-09-15" in note for note in notes())


@pytest.mark.parametrize("vehicle_class", ["truck", VehicleClass.TRUCK])
def test_the_vehicle_class_is_taken_as_a_word_or_a_member(vehicle_class: str) -> None:
    ruling, _ = services.rule_for("NP 123-AB", "XK", AT, vehicle_class=vehicle_class)
    assert ruling.vehicle.vehicle_class is VehicleClass.TRUCK
    assert ruling.decision is Decision.APPLY_STICKER


@pytest.mark.parametrize("junk", ["spaceship", "", "x" * 10_000])
def test_an_unknown_vehicle_class_is_refused_naming_the_classes(junk: str) -> None:
    with pytest.raises(ValidationError) as caught:
        services.rule_for("NP 123-AB", "XK", AT, vehicle_class=junk)
    assert "car, van, truck, bus, motorcycle or trailer" in str(caught.value)
    assert len(str(caught.value)) < 150


def test_the_direction_is_taken_as_a_word_or_a_member() -> None:
    assert services.rule_for("NP 123-AB", "XK", AT, "exit")[0] == services.rule_for("NP 123-AB", "XK", AT, Direction.EXIT)[0]


@pytest.mark.parametrize("moment", ["0001-01-01T00:00:00+05:00", "9999-12-31T23:59:59-05:00"])
def test_a_moment_at_the_edge_of_the_calendar_is_a_validation_error_not_an_overflow(moment: str) -> None:
    with pytest.raises(ValidationError, match="outside the moments"):
        services.rule_for("NP 123-AB", "XK", dt.datetime.fromisoformat(moment))


@pytest.mark.parametrize("day", [dt.date(1, 1, 1), dt.date(9999, 12, 31)])
def test_noon_of_a_day_at_the_edge_of_the_calendar_is_judged_a_validation_error(day: dt.date) -> None:
    with pytest.raises(ValidationError, match="outside the moments"):
        services.rule_for("NP 123-AB", "XK", services.local_noon(day, "XK"))


def test_a_plate_mixing_scripts_is_refused_by_the_check() -> None:
    with pytest.raises(InvalidPlate, match="mixes Latin letters"):
        services.rule_for("NР 123-AB", "XK", AT)


def test_the_words_of_the_vocabulary_are_plain_words_in_json() -> None:
    ruling, notes = services.rule_for("NP 123-AB", "XK", AT)
    text = json.dumps(services.check_json(ruling, ruling.decision, notes()))
    for shown in ('"decision": "apply_sticker"', '"kind": "standard"', '"kind": "cover_symbols"', '"phase": "sticker"', '"entering": "XK"'):
        assert shown in text
