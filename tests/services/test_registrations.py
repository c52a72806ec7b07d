"""Issuing, checking and expiring temporary registrations, on SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
import sqlalchemy as sa

from borderplates.errors import ConflictError, NotFound, UnknownCrossingPoint, ValidationError
from borderplates.law import Money
from borderplates.registry import Database
from borderplates.registry.numbers import format_number, is_valid_number
from borderplates.registry.tables import audit_log, metadata, temporary_registrations, vehicles
from borderplates.services import checks, registrations
from borderplates.services.presentation import Presentation
from tests.conftest import OPERATOR, local, operator

pytestmark = pytest.mark.usefixtures("test_rules")

PLATE = "NP 123-AB"


def contents(db: Database) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every registry table, to prove that a refused call changed nothing."""
    with db.read() as conn:
        return {table.name: [tuple(row) for row in conn.execute(sa.select(table).order_by(*table.primary_key.columns))] for table in metadata.sorted_tables}


def issue(
    db: Database, plate: str = PLATE, at: dt.datetime | None = None, *, clerk: str = "clerk-1", request_key: str | None = None, **facts: Any
) -> registrations.Registration:
    facts.setdefault("point", "jarinje")
    presentation = Presentation(plate, "XK", at or local(2021, 9, 20, 10), **facts)
    return registrations.issue_temporary_registration(presentation, actor=operator(clerk), request_key=request_key, db=db)


def audit_rows(db: Database, **where: Any) -> list[sa.Row[Any]]:
    query = sa.select(audit_log).order_by(audit_log.c.id)
    for column, value in where.items():
        query = query.where(audit_log.c[column] == value)
    with db.read() as conn:
        return list(conn.execute(query))


def registration_id(db: Database, number: str) -> int:
    with db.read() as conn:
        return int(conn.execute(sa.select(temporary_registrations.c.id).where(temporary_registrations.c.number == number)).scalar_one())


# Validity ------------------------------------------------------------------------------------


def test_valid_sixty_days_means_through_the_fifty_ninth_day_after_issue(db):
    issued = registrations.issue_temporary_registration(Presentation("NP 123-AB", "XK", local(2021, 9, 20, 10), point="jarinje"), actor=operator("c1"), db=db)
    assert (issued.valid_from, issued.valid_until) == (dt.date(2021, 9, 20), dt.date(2021, 11, 18))
    assert checks.check_vehicle(Presentation("NP 123-AB", "XK", local(2021, 11, 18, 23, 59), point="jarinje"), actor=OPERATOR, db=db).decision == "admit"
    assert (
        checks.check_vehicle(Presentation("NP 123-AB", "XK", local(2021, 11, 19, 0, 0), point="jarinje"), actor=OPERATOR, db=db).decision
        == "issue_temporary_registration"
    )


def test_second_issuance_while_one_is_valid_is_refused(db):
    registrations.issue_temporary_registration(Presentation("NP 123-AB", "XK", local(2021, 9, 20, 10), point="jarinje"), actor=operator("c1"), db=db)
    with pytest.raises(ConflictError, match="already holds"):
        registrations.issue_temporary_registration(Presentation("NP 123-AB", "XK", local(2021, 9, 21, 10), point="merdare"), actor=operator("c2"), db=db)


def test_the_last_valid_day_is_the_sixtieth_counting_the_day_of_issue():
    assert registrations.valid_until(dt.date(2021, 9, 20), 60) == dt.date(2021, 11, 18)
    assert registrations.valid_until(dt.date(2021, 9, 20), 1) == dt.date(2021, 9, 20)


@pytest.mark.parametrize(
    ("day", "decision"),
    [
        (dt.date(2021, 11, 17), "admit"),  # day 59
        (dt.date(2021, 11, 18), "admit"),  # day 60, the last valid day
        (dt.date(2021, 11, 19), "issue_temporary_registration"),  # day 61
    ],
)
def test_a_registration_issued_on_20_september_admits_through_day_sixty_and_not_on_day_sixty_one(db, day, decision):
    issue(db)
    check = checks.check_vehicle(Presentation(PLATE, "XK", local(day.year, day.month, day.day, 12), point="jarinje"), actor=OPERATOR, db=db)
    assert check.decision == decision


