"""The audit trail's hash chain: appends chain, and a hand-edited, a deleted and an inserted record are each found and named."""

from __future__ import annotations

import itertools
import json
import threading
from pathlib import Path

import pytest
import sqlalchemy as sa
from alembic import command
from alembic.config import Config

from borderplates.errors import Forbidden
from borderplates.registry import Database
from borderplates.registry.audit import GENESIS, LOCAL_ORIGIN, canonical_bytes, digest
from borderplates.registry.database import MIGRATIONS, create_engine
from borderplates.services import audit, crossings, registrations
from borderplates.services.actors import Actor
from borderplates.services.presentation import Presentation
from borderplates.vocabulary import Role
from tests.cli.conftest import Cli, base_env
from tests.conftest import OPERATOR, local

CLERK = Actor("clerk-07", Role.CLERK, "jarinje")


def some_history(db: Database, plates: int = 3) -> None:
    """Registrations issued and one cancelled: vehicles, registrations and status changes in the trail."""
    presentations = [Presentation(f"NP {100 + n}-AB", "XK", local(2021, 9, 27, 10, n), point="jarinje") for n in range(plates)]
    numbers = [registrations.issue_temporary_registration(presentation, actor=CLERK, db=db).number for presentation in presentations]
    registrations.cancel(numbers[0], local(2021, 9, 28, 9), reason="issued in error", actor=OPERATOR, db=db)


def tamper(db: Database, *statements: tuple[str, dict[str, object]]) -> None:
    """Change the audit table behind borderplates' back, as someone with the database's owner rights could."""
    with db.engine.begin() as conn:
        if db.is_sqlite:
            conn.exec_driver_sql("DROP TRIGGER audit_log_no_update")
            conn.exec_driver_sql("DROP TRIGGER audit_log_no_delete")
        else:
            conn.exec_driver_sql("ALTER TABLE audit_log DISABLE TRIGGER audit_log_append_only")
        for sql, values in statements:
            conn.execute(sa.text(sql), values)
        if not db.is_sqlite:
            conn.exec_driver_sql("ALTER TABLE audit_log ENABLE TRIGGER audit_log_append_only")


def verified(db: Database) -> audit.Verification:
    return audit.verify_chains(actor=OPERATOR, db=db)


def test_every_state_change_is_a_link_of_the_chain_and_the_chain_holds(db):
    some_history(db)
    result = verified(db)
    assert result.intact
    [chain] = result.chains
    assert chain.origin == LOCAL_ORIGIN and chain.records == result.checked == 7  # 3 vehicles, 3 issuances, 1 cancellation
    with db.read() as conn:
        rows = conn.execute(sa.text("SELECT seq, prev_hash, hash, record FROM audit_log ORDER BY seq")).fetchall()
    assert [row.seq for row in rows] == list(range(1, 8))
    assert rows[0].prev_hash == GENESIS and all(row.prev_hash == before.hash for before, row in itertools.pairwise(rows))
    assert all(digest(bytes(row.record)) == row.hash for row in rows)
    assert json.loads(bytes(rows[-1].record))["reason"] == "issued in error"


def test_a_hand_edited_record_is_named(db):
    some_history(db)
    tamper(db, ("UPDATE audit_log SET actor = 'someone else' WHERE seq = 4", {}))
    result = verified(db)
    assert not result.intact
    [found] = result.breaks
    assert (found.seq, found.kind) == (4, "altered") and "actor" in found.detail


def test_a_record_rewritten_with_its_own_hash_is_named_by_the_next_link(db):
    some_history(db)
    with db.read() as conn:
        row = conn.execute(sa.text("SELECT prev_hash, record FROM audit_log WHERE seq = 3")).one()
    forged = json.loads(bytes(row.record))
    forged["actor"] = "someone else"
    fields = {k: v for k, v in forged.items() if k not in ("v", "origin", "prev", "recorded_at")}
    record = canonical_bytes(row.prev_hash, LOCAL_ORIGIN, fields, forged["recorded_at"])
    tamper(db, ("UPDATE audit_log SET actor = 'someone else', record = :record, hash = :hash WHERE seq = 3", {"record": record, "hash": digest(record)}))
    [found] = verified(db).breaks
    assert (found.seq, found.kind) == (3, "altered")


def test_a_deleted_record_is_named(db):
    some_history(db)
    tamper(db, ("DELETE FROM audit_log WHERE seq = 5", {}))
    [found] = verified(db).breaks
    assert (found.seq, found.kind, found.record_id) == (5, "deleted", None)
    assert "record 5 missing" in found.detail


