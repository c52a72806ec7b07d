"""Checking a vehicle: the law's decision, adjusted for what the vehicle holds in the registry."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
import sqlalchemy as sa

from borderplates import reference
from borderplates.errors import UnknownCrossingPoint, UnknownJurisdiction, ValidationError
from borderplates.law import Money
from borderplates.model import NewRegistration, valid_until
from borderplates.registry import Database
from borderplates.registry.numbers import new_number
from borderplates.registry.tables import metadata
from borderplates.services import checks, enforcement, registrations
from borderplates.services.presentation import Presentation
from borderplates.vocabulary import VehicleClass
from tests.conftest import OPERATOR, local, operator

pytestmark = pytest.mark.usefixtures("test_rules")

PLATE = "NP 123-AB"
RESIDENT_KM = "KM 456-XY"


def contents(db: Database) -> dict[str, list[tuple[Any, ...]]]:
    with db.read() as conn:
        return {table.name: [tuple(row) for row in conn.execute(sa.select(table).order_by(*table.primary_key.columns))] for table in metadata.sorted_tables}


def issue(db: Database, plate: str = PLATE, at: dt.datetime | None = None) -> registrations.Registration:
    return registrations.issue_temporary_registration(
        Presentation(plate, "XK", at or local(2021, 9, 20, 10), point="jarinje"), actor=operator("clerk-1"), db=db
    )


def insert_registration(db: Database, plate_text: str, valid_from: dt.date) -> str:
    """A registration put in the registry directly (as if issued under an earlier regime)."""
    plate = reference.parse_plate(plate_text)
    at = local(valid_from.year, valid_from.month, valid_from.day, 10)
    number = new_number()
    with db.begin() as uow:
        vehicle = uow.vehicles.ensure(plate, vehicle_class=VehicleClass.CAR, resident=None, vin=None, at=at, actor="test", point=None)
        fee = Money(Decimal("5.00"), "EUR")
        new = NewRegistration(number, vehicle, "XK", valid_from, valid_until(valid_from, 60), fee, "earlier.rule", "2019-01-01", at, "jarinje", "clerk-0")
        uow.registrations.add(new, plate=plate.canonical, issuer=plate.issuer)
        uow.commit()
    return number


def test_a_vehicle_without_a_registration_must_get_one(db):
    check = checks.check_vehicle(Presentation(PLATE, "XK", local(2021, 9, 27, 10), point="jarinje"), actor=OPERATOR, db=db)
    assert check.decision == "issue_temporary_registration"
    assert check.registration is None
    assert "the vehicle holds no active temporary registration" in check.reasons
    assert check.as_json()["registration"] is None


def test_a_vehicle_with_a_valid_registration_is_admitted_with_it_in_the_result(db):
    issued = issue(db)
    check = checks.check_vehicle(Presentation(PLATE, "XK", local(2021, 10, 1, 10), point="jarinje"), actor=OPERATOR, db=db)
    assert check.decision == "admit"
    assert check.registration == issued
    assert f"holds temporary registration {issued.number}, valid 2021-09-20 to 2021-11-18" in check.reasons
    payload = check.as_json()
    assert (payload["decision"], payload["registration"]["number"], payload["registration"]["valid_until"]) == ("admit", issued.number, "2021-11-18")


@pytest.mark.parametrize(
    ("day", "left", "notice"),
    [
        (15, 3, None),
        (16, 2, "notice: it expires in 2 days; tell the driver to renew it"),
        (17, 1, "notice: it expires in 1 day; tell the driver to renew it"),
        (18, 0, "notice: it expires today; tell the driver to renew it"),
    ],
)
def test_a_registration_in_its_last_days_admits_with_a_notice_to_renew_it(db, day, left, notice):
    issue(db)  # valid until 2021-11-18
    check = checks.check_vehicle(Presentation(PLATE, "XK", local(2021, 11, day, 23, 50), point="jarinje"), actor=OPERATOR, db=db)
    assert (check.decision, check.days_left, check.renew) == ("admit", left, notice is not None)
    assert [reason for reason in check.reasons if reason.startswith("notice:")] == ([notice] if notice else [])


def test_an_own_plate_entering_its_jurisdiction_is_admitted_and_a_held_registration_is_irrelevant(db):
    number = insert_registration(db, "01-123-AB", dt.date(2021, 9, 20))
    check = checks.check_vehicle(Presentation("01-123-AB", "XK", local(2021, 9, 27, 10), point="jarinje"), actor=OPERATOR, db=db)
    assert check.decision == "admit"
    assert check.registration is None
    assert not any(number in reason for reason in check.reasons)


def test_after_the_law_stops_requiring_registrations_a_held_one_is_irrelevant(db):
    issued = issue(db, at=local(2029, 12, 20, 10))  # valid until 2030-02-17
    check = checks.check_vehicle(Presentation(PLATE, "XK", local(2030, 1, 2, 10), point="jarinje"), actor=OPERATOR, db=db)
    assert check.decision == "admit"
    assert check.registration is None
    assert check.ruling.requirement.kind == "none"
    assert not any(issued.number in reason for reason in check.reasons)


def test_an_expired_registration_means_issue_again_with_a_reason_naming_it(db):
    issued = issue(db)
    check = checks.check_vehicle(Presentation(PLATE, "XK", local(2021, 12, 1, 10), point="jarinje"), actor=OPERATOR, db=db)
    assert check.decision == "issue_temporary_registration"
    assert check.registration is not None and check.registration.number == issued.number
    assert f"temporary registration {issued.number} expired after 2021-11-18; a new one is needed" in check.reasons


@pytest.mark.parametrize("end", ["cancel", "return"])
def test_a_cancelled_or_returned_registration_does_not_admit(db, end):
    issued = issue(db)
    if end == "cancel":
        registrations.cancel(issued.number, local(2021, 9, 21, 9), actor=operator("c"), reason="lost", db=db)
    else:
        registrations.return_on_exit(issued.number, local(2021, 9, 21, 9), actor=operator("o"), point="jarinje", db=db)
    check = checks.check_vehicle(Presentation(PLATE, "XK", local(2021, 9, 22, 10), point="jarinje"), actor=OPERATOR, db=db)
    assert check.decision == "issue_temporary_registration"
    assert check.registration is None


def test_a_registration_for_another_vehicle_does_not_count(db):
    issue(db, plate="BG 999-ZZ")
    assert (
        checks.check_vehicle(Presentation(PLATE, "XK", local(2021, 9, 27, 10), point="jarinje"), actor=OPERATOR, db=db).decision
        == "issue_temporary_registration"
    )


def test_the_warning_phase_decides_warn_and_counts_earlier_warnings(db):
    at = local(2020, 3, 2, 10)
    first = checks.check_vehicle(Presentation(RESIDENT_KM, "XK", at, point="jarinje", resident="XK"), actor=OPERATOR, db=db)
    assert first.decision == "warn"
    assert not any("recorded earlier" in reason for reason in first.reasons)
    enforcement.record_warning(Presentation(RESIDENT_KM, "XK", at, point="jarinje", resident="XK"), actor=operator("o1"), db=db)
    second = checks.check_vehicle(Presentation(RESIDENT_KM, "XK", at + dt.timedelta(days=1), point="jarinje", resident="XK"), actor=OPERATOR, db=db)
    assert second.decision == "warn"
    assert "recorded earlier for this vehicle under this rule: 1 warning" in second.reasons
    enforcement.record_warning(Presentation(RESIDENT_KM, "XK", at + dt.timedelta(days=1), point="brnjak", resident="XK"), actor=operator("o2"), db=db)
    third = checks.check_vehicle(Presentation(RESIDENT_KM, "XK", at + dt.timedelta(days=2), point="jarinje", resident="XK"), actor=OPERATOR, db=db)
    assert "recorded earlier for this vehicle under this rule: 2 warnings" in third.reasons


def test_the_fine_phase_decides_fine_and_counts_earlier_fines(db):
    at = local(2020, 8, 3, 10)
    first = checks.check_vehicle(Presentation(RESIDENT_KM, "XK", at, point="jarinje", resident="XK"), actor=OPERATOR, db=db)
    assert first.decision == "fine"
    assert first.ruling.enforcement is not None and first.ruling.enforcement.fine is not None
    assert str(first.ruling.enforcement.fine.amount) == "150.00"
    assert not any("recorded earlier" in reason for reason in first.reasons)
    enforcement.record_fine(Presentation(RESIDENT_KM, "XK", at, point="jarinje", resident="XK"), actor=operator("o1"), db=db)
    second = checks.check_vehicle(Presentation(RESIDENT_KM, "XK", at + dt.timedelta(days=1), point="jarinje", resident="XK"), actor=OPERATOR, db=db)
    assert second.decision == "fine"
    assert "recorded earlier for this vehicle under this rule: 1 fine" in second.reasons


def test_the_fine_phase_also_shows_the_warnings_of_the_warning_phase(db):
    enforcement.record_warning(Presentation(RESIDENT_KM, "XK", local(2020, 3, 2, 10), point="jarinje", resident="XK"), actor=operator("o1"), db=db)
    enforcement.record_fine(Presentation(RESIDENT_KM, "XK", local(2020, 8, 3, 10), point="jarinje", resident="XK"), actor=operator("o1"), db=db)
    check = checks.check_vehicle(Presentation(RESIDENT_KM, "XK", local(2020, 8, 4, 10), point="jarinje", resident="XK"), actor=OPERATOR, db=db)
    assert check.decision == "fine"
    assert "recorded earlier for this vehicle under this rule: 1 warning, 1 fine" in check.reasons


def test_without_the_residence_the_same_plate_falls_under_the_temporary_registration_rule(db):
    check = checks.check_vehicle(Presentation(RESIDENT_KM, "XK", local(2020, 3, 2, 10), point="jarinje"), actor=OPERATOR, db=db)
    assert check.decision == "issue_temporary_registration"


def test_leaving_is_checked_by_the_exit_rule(db):
    check = checks.check_vehicle(Presentation(PLATE, "XK", local(2021, 9, 27, 10), "exit", point="jarinje"), actor=OPERATOR, db=db)
    assert (check.decision, check.ruling.direction, check.registration) == ("admit", "exit", None)
    assert check.as_json()["leaving"] == "XK"


def test_a_check_without_a_crossing_point_is_answered(db):
    issued = issue(db)
    check = checks.check_vehicle(Presentation(PLATE, "XK", local(2021, 9, 27, 10)), actor=OPERATOR, db=db)
    assert check.decision == "admit" and check.registration == issued


def test_a_check_never_writes_to_the_registry(db):
    issue(db, plate="BG 999-ZZ")
    before = contents(db)
    checks.check_vehicle(Presentation(PLATE, "XK", local(2021, 9, 27, 10), point="jarinje"), actor=OPERATOR, db=db)
    checks.check_vehicle(Presentation(RESIDENT_KM, "XK", local(2020, 3, 2, 10), point="jarinje", resident="XK"), actor=OPERATOR, db=db)
    checks.check_vehicle(Presentation("BG 999-ZZ", "XK", local(2021, 12, 27, 10), point="jarinje"), actor=OPERATOR, db=db)
    assert contents(db) == before


@pytest.mark.parametrize(
    ("arguments", "error"),
    [
        ({"direction": "sideways"}, ValidationError),
        ({"at": dt.datetime(2021, 9, 27, 10)}, ValidationError),
        ({"jurisdiction": "XX"}, UnknownJurisdiction),
        ({"point": "atlantis"}, UnknownCrossingPoint),
        ({"jurisdiction": "ME"}, ValidationError),  # jarinje is not on Montenegro's border
        ({"plate": "???"}, ValidationError),
    ],
)
def test_bad_input_to_a_check_is_a_validation_error(db, arguments, error):
    values: dict[str, Any] = {"plate": PLATE, "jurisdiction": "XK", "at": local(2021, 9, 27, 10), "direction": "entry", "point": "jarinje", **arguments}
    with pytest.raises(error):
        checks.check_vehicle(
            Presentation(values["plate"], values["jurisdiction"], values["at"], values["direction"], point=values["point"]), actor=OPERATOR, db=db
        )