def test_the_validity_starts_on_the_local_day_of_issue_not_the_utc_day(db):
    # 00:30 in Belgrade is still the previous day in UTC.
    issued = issue(db, at=local(2021, 9, 20, 0, 30))
    assert issued.issued_at.astimezone(dt.UTC).date() == dt.date(2021, 9, 19)
    assert (issued.valid_from, issued.valid_until) == (dt.date(2021, 9, 20), dt.date(2021, 11, 18))


@pytest.mark.parametrize(("day", "notice"), [(15, None), (16, "in 2 days"), (17, "in 1 day"), (18, "today")])
def test_an_expiry_notice_is_given_on_the_last_three_valid_days_only(db, day, notice):
    issued = issue(db)
    check = checks.check_vehicle(Presentation(PLATE, "XK", local(2021, 11, day, 9), point="jarinje"), actor=OPERATOR, db=db)
    assert check.decision == "admit"
    assert check.registration is not None and check.registration.number == issued.number
    notices = [reason for reason in check.reasons if "notice" in reason and "expires" in reason]
    if notice is None:
        assert notices == []
    else:
        assert len(notices) == 1 and f"expires {notice}" in notices[0]


def test_issue_then_check_next_day_admits_and_sixty_days_later_asks_for_a_new_one(db):
    issued = issue(db, at=local(2021, 9, 20, 10))
    next_day = checks.check_vehicle(Presentation(PLATE, "XK", local(2021, 9, 21, 10), point="jarinje"), actor=OPERATOR, db=db)
    assert next_day.decision == "admit"
    assert any(issued.number in reason for reason in next_day.reasons)
    later = checks.check_vehicle(Presentation(PLATE, "XK", local(2021, 9, 20, 10) + dt.timedelta(days=60), point="jarinje"), actor=OPERATOR, db=db)
    assert later.decision == "issue_temporary_registration"
    assert any(issued.number in reason and "expired" in reason for reason in later.reasons)


# Issuing -------------------------------------------------------------------------------------


def test_an_issued_registration_carries_the_rule_fee_clerk_point_and_a_valid_number(db):
    issued = issue(db, at=local(2021, 9, 27, 10, 14), point="merdare", clerk="clerk-7")
    assert is_valid_number(issued.number)
    assert (issued.plate, issued.issuer, issued.jurisdiction) == (PLATE, "RS", "XK")
    assert issued.fee == Money(Decimal("5.00"), "EUR")
    assert (issued.rule_id, issued.rule_version) == ("test.rs_plates_entering_xk", "2020-01-01")
    assert (issued.issuing_point, issued.clerk, issued.status, issued.status_reason) == ("merdare", "clerk-7", "active", None)
    assert issued.issued_at == local(2021, 9, 27, 10, 14)
    assert issued.as_json()["valid_until"] == "2021-11-25"
    listed = registrations.list_registrations(actor=OPERATOR, plate=PLATE, db=db).registrations
    assert [r.number for r in listed] == [issued.number]


def test_issuing_at_a_registration_centre_is_allowed(db):
    issued = issue(db, point="centre:Prishtinë")
    assert issued.issuing_point == "centre:Prishtinë"
    assert registrations.list_registrations(actor=OPERATOR, point="centre:Prishtinë", db=db).registrations[0].number == issued.number


@pytest.mark.parametrize(
    ("plate", "at", "requires"),
    [
        ("01-123-AB", local(2021, 9, 20, 10), "none"),  # own plates entering XK
        (PLATE, local(2030, 1, 2, 10), "none"),  # the test regime ends the requirement in 2030
    ],
)
def test_issuing_is_refused_when_the_law_requires_no_temporary_registration(db, plate, at, requires):
    issue(db, plate="BG 999-ZZ")
    before = contents(db)
    with pytest.raises(ConflictError, match=f"needs no temporary registration.*requires {requires}"):
        issue(db, plate=plate, at=at)
    assert contents(db) == before


