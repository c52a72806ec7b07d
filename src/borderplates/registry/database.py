"""Connecting to the registry: the embedded SQLite default, or PostgreSQL.

``BORDERPLATES_DATABASE_URL`` selects the database (``postgresql+psycopg://...``);
without it the registry is a SQLite file (WAL) in ``BORDERPLATES_DATA_DIR``
(default ``~/.local/share/borderplates``), created and migrated on first use.
"""

from __future__ import annotations

import fcntl
import os
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from threading import Lock
from typing import Any

import sqlalchemy as sa
from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory

from borderplates.errors import BorderplatesError

MIGRATIONS = Path(__file__).with_name("migrations")


def data_dir() -> Path:
    return Path(os.environ.get("BORDERPLATES_DATA_DIR") or Path.home() / ".local" / "share" / "borderplates")


def database_url() -> str:
    url = os.environ.get("BORDERPLATES_DATABASE_URL")
    if url:
        return url
    return f"sqlite:///{data_dir() / 'borderplates.db'}"


@dataclass
class Database:
    """An engine and how to open read and write transactions on it."""

    url: str
    engine: sa.Engine

    @property
    def is_sqlite(self) -> bool:
        return self.engine.dialect.name == "sqlite"

    @contextmanager
    def read(self) -> Iterator[sa.Connection]:
        """A read transaction."""
        with self.engine.connect() as connection, connection.begin():
            yield connection

    @contextmanager
    def lookup(self) -> Iterator[sa.Connection]:
        """A connection for one read statement, without a transaction around it (fast checks)."""
        with self.engine.connect() as connection:
            if self.is_sqlite:
                yield connection.execution_options(single_statement=True)
            else:
                yield connection.execution_options(isolation_level="AUTOCOMMIT")

    @contextmanager
    def write(self) -> Iterator[sa.Connection]:
        """A write transaction; on SQLite it takes the write lock at once (BEGIN IMMEDIATE)."""
        with self.engine.connect() as connection:
            connection = connection.execution_options(immediate=True)
            with connection.begin():
                yield connection

    def upgrade(self) -> str:
        """Run every migration not yet applied; returns the revision now current."""
        with self.engine.connect() as connection, connection.begin():
            config = _alembic_config()
            config.attributes["connection"] = connection
            command.upgrade(config, "head")
        return self.revision() or ""

    def revision(self) -> str | None:
        with self.engine.connect() as connection:
            return MigrationContext.configure(connection).get_current_revision()

    def is_current(self) -> bool:
        return self.revision() == ScriptDirectory.from_config(_alembic_config()).get_current_head()


def _alembic_config() -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    return config


def create_engine(url: str) -> sa.Engine:
    """An engine with the settings borderplates relies on (WAL and write locks on SQLite)."""
    if url.startswith("sqlite"):
        engine = sa.create_engine(url, connect_args={"timeout": 60, "check_same_thread": False}, pool_size=8, max_overflow=32)
        sa.event.listen(engine, "connect", _sqlite_connect)
        sa.event.listen(engine, "begin", _sqlite_begin)
        return engine
    return sa.create_engine(url, pool_size=8, max_overflow=32, pool_pre_ping=True)


def _sqlite_connect(dbapi_connection: Any, _record: Any) -> None:
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    for pragma in ("journal_mode=WAL", "busy_timeout=60000", "foreign_keys=ON", "synchronous=NORMAL"):
        cursor.execute(f"PRAGMA {pragma}")
    cursor.close()


def _sqlite_begin(connection: sa.Connection) -> None:
    options = connection.get_execution_options()
    if options.get("single_statement"):
        return  # one read statement: SQLite runs it in its own implicit transaction
    connection.exec_driver_sql("BEGIN IMMEDIATE" if options.get("immediate") else "BEGIN")


_opened: dict[str, Database] = {}
_lock = Lock()


def open_database(url: str | None = None) -> Database:
    """The database at ``url`` (default: :func:`database_url`), opened once per process.

    The embedded SQLite default is created and migrated on first use; any other
    database must be migrated with ``borderplates db upgrade`` first.
    """
    url = url or database_url()
    with _lock:
        database = _opened.get(url)
        if database is None:
            database = _open(url)
            _opened[url] = database
    return database


def _open(url: str) -> Database:
    embedded = url == database_url() and "BORDERPLATES_DATABASE_URL" not in os.environ
    if embedded:
        data_dir().mkdir(parents=True, exist_ok=True)
    try:
        database = Database(url, create_engine(url))
        current = database.is_current()
    except sa.exc.SQLAlchemyError as error:
        raise BorderplatesError(f"cannot open the registry at {_safe(url)}: {error.__class__.__name__}: {str(error).splitlines()[0]}") from None
    if not current:
        if not embedded:
            raise BorderplatesError(f"the registry at {_safe(url)} is not up to date; run: borderplates db upgrade")
        with _migration_lock():
            if not database.is_current():
                database.upgrade()
    return database


@contextmanager
def _migration_lock() -> Iterator[None]:
    """Serialise the first-use migration of the embedded registry across processes."""
    with (data_dir() / "migrate.lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


def forget(url: str) -> None:
    """Drop a cached database (tests, and ``db upgrade`` on a fresh URL)."""
    with _lock:
        database = _opened.pop(url, None)
    if database is not None:
        database.engine.dispose()


def _safe(url: str) -> str:
    return sa.engine.make_url(url).render_as_string(hide_password=True)
