"""Reciprocity between Kosovo and Serbia: who treated whose vehicles how, and when it differed."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from borderplates import law
from borderplates.errors import UnknownJurisdiction
from borderplates.law.reciprocity import representative_vehicle

BELGRADE = ZoneInfo("Europe/Belgrade")


def noon(day: str) -> dt.datetime:
    return dt.datetime.combine(dt.date.fromisoformat(day), dt.time(12), BELGRADE)


@pytest.mark.parametrize(
    ("day", "xk_cars_in_rs", "rs_cars_in_xk", "symmetric"),
    [
        ("2021-06-01", "temporary_registration", "none", False),
        ("2021-09-25", "temporary_registration", "temporary_registration", True),
        ("2022-06-01", "cover_symbols", "cover_symbols", True),
        ("2024-01-03", "none", "cover_symbols", False),
        ("2024-02-01", "none", "none", True),
    ],
)
def test_kosovo_and_serbia_on_the_day(day: str, xk_cars_in_rs: str, rs_cars_in_xk: str, symmetric: bool) -> None:
    comparison = law.compare(law.load(), "XK", "RS", noon(day))
    assert comparison.a_to_b.jurisdiction == "RS"
    assert comparison.a_to_b.vehicle.plate.issuer == "XK"
    assert comparison.a_to_b.requirement.kind == xk_cars_in_rs
    assert comparison.b_to_a.jurisdiction == "XK"
    assert comparison.b_to_a.vehicle.plate.issuer == "RS"
    assert comparison.b_to_a.requirement.kind == rs_cars_in_xk
    assert comparison.symmetric is symmetric


def test_the_comparison_reads_the_same_from_either_side() -> None:
    ab = law.compare(law.load(), "XK", "RS", noon("2021-06-01"))
    ba = law.compare(law.load(), "RS", "XK", noon("2021-06-01"))
    assert ab.a_to_b.requirement == ba.b_to_a.requirement
    assert ab.b_to_a.requirement == ba.a_to_b.requirement
    assert ab.symmetric == ba.symmetric


def test_the_asymmetric_periods_are_exactly_the_two_known_ones() -> None:
    periods = law.asymmetric_periods(law.load(), "XK", "RS")
    assert [(p.start, p.until) for p in periods] == [
        (dt.datetime(2011, 11, 1, tzinfo=BELGRADE), dt.datetime(2021, 9, 20, tzinfo=BELGRADE)),
        (dt.datetime(2024, 1, 1, tzinfo=BELGRADE), dt.datetime(2024, 1, 5, tzinfo=BELGRADE)),
    ]
    assert [(p.start.isoformat(), p.until.isoformat()) for p in periods] == [
        ("2011-11-01T00:00:00+01:00", "2021-09-20T00:00:00+02:00"),
        ("2024-01-01T00:00:00+01:00", "2024-01-05T00:00:00+01:00"),
    ]


def test_the_periods_do_not_depend_on_the_order_of_the_jurisdictions() -> None:
    assert law.asymmetric_periods(law.load(), "RS", "XK") == law.asymmetric_periods(law.load(), "XK", "RS")


@pytest.mark.parametrize(
    ("moment", "symmetric"),
    [
        (dt.datetime(2021, 9, 19, 23, 59, 59, tzinfo=BELGRADE), False),
        (dt.datetime(2021, 9, 20, tzinfo=BELGRADE), True),
        (dt.datetime(2023, 12, 31, 23, 59, 59, tzinfo=BELGRADE), True),
        (dt.datetime(2024, 1, 1, tzinfo=BELGRADE), False),
        (dt.datetime(2024, 1, 4, 23, 59, 59, tzinfo=BELGRADE), False),
        (dt.datetime(2024, 1, 5, tzinfo=BELGRADE), True),
    ],
)
def test_the_period_boundaries_agree_with_the_comparison(moment: dt.datetime, symmetric: bool) -> None:
    assert law.compare(law.load(), "XK", "RS", moment).symmetric is symmetric


def test_the_representative_vehicle_is_a_standard_plate_kept_by_a_resident() -> None:
    xk = representative_vehicle(law.load(), "XK")
    rs = representative_vehicle(law.load(), "RS")
    assert (xk.plate.issuer, xk.plate.kind, xk.resident) == ("XK", "standard", "XK")
    assert (rs.plate.issuer, rs.plate.kind, rs.resident) == ("RS", "standard", "RS")
    assert rs.plate.area is not None
    assert rs.plate.area.territory == "RS"


def test_reciprocity_with_an_unknown_jurisdiction_fails() -> None:
    with pytest.raises(UnknownJurisdiction):
        law.compare(law.load(), "ZZ", "XK", noon("2022-06-01"))