def test_issuing_is_refused_where_the_law_requires_stickers(db):
    issue(db, plate="BG 999-ZZ")
    before = contents(db)
    with pytest.raises(ConflictError, match="requires cover symbols"):
        registrations.issue_temporary_registration(Presentation("01-123-AB", "RS", local(2021, 9, 20, 10), point="jarinje"), actor=operator("clerk-1"), db=db)
    assert contents(db) == before


def test_issuing_is_refused_while_a_valid_registration_is_held_and_nothing_changes(db):
    held = issue(db)
    before = contents(db)
    with pytest.raises(ConflictError, match=f"already holds temporary registration {held.number}"):
        issue(db, at=local(2021, 11, 18, 23, 59), point="brnjak", clerk="clerk-2", vin="WVWZZZ1JZXW000001")
    assert contents(db) == before


def test_issuing_after_the_old_registration_expired_marks_the_old_one_expired_with_an_audit_record(db):
    old = issue(db)
    new = issue(db, at=local(2021, 11, 19, 8), point="merdare", clerk="clerk-2")
    assert new.number != old.number
    assert (new.valid_from, new.valid_until) == (dt.date(2021, 11, 19), dt.date(2022, 1, 17))
    old_now, trail = registrations.show_registration(old.number, actor=OPERATOR, db=db)
    assert (old_now.status, old_now.status_reason) == ("expired", "expired after 2021-11-18")
    assert [entry["action"] for entry in trail] == ["issue", "expire"]
    expiry = trail[-1]
    assert (expiry["actor"], expiry["point"], expiry["before"], expiry["after"]) == ("clerk-2", "merdare", {"status": "active"}, {"status": "expired"})
    assert [r.status for r in registrations.list_registrations(actor=OPERATOR, plate=PLATE, db=db).registrations] == ["active", "expired"]


def test_a_retried_request_with_the_same_key_returns_the_same_registration(db):
    first = issue(db, request_key="booth-3/0001")
    again = issue(db, request_key="booth-3/0001", at=local(2021, 9, 20, 10, 1))
    assert again == first
    with db.read() as conn:
        assert conn.execute(sa.select(sa.func.count()).select_from(temporary_registrations)).scalar_one() == 1
    assert len(audit_rows(db, action="issue")) == 1


def test_the_same_request_key_for_another_plate_is_a_conflict_and_changes_nothing(db):
    issue(db, request_key="booth-3/0001")
    before = contents(db)
    with pytest.raises(ConflictError, match="another vehicle"):
        issue(db, plate="BG 999-ZZ", request_key="booth-3/0001")
    assert contents(db) == before


@pytest.mark.parametrize(
    ("options", "error"),
    [
        ({"jurisdiction": "ME"}, "not on the border of ME"),
        ({"point": "nowhere"}, "nowhere"),
        ({"point": ""}, "say where"),
        ({"point": "centre:"}, "registration centre needs a name"),
        ({"vin": "WVWZZZ1JZXW00000"}, "VIN"),  # 16 characters
        ({"vin": "WVWZZZ1JZXWO00001"}, "VIN"),  # contains O
        ({"vin": "WVWZZZ1JZXW-00001"}, "VIN"),
        ({"clerk": ""}, "say who"),
        ({"clerk": "   "}, "say who"),
        ({"clerk": None}, "say who"),
        ({"clerk": "x" * 61}, "longer than 60"),
        ({"at": dt.datetime(2021, 9, 20, 10)}, "UTC offset"),  # naive
        ({"request_key": "   "}, "request key"),
        ({"request_key": "k" * 101}, "request key"),
        ({"plate": "NOT A PLATE"}, None),
    ],
)
def test_bad_input_to_issuing_is_a_validation_error_and_changes_nothing(db, options, error):
    issue(db, plate="BG 999-ZZ")
    before = contents(db)
    arguments: dict[str, Any] = {"plate": PLATE, "jurisdiction": "XK", "at": local(2021, 9, 21, 10), "point": "jarinje", "clerk": "clerk-1", **options}
    clerk, key = arguments.pop("clerk"), arguments.pop("request_key", None)
    with pytest.raises(ValidationError, match=error):
        registrations.issue_temporary_registration(Presentation(**arguments), actor=operator(clerk), request_key=key, db=db)
    assert contents(db) == before


