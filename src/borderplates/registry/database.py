"""Connecting to the registry: the embedded SQLite default, or PostgreSQL.

A :class:`Database` is made once by the caller (the command line, the server, a
test) with :func:`open_registry` and passed to every use case. It opens units of
work (one transaction each), and keeps one read connection per thread for the
checks a booth asks all day (:meth:`Database.lookups`). Nothing here migrates as a
side effect of a read: :func:`open_registry` migrates only when asked to.
"""

from __future__ import annotations

import fcntl
import os
import sqlite3
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from alembic.util.exc import CommandError

from borderplates.errors import RegistryUnavailable
from borderplates.registry.lookups import Lookups
from borderplates.registry.tables import CENTRE
from borderplates.registry.unit_of_work import UnitOfWork, describe_database_error
from borderplates.settings import Settings

MIGRATIONS = Path(__file__).with_name("migrations")


class Database:
    """An engine, how to open units of work on it, and the fast read connections of its threads."""

    def __init__(self, url: str, engine: sa.Engine, *, connect_timeout: float = 5.0, read_engine: sa.Engine | None = None, origin: str = CENTRE) -> None:
        self.url = url
        self.engine = engine
        self.read_engine = read_engine
        """A streaming replica for the reads that may lag the primary by a moment (boards, public verification, lists), if any."""
        self.origin = origin
        """The site this registry writes as: ``centre``, or the site it was joined as (:mod:`borderplates.registry.sites`)."""
        self.connect_timeout = connect_timeout
        self.is_sqlite = engine.dialect.name == "sqlite"
        self._local = threading.local()
        self._lookups: list[Lookups] = []
        self._lock = threading.Lock()

    def __repr__(self) -> str:
        return f"Database({self.where!r})"

    @property
    def where(self) -> str:
        """The database's URL with its password hidden, to show people."""
        return self.engine.url.render_as_string(hide_password=True)

    @property
    def is_site(self) -> bool:
        """Whether this registry is a site's (it pushes to and pulls from a centre), not the centre's."""
        return self.origin != CENTRE

    def begin(self) -> UnitOfWork:
        """A unit of work that may write: ``with db.begin() as uow: ...; uow.commit()``."""
        return UnitOfWork(self.engine, write=True, origin=self.origin)

    def reading(self, *, replica: bool = False, consistent: bool = False) -> UnitOfWork:
        """A unit of work that only reads.

        With ``replica``, on the read replica when there is one: for reads that may lag the primary
        by a moment (the board, public verification, lists and reports), never for a read that a
        write of the same use case relies on. With ``consistent``, every statement sees the registry
        as it stood when the first ran (REPEATABLE READ on PostgreSQL; SQLite's read transactions
        always do).
        """
        engine = self.read_engine if replica and self.read_engine is not None else self.engine
        return UnitOfWork(engine, write=False, origin=self.origin, consistent=consistent)

    def lookups(self) -> Lookups:
        """This thread's kept read connection, for one-statement reads on the hot path (checks)."""
        found: Lookups | None = getattr(self._local, "lookups", None)
        if found is None or found.pid != os.getpid():
            found = Lookups(self.engine, self.connect_timeout)
            self._local.lookups = found
            with self._lock:
                self._lookups.append(found)
        return found

    @contextmanager
    def read(self) -> Iterator[sa.Connection]:
        """A plain read transaction (for the registry's own bulk reads and for tests)."""
        with self.engine.connect() as connection, connection.begin():
            yield connection

    def upgrade(self) -> str:
        """Run every migration not yet applied; returns the revision now current."""
        with self._upgrade_lock(), _translated(self.where):
            with self.engine.connect() as connection, connection.begin():
                config = _alembic_config()
                config.attributes["connection"] = connection
                command.upgrade(config, "head")
            return self.revision() or ""

    def revision(self) -> str | None:
        with _translated(self.where), self.engine.connect() as connection:
            return MigrationContext.configure(connection).get_current_revision()

    def is_current(self) -> bool:
        return self.revision() == head_revision()

    def check_revision(self) -> None:
        """Refuse a registry that is not at the revision this version of borderplates works with."""
        revision = self.revision()
        if revision == head_revision():
            return
        if revision is None:
            raise RegistryUnavailable(f"the registry at {self.where} is empty or not set up; run: borderplates db upgrade")
        if revision not in known_revisions():
            raise RegistryUnavailable(
                f"the registry at {self.where} is at revision {revision}, which this version of borderplates does not know; install a newer one"
            )
        raise RegistryUnavailable(f"the registry at {self.where} is at revision {revision}, not {head_revision()}; run: borderplates db upgrade")

    def close(self) -> None:
        """Close every kept read connection and the engine's pool."""
        with self._lock:
            kept, self._lookups = self._lookups, []
        for lookups in kept:
            lookups.close()
        self.engine.dispose()
        if self.read_engine is not None:
            self.read_engine.dispose()

    @contextmanager
    def _upgrade_lock(self) -> Iterator[None]:
        """Serialise migrations of one SQLite file across processes (two ``db upgrade`` at once)."""
        database = self.engine.url.database
        if not self.is_sqlite or not database or database == ":memory:":
            yield
            return
        lock_path = Path(database).with_name(Path(database).name + ".migrate.lock")
        try:
            handle = lock_path.open("w")
        except OSError as error:
            raise RegistryUnavailable(f"cannot lock the registry for migration at {lock_path}: {error.strerror or error}") from None
        with handle:
            fcntl.flock(handle, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(handle, fcntl.LOCK_UN)


def head_revision() -> str:
    return str(ScriptDirectory.from_config(_alembic_config()).get_current_head())


def known_revisions() -> set[str]:
    return {script.revision for script in ScriptDirectory.from_config(_alembic_config()).walk_revisions()}


def _alembic_config() -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    return config


def create_engine(url: str, *, connect_timeout: float = 5.0) -> sa.Engine:
    """An engine with the settings borderplates relies on (WAL and write locks on SQLite, a connect timeout on servers)."""
    try:
        if url.startswith("sqlite"):
            engine = sa.create_engine(url, connect_args={"timeout": 60, "check_same_thread": False}, pool_size=8, max_overflow=32)
            sa.event.listen(engine, "connect", _sqlite_connect)
            sa.event.listen(engine, "begin", _sqlite_begin)
            return engine
        engine = sa.create_engine(url, pool_size=8, max_overflow=32, pool_pre_ping=True, connect_args=_server_connect_args(url, connect_timeout))
    except (sa.exc.NoSuchModuleError, ImportError):
        raise RegistryUnavailable(f"the database URL {_shown(url)} names a database driver that is not installed") from None
    except (sa.exc.ArgumentError, ValueError) as error:
        raise RegistryUnavailable(f"the database URL {_shown(url)} is not valid: {str(error).splitlines()[0][:120]}") from None
    return engine


def _server_connect_args(url: str, connect_timeout: float) -> dict[str, Any]:
    if sa.engine.make_url(url).get_backend_name() == "postgresql":
        return {"connect_timeout": max(1, round(connect_timeout))}
    return {}


def sqlite_pragmas(connection: sqlite3.Connection) -> None:
    """The settings every SQLite connection to the registry runs with (WAL, waits for locks, foreign keys)."""
    for pragma in ("journal_mode=WAL", "busy_timeout=60000", "foreign_keys=ON", "synchronous=NORMAL"):
        connection.execute(f"PRAGMA {pragma}")


def _sqlite_connect(dbapi_connection: Any, _record: Any) -> None:
    dbapi_connection.isolation_level = None
    sqlite_pragmas(dbapi_connection)


def _sqlite_begin(connection: sa.Connection) -> None:
    connection.exec_driver_sql("BEGIN IMMEDIATE" if connection.get_execution_options().get("immediate") else "BEGIN")


def open_registry(settings: Settings, *, migrate: bool = False) -> Database:
    """The registry the settings name, checked to be at the current revision.

    With ``migrate`` (the command line and the server, at start, for the embedded
    default) a registry that is not current is migrated first; otherwise it is refused
    with the command that would migrate it.
    """
    url = settings.registry_url
    if settings.embedded:
        prepare_data_dir(settings.data_dir)
    timeout = settings.connect_timeout
    replica = create_engine(settings.read_database_url, connect_timeout=timeout) if settings.read_database_url else None
    database = Database(url, create_engine(url, connect_timeout=timeout), connect_timeout=timeout, read_engine=replica)
    try:
        revision = database.revision()
        if migrate and revision != head_revision() and (revision is None or revision in known_revisions()):
            database.upgrade()
        database.check_revision()
        database.origin = _origin(database, settings.site)
    except BaseException:
        database.close()
        raise
    return database


def _origin(database: Database, site: str | None) -> str:
    """The site the registry was joined as (``centre`` when none), which must be the site the settings name, if they name one."""
    with _translated(database.where), database.reading() as uow:
        state = uow.sites.state()
    if site is not None and (state is None or state.site != site):
        if state is None:
            raise RegistryUnavailable(f"the registry at {database.where} is not site {site}'s; make it so first: borderplates sites join {site} --centre URL")
        raise RegistryUnavailable(f"the registry at {database.where} is site {state.site}'s, not {site}'s")
    return state.site if state is not None else CENTRE


def prepare_data_dir(folder: Path) -> None:
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except FileExistsError:
        raise RegistryUnavailable(f"the data directory {folder} is a file, not a directory (BORDERPLATES_DATA_DIR)") from None
    except OSError as error:
        raise RegistryUnavailable(f"cannot create the data directory {folder}: {error.strerror or error} (BORDERPLATES_DATA_DIR)") from None
    if not folder.is_dir():
        raise RegistryUnavailable(f"the data directory {folder} is not a directory (BORDERPLATES_DATA_DIR)")
    if not os.access(folder, os.W_OK | os.X_OK):
        raise RegistryUnavailable(f"the data directory {folder} is not writable (BORDERPLATES_DATA_DIR)")


@contextmanager
def _translated(where: str) -> Iterator[None]:
    """Database errors met while opening or migrating, as one clear project error."""
    try:
        yield
    except sa.exc.DBAPIError as error:
        raise RegistryUnavailable(describe_database_error(error, where)) from None
    except CommandError as error:
        raise RegistryUnavailable(f"the registry at {where} cannot be migrated: {str(error).splitlines()[0][:200]}") from None


def _shown(url: str) -> str:
    try:
        return repr(sa.engine.make_url(url).render_as_string(hide_password=True))
    except (sa.exc.ArgumentError, ValueError):
        return repr(url[:60])
