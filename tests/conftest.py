"""Shared fixtures: a registry on SQLite and on PostgreSQL for every service test."""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Iterator
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import sqlalchemy as sa

from borderplates.registry.database import Database, create_engine
from borderplates.registry.tables import metadata

BELGRADE = ZoneInfo("Europe/Belgrade")
FIXTURES = Path(__file__).parent / "fixtures"


def local(*parts: int) -> dt.datetime:
    """A moment in the border's local time: ``local(2021, 9, 27, 10)``."""
    return dt.datetime(*parts, tzinfo=BELGRADE)  # type: ignore[misc]


def postgres_server_url() -> str:
    url = os.environ.get("BORDERPLATES_TEST_POSTGRES_URL")
    if not url:
        pytest.fail("BORDERPLATES_TEST_POSTGRES_URL is not set: run the suite with dev/test.sh, which starts PostgreSQL")
    return url


@pytest.fixture(scope="session")
def postgres_database(worker_id: str, testrun_uid: str) -> Iterator[Database]:
    """One PostgreSQL database per test run and worker, migrated once."""
    server = sa.engine.make_url(postgres_server_url())
    name = f"borderplates_test_{testrun_uid[:12]}_{worker_id}"
    admin = sa.create_engine(server, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.exec_driver_sql(f'CREATE DATABASE "{name}"')
    url = server.set(database=name).render_as_string(hide_password=False)
    database = Database(url, create_engine(url))
    database.upgrade()
    yield database
    database.engine.dispose()
    with admin.connect() as conn:
        conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    admin.dispose()


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def db(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Database]:
    """An empty, migrated registry: a SQLite file, or the worker's PostgreSQL database emptied."""
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'registry.db'}"
        database = Database(url, create_engine(url))
        database.upgrade()
        yield database
        database.engine.dispose()
        return
    database = request.getfixturevalue("postgres_database")
    with database.engine.begin() as conn:
        tables = ", ".join(table.name for table in metadata.sorted_tables)
        conn.exec_driver_sql(f"TRUNCATE {tables} RESTART IDENTITY CASCADE")
    yield database


@pytest.fixture
def test_rules(monkeypatch: pytest.MonkeyPatch) -> Path:
    """Switch the services to the frozen test regime of tests/fixtures/test_regime/rules/."""
    root = FIXTURES / "test_regime"
    monkeypatch.setenv("BORDERPLATES_DATA_ROOT", str(root))
    return root