def test_an_unknown_crossing_point_is_named_in_the_error(db):
    with pytest.raises(UnknownCrossingPoint):
        issue(db, point="atlantis")
    assert all(rows == [] for rows in contents(db).values())


def test_a_vin_is_stored_upper_case_and_learnt_later_when_first_unknown(db):
    issue(db, plate="BG 999-ZZ")
    issue(db, plate="BG 999-ZZ", at=local(2021, 11, 19, 10), vin=" wvwzzz1jzxw000001 ")
    with db.read() as conn:
        assert conn.execute(sa.select(vehicles.c.vin).where(vehicles.c.plate == "BG 999-ZZ")).scalar_one() == "WVWZZZ1JZXW000001"


def test_the_holders_name_is_kept_shown_audited_and_carried_to_the_renewal(db):
    presentation = Presentation(PLATE, "XK", local(2021, 9, 20, 10), point="jarinje")
    issued = registrations.issue_temporary_registration(presentation, actor=operator("clerk-1"), holder="  Milica Jovanović ", db=db)
    assert issued.holder == "Milica Jovanović" and issued.as_json()["holder"] == "Milica Jovanović"
    shown, trail = registrations.show_registration(issued.number, actor=OPERATOR, db=db)
    assert shown.holder == "Milica Jovanović" and trail[0]["after"]["holder"] == "Milica Jovanović"
    renewed = registrations.renew(issued.number, local(2021, 11, 10, 9), actor=operator("clerk-2"), point="merdare", db=db)
    assert renewed.holder == "Milica Jovanović"
    assert issue(db, plate="BG 998-ZZ").holder is None


@pytest.mark.parametrize(("holder", "error"), [("", "holder's name is empty"), ("   ", "empty"), ("x" * 101, "longer than 100"), ("Ana\x00", "control")])
def test_a_bad_holders_name_is_refused_and_changes_nothing(db, holder, error):
    issue(db, plate="BG 999-ZZ")
    before = contents(db)
    presentation = Presentation(PLATE, "XK", local(2021, 9, 21, 10), point="jarinje")
    with pytest.raises(ValidationError, match=error):
        registrations.issue_temporary_registration(presentation, actor=operator("clerk-1"), holder=holder, db=db)
    assert contents(db) == before


# Renew, return, cancel -----------------------------------------------------------------------


def test_renewing_replaces_the_active_registration_with_one_valid_from_today(db):
    old = issue(db)
    new = registrations.renew(old.number, local(2021, 11, 10, 9), actor=operator("clerk-2"), point="merdare", db=db)
    assert new.number != old.number and is_valid_number(new.number)
    assert (new.valid_from, new.valid_until, new.status) == (dt.date(2021, 11, 10), dt.date(2022, 1, 8), "active")
    assert (new.issuing_point, new.clerk) == ("merdare", "clerk-2")
    old_now, trail = registrations.show_registration(old.number, actor=OPERATOR, db=db)
    assert (old_now.status, old_now.status_reason) == ("expired", "renewed")
    assert trail[-1]["action"] == "expire" and trail[-1]["after"] == {"status": "expired"}
    _, new_trail = registrations.show_registration(new.number, actor=OPERATOR, db=db)
    assert [entry["action"] for entry in new_trail] == ["renew"]
    with db.read() as conn:
        renews = conn.execute(sa.select(temporary_registrations.c.renews_id).where(temporary_registrations.c.number == new.number)).scalar_one()
    assert renews == registration_id(db, old.number)
    check = checks.check_vehicle(Presentation(PLATE, "XK", local(2021, 12, 1, 9), point="jarinje"), actor=OPERATOR, db=db)
    assert check.decision == "admit" and check.registration is not None and check.registration.number == new.number


def test_an_expired_registration_can_be_renewed(db):
    old = issue(db)
    assert registrations.expire_due(local(2021, 12, 1, 0, 5), actor=OPERATOR, db=db) == 1
    new = registrations.renew(old.number, local(2021, 12, 1, 9), actor=operator("clerk-2"), point="jarinje", db=db)
    assert (new.valid_from, new.status) == (dt.date(2021, 12, 1), "active")
    assert registrations.show_registration(old.number, actor=OPERATOR, db=db)[0].status == "expired"


