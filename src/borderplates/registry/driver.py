"""Plain SQL on the database driver, inside a unit of work's transaction, for the booth's hot path.

A check, an issuance and a crossing each run a handful of one-row statements; going
through SQLAlchemy's execution machinery costs several times what the driver itself
takes for them. These statements are therefore written once as plain SQL (``?``
placeholders, rewritten for psycopg) and run on the connection's own driver, in the
same transaction. Values are stored exactly as SQLAlchemy stores them, so every other
path reads them back unchanged: aware moments in UTC (as text on SQLite), dates as
ISO text on SQLite.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa


def for_dialect(sql: str, dialect: str) -> str:
    """The statement in the driver's parameter style (``?`` for SQLite, ``%s`` for psycopg)."""
    return sql if dialect == "sqlite" else sql.replace("?", "%s")


class Driver:
    """The driver connection under a SQLAlchemy connection, and how to hand it values."""

    def __init__(self, conn: sa.Connection) -> None:
        self.dialect = conn.dialect.name
        self.sqlite = self.dialect == "sqlite"
        self._raw: Any = conn.connection.driver_connection

    def statement(self, sql: str) -> str:
        return for_dialect(sql, self.dialect)

    def one(self, sql: str, params: Sequence[Any]) -> Any:
        """The first row of ``sql`` (already in the driver's style, see :meth:`statement`), or None."""
        cursor = self._raw.cursor()
        try:
            return cursor.execute(sql, params).fetchone()
        finally:
            cursor.close()

    def execute(self, sql: str, params: Sequence[Any]) -> None:
        """Run one statement that returns nothing (already in the driver's style)."""
        cursor = self._raw.cursor()
        try:
            cursor.execute(sql, params)
        finally:
            cursor.close()

    def all(self, sql: str, params: Sequence[Any]) -> list[Any]:
        cursor = self._raw.cursor()
        try:
            return list(cursor.execute(sql, params).fetchall())
        finally:
            cursor.close()

    def many(self, sql: str, rows: Sequence[Sequence[Any]]) -> None:
        """Run ``sql`` (``?`` placeholders) once per row."""
        cursor = self._raw.cursor()
        try:
            cursor.executemany(self.statement(sql), rows)
        finally:
            cursor.close()

    def moment(self, value: dt.datetime) -> Any:
        """An aware moment as the registry stores it: UTC (naive text on SQLite)."""
        utc = value.astimezone(dt.UTC)
        return utc.replace(tzinfo=None).isoformat(" ", "microseconds") if self.sqlite else utc

    def day(self, value: dt.date) -> Any:
        return value.isoformat() if self.sqlite else value

    def json(self, value: Any) -> Any:
        """A JSON value for a JSON column: text on SQLite, psycopg's JSON wrapper on PostgreSQL."""
        if value is None:
            return None
        if self.sqlite:
            return json.dumps(value)
        from psycopg.types.json import Json  # the PostgreSQL driver, present whenever a PostgreSQL registry is used

        return Json(value)
