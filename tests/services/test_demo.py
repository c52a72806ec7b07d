"""The demo week 20–26 Sep 2021: the published figures, determinism, and an empty registry only."""

from __future__ import annotations

import io

import pytest
import sqlalchemy as sa

from borderplates.registry.database import Database
from borderplates.registry.tables import audit_log, crossings, temporary_registrations, vehicles
from borderplates.services import demo, status, transfer
from borderplates.vocabulary import Mode, WaitMethod
from tests.conftest import OPERATOR, DemoRegistry, local

R = temporary_registrations


def registrations_where(db: Database, *conditions: sa.ColumnElement[bool]) -> int:
    with db.read() as conn:
        return conn.execute(sa.select(sa.func.count()).select_from(R).where(*conditions)).scalar_one()


def test_the_demo_week_matches_the_published_figures(demo_registry: DemoRegistry) -> None:
    db, summary = demo_registry.db, demo_registry.summary
    in_week = (R.c.issued_at >= local(2021, 9, 20), R.c.issued_at < local(2021, 9, 27))
    assert registrations_where(db) == registrations_where(db, *in_week) == 10_110
    assert registrations_where(db, R.c.issued_at < local(2021, 9, 21)) == 1_455
    assert registrations_where(db, R.c.issuing_point == "jarinje") == 13
    assert registrations_where(db, R.c.issuing_point == "brnjak") == 11
    assert (summary.registrations, summary.first_24h, summary.by_place["jarinje"], summary.by_place["brnjak"]) == (10_110, 1_455, 13, 11)
    assert max(summary.by_place, key=summary.by_place.__getitem__) == "merdare"


def test_staff_saw_queues_every_half_hour_and_the_board_reads_a_wait_from_them(demo_registry: DemoRegistry) -> None:
    assert demo_registry.summary.queues == 7 * 32 * 4 * 2  # days, half hours from 06:00 to 22:00, open crossings, ways
    lines = {(line.status.point, line.status.entering, line.status.mode): line for line in status.board(local(2021, 9, 25, 12), db=demo_registry.db)}
    into_kosovo, into_serbia = lines[("merdare", "XK", Mode.PASSENGER)].wait, lines[("merdare", "RS", Mode.PASSENGER)].wait
    assert into_kosovo.method == into_serbia.method == WaitMethod.MODEL and not into_kosovo.stale
    assert into_kosovo.delay_minutes is not None and into_serbia.delay_minutes is not None
    assert into_kosovo.delay_minutes > into_serbia.delay_minutes > 0
    assert lines[("jarinje", "XK", Mode.PASSENGER)].wait.method is None  # blocked: nobody counted a queue there


def test_registration_centres_issue_only_from_21_september_noon(demo_registry: DemoRegistry) -> None:
    db = demo_registry.db
    centres = R.c.issuing_point.startswith("centre:")
    assert registrations_where(db, centres) > 1000
    assert registrations_where(db, centres, R.c.issued_at < local(2021, 9, 21, 12)) == 0
    with db.read() as conn:
        names = set(conn.execute(sa.select(R.c.issuing_point).where(centres).distinct()).scalars())
    assert names == {"centre:Prishtinë", "centre:Mitrovicë", "centre:Pejë", "centre:Prizren", "centre:Ferizaj", "centre:Gjilan", "centre:Gjakovë"}


