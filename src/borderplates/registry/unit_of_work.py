"""One transaction on the registry, with the repositories that work inside it.

``with db.begin() as uow: ...; uow.commit()``: nothing is written unless the use
case commits; leaving the block without committing rolls everything back. A write
unit of work on SQLite takes the write lock at once (``BEGIN IMMEDIATE``), so what a
use case reads in it still holds when it writes. Database errors leave as project
errors: a unique key that another request took first as :class:`DuplicateRecord`,
anything else as :class:`~borderplates.errors.RegistryUnavailable`.
"""

from __future__ import annotations

from types import TracebackType
from typing import Self

import sqlalchemy as sa

from borderplates.errors import ConflictError, RegistryUnavailable
from borderplates.registry.accounts import Accounts
from borderplates.registry.audit import Audit
from borderplates.registry.driver import Driver
from borderplates.registry.figures import Figures
from borderplates.registry.repositories import Actions, Bulk, Crossings, Holdings, QueueObservations, Reads, Registrations, StatusChanges, Vehicles
from borderplates.registry.sites import Sites
from borderplates.registry.tables import CENTRE


class DuplicateRecord(ConflictError):
    """A record with the same unique key was written by another request at the same moment."""

    message = "another request wrote the same record at the same moment; nothing was changed"


class UnitOfWork:
    """A transaction and its repositories; commit explicitly, or everything is rolled back."""

    vehicles: Vehicles
    registrations: Registrations
    crossings: Crossings
    actions: Actions
    audit: Audit
    holdings: Holdings
    status_changes: StatusChanges
    queues: QueueObservations
    reads: Reads
    bulk: Bulk
    accounts: Accounts
    sites: Sites

    def __init__(self, engine: sa.Engine, *, write: bool, origin: str = CENTRE, consistent: bool = False) -> None:
        self._engine = engine
        self.write = write
        self._consistent = consistent
        self.origin = origin
        """The site whose records this unit of work writes (the origin stamped on every row and audit record)."""
        self._connection: sa.Connection | None = None
        self._transaction: sa.RootTransaction | None = None

    def __enter__(self) -> Self:
        try:
            connection = self._engine.connect()
            if self.write and self._engine.dialect.name == "sqlite":
                connection = connection.execution_options(immediate=True)
            if self._consistent and self._engine.dialect.name == "postgresql":
                connection = connection.execution_options(isolation_level="REPEATABLE READ")
            self._transaction = connection.begin()
        except sa.exc.DBAPIError as error:
            raise RegistryUnavailable(describe_database_error(error, self._engine.url.render_as_string(hide_password=True))) from None
        self._connection = connection
        driver = Driver(connection)
        origin = self.origin
        self.audit = Audit(connection, driver, origin)
        self.vehicles = Vehicles(connection, driver, self.audit, origin)
        self.registrations = Registrations(connection, driver, origin)
        self.crossings = Crossings(connection, driver, origin)
        self.actions = Actions(connection, origin)
        self.holdings = Holdings(driver, lock=self.write)
        self.status_changes = StatusChanges(connection, origin)
        self.queues = QueueObservations(connection, origin)
        self.reads = Reads(connection)
        self.bulk = Bulk(connection, origin)
        self.accounts = Accounts(connection)
        self.figures = Figures(connection)
        self.sites = Sites(connection)
        return self

    @property
    def connection(self) -> sa.Connection:
        """The transaction's connection, for the registry's own modules (synchronisation applies changes on it)."""
        if self._connection is None:
            raise RuntimeError("the unit of work is not open")
        return self._connection

    def commit(self) -> None:
        if not self.write:
            raise RuntimeError("a reading unit of work cannot commit")
        if self._transaction is None:
            raise RuntimeError("commit outside 'with'")
        self.audit.flush()
        self._transaction.commit()

    def rollback(self) -> None:
        if self._transaction is not None and self._transaction.is_active:
            self._transaction.rollback()

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None, traceback: TracebackType | None) -> None:
        try:
            self.rollback()
        except sa.exc.DBAPIError:
            pass  # the connection is already broken; the error that broke it is reported below
        finally:
            if self._connection is not None:
                self._connection.close()
            self._connection = self._transaction = None
        dbapi = self._engine.dialect.loaded_dbapi
        if isinstance(error, sa.exc.IntegrityError | dbapi.IntegrityError):
            raise DuplicateRecord() from None
        if isinstance(error, sa.exc.DBAPIError | dbapi.Error):
            raise RegistryUnavailable(describe_database_error(error, self._engine.url.render_as_string(hide_password=True))) from None


def describe_database_error(error: Exception, where: str) -> str:
    """One line about a database error (SQLAlchemy's or the driver's), for people: what went wrong with the registry at ``where``."""
    cause = error.orig if isinstance(error, sa.exc.DBAPIError) and error.orig is not None else error
    text = str(cause).strip().splitlines()[0] if str(cause).strip() else type(cause).__name__
    lowered = text.lower()
    if "file is not a database" in lowered or "malformed" in lowered:
        return f"the registry at {where} is damaged or is not a borderplates registry ({text})"
    if "database is locked" in lowered:
        return f"the registry at {where} is busy (locked by another process); try again"
    if "disk" in lowered and "full" in lowered:
        return f"the disk of the registry at {where} is full; nothing was changed"
    if "unable to open database file" in lowered or "readonly" in lowered or "read-only" in lowered:
        return f"the registry at {where} cannot be opened for writing ({text})"
    if "timeout" in lowered or "timed out" in lowered:
        return f"the database server of {where} did not answer in time ({text})"
    return f"the registry at {where} cannot be used: {text[:200]}"
