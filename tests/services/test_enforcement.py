"""Stickers, warnings and fines: recorded only when the law is in that phase, once per request."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
import sqlalchemy as sa

from borderplates.errors import ConflictError, ValidationError
from borderplates.law import Money
from borderplates.registry import Database
from borderplates.registry.tables import audit_log, enforcement_actions, metadata, sticker_issuances, vehicles
from borderplates.services import checks, enforcement
from borderplates.services.presentation import Presentation
from tests.conftest import OPERATOR, local, operator

pytestmark = pytest.mark.usefixtures("test_rules")

XK_PLATE = "01-123-AB"
RESIDENT_KM = "KM 456-XY"
WARN_DAY = local(2020, 3, 2, 10)  # test regime: warnings until 2020-07-01
FINE_DAY = local(2020, 8, 3, 10)  # then fines of EUR 150.00


def contents(db: Database) -> dict[str, list[tuple[Any, ...]]]:
    with db.read() as conn:
        return {table.name: [tuple(row) for row in conn.execute(sa.select(table).order_by(*table.primary_key.columns))] for table in metadata.sorted_tables}


def rows(db: Database, table: sa.Table) -> list[sa.Row[Any]]:
    with db.read() as conn:
        return list(conn.execute(sa.select(table).order_by(table.c.id)))


def sticker(
    db: Database, at: dt.datetime | None = None, *, plate: str = XK_PLATE, officer: Any = "officer-1", request_key: Any = None, **facts: Any
) -> enforcement.Action:
    facts.setdefault("point", "jarinje")
    presentation = Presentation(plate, "RS", at or local(2021, 10, 4, 9), **facts)
    return enforcement.issue_sticker(presentation, actor=operator(officer), request_key=request_key, db=db)


# Stickers ------------------------------------------------------------------------------------


def test_a_sticker_is_recorded_when_the_law_requires_covering_the_symbols(db):
    action = sticker(db, request_key="s-1")
    assert (action.kind, action.plate, action.jurisdiction, action.point, action.officer) == ("sticker", XK_PLATE, "RS", "jarinje", "officer-1")
    assert (action.rule_id, action.rule_version, action.amount) == ("test.xk_plates_entering_rs", "2020-01-01", None)
    assert action.at == local(2021, 10, 4, 9)
    [row] = rows(db, sticker_issuances)
    assert (row.jurisdiction, row.rule_id, row.point, row.officer, row.request_key) == ("RS", "test.xk_plates_entering_rs", "jarinje", "officer-1", "s-1")
    assert action.as_json()["rule"] == {"id": "test.xk_plates_entering_rs", "effective_from": "2020-01-01"}


def test_a_check_after_the_sticker_admits(db):
    before = checks.check_vehicle(Presentation(XK_PLATE, "RS", local(2021, 10, 4, 8), point="jarinje"), actor=OPERATOR, db=db)
    assert before.decision == "apply_sticker"
    sticker(db)
    after = checks.check_vehicle(Presentation(XK_PLATE, "RS", local(2021, 10, 10, 8), point="merdare"), actor=OPERATOR, db=db)
    assert after.decision == "admit"
    assert any(reason.startswith("stickers were issued on 2021-10-04 09:00 at jarinje") for reason in after.reasons)


def test_a_second_sticker_under_the_same_rule_is_a_conflict_and_records_nothing(db):
    sticker(db)
    before = contents(db)
    with pytest.raises(ConflictError, match="already issued"):
        sticker(db, at=local(2021, 10, 5, 9), point="merdare", officer="officer-2")
    assert contents(db) == before


def test_a_sticker_retried_with_the_same_key_is_recorded_once(db):
    first = sticker(db, request_key="s-1")
    again = sticker(db, at=local(2021, 10, 4, 9, 2), request_key="s-1")
    assert again == first
    assert len(rows(db, sticker_issuances)) == 1


@pytest.mark.parametrize(
    ("plate", "jurisdiction", "requires"),
    [
        ("NP 123-AB", "XK", "temporary registration"),  # a Serbian car entering Kosovo
        ("NP 123-AB", "RS", "none"),  # own plates
        (XK_PLATE, "XK", "none"),
    ],
)
def test_no_sticker_is_recorded_when_the_law_requires_something_else(db, plate, jurisdiction, requires):
    before = contents(db)
    with pytest.raises(ConflictError, match=f"does not require cover symbols.*requires {requires}"):
        enforcement.issue_sticker(Presentation(plate, jurisdiction, local(2021, 10, 4, 9), point="jarinje"), actor=operator("officer-1"), db=db)
    assert contents(db) == before


@pytest.mark.parametrize(
    ("options", "error"),
    [
        ({"officer": " "}, "say who"),
        ({"at": dt.datetime(2021, 10, 4, 9)}, "UTC offset"),
        ({"point": "nowhere"}, "nowhere"),
    ],
)
def test_bad_input_to_a_sticker_is_a_validation_error(db, options, error):
    with pytest.raises(ValidationError, match=error):
        sticker(db, **options)
    assert rows(db, sticker_issuances) == []


# Warnings and fines --------------------------------------------------------------------------


def test_a_warning_is_recorded_in_the_warning_phase_without_an_amount(db):
    action = enforcement.record_warning(
        Presentation(RESIDENT_KM, "XK", WARN_DAY, point="jarinje", resident="XK"), actor=operator("officer-1"), note=" first time ", db=db
    )
    assert (action.kind, action.plate, action.jurisdiction, action.amount) == ("warning", RESIDENT_KM, "XK", None)
    assert action.rule_id == "test.warned_town_plates"
    [row] = rows(db, enforcement_actions)
    assert (row.kind, row.phase, row.amount_minor, row.currency, row.note) == ("warning", "warn", None, None, "first time")


def test_a_fine_is_recorded_in_the_fine_phase_with_the_amount_the_law_sets(db):
    action = enforcement.record_fine(Presentation(RESIDENT_KM, "XK", FINE_DAY, point="brnjak", resident="XK"), actor=operator("officer-1"), db=db)
    assert action.amount == Money(Decimal("150.00"), "EUR")
    assert action.as_json()["amount"] is not None
    assert (action.rule_id, action.rule_version) == ("test.warned_town_plates", "2020-07-01")
    [row] = rows(db, enforcement_actions)
    assert (row.kind, row.phase, row.amount_minor, row.currency, row.point) == ("fine", "fine", 15000, "EUR", "brnjak")


@pytest.mark.parametrize(
    ("kind", "plate", "at", "resident", "phase"),
    [
        ("fine", RESIDENT_KM, WARN_DAY, "XK", "warn"),
        ("warning", RESIDENT_KM, FINE_DAY, "XK", "fine"),
        ("warning", "NP 123-AB", WARN_DAY, None, "temporary plate"),
        ("fine", XK_PLATE, WARN_DAY, None, "nothing"),
    ],
)
def test_warnings_and_fines_are_refused_when_the_law_is_in_another_phase(db, kind, plate, at, resident, phase):
    before = contents(db)
    record = enforcement.record_fine if kind == "fine" else enforcement.record_warning
    with pytest.raises(ConflictError, match=f"enforces {phase}"):
        record(Presentation(plate, "XK", at, point="jarinje", resident=resident), actor=operator("officer-1"), db=db)
    assert contents(db) == before


def test_a_fine_retried_with_the_same_key_is_recorded_once(db):
    first = enforcement.record_fine(
        Presentation(RESIDENT_KM, "XK", FINE_DAY, point="jarinje", resident="XK"), actor=operator("officer-1"), request_key="f-1", db=db
    )
    again = enforcement.record_fine(
        Presentation(RESIDENT_KM, "XK", FINE_DAY + dt.timedelta(minutes=1), point="jarinje", resident="XK"),
        actor=operator("officer-1"),
        request_key="f-1",
        db=db,
    )
    assert again == first
    assert len(rows(db, enforcement_actions)) == 1


def test_a_request_key_used_for_another_vehicle_is_a_conflict(db):
    enforcement.record_fine(Presentation(RESIDENT_KM, "XK", FINE_DAY, point="jarinje", resident="XK"), actor=operator("officer-1"), request_key="f-1", db=db)
    before = contents(db)
    with pytest.raises(ConflictError, match="another vehicle"):
        enforcement.record_fine(
            Presentation("KM 111-AA", "XK", FINE_DAY, point="jarinje", resident="XK"), actor=operator("officer-1"), request_key="f-1", db=db
        )
    assert contents(db) == before


def test_warnings_and_fines_can_be_recorded_at_a_registration_centre(db):
    action = enforcement.record_warning(Presentation(RESIDENT_KM, "XK", WARN_DAY, point="centre:Mitrovicë", resident="XK"), actor=operator("officer-1"), db=db)
    assert action.point == "centre:Mitrovicë"


# Audit ---------------------------------------------------------------------------------------


def test_every_sticker_warning_and_fine_is_audited_with_actor_point_and_values(db):
    sticker(db, officer="officer-s", point="konculj")
    enforcement.record_warning(Presentation(RESIDENT_KM, "XK", WARN_DAY, point="jarinje", resident="XK"), actor=operator("officer-w"), db=db)
    enforcement.record_fine(Presentation(RESIDENT_KM, "XK", FINE_DAY, point="brnjak", resident="XK"), actor=operator("officer-f"), db=db)
    audits = [a for a in rows(db, audit_log) if a.entity != "vehicle"]
    assert [(a.entity, a.action, a.actor, a.point, a.before) for a in audits] == [
        ("sticker_issuance", "issue", "officer-s", "konculj", None),
        ("warning", "record", "officer-w", "jarinje", None),
        ("fine", "record", "officer-f", "brnjak", None),
    ]
    assert audits[0].after["rule_id"] == "test.xk_plates_entering_rs"
    assert audits[0].entity_id == rows(db, sticker_issuances)[0].id
    actions = rows(db, enforcement_actions)
    assert [a.entity_id for a in audits[1:]] == [a.id for a in actions]
    assert (audits[2].after["amount_minor"], audits[2].after["currency"], audits[2].after["kind"]) == (15000, "EUR", "fine")
    assert dt.datetime.fromisoformat(audits[2].after["at"]) == FINE_DAY


def test_a_warning_stores_the_vehicle_with_the_class_it_was_presented_with(db):
    presentation = Presentation(RESIDENT_KM, "XK", WARN_DAY, point="jarinje", resident="XK", vehicle_class="truck")
    enforcement.record_warning(presentation, actor=operator("officer-1"), db=db)
    with db.read() as conn:
        assert tuple(conn.execute(sa.select(vehicles.c.vehicle_class, vehicles.c.resident)).one()) == ("truck", "XK")