def test_every_issuance_at_a_crossing_is_followed_by_an_admitted_entry_with_that_registration(demo_registry: DemoRegistry) -> None:
    db = demo_registry.db
    c = crossings
    with db.read() as conn:
        at_crossings = conn.execute(sa.select(R.c.id, R.c.issued_at, R.c.issuing_point).where(~R.c.issuing_point.startswith("centre:"))).all()
        entries = {
            row.registration_id: row
            for row in conn.execute(sa.select(c.c.registration_id, c.c.at, c.c.point, c.c.decision, c.c.direction).where(c.c.registration_id.is_not(None)))
        }
        plates = conn.execute(sa.select(vehicles.c.issuer, vehicles.c.plate_kind, vehicles.c.area_code)).all()
        decisions = dict(conn.execute(sa.select(c.c.decision, sa.func.count()).group_by(c.c.decision)).all())
        rks_into_serbia = conn.execute(sa.select(c.c.decision).where(c.c.jurisdiction == "RS", c.c.direction == "entry").distinct()).scalars().all()
        refused = (
            conn.execute(sa.select(vehicles.c.plate_kind).join(c, c.c.vehicle_id == vehicles.c.id).where(c.c.decision == "refuse").distinct()).scalars().all()
        )
    assert len(at_crossings) == len(entries) == 10_110 - registrations_where(db, R.c.issuing_point.startswith("centre:"))
    for registration in at_crossings:
        entry = entries[registration.id]
        assert (entry.direction, entry.decision, entry.point) == ("entry", "admit", registration.issuing_point)
        assert entry.at > registration.issued_at
    serbian_areas = [area for issuer, _, area in plates if issuer == "RS"]
    assert sum(area in {"KM", "PR", "PZ", "UR", "GL", "PE", "ĐA"} for area in serbian_areas) > 100
    assert sum(area in {"NP", "KV", "KŠ", "NI", "BG", "KG"} for area in serbian_areas) > len(serbian_areas) / 4
    assert rks_into_serbia == ["issue_temporary_registration"]
    assert refused == ["neutral"]
    assert set(decisions) == {"admit", "issue_temporary_registration", "refuse"}


def test_the_same_seed_gives_the_same_week_in_two_empty_registries(demo_registry: DemoRegistry, other_db: Database) -> None:
    db = demo_registry.db
    assert demo.load_demo_week(actor=OPERATOR, db=other_db) == demo_registry.summary
    for table, order in ((R, R.c.number), (crossings, crossings.c.id), (vehicles, vehicles.c.id)):
        same = sa.select(*(column for column in table.c if column.name != "uid")).order_by(order)  # global ids are new in every registry
        with db.read() as conn:
            first = conn.execute(same).all()
        with other_db.read() as conn:
            second = conn.execute(same).all()
        assert first == second, table.name
    with db.read() as conn:
        numbers = conn.execute(sa.select(R.c.number)).scalars().all()
    assert len(set(numbers)) == 10_110


def test_another_seed_gives_another_week(db: Database, other_db: Database) -> None:
    demo.load_demo_week(actor=OPERATOR, db=db, seed=1)
    demo.load_demo_week(actor=OPERATOR, db=other_db, seed=2)
    with db.read() as conn:
        first = set(conn.execute(sa.select(R.c.number)).scalars())
    with other_db.read() as conn:
        second = set(conn.execute(sa.select(R.c.number)).scalars())
    assert not first & second
    assert registrations_where(other_db, R.c.issuing_point == "jarinje") == 13


def test_the_demo_week_is_refused_on_a_registry_that_holds_data(db: Database) -> None:
    header = ",".join(transfer.CROSSING_COLUMNS)
    transfer.import_crossings(io.StringIO(f"{header}\nNP 123-AB,merdare,entry,XK,2021-09-20T10:00:00+02:00,passenger,,admit,o1,\n"), actor=OPERATOR, db=db)
    assert not demo.is_empty(db=db)
    with pytest.raises(demo.RegistryNotEmpty, match="not empty"):
        demo.load_demo_week(actor=OPERATOR, db=db)
    assert registrations_where(db) == 0


def test_loading_the_demo_week_writes_one_audit_row(demo_registry: DemoRegistry) -> None:
    db, summary, calls = demo_registry.db, demo_registry.summary, demo_registry.progress
    with db.read() as conn:
        trail = conn.execute(sa.select(audit_log)).all()
    assert [(t.action, t.entity, t.entity_id) for t in trail] == [("load_demo", "demo_week", 10_110)]
    assert trail[0].after["registrations"] == 10_110
    total = summary.vehicles + summary.registrations + summary.crossings
    assert calls[-1] == (total, total)
