"""Read-only traffic on a streaming replica (started by dev/test.sh with pg_basebackup), writes on the primary.

Pausing the replica's replay proves where each read goes: what the primary holds but the
replica has not replayed yet is missing from the board, the public verification and the
lists, and present for the reads that writes rely on.
"""

from __future__ import annotations

import datetime as dt
import os
import time
from collections.abc import Iterator

import pytest
import sqlalchemy as sa

from borderplates.errors import NotFound, RegistryUnavailable
from borderplates.registry import Database, create_engine, open_registry
from borderplates.services import audit, crossings, registrations, status, verification
from borderplates.services.presentation import Presentation
from borderplates.settings import Settings
from tests.cli.conftest import Cli
from tests.conftest import OPERATOR, local, operator, postgres_database_named

pytestmark = [pytest.mark.postgres, pytest.mark.usefixtures("test_rules")]


def replica_server_url() -> str:
    url = os.environ.get("BORDERPLATES_TEST_REPLICA_URL")
    if not url:
        pytest.fail("BORDERPLATES_TEST_REPLICA_URL is not set: run the suite with dev/test.sh, which starts a streaming replica")
    return url


@pytest.fixture
def replicated(worker_id: str, testrun_uid: str) -> Iterator[tuple[Database, str]]:
    """A new database on the primary (replicated like every other) and the replica's URL for it."""
    name = f"borderplates_test_{testrun_uid[:12]}_{worker_id}_replicated"
    with postgres_database_named(name) as primary:
        replica_url = sa.engine.make_url(replica_server_url()).set(database=name).render_as_string(hide_password=False)
        caught_up(primary, replica_url)
        yield primary, replica_url


def caught_up(primary: Database, replica_url: str, timeout: float = 30.0) -> None:
    """Wait until the replica has replayed everything the primary has written so far."""
    with primary.engine.connect() as conn:
        target = conn.exec_driver_sql("SELECT pg_current_wal_insert_lsn()").scalar_one()
    deadline = time.monotonic() + timeout
    engine = sa.create_engine(replica_url)
    try:
        while True:
            try:
                with engine.connect() as conn:
                    if conn.exec_driver_sql("SELECT pg_last_wal_replay_lsn() >= %s::pg_lsn", (target,)).scalar_one():
                        return
            except sa.exc.OperationalError:
                pass  # the database is not on the replica yet
            if time.monotonic() > deadline:
                pytest.fail("the replica did not catch up with the primary")
            time.sleep(0.05)
    finally:
        engine.dispose()