def test_a_renewal_retried_with_the_same_key_returns_the_same_registration(db):
    old = issue(db)
    first = registrations.renew(old.number, local(2021, 11, 10, 9), actor=operator("c"), point="merdare", request_key="renew-1", db=db)
    again = registrations.renew(old.number, local(2021, 11, 10, 9, 1), actor=operator("c"), point="merdare", request_key="renew-1", db=db)
    assert again == first
    assert len(registrations.list_registrations(actor=OPERATOR, plate=PLATE, db=db).registrations) == 2


@pytest.mark.parametrize("end", ["cancel", "return"])
def test_a_cancelled_or_returned_registration_cannot_be_renewed(db, end):
    old = issue(db)
    if end == "cancel":
        registrations.cancel(old.number, local(2021, 9, 21, 9), actor=operator("c"), reason="issued in error", db=db)
    else:
        registrations.return_on_exit(old.number, local(2021, 9, 21, 9), actor=operator("o"), point="jarinje", db=db)
    before = contents(db)
    with pytest.raises(ConflictError, match="issue a new one"):
        registrations.renew(old.number, local(2021, 9, 22, 9), actor=operator("c"), point="jarinje", db=db)
    assert contents(db) == before


def test_renewing_is_refused_when_the_law_no_longer_requires_a_registration(db):
    old = issue(db, at=local(2029, 12, 20, 10))
    before = contents(db)
    with pytest.raises(ConflictError, match="no longer requires"):
        registrations.renew(old.number, local(2030, 1, 2, 9), actor=operator("c"), point="jarinje", db=db)
    assert contents(db) == before


def test_returning_on_exit_ends_the_registration_and_the_next_entry_needs_a_new_one(db):
    issued = issue(db)
    returned = registrations.return_on_exit(issued.number, local(2021, 10, 1, 18), actor=operator("officer-4"), point="brnjak", db=db)
    assert (returned.number, returned.status, returned.status_reason) == (issued.number, "returned", "returned on exit")
    check = checks.check_vehicle(Presentation(PLATE, "XK", local(2021, 10, 2, 9), point="jarinje"), actor=OPERATOR, db=db)
    assert check.decision == "issue_temporary_registration"
    again = issue(db, at=local(2021, 10, 2, 9))
    assert again.number != issued.number
    before = contents(db)
    with pytest.raises(ConflictError, match="returned, not active"):
        registrations.return_on_exit(issued.number, local(2021, 10, 3, 18), actor=operator("officer-4"), point="brnjak", db=db)
    assert contents(db) == before


def test_cancelling_requires_a_reason_and_records_it(db):
    issued = issue(db)
    before = contents(db)
    for reason in ("", "   ", None):
        with pytest.raises(ValidationError, match="say why"):
            registrations.cancel(issued.number, local(2021, 9, 20, 11), actor=operator("clerk-1"), reason=reason, db=db)  # type: ignore[arg-type]
    assert contents(db) == before
    cancelled = registrations.cancel(
        issued.number, local(2021, 9, 20, 11), actor=operator("clerk-1"), reason="  plates lost  ", point="centre:Prishtinë", db=db
    )
    assert (cancelled.status, cancelled.status_reason) == ("cancelled", "plates lost")
    _, trail = registrations.show_registration(issued.number, actor=OPERATOR, db=db)
    assert trail[-1] == {
        "at": trail[-1]["at"],
        "actor": "clerk-1",
        "point": "centre:Prishtinë",
        "action": "cancel",
        "before": {"status": "active"},
        "after": {"status": "cancelled"},
        "reason": "plates lost",
    }
    assert dt.datetime.fromisoformat(trail[-1]["at"]) == local(2021, 9, 20, 11)
    with pytest.raises(ConflictError, match="cancelled, not active"):
        registrations.cancel(issued.number, local(2021, 9, 20, 12), actor=operator("clerk-1"), reason="again", db=db)


