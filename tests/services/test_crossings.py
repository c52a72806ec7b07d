"""Recording crossings: entries and exits with the decision taken, refusals included."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
import sqlalchemy as sa

from borderplates.errors import ConflictError, Forbidden, UnknownCrossingPoint, ValidationError
from borderplates.registry import Database
from borderplates.registry.tables import audit_log, crossings, metadata, temporary_registrations
from borderplates.services import checks, registrations
from borderplates.services.crossings import list_crossings, record_crossing
from borderplates.services.presentation import Presentation
from borderplates.vocabulary import Role
from tests.conftest import OPERATOR, local, operator

PLATE = "NP 123-AB"
frozen_regime = pytest.mark.usefixtures("test_rules")


def contents(db: Database) -> dict[str, list[tuple[Any, ...]]]:
    with db.read() as conn:
        return {table.name: [tuple(row) for row in conn.execute(sa.select(table).order_by(*table.primary_key.columns))] for table in metadata.sorted_tables}


def crossing_rows(db: Database) -> list[sa.Row[Any]]:
    with db.read() as conn:
        return list(conn.execute(sa.select(crossings).order_by(crossings.c.id)))


def registration_id(db: Database, number: str) -> int:
    with db.read() as conn:
        return int(conn.execute(sa.select(temporary_registrations.c.id).where(temporary_registrations.c.number == number)).scalar_one())


def issue(db: Database, plate: str = PLATE) -> registrations.Registration:
    return registrations.issue_temporary_registration(Presentation(plate, "XK", local(2021, 9, 20, 10), point="jarinje"), actor=operator("clerk-1"), db=db)


@frozen_regime
def test_an_entry_after_issuance_is_admitted_with_the_registration_linked(db):
    issued = issue(db)
    record = record_crossing(Presentation(PLATE, "XK", local(2021, 9, 20, 10, 5), point="jarinje"), actor=operator("officer-1"), lane="2", db=db)
    assert (record.crossing.plate, record.crossing.issuer, record.crossing.point, record.crossing.direction, record.crossing.jurisdiction) == (
        PLATE,
        "RS",
        "jarinje",
        "entry",
        "XK",
    )
    assert (record.crossing.mode, record.crossing.lane, record.crossing.decision, record.crossing.officer) == ("passenger", "2", "admit", "officer-1")
    assert record.crossing.at == local(2021, 9, 20, 10, 5)
    assert record.check is not None and record.check.registration == issued
    [row] = crossing_rows(db)
    assert row.id == record.crossing.id
    assert (row.decision, row.registration_id) == ("admit", registration_id(db, issued.number))
    assert (row.rule_id, row.rule_version) == ("test.rs_plates_entering_xk", "2020-01-01")
    payload = record.as_json()
    assert payload["decision"] == "admit" and any(issued.number in reason for reason in payload["reasons"])


@frozen_regime
def test_an_entry_without_a_registration_records_that_one_must_be_issued(db):
    record = record_crossing(Presentation(PLATE, "XK", local(2021, 9, 20, 10), point="merdare"), actor=operator("officer-1"), db=db)
    assert record.crossing.decision == "issue_temporary_registration"
    [row] = crossing_rows(db)
    assert (row.decision, row.registration_id, row.point) == ("issue_temporary_registration", None, "merdare")


def test_a_refusal_is_recorded_as_a_crossing_with_the_shipped_rules(db):
    # Under the shipped rules, status-neutral KS plates are refused in Kosovo from 15 Sep 2021.
    record = record_crossing(Presentation("123-KS-456", "XK", local(2021, 10, 1, 10), point="jarinje"), actor=operator("officer-1"), db=db)
    assert record.crossing.decision == "refuse"
    [row] = crossing_rows(db)
    assert (row.decision, row.direction, row.registration_id) == ("refuse", "entry", None)
    assert row.rule_id == "xk_rs.xk_neutral_plates_in_xk"
    with db.read() as conn:
        [audit] = conn.execute(sa.select(audit_log).where(audit_log.c.entity == "crossing")).all()
    assert (audit.action, audit.actor, audit.point, audit.entity_id, audit.before) == ("record", "officer-1", "jarinje", row.id, None)
    assert audit.after["decision"] == "refuse"


def test_the_shipped_rules_admit_a_serbian_car_holding_a_registration_in_october_2021(db):
    issued = registrations.issue_temporary_registration(Presentation(PLATE, "XK", local(2021, 9, 27, 10), point="jarinje"), actor=operator("clerk-1"), db=db)
    record = record_crossing(Presentation(PLATE, "XK", local(2021, 9, 28, 10), point="merdare"), actor=operator("officer-1"), db=db)
    assert record.crossing.decision == "admit"
    assert crossing_rows(db)[0].registration_id == registration_id(db, issued.number)


def test_a_crossing_recorded_where_the_shipped_history_says_the_road_was_blocked_is_a_refusal_naming_the_open_crossings(db):
    registrations.issue_temporary_registration(Presentation(PLATE, "XK", local(2021, 9, 27, 10), point="jarinje"), actor=operator("clerk-1"), db=db)
    record = record_crossing(Presentation(PLATE, "XK", local(2021, 9, 28, 10), point="jarinje"), actor=operator("officer-1"), db=db)
    assert record.crossing.decision == "refuse"
    assert any("is blocked for passenger traffic entering XK" in reason for reason in record.check.reasons)
    assert any(reason.startswith("open instead: Merdarë / Merdare") for reason in record.check.reasons)
    walkers = record_crossing(Presentation(PLATE, "XK", local(2021, 9, 28, 10, 5), point="jarinje"), actor=operator("o"), mode="pedestrian", db=db)
    assert walkers.crossing.decision == "admit"  # no source says pedestrians were stopped


@frozen_regime
def test_an_exit_that_returns_the_registration_ends_it_and_links_it(db):
    issued = issue(db)
    record = record_crossing(
        Presentation(PLATE, "XK", local(2021, 10, 1, 18), "exit", point="brnjak"), actor=operator("officer-2"), return_registration=True, db=db
    )
    assert (record.crossing.direction, record.crossing.decision) == ("exit", "admit")
    [row] = crossing_rows(db)
    assert row.registration_id == registration_id(db, issued.number)
    returned, trail = registrations.show_registration(issued.number, actor=OPERATOR, db=db)
    assert (returned.status, returned.status_reason) == ("returned", "returned on exit")
    assert (trail[-1]["action"], trail[-1]["actor"], trail[-1]["point"]) == ("return", "officer-2", "brnjak")
    assert (trail[-1]["before"], trail[-1]["after"]) == ({"status": "active"}, {"status": "returned"})
    assert (
        checks.check_vehicle(Presentation(PLATE, "XK", local(2021, 10, 2, 10), point="jarinje"), actor=OPERATOR, db=db).decision
        == "issue_temporary_registration"
    )


@frozen_regime
def test_an_exit_without_returning_keeps_the_registration_active(db):
    issued = issue(db)
    record_crossing(Presentation(PLATE, "XK", local(2021, 10, 1, 18), "exit", point="brnjak"), actor=operator("officer-2"), db=db)
    assert registrations.show_registration(issued.number, actor=OPERATOR, db=db)[0].status == "active"
    assert crossing_rows(db)[0].direction == "exit"


@frozen_regime
def test_returning_a_registration_the_vehicle_does_not_hold_is_a_conflict_and_records_nothing(db):
    issue(db, plate="BG 999-ZZ")
    before = contents(db)
    with pytest.raises(ConflictError, match="no active temporary registration"):
        record_crossing(Presentation(PLATE, "XK", local(2021, 10, 1, 18), "exit", point="brnjak"), actor=operator("officer-2"), return_registration=True, db=db)
    assert contents(db) == before


@frozen_regime
@pytest.mark.parametrize(
    ("options", "error"),
    [
        ({"mode": "cargo", "point": "mutivode"}, "serves passenger, bus, pedestrian, not 'cargo'"),
        ({"mode": "boat"}, "not 'boat'"),
        ({"lane": "   "}, "lane"),
        ({"lane": "x" * 21}, "lane"),
        ({"return_registration": True}, "returned on exit only"),
        ({"officer": ""}, "say who"),
        ({"point": "centre:Prishtinë"}, "centre"),
        ({"direction": "sideways"}, "entry or exit"),
        ({"at": dt.datetime(2021, 10, 1, 10)}, "UTC offset"),
        ({"request_key": ""}, "request key"),
    ],
)
def test_bad_input_to_recording_a_crossing_is_a_validation_error_and_records_nothing(db, options, error):
    issue(db)
    before = contents(db)
    arguments: dict[str, Any] = {"at": local(2021, 10, 1, 10), "direction": "entry", "point": "jarinje", "officer": "officer-1", **options}
    facts = {name: arguments.pop(name) for name in ("at", "direction", "point")}
    officer = arguments.pop("officer")
    with pytest.raises(ValidationError, match=error):
        record_crossing(Presentation(PLATE, "XK", **facts), actor=operator(officer), db=db, **arguments)
    assert contents(db) == before


@frozen_regime
def test_an_unknown_crossing_point_is_a_validation_error(db):
    with pytest.raises(UnknownCrossingPoint):
        record_crossing(Presentation(PLATE, "XK", local(2021, 10, 1, 10), point="atlantis"), actor=operator("officer-1"), db=db)
    assert crossing_rows(db) == []


@frozen_regime
def test_the_same_request_key_twice_records_one_crossing(db):
    issue(db)
    first = record_crossing(Presentation(PLATE, "XK", local(2021, 10, 1, 10), point="jarinje"), actor=operator("officer-1"), request_key="gate-1/42", db=db)
    again = record_crossing(Presentation(PLATE, "XK", local(2021, 10, 1, 10, 1), point="jarinje"), actor=operator("officer-1"), request_key="gate-1/42", db=db)
    assert again.crossing.id == first.crossing.id
    assert (again.crossing.at, again.crossing.decision) == (first.crossing.at, first.crossing.decision)
    assert len(crossing_rows(db)) == 1
    with db.read() as conn:
        assert conn.execute(sa.select(sa.func.count()).select_from(audit_log)).scalar_one() == 3  # the new vehicle, the issuance and one crossing


@frozen_regime
def test_the_same_request_key_for_another_vehicle_is_a_conflict(db):
    record_crossing(Presentation(PLATE, "XK", local(2021, 10, 1, 10), point="jarinje"), actor=operator("officer-1"), request_key="gate-1/42", db=db)
    before = contents(db)
    with pytest.raises(ConflictError, match="another vehicle"):
        record_crossing(Presentation("BG 999-ZZ", "XK", local(2021, 10, 1, 10), point="jarinje"), actor=operator("officer-1"), request_key="gate-1/42", db=db)
    assert contents(db) == before


@frozen_regime
def test_every_crossing_is_audited_with_officer_point_and_values(db):
    record = record_crossing(Presentation(PLATE, "XK", local(2021, 10, 1, 10), point="merdare"), actor=operator("officer-9"), mode="bus", lane="B1", db=db)
    with db.read() as conn:
        [audit] = conn.execute(sa.select(audit_log).where(audit_log.c.entity == "crossing")).all()
    assert (audit.entity, audit.entity_id, audit.action, audit.actor, audit.point, audit.before) == (
        "crossing",
        record.crossing.id,
        "record",
        "officer-9",
        "merdare",
        None,
    )
    assert {key: audit.after[key] for key in ("point", "direction", "jurisdiction", "mode", "lane", "decision", "officer")} == {
        "point": "merdare",
        "direction": "entry",
        "jurisdiction": "XK",
        "mode": "bus",
        "lane": "B1",
        "decision": "issue_temporary_registration",
        "officer": "officer-9",
    }
    assert dt.datetime.fromisoformat(audit.after["at"]) == local(2021, 10, 1, 10)


@frozen_regime
def test_the_crossings_log_lists_newest_first_by_filter_a_page_at_a_time(db):
    for minute, (plate, point, direction) in enumerate(
        [(PLATE, "jarinje", "entry"), ("BG 999-ZZ", "merdare", "entry"), (PLATE, "jarinje", "exit"), ("KG 100-AA", "jarinje", "entry")]
    ):
        record_crossing(Presentation(plate, "XK", local(2021, 10, 1, 10, minute), direction, point=point), actor=operator("officer-1"), db=db)

    def listed(**filters: Any) -> list[tuple[str, str]]:
        return [(c.plate, c.direction) for c in list_crossings(actor=OPERATOR, db=db, **filters).crossings]

    assert listed() == [("KG 100-AA", "entry"), (PLATE, "exit"), ("BG 999-ZZ", "entry"), (PLATE, "entry")]
    assert listed(plate="np123ab") == [(PLATE, "exit"), (PLATE, "entry")]
    assert listed(point="JARINJE", direction="entry") == [("KG 100-AA", "entry"), (PLATE, "entry")]
    assert listed(decision="refuse") == []
    assert listed(start=local(2021, 10, 1, 10, 1), end=local(2021, 10, 1, 10, 3)) == [(PLATE, "exit"), ("BG 999-ZZ", "entry")]
    first = list_crossings(actor=OPERATOR, db=db, limit=3)
    rest = list_crossings(actor=OPERATOR, db=db, limit=3, cursor=first.next_cursor)
    assert [c.plate for c in first.crossings + rest.crossings] == ["KG 100-AA", PLATE, "BG 999-ZZ", PLATE]
    assert rest.next_cursor is None


@pytest.mark.parametrize(
    ("filters", "error"),
    [({"point": "atlantis"}, "unknown crossing point"), ({"direction": "up"}, "unknown direction"), ({"limit": 0}, "limit"), ({"cursor": "x"}, "cursor")],
)
def test_the_crossings_log_refuses_bad_filters_and_officers(db, filters, error):
    with pytest.raises(ValidationError, match=error):
        list_crossings(actor=OPERATOR, db=db, **filters)
    with pytest.raises(Forbidden):
        list_crossings(actor=operator("officer-1", Role.OFFICER), db=db)