def replay(replica_url: str, *, paused: bool) -> None:
    engine = sa.create_engine(replica_url, isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as conn:
            conn.exec_driver_sql("SELECT pg_wal_replay_pause()" if paused else "SELECT pg_wal_replay_resume()")
            if paused:
                while conn.exec_driver_sql("SELECT pg_get_wal_replay_pause_state()").scalar_one() != "paused":
                    time.sleep(0.01)
    finally:
        engine.dispose()


def issue(db: Database, plate: str, at: dt.datetime) -> registrations.Registration:
    return registrations.issue_temporary_registration(Presentation(plate, "XK", at, point="merdare"), actor=operator("clerk-1"), db=db)


def test_the_board_verification_and_lists_read_the_replica_and_writes_go_to_the_primary(replicated):
    primary, replica_url = replicated
    db = Database(primary.url, primary.engine, read_engine=create_engine(replica_url))
    try:
        first = issue(db, "NP 900-RP", local(2021, 9, 21, 9))
        caught_up(primary, replica_url)
        assert verification.verify_registration(first.number, local(2021, 9, 21, 10), db=db).status == "active"
        replay(replica_url, paused=True)
        try:
            second = issue(db, "NP 901-RP", local(2021, 9, 21, 9, 30))
            at = local(2021, 9, 21, 11)
            for minute in range(30, 60, 2):
                crossings.record_crossing(Presentation(f"NP {910 + minute}-RP", "XK", local(2021, 9, 21, 10, minute), point="merdare"), actor=OPERATOR, db=db)
            status.observe_queue("merdare", "XK", "passenger", local(2021, 9, 21, 10, 55), lanes_open=2, vehicles=20, actor=OPERATOR, db=db)
            # Not replayed yet: the reads that may lag do not see it ...
            with pytest.raises(NotFound):
                verification.verify_registration(second.number, at, db=db)
            assert [r.number for r in registrations.list_registrations(actor=OPERATOR, db=db).registrations] == [first.number]
            assert crossings.list_crossings(actor=OPERATOR, db=db).crossings == ()
            merdare = next(line for line in status.board(at, db=db) if line.status.point == "merdare" and line.status.entering == "XK")
            assert merdare.wait.method is None
            assert audit.verify_chains(actor=OPERATOR, db=db).checked == 2
            # ... while a use case that writes, and the reads it relies on, use the primary.
            assert registrations.show_registration(second.number, actor=OPERATOR, db=db)[0].number == second.number
        finally:
            replay(replica_url, paused=False)
        caught_up(primary, replica_url)
        assert verification.verify_registration(second.number, at, db=db).number == second.number
        assert len(crossings.list_crossings(actor=OPERATOR, db=db).crossings) == 15
        merdare = next(line for line in status.board(at, db=db) if line.status.point == "merdare" and line.status.entering == "XK")
        assert merdare.wait.method == "model" and merdare.wait.delay_minutes is not None
    finally:
        db.read_engine.dispose()


def test_the_replica_refuses_writes(replicated):
    _, replica_url = replicated
    on_replica = Database(replica_url, create_engine(replica_url))
    try:
        with pytest.raises(RegistryUnavailable, match="read-only"):
            issue(on_replica, "NP 902-RP", local(2021, 9, 21, 9))
    finally:
        on_replica.close()


def test_the_settings_name_the_replica_and_the_board_command_reads_it(replicated, tmp_path):
    primary, replica_url = replicated
    settings = Settings(data_dir=tmp_path, database_url=primary.url, read_database_url=replica_url)
    opened = open_registry(settings)
    try:
        assert opened.read_engine is not None and opened.read_engine.url.port == sa.engine.make_url(replica_url).port
        with opened.reading(replica=True) as uow:
            assert uow.connection.exec_driver_sql("SELECT pg_is_in_recovery()").scalar_one()
        with opened.reading() as uow:
            assert not uow.connection.exec_driver_sql("SELECT pg_is_in_recovery()").scalar_one()
    finally:
        opened.close()
    cli = Cli({"BORDERPLATES_DATA_DIR": str(tmp_path), "BORDERPLATES_DATABASE_URL": primary.url, "BORDERPLATES_READ_DATABASE_URL": replica_url})
    issue(primary, "NP 903-RP", local(2021, 9, 21, 9))
    replay(replica_url, paused=True)
    try:
        crossings.record_crossing(Presentation("NP 903-RP", "XK", local(2021, 9, 21, 10, 20), point="merdare"), actor=OPERATOR, db=primary)
        status.observe_queue("merdare", "XK", "passenger", local(2021, 9, 21, 10, 25), lanes_open=1, vehicles=10, actor=OPERATOR, db=primary)
        assert merdare_wait(cli) is None  # on the primary only
    finally:
        replay(replica_url, paused=False)
    caught_up(primary, replica_url)
    assert merdare_wait(cli) == "model"


def merdare_wait(cli: Cli) -> str | None:
    """How the board command estimates the wait to enter XK at Merdare by car at 10:30."""
    board = cli.json("board", "--at", "2021-09-21T10:30:00+02:00")
    [line] = [line for line in board["crossings"] if line["point"] == "merdare" and line["entering"] == "XK" and line["mode"] == "passenger"]
    return line["method"]