@pytest.mark.parametrize("end", ["return", "cancel"])
def test_a_retried_return_or_cancellation_answers_with_the_first_and_writes_nothing_more(db, end):
    issued, other = issue(db), issue(db, plate="BG 998-ZZ")

    def call(number: str, key: str | None) -> registrations.Registration:
        at = local(2021, 10, 1, 18)
        if end == "return":
            return registrations.return_on_exit(number, at, point="jarinje", actor=operator("officer-4"), request_key=key, db=db)
        return registrations.cancel(number, at, reason="plates lost", actor=operator("clerk-1"), request_key=key, db=db)

    first = call(issued.number, "end-1")
    before = contents(db)
    assert call(issued.number, "end-1") == first
    assert contents(db) == before  # no second change, no second audit record
    with pytest.raises(ConflictError, match="not active"):
        call(issued.number, None)  # a repeat without the key is refused, as before
    with pytest.raises(ConflictError, match="to end another registration"):
        call(other.number, "end-1")
    issue(db, plate="BG 997-ZZ", request_key="issue-1")
    with pytest.raises(ConflictError, match="for an issuance"):
        call(other.number, "issue-1")
    assert registrations.show_registration(other.number, actor=OPERATOR, db=db)[0].status == "active"


def test_ending_an_unknown_registration_is_not_found(db):
    unknown = format_number("23456789")
    with pytest.raises(NotFound):
        registrations.return_on_exit(unknown, local(2021, 9, 20, 11), actor=operator("o"), point="jarinje", db=db)
    with pytest.raises(NotFound):
        registrations.cancel(unknown, local(2021, 9, 20, 11), actor=operator("c"), reason="why", db=db)
    with pytest.raises(NotFound):
        registrations.renew(unknown, local(2021, 9, 20, 11), actor=operator("c"), point="jarinje", db=db)


# Expiry --------------------------------------------------------------------------------------


def test_expire_due_expires_what_is_past_its_last_local_day_once(db):
    first = issue(db)  # valid until 2021-11-18
    second = issue(db, plate="BG 999-ZZ", at=local(2021, 10, 1, 10))  # valid until 2021-11-29
    # 23:59 on the last valid day: nothing is due yet.
    assert registrations.expire_due(local(2021, 11, 18, 23, 59), actor=OPERATOR, db=db) == 0
    # 00:30 local on 2021-11-19 is still 2021-11-18 in UTC, but the local day counts.
    assert registrations.expire_due(local(2021, 11, 19, 0, 30), actor=operator("expiry"), db=db) == 1
    assert registrations.expire_due(local(2021, 11, 19, 0, 31), actor=OPERATOR, db=db) == 0
    assert registrations.show_registration(first.number, actor=OPERATOR, db=db)[0].status == "expired"
    assert registrations.show_registration(second.number, actor=OPERATOR, db=db)[0].status == "active"
    expiries = audit_rows(db, action="expire")
    assert [(row.entity_id, row.actor, row.before, row.after, row.reason) for row in expiries] == [
        (registration_id(db, first.number), "expiry", {"status": "active"}, {"status": "expired"}, "expired after 2021-11-18")
    ]
    assert registrations.expire_due(local(2022, 1, 1, 0, 0), actor=operator("nightly"), db=db) == 1
    assert registrations.expire_due(local(2022, 1, 1, 0, 0), actor=operator("nightly"), db=db) == 0
    assert len(audit_rows(db, action="expire")) == 2
    assert registrations.list_registrations(actor=OPERATOR, status="active", db=db).registrations == ()


def test_expire_due_on_an_empty_registry_expires_nothing(db):
    assert registrations.expire_due(local(2021, 11, 19, 0, 30), actor=OPERATOR, db=db) == 0


def test_expire_due_rejects_a_naive_moment(db):
    with pytest.raises(ValidationError):
        registrations.expire_due(dt.datetime(2021, 11, 19), actor=OPERATOR, db=db)


# Audit ---------------------------------------------------------------------------------------


