"""The shipped rules on the day before, of and after each change.

The legislative cases are data, in ``timeline_cases.toml`` next to this file
(OpenFisca's YAML tests); moments there are local to Europe/Belgrade.
"""

from __future__ import annotations

import datetime as dt
import tomllib
from decimal import Decimal
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from borderplates import errors, law, reference
from borderplates.law import Vehicle

BELGRADE = ZoneInfo("Europe/Belgrade")
CASES: list[dict[str, Any]] = tomllib.loads((Path(__file__).parent / "timeline_cases.toml").read_text(encoding="utf-8"))["case"]
EXPECT_KEYS = {"requirement", "validity_days", "fee", "phase", "decision", "rule", "effective_from", "source_mentions", "error"}


def local(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text).replace(tzinfo=BELGRADE)


def vehicle(plate: str, resident: str | None = None, registered_on: dt.date | None = None) -> Vehicle:
    return Vehicle(reference.parse_plate(plate), resident=resident, registered_on=registered_on)


def rule(rule_id: str) -> law.Rule:
    return next(r for r in law.load().rules if r.id == rule_id)


def test_the_case_table_is_well_formed() -> None:
    assert len(CASES) >= 50
    names = [case["name"] for case in CASES]
    assert len(names) == len(set(names))
    for case in CASES:
        assert ("entering" in case) != ("leaving" in case), case["name"]
        assert isinstance(case["at"], dt.datetime)
        assert case["at"].tzinfo is None, case["name"]
        assert set(case["expect"]) <= EXPECT_KEYS, case["name"]
        assert case["expect"], case["name"]


@pytest.mark.parametrize("case", CASES, ids=[case["name"] for case in CASES])
def test_the_law_on_the_day(case: dict[str, Any]) -> None:
    subject = vehicle(case["plate"], case.get("resident"), case.get("registered_on"))
    direction = "entry" if "entering" in case else "exit"
    jurisdiction = case.get("entering") or case["leaving"]
    at = case["at"].replace(tzinfo=BELGRADE)
    expect = case["expect"]
    if "error" in expect:
        with pytest.raises(getattr(errors, expect["error"])):
            law.load().requirement_for(subject, jurisdiction, at, direction)
        return
    ruling = law.load().requirement_for(subject, jurisdiction, at, direction)
    assert ruling.version.status == "in_force"
    assert ruling.requirement.kind == expect["requirement"]
    assert ruling.decision == expect["decision"]
    if "rule" in expect:
        assert ruling.rule.id == expect["rule"]
    if "effective_from" in expect:
        assert ruling.version.id == expect["effective_from"]
    if "validity_days" in expect:
        assert ruling.requirement.validity_days == expect["validity_days"]
    if "fee" in expect:
        assert str(ruling.requirement.fee) == expect["fee"]
    if "phase" in expect:
        assert ruling.enforcement is not None
        assert ruling.enforcement.phase == expect["phase"]
    if "source_mentions" in expect:
        assert expect["source_mentions"] in ruling.version.source.title


def test_temporary_registration_in_kosovo_is_60_days_for_eur_5() -> None:
    ruling = law.load().requirement_for(vehicle("NP 123-AB"), "XK", local("2021-09-27T10:14:00"))
    assert ruling.requirement == law.Requirement("temporary_registration", 60, law.Money(Decimal("5.00"), "EUR"))
    assert ruling.requirement.fee.as_json() == {"amount": "5.00", "currency": "EUR"}
    assert ruling.rule.id == "xk_rs.rs_plates_entering_xk"
    assert ruling.version.effective_from == dt.date(2021, 9, 20)
    assert "2021-09-20" in ruling.version.source.title
    assert ruling.decision == "issue_temporary_registration"
    assert any("2021-09-20" in reason for reason in ruling.reasons)


