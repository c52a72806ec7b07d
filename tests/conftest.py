"""Shared fixtures: a registry on SQLite and on PostgreSQL for every service test."""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import sqlalchemy as sa

from borderplates.registry.database import Database, create_engine
from borderplates.registry.tables import metadata
from borderplates.services import status
from borderplates.services.actors import Actor
from borderplates.services.demo import DemoSummary, load_demo_week
from borderplates.vocabulary import Role

BELGRADE = ZoneInfo("Europe/Belgrade")
FIXTURES = Path(__file__).parent / "fixtures"


def local(*parts: int) -> dt.datetime:
    """A moment in the border's local time: ``local(2021, 9, 27, 10)``."""
    return dt.datetime(*parts, tzinfo=BELGRADE)  # type: ignore[misc]


def operator(name: Any, role: Role = Role.SUPERVISOR, point: str | None = None) -> Actor:
    """Someone working the registry, by name: the command line's local operator unless a role is given."""
    return Actor(name, role, point)


OPERATOR = operator("tester")


def postgres_server_url() -> str:
    url = os.environ.get("BORDERPLATES_TEST_POSTGRES_URL")
    if not url:
        pytest.fail("BORDERPLATES_TEST_POSTGRES_URL is not set: run the suite with dev/test.sh, which starts PostgreSQL")
    return url


@contextmanager
def postgres_database_named(name: str) -> Iterator[Database]:
    """A new, migrated PostgreSQL database on the test server, dropped afterwards."""
    server = sa.engine.make_url(postgres_server_url())
    admin = sa.create_engine(server, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.exec_driver_sql(f'CREATE DATABASE "{name}"')
    url = server.set(database=name).render_as_string(hide_password=False)
    database = Database(url, create_engine(url))
    database.upgrade()
    try:
        yield database
    finally:
        database.engine.dispose()
        with admin.connect() as conn:
            conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.dispose()


@contextmanager
def sqlite_database(path: Path) -> Iterator[Database]:
    """A new, migrated SQLite registry in ``path``."""
    url = f"sqlite:///{path}"
    database = Database(url, create_engine(url))
    database.upgrade()
    try:
        yield database
    finally:
        database.engine.dispose()


def emptied(database: Database) -> Database:
    with database.engine.begin() as conn:
        conn.exec_driver_sql(f"TRUNCATE {', '.join(table.name for table in metadata.sorted_tables)} RESTART IDENTITY CASCADE")
    status.forget_cached(database)
    return database


@pytest.fixture(scope="session")
def postgres_database(worker_id: str, testrun_uid: str) -> Iterator[Database]:
    """One PostgreSQL database per test run and worker, migrated once."""
    with postgres_database_named(f"borderplates_test_{testrun_uid[:12]}_{worker_id}") as database:
        yield database


@pytest.fixture(scope="session")
def second_postgres_database(worker_id: str, testrun_uid: str) -> Iterator[Database]:
    """Another PostgreSQL database per test run and worker, for tests that need two registries."""
    with postgres_database_named(f"borderplates_test_{testrun_uid[:12]}_{worker_id}_2") as database:
        yield database


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def db(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Database]:
    """An empty, migrated registry: a SQLite file, or the worker's PostgreSQL database emptied."""
    if request.param == "sqlite":
        with sqlite_database(tmp_path / "registry.db") as database:
            yield database
    else:
        yield emptied(request.getfixturevalue("postgres_database"))


@pytest.fixture
def other_db(db: Database, request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Database]:
    """Another empty registry on the same kind of database as ``db``."""
    if db.is_sqlite:
        with sqlite_database(tmp_path / "other.db") as database:
            yield database
    else:
        yield emptied(request.getfixturevalue("second_postgres_database"))


@pytest.fixture
def test_rules(monkeypatch: pytest.MonkeyPatch) -> Path:
    """Switch the services to the frozen test regime of tests/fixtures/test_regime/rules/."""
    root = FIXTURES / "test_regime"
    monkeypatch.setenv("BORDERPLATES_DATA_ROOT", str(root))
    return root


@dataclass(frozen=True)
class DemoRegistry:
    """A registry holding the demo week, loaded once per test session and kind of database; read it, never change it."""

    db: Database
    summary: DemoSummary
    progress: tuple[tuple[int, int | None], ...]


@pytest.fixture(scope="session", params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def demo_registry(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory, worker_id: str, testrun_uid: str) -> Iterator[DemoRegistry]:
    calls: list[tuple[int, int | None]] = []
    with (
        sqlite_database(tmp_path_factory.mktemp("demo") / "registry.db")
        if request.param == "sqlite"
        else postgres_database_named(f"borderplates_test_{testrun_uid[:12]}_{worker_id}_demo")
    ) as database:
        summary = load_demo_week(actor=OPERATOR, db=database, progress=lambda done, total: calls.append((done, total)))
        yield DemoRegistry(database, summary, tuple(calls))