def test_every_change_to_a_registration_writes_one_audit_record_with_actor_point_action_before_and_after(db):
    first = issue(db, clerk="clerk-1", point="jarinje")
    renewed = registrations.renew(first.number, local(2021, 10, 1, 9), actor=operator("clerk-2"), point="merdare", db=db)
    registrations.return_on_exit(renewed.number, local(2021, 10, 2, 9), actor=operator("officer-3"), point="brnjak", db=db)
    other = issue(db, plate="BG 999-ZZ", clerk="clerk-4", point="centre:Prishtinë")
    registrations.cancel(other.number, local(2021, 9, 20, 11), actor=operator("clerk-5"), reason="issued in error", point="konculj", db=db)
    late = issue(db, plate="KG 100-AA", clerk="clerk-6", point="mucibaba")
    registrations.expire_due(local(2022, 1, 1, 0, 0), actor=operator("nightly"), db=db)
    ids = {number: registration_id(db, number) for number in (first.number, renewed.number, other.number, late.number)}
    trail = [(row.entity, row.entity_id, row.action, row.actor, row.point) for row in audit_rows(db, entity="temporary_registration")]
    assert trail == [
        ("temporary_registration", ids[first.number], "issue", "clerk-1", "jarinje"),
        ("temporary_registration", ids[first.number], "expire", "clerk-2", "merdare"),
        ("temporary_registration", ids[renewed.number], "renew", "clerk-2", "merdare"),
        ("temporary_registration", ids[renewed.number], "return", "officer-3", "brnjak"),
        ("temporary_registration", ids[other.number], "issue", "clerk-4", "centre:Prishtinë"),
        ("temporary_registration", ids[other.number], "cancel", "clerk-5", "konculj"),
        ("temporary_registration", ids[late.number], "issue", "clerk-6", "mucibaba"),
        ("temporary_registration", ids[late.number], "expire", "nightly", None),
    ]
    rows = audit_rows(db, entity="temporary_registration")
    for row in rows:
        assert row.after is not None and row.at is not None
        if row.action in ("issue", "renew"):
            assert row.before is None and row.after["status"] == "active"
        else:
            assert row.before == {"status": "active"} and row.after["status"] in ("expired", "returned", "cancelled") and row.reason
    assert rows[2].after["renews_id"] == ids[first.number]
    with db.read() as conn:
        statuses = dict(conn.execute(sa.select(temporary_registrations.c.number, temporary_registrations.c.status)).all())
    assert statuses == {first.number: "expired", renewed.number: "returned", other.number: "cancelled", late.number: "expired"}


# Listing and showing -------------------------------------------------------------------------


def test_list_registrations_filters_by_plate_status_and_point_newest_first(db):
    a = issue(db, plate="NP 123-AB", at=local(2021, 9, 20, 10), point="jarinje")
    b = issue(db, plate="BG 999-ZZ", at=local(2021, 9, 21, 10), point="merdare")
    c = issue(db, plate="KG 100-AA", at=local(2021, 9, 22, 10), point="jarinje")
    registrations.cancel(b.number, local(2021, 9, 21, 11), actor=operator("c"), reason="error", db=db)

    def numbers(**filters: Any) -> list[str]:
        return [r.number for r in registrations.list_registrations(actor=OPERATOR, db=db, **filters).registrations]

    assert numbers() == [c.number, b.number, a.number]
    assert numbers(plate="np 123 ab") == [a.number]
    assert numbers(status="cancelled") == [b.number]
    assert numbers(status="active") == [c.number, a.number]
    assert numbers(point="jarinje") == [c.number, a.number]
    assert numbers(point="jarinje", status="active", plate="KG 100-AA") == [c.number]
    assert numbers(status="returned") == []
    assert numbers(limit=2) == [c.number, b.number]
    assert all(is_valid_number(number) for number in numbers())


@pytest.mark.parametrize(("filters", "error"), [({"status": "valid"}, "unknown status"), ({"limit": 0}, "limit"), ({"limit": 10_001}, "limit")])
def test_list_registrations_rejects_bad_filters(db, filters, error):
    with pytest.raises(ValidationError, match=error):
        registrations.list_registrations(actor=OPERATOR, db=db, **filters)