@pytest.mark.parametrize(
    ("utc", "requirement"),
    [("2021-10-04T05:59:59+00:00", "temporary_registration"), ("2021-10-04T06:00:00+00:00", "cover_symbols")],
)
def test_a_moment_in_another_offset_is_the_same_instant(utc: str, requirement: str) -> None:
    ruling = law.load().requirement_for(vehicle("NP 123-AB"), "XK", dt.datetime.fromisoformat(utc))
    assert ruling.requirement.kind == requirement
    assert ruling.local_at.tzinfo is not None
    assert ruling.local_at.utcoffset() == dt.timedelta(hours=2)


def test_a_naive_moment_is_rejected() -> None:
    with pytest.raises(errors.ValidationError) as caught:
        law.load().requirement_for(vehicle("NP 123-AB"), "XK", dt.datetime(2021, 9, 27, 12))
    assert "offset" in str(caught.value)


def test_no_rule_data_before_the_rules_start_says_when_they_start() -> None:
    with pytest.raises(errors.NoRuleData) as caught:
        law.load().requirement_for(vehicle("NP 123-AB"), "XK", local("2011-10-31T12:00:00"))
    assert "2011-11-01" in str(caught.value)


def test_no_rule_data_for_an_albanian_plate_says_no_rule_covers_it() -> None:
    with pytest.raises(errors.NoRuleData) as caught:
        law.load().requirement_for(vehicle("AA 123 AA"), "XK", local("2022-06-01T12:00:00"))
    assert "AL" in str(caught.value)
    assert "no shipped rule" in str(caught.value)


def test_the_ban_on_renewed_town_plates_names_the_missing_fact() -> None:
    with pytest.raises(errors.MissingFact) as caught:
        law.load().requirement_for(vehicle("KM 123-AB"), "XK", local("2023-01-22T12:00:00"))
    assert caught.value.rule_id == "xk_rs.xk_town_plates_renewed_after_deal"
    assert "registration date" in str(caught.value)
    assert isinstance(caught.value, errors.ValidationError)


# ------------------------------------------------------------------ planned versions

PLANNED = {
    "xk_rs.xk_town_plates_re_registration": [
        ("2022-08-01", "postponed"),
        ("2022-11-21", "postponed"),
        ("2022-11-22", "postponed"),
        ("2022-11-24", "cancelled"),
        ("2023-01-21", "cancelled"),
        ("2023-04-21", "cancelled"),
    ],
    "xk_rs.xk_km_plates_north_deadline": [("2023-12-02", "postponed")],
}


@pytest.mark.parametrize(("rule_id", "planned"), PLANNED.items())
def test_the_planned_versions_are_listed_with_their_status(rule_id: str, planned: list[tuple[str, str]]) -> None:
    assert [(v.id, v.status) for v in rule(rule_id).planned] == planned


def test_only_these_rules_have_planned_versions() -> None:
    assert {r.id for r in law.load().rules if r.planned} == set(PLANNED)


@pytest.mark.parametrize(
    "version",
    [pytest.param(v, id=f"{rule_id}@{v.id}") for rule_id in PLANNED for v in rule(rule_id).planned],
)
def test_a_planned_version_never_decides(version: law.Version) -> None:
    km_resident = vehicle("KM 123-AB", resident="XK", registered_on=dt.date(2022, 1, 1))
    for at in (version.starts_at, version.starts_at + dt.timedelta(hours=12)):
        ruling = law.load().requirement_for(km_resident, "XK", at)
        assert ruling.version.status == "in_force"
        assert ruling.version in ruling.rule.versions
        assert ruling.version not in ruling.rule.planned
        assert (ruling.requirement, ruling.enforcement) != (version.requirement, version.enforcement)


def test_no_fine_was_ever_decided_for_town_plates() -> None:
    km_resident = vehicle("KM 123-AB", resident="XK", registered_on=dt.date(2022, 1, 1))
    day = dt.date(2022, 11, 1)
    while day < dt.date(2022, 11, 30):
        ruling = law.load().requirement_for(km_resident, "XK", dt.datetime.combine(day, dt.time(12), BELGRADE))
        assert ruling.decision != "fine"
        day += dt.timedelta(days=1)
