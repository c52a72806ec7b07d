"""Importing and exporting crossings and registrations as CSV, on SQLite and PostgreSQL."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest
import sqlalchemy as sa

from borderplates.registry.database import Database
from borderplates.registry.tables import audit_log, crossings, metadata, vehicles
from borderplates.services import demo, transfer
from borderplates.services.transfer import ImportRejected
from tests.conftest import OPERATOR, DemoRegistry, local

HEADER = "plate,point,direction,jurisdiction,at,mode,lane,decision,officer,request_key\n"
GOOD = (
    HEADER
    + "NP 123-AB,merdare,entry,XK,2021-09-20T10:00:00+02:00,passenger,,issue_temporary_registration,officer-1,key-1\n"
    + "NP 123-AB,merdare,entry,XK,2021-09-20T10:05:00+02:00,passenger,L2,admit,officer-1,key-2\n"
    + "KM 4567-XY,konculj,exit,XK,2021-09-22T18:30:00+02:00,cargo,T1,admit,officer-2,\n"
    + "01-123-AB,mutivode,entry,RS,2021-09-21T07:00:00+02:00,bus,,issue_temporary_registration,officer-3,\n"
    + "123-KS-456,mucibaba,entry,XK,2021-09-23T09:00:00+02:00,passenger,,refuse,officer-4,key-3\n"
)


def counts(db: Database) -> dict[str, int]:
    with db.read() as conn:
        return {t.name: conn.execute(sa.select(sa.func.count()).select_from(t)).scalar_one() for t in metadata.sorted_tables}


def exported(db: Database, **filters: object) -> str:
    out = io.StringIO()
    transfer.export_crossings(out, actor=OPERATOR, db=db, **filters)  # type: ignore[arg-type]
    return out.getvalue()


def test_a_valid_file_imports_every_row_in_one_go_with_one_audit_row(db: Database) -> None:
    result = transfer.import_crossings(io.BytesIO(GOOD.encode()), actor=OPERATOR, db=db)
    assert (result.rows, result.vehicles_created) == (5, 4)
    assert "nothing is imported" in result.policy
    assert counts(db)["crossings"] == 5
    with db.read() as conn:
        trail = conn.execute(sa.select(audit_log)).all()
        classes = {plate: cls for plate, cls in conn.execute(sa.select(vehicles.c.plate, vehicles.c.vehicle_class))}
    assert len(trail) == 1
    assert (trail[0].action, trail[0].entity, trail[0].entity_id) == ("import", "crossing_import", 5)
    assert trail[0].after["rows"] == 5
    assert classes == {"NP 123-AB": "car", "KM 4567-XY": "truck", "01-123-AB": "bus", "123-KS-456": "car"}


def test_an_imported_file_exports_as_it_was_written(db: Database) -> None:
    transfer.import_crossings(io.StringIO(GOOD), actor=OPERATOR, db=db)
    lines = exported(db).splitlines()
    assert lines[0] == HEADER.strip()
    assert sorted(lines[1:]) == sorted(GOOD.splitlines()[1:])


def test_the_export_of_the_demo_week_reimports_into_another_empty_registry_with_the_same_rows(db: Database, other_db: Database) -> None:
    demo.load_demo_week(actor=OPERATOR, db=db)
    transfer.import_crossings(io.StringIO(GOOD.replace("key-", "other-")), actor=OPERATOR, db=db)
    first = exported(db)
    result = transfer.import_crossings(io.StringIO(first), actor=OPERATOR, db=other_db)
    assert result.rows == counts(db)["crossings"] == counts(other_db)["crossings"]
    assert exported(other_db) == first
    with db.read() as conn:
        originals = conn.execute(sa.select(crossings.c.point, crossings.c.at, crossings.c.decision).order_by(crossings.c.at, crossings.c.id)).all()
    with other_db.read() as conn:
        copies = conn.execute(sa.select(crossings.c.point, crossings.c.at, crossings.c.decision).order_by(crossings.c.at, crossings.c.id)).all()
    assert copies == originals


def test_exports_of_crossings_filter_by_period_and_point(db: Database) -> None:
    transfer.import_crossings(io.StringIO(GOOD), actor=OPERATOR, db=db)
    rows = list(csv.DictReader(io.StringIO(exported(db, start=local(2021, 9, 21), end=local(2021, 9, 23)))))
    assert [(r["plate"], r["point"]) for r in rows] == [("01-123-AB", "mutivode"), ("KM 4567-XY", "konculj")]
    rows = list(csv.DictReader(io.StringIO(exported(db, point="merdare"))))
    assert [r["request_key"] for r in rows] == ["key-1", "key-2"]


def test_registrations_export_one_row_each_with_the_fee_and_local_issue_time(demo_registry: DemoRegistry) -> None:
    db = demo_registry.db
    out = io.StringIO()
    assert transfer.export_registrations(out, actor=OPERATOR, status="active", db=db) == 10_110
    rows = list(csv.DictReader(io.StringIO(out.getvalue())))
    assert list(rows[0]) == list(transfer.REGISTRATION_COLUMNS)
    assert len(rows) == 10_110
    assert {(r["fee_amount"], r["fee_currency"], r["jurisdiction"], r["status"]) for r in rows} == {("5.00", "EUR", "XK", "active")}
    assert rows[0]["issued_at"].endswith("+02:00")
    assert transfer.export_registrations(io.StringIO(), actor=OPERATOR, status="returned", db=db) == 0


BAD_ROWS = {
    3: ("XX 1,merdare,entry,XK,2021-09-20T10:00:00+02:00,passenger,,admit,o1,", "fits no plate format"),
    4: ("NP 123-AB,nowhere,entry,XK,2021-09-20T10:00:00+02:00,passenger,,admit,o1,", "unknown crossing point 'nowhere'"),
    5: ("NP 123-AB,merdare,entry,AL,2021-09-20T10:00:00+02:00,passenger,,admit,o1,", "not on the border of AL"),
    6: ("NP 123-AB,mutivode,entry,XK,2021-09-20T10:00:00+02:00,cargo,,admit,o1,", "not 'cargo'"),
    8: ("NP 123-AB,merdare,entry,XK,2021-02-30T10:00:00+02:00,passenger,,admit,o1,", "not an ISO 8601 date-time"),
    9: ("NP 123-AB,merdare,entry,XK,2021-09-20T10:00:00,passenger,,admit,o1,", "has no UTC offset"),
    10: ("NP 123-AB,merdare,entry,XK,2021-09-20T10:00:00+02:00,passenger,,wave_through,o1,", "unknown decision 'wave_through'"),
    12: ("NP 123-AB,merdare,entry,XK,2021-09-20T10:00:00+02:00,passenger,,admit,o1,in-file", "used twice in the file (first on line 11)"),
    13: ("NP 123-AB,merdare,entry,XK,2021-09-20T10:00:00+02:00,passenger,,admit,o1,already-stored", "already used by a crossing in the registry"),
    14: ("NP 123-AB,merdare,sideways,XK,2021-09-20T10:00:00+02:00,passenger,,admit,o1,", "not entry or exit"),
    15: ("NP 123-AB,merdare,entry,XK,2021-09-20T10:00:00+02:00,passenger", "expected 10 fields, found 6"),
}


def test_a_file_with_bad_rows_is_rejected_whole_with_every_bad_line_and_its_reason(db: Database) -> None:
    transfer.import_crossings(
        io.StringIO(HEADER + "NP 999-ZZ,merdare,entry,XK,2021-09-19T10:00:00+02:00,passenger,,admit,o1,already-stored\n"), actor=OPERATOR, db=db
    )
    good = "NP 123-AB,merdare,entry,XK,2021-09-20T10:00:00+02:00,passenger,,admit,o1,"
    lines = [HEADER.strip()] + [good] * 14
    for line, (text, _) in BAD_ROWS.items():
        lines[line - 1] = text
    lines[10] = "NP 123-AB,merdare,entry,XK,2021-09-20T10:00:00+02:00,passenger,,admit,o1,in-file"  # line 11, first use of the key
    before = counts(db)
    with pytest.raises(ImportRejected) as rejected:
        transfer.import_crossings(io.StringIO("\n".join(lines) + "\n"), actor=OPERATOR, db=db)
    problems = dict(rejected.value.problems)
    assert sorted(problems) == sorted(BAD_ROWS)
    for line, (_, reason) in BAD_ROWS.items():
        assert reason in problems[line], (line, problems[line])
    message = rejected.value.text
    assert message.startswith("11 bad rows: line 3: ")
    assert "line 14:" in message and "line 15:" not in message and "and 1 more" in message
    assert "nothing was imported" in message
    assert counts(db) == before


@pytest.mark.parametrize(
    ("content", "reason"),
    [
        (b"", "the file is empty"),
        (b"plate,point,when\nNP 123-AB,merdare,2021-09-20\n", "not a crossings file"),
        (HEADER.encode(), "no rows"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x01\x00\xff\xfe", "not UTF-8"),
        ((HEADER + 'NP 123-AB,"merdare\n').encode(), "not CSV"),
    ],
    ids=["empty", "wrong header", "header only", "binary", "unclosed quote"],
)
def test_files_that_are_not_crossings_csv_are_rejected_with_a_clear_message(db: Database, tmp_path: Path, content: bytes, reason: str) -> None:
    path = tmp_path / "upload.csv"
    path.write_bytes(content)
    before = counts(db)
    with pytest.raises(ImportRejected, match=reason):
        transfer.import_crossings(path, actor=OPERATOR, db=db)
    assert counts(db) == before


def test_plates_of_vehicles_already_in_the_registry_reuse_those_vehicles(db: Database) -> None:
    transfer.import_crossings(io.StringIO(GOOD), actor=OPERATOR, db=db)
    again = GOOD.replace("key-", "again-").replace("2021-09-2", "2021-10-2")
    assert transfer.import_crossings(io.StringIO(again), actor=OPERATOR, db=db).vehicles_created == 0
    assert counts(db)["vehicles"] == 4
    assert counts(db)["crossings"] == 10


def test_progress_is_reported_while_reading_and_while_writing(db: Database) -> None:
    calls: list[tuple[int, int | None]] = []
    transfer.import_crossings(io.StringIO(GOOD), actor=OPERATOR, db=db, progress=lambda done, total: calls.append((done, total)))
    assert (5, None) in calls
    assert calls[-1] == (5, 5)


def test_a_new_vehicle_is_first_seen_at_its_earliest_crossing_in_the_file(db: Database) -> None:
    later_first = (
        HEADER
        + "NP 123-AB,merdare,exit,XK,2021-09-25T10:00:00+02:00,passenger,,admit,o1,\n"
        + "NP 123-AB,merdare,entry,XK,2021-09-20T08:00:00+02:00,passenger,,admit,o1,\n"
    )
    transfer.import_crossings(io.StringIO(later_first), actor=OPERATOR, db=db)
    with db.read() as conn:
        first_seen = conn.execute(sa.select(vehicles.c.created_at)).scalar_one()
    assert first_seen == local(2021, 9, 20, 8)
