"""What a vehicle already holds: the reads a check makes, written once in plain SQL.

A check asks three things of the registry: the vehicle's active temporary
registration, the stickers it got under a rule, and the warnings and fines recorded
under a rule. :class:`Lookups` answers them on a read connection kept per thread,
straight on the driver (one indexed statement each, no transaction around it), so
the booth's check costs little more than the lookup itself; a unit of work answers
the same questions with the same SQL inside its transaction (see
:class:`borderplates.registry.repositories.Holdings`), with the registration row
locked where the database can lock it.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import sqlite3
from collections import Counter
from collections.abc import Callable, Sequence
from decimal import Decimal
from functools import partial
from typing import Any

import sqlalchemy as sa

from borderplates.errors import RegistryUnavailable
from borderplates.law import Money
from borderplates.model import Held, Registration, Stickers
from borderplates.registry.driver import for_dialect
from borderplates.vocabulary import ActionKind, RegistrationStatus

#: The columns of a registration, with its plate, in the order :func:`registration_from` reads them.
REGISTRATION_COLUMNS = (
    "r.id, r.vehicle_id, r.number, r.jurisdiction, r.valid_from, r.valid_until, r.fee_minor, r.fee_currency, r.rule_id, "
    "r.rule_version, r.issued_at, r.issuing_point, r.clerk, r.status, r.status_reason, v.plate, v.issuer, r.holder"
)
# ``status = 'active'`` is written into the SQL, not bound: only then can SQLite and PostgreSQL
# (with generic plans) use the partial unique index on active registrations.
ACTIVE_REGISTRATION = (
    f"SELECT {REGISTRATION_COLUMNS} FROM temporary_registrations r JOIN vehicles v ON v.id = r.vehicle_id "
    "WHERE v.issuer = ? AND v.plate = ? AND r.jurisdiction = ? AND r.status = 'active'"
)
STICKER = (
    "SELECT s.issued_at, s.point FROM sticker_issuances s JOIN vehicles v ON v.id = s.vehicle_id "
    "WHERE v.issuer = ? AND v.plate = ? AND s.jurisdiction = ? AND s.rule_id = ? AND s.rule_version = ?"
)
ACTION_COUNTS = (
    "SELECT e.kind, count(*) FROM enforcement_actions e JOIN vehicles v ON v.id = e.vehicle_id "
    "WHERE v.issuer = ? AND v.plate = ? AND e.rule_id = ? GROUP BY e.kind"
)


def _utc(value: Any) -> dt.datetime:
    moment: dt.datetime = dt.datetime.fromisoformat(value) if isinstance(value, str) else value
    return moment.replace(tzinfo=dt.UTC) if moment.tzinfo is None else moment.astimezone(dt.UTC)


def _day(value: Any) -> dt.date:
    day: dt.date = dt.date.fromisoformat(value) if isinstance(value, str) else value
    return day


def registration_from(row: Sequence[Any]) -> Registration:
    """A registration from a row of :data:`REGISTRATION_COLUMNS` as the driver returns it (text dates on SQLite)."""
    (
        rid,
        vehicle,
        number,
        jurisdiction,
        valid_from,
        valid_until,
        fee_minor,
        currency,
        rule_id,
        rule_version,
        issued_at,
        point,
        clerk,
        status,
        reason,
        plate,
        issuer,
        holder,
    ) = row
    return Registration(
        number=number,
        plate=plate,
        issuer=issuer,
        jurisdiction=jurisdiction,
        valid_from=_day(valid_from),
        valid_until=_day(valid_until),
        fee=Money(Decimal(fee_minor) / 100, currency),
        rule_id=rule_id,
        rule_version=rule_version,
        issued_at=_utc(issued_at),
        issuing_point=point,
        clerk=clerk,
        status=RegistrationStatus(status),
        status_reason=reason,
        holder=holder,
        id=rid,
        vehicle_id=vehicle,
    )


def held_from(row: Sequence[Any]) -> Held:
    """What a check needs of an active registration row, the rest read only when asked for."""
    return Held(row[0], row[2], _day(row[4]), _day(row[5]), partial(registration_from, row))


def sticker_from(row: Sequence[Any] | None) -> Stickers | None:
    """The stickers of a sticker row, or None."""
    return None if row is None else Stickers(_utc(row[0]), row[1])


def counts_from(rows: Sequence[Sequence[Any]]) -> Counter[ActionKind]:
    return Counter({ActionKind(kind): int(n) for kind, n in rows})


class Lookups:
    """A read connection kept by one thread, asking the check's questions straight on the driver."""

    def __init__(self, engine: sa.Engine, connect_timeout: float) -> None:
        self.pid = os.getpid()
        self._engine = engine
        self._connect_timeout = max(1, round(connect_timeout))
        self._dialect = engine.dialect.name
        self._connection: Any = None
        self._active = for_dialect(ACTIVE_REGISTRATION, self._dialect)
        self._sticker = for_dialect(STICKER, self._dialect)
        self._counts = for_dialect(ACTION_COUNTS, self._dialect)

    def active_registration(self, issuer: str, plate: str, jurisdiction: str) -> Held | None:
        row = self._one(self._active, (issuer, plate, jurisdiction))
        return held_from(row) if row is not None else None

    def sticker(self, issuer: str, plate: str, jurisdiction: str, rule_id: str, rule_version: str) -> Stickers | None:
        return sticker_from(self._one(self._sticker, (issuer, plate, jurisdiction, rule_id, rule_version)))

    def action_counts(self, issuer: str, plate: str, rule_id: str) -> Counter[ActionKind]:
        return counts_from(self._all(self._counts, (issuer, plate, rule_id)))

    def close(self) -> None:
        if self._connection is not None:
            with contextlib.suppress(Exception):  # a connection that is already broken has nothing left to close
                self._connection.close()
            self._connection = None

    def _one(self, sql: str, params: tuple[Any, ...]) -> Any:
        return self._run(sql, params, lambda cursor: cursor.fetchone())

    def _all(self, sql: str, params: tuple[Any, ...]) -> Any:
        return self._run(sql, params, lambda cursor: cursor.fetchall())

    def _run(self, sql: str, params: tuple[Any, ...], fetch: Callable[[Any], Any]) -> Any:
        for attempt in (1, 2):
            connection = self._connection or self._connect()
            try:
                return fetch(connection.execute(sql, params))
            except self._engine.dialect.loaded_dbapi.Error as error:
                self.close()
                if attempt == 2 or not _is_disconnect(error):
                    where = self._engine.url.render_as_string(hide_password=True)
                    raise RegistryUnavailable(f"the registry at {where} cannot be read: {str(error).strip().splitlines()[0][:200]}") from None
        raise AssertionError("unreachable")  # pragma: no cover

    def _connect(self) -> Any:
        url = self._engine.url
        try:
            if self._dialect == "sqlite":
                connection = sqlite3.connect(url.database or ":memory:", timeout=60, isolation_level=None, check_same_thread=False)
                connection.execute("PRAGMA busy_timeout=60000")
            else:
                cargs, cparams = self._engine.dialect.create_connect_args(url)
                connection = self._engine.dialect.loaded_dbapi.connect(*cargs, **cparams, autocommit=True, connect_timeout=self._connect_timeout)
        except self._engine.dialect.loaded_dbapi.Error as error:
            raise RegistryUnavailable(f"cannot connect to the registry at {url.render_as_string(hide_password=True)}: {str(error).strip()[:200]}") from None
        self._connection = connection
        return connection


def _is_disconnect(error: Exception) -> bool:
    """Whether the kept connection was lost (a server restart): then one fresh connection is tried."""
    text = str(error).lower()
    return any(sign in text for sign in ("closed", "terminat", "connection", "server"))