def test_an_inserted_record_is_named_even_with_a_valid_hash_of_its_own(db):
    some_history(db)
    with db.read() as conn:
        before = conn.execute(sa.text("SELECT * FROM audit_log WHERE seq = 2")).one()
    fields = {
        "at": "2021-09-27T08:30:00+00:00",
        "actor": "clerk-07",
        "point": "jarinje",
        "action": "cancel",
        "entity": "temporary_registration",
        "entity_id": 1,
        "before": None,
        "after": None,
        "reason": "slipped in",
    }
    record = canonical_bytes(before.hash, LOCAL_ORIGIN, fields, "2021-09-27T08:30:00+00:00")
    values = {**fields, "record": record, "hash": digest(record), "prev": before.hash}
    tamper(
        db,
        ("UPDATE audit_log SET seq = -seq WHERE seq >= 3", {}),
        ("UPDATE audit_log SET seq = 1 - seq WHERE seq < 0", {}),
        (
            "INSERT INTO audit_log (origin, seq, at, recorded_at, actor, point, action, entity, entity_id, reason, prev_hash, hash, record) "
            "VALUES ('centre', 3, '2021-09-27 08:30:00', '2021-09-27 08:30:00', :actor, :point, :action, :entity, :entity_id, :reason, :prev, :hash, :record)",
            values,
        ),
    )
    if not db.is_sqlite:
        tamper(db, ("UPDATE audit_log SET at = '2021-09-27T08:30:00+00:00', recorded_at = '2021-09-27T08:30:00+00:00' WHERE seq = 3", {}))
    [found] = verified(db).breaks
    assert (found.seq, found.kind) == (3, "inserted")


def test_the_audit_log_refuses_updates_and_deletes(db):
    some_history(db, plates=1)
    for statement in ("UPDATE audit_log SET actor = 'x'", "DELETE FROM audit_log"):
        with pytest.raises(sa.exc.DBAPIError, match="append-only"), db.engine.begin() as conn:
            conn.exec_driver_sql(statement)
    assert verified(db).intact


def test_appends_from_many_threads_keep_one_unbroken_chain(db):
    officer = Actor("officer-12", Role.OFFICER, "jarinje")

    def cross(worker: int) -> None:
        for n in range(5):
            presentation = Presentation(f"BG {worker}{n}0-AA", "XK", local(2021, 9, 27, 10, worker * 5 + n), point="jarinje")
            crossings.record_crossing(presentation, actor=officer, db=db)

    threads = [threading.Thread(target=cross, args=(worker,)) for worker in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    result = verified(db)
    assert result.intact and result.checked == 40  # 20 vehicles, 20 crossings


def test_only_supervisors_read_and_verify_the_audit(db):
    for role in (Role.OFFICER, Role.CLERK, Role.ADMIN):
        with pytest.raises(Forbidden):
            audit.verify_chains(actor=Actor("x", role), db=db)
        with pytest.raises(Forbidden):
            audit.list_audit(actor=Actor("x", role), db=db)


def test_the_audit_pages_newest_first_with_filters(db):
    some_history(db)
    first = audit.list_audit(actor=OPERATOR, limit=4, db=db)
    rest = audit.list_audit(actor=OPERATOR, limit=4, cursor=first.next_cursor, db=db)
    assert [r.seq for r in first.records] == [7, 6, 5, 4] and [r.seq for r in rest.records] == [3, 2, 1] and rest.next_cursor is None
    cancelled = audit.list_audit(actor=OPERATOR, action="cancel", db=db).records
    assert [(r.entry.actor, r.entry.reason) for r in cancelled] == [("tester", "issued in error")]
    assert [r.entry.action for r in audit.list_audit(actor=OPERATOR, by="clerk-07", entity="vehicle", db=db).records] == ["create"] * 3


def test_the_migration_chains_the_records_written_before_it(tmp_path: Path):
    url = f"sqlite:///{tmp_path / 'old.db'}"
    db = Database(url, create_engine(url))
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    try:
        with db.engine.connect() as conn, conn.begin():
            config.attributes["connection"] = conn
            command.upgrade(config, "0002")
        with db.engine.begin() as conn:
            for n in range(3):
                conn.execute(
                    sa.text(
                        "INSERT INTO audit_log (at, actor, point, action, entity, entity_id, before, after, reason) "
                        "VALUES (:at, 'old-clerk', 'jarinje', 'issue', 'temporary_registration', :n, NULL, :after, NULL)"
                    ),
                    {"at": f"2021-09-2{n} 08:00:00.000000", "n": n, "after": json.dumps({"number": f"N{n}", "valid_from": "2021-09-20"})},
                )
        db.upgrade()
        result = verified(db)
        assert result.intact and result.checked == 3
        some_history(db, plates=1)
        assert verified(db).intact and verified(db).checked == 6  # and a vehicle, an issuance and a cancellation after
    finally:
        db.close()


def test_audit_verify_exits_1_naming_the_record_and_0_with_the_count(tmp_path: Path):
    cli = Cli(base_env(tmp_path / "registry"))
    cli.json("issue", "NP 123-AB", "--point", "jarinje", "--entering", "XK", "--at", "2021-09-27T10:05:00+02:00")
    intact = cli.json("audit", "verify")
    assert intact["intact"] is True and intact["checked"] == 2
    assert "2 record(s) checked" in cli.run("audit", "verify").stdout
    url = f"sqlite:///{tmp_path / 'registry' / 'borderplates.db'}"
    db = Database(url, create_engine(url))
    try:
        tamper(db, ("UPDATE audit_log SET reason = 'nothing to see' WHERE seq = 2", {}))
    finally:
        db.close()
    done = cli.run("audit", "verify", "--json")
    assert done.returncode == 1
    [chain] = json.loads(done.stdout)["chains"]
    assert chain["first_break"]["seq"] == 2 and chain["first_break"]["kind"] == "altered"
    text = cli.run("audit", "verify")
    assert text.returncode == 1 and "record 2 of centre" in text.stdout and "altered" in text.stdout