def test_show_registration_returns_the_audit_trail_with_before_and_after(db):
    issued = issue(db, clerk="clerk-1", point="jarinje", request_key="k-1")
    registrations.return_on_exit(issued.number, local(2021, 10, 1, 18), actor=operator("officer-2"), point="brnjak", db=db)
    shown, trail = registrations.show_registration(issued.number, actor=OPERATOR, db=db)
    assert shown.number == issued.number and shown.status == "returned"
    assert [(e["action"], e["actor"], e["point"]) for e in trail] == [("issue", "clerk-1", "jarinje"), ("return", "officer-2", "brnjak")]
    issued_entry = trail[0]
    assert issued_entry["before"] is None
    assert issued_entry["after"]["number"] == issued.number
    assert issued_entry["after"]["status"] == "active"
    assert issued_entry["after"]["valid_until"] == "2021-11-18"
    assert issued_entry["after"]["request_key"] == "k-1"
    assert (trail[1]["before"], trail[1]["after"], trail[1]["reason"]) == ({"status": "active"}, {"status": "returned"}, "returned on exit")


def test_a_number_is_found_however_it_is_typed(db):
    issued = issue(db)
    typed = issued.number.replace("-", " ").lower()
    assert registrations.show_registration(typed, actor=OPERATOR, db=db)[0].number == issued.number


def test_an_unknown_number_is_not_found(db):
    issue(db)
    with pytest.raises(NotFound):
        registrations.show_registration(format_number("23456789"), actor=OPERATOR, db=db)


def test_a_number_with_a_wrong_check_character_is_a_validation_error(db):
    issued = issue(db)
    check = issued.number[-1]
    wrong = issued.number[:-1] + ("2" if check != "2" else "3")
    with pytest.raises(ValidationError, match="check character"):
        registrations.show_registration(wrong, actor=OPERATOR, db=db)
    with pytest.raises(ValidationError, match="check character"):
        registrations.cancel(wrong, local(2021, 9, 20, 11), actor=operator("c"), reason="typo", db=db)
    with pytest.raises(ValidationError, match="not a registration number"):
        registrations.show_registration("K7QM-4TXR", actor=OPERATOR, db=db)


def test_a_vehicle_seen_for_the_first_time_is_recorded_in_the_audit_log_and_so_is_a_vin_learnt_later(db):
    issue(db, clerk="clerk-1", point="jarinje")
    first = registrations.list_registrations(actor=OPERATOR, db=db).registrations[0]
    registrations.cancel(first.number, local(2021, 9, 20, 11), reason="typo", actor=operator("clerk-1"), db=db)
    issue(db, at=local(2021, 9, 20, 12), clerk="clerk-2", point="merdare", vin="WVWZZZ1JZXW000001")
    vehicle_rows = audit_rows(db, entity="vehicle")
    assert [(row.action, row.actor, row.point) for row in vehicle_rows] == [("create", "clerk-1", "jarinje"), ("update", "clerk-2", "merdare")]
    assert vehicle_rows[0].after["plate"] == PLATE and vehicle_rows[1].after == {"vin": "WVWZZZ1JZXW000001"}


# The facts about a vehicle reach the law and the registry on every path ------------------------


@pytest.mark.parametrize(
    ("facts", "days", "fee"),
    [({"vehicle_class": "truck"}, 30, "20.00"), ({"resident": "XK"}, 15, "1.00"), ({}, 60, "5.00")],
    ids=["truck", "resident", "car"],
)
def test_a_renewal_judges_the_vehicle_with_the_class_and_residence_it_was_issued_with(db, facts, days, fee):
    first = issue(db, plate="BG 999-ZZ", **facts)
    assert (first.valid_until - first.valid_from).days + 1 == days
    renewed = registrations.renew(first.number, local(2021, 9, 25, 9), point="jarinje", actor=operator("clerk-2"), db=db)
    assert ((renewed.valid_until - renewed.valid_from).days + 1, renewed.fee.amount) == (days, Decimal(fee))
    with db.read() as conn:
        stored = conn.execute(sa.select(vehicles.c.vehicle_class, vehicles.c.resident)).one()
    assert tuple(stored) == (facts.get("vehicle_class", "car"), facts.get("resident"))
