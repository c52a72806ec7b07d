"""The facts the supervisors' figures are counted from: crossings and issuances of a period, a few columns each.

The dashboard counts tens of thousands of records a week; reading whole records
(with their vehicles) to count them costs about a second, so these queries read only
what is counted, and the service groups them by place and local day.
"""

from __future__ import annotations

import datetime as dt
from typing import NamedTuple

import sqlalchemy as sa

from borderplates.law import Money
from borderplates.registry.repositories import from_minor
from borderplates.registry.tables import crossings, temporary_registrations
from borderplates.vocabulary import Decision, Direction

C, R = crossings, temporary_registrations


class CrossingFact(NamedTuple):
    point: str
    at: dt.datetime
    direction: Direction
    decision: Decision


class IssuanceFact(NamedTuple):
    place: str
    issued_at: dt.datetime
    fee: Money


class Figures:
    """Crossings and issuances of a period, as the figures need them."""

    def __init__(self, conn: sa.Connection) -> None:
        self._conn = conn

    def crossings(self, start: dt.datetime, end: dt.datetime, point: str | None = None) -> list[CrossingFact]:
        """The crossings from ``start`` (inclusive) to ``end`` (exclusive), optionally at one point."""
        query = sa.select(C.c.point, C.c.at, C.c.direction, C.c.decision).where(C.c.at >= start, C.c.at < end)
        if point is not None:
            query = query.where(C.c.point == point)
        return [CrossingFact(row.point, row.at, Direction(row.direction), Decision(row.decision)) for row in self._conn.execute(query)]

    def issuances(self, start: dt.datetime, end: dt.datetime, place: str | None = None) -> list[IssuanceFact]:
        """The temporary registrations issued (or renewed) from ``start`` to ``end``, optionally at one place."""
        query = sa.select(R.c.issuing_point, R.c.issued_at, R.c.fee_minor, R.c.fee_currency).where(R.c.issued_at >= start, R.c.issued_at < end)
        if place is not None:
            query = query.where(R.c.issuing_point == place)
        return [IssuanceFact(row.issuing_point, row.issued_at, from_minor(row.fee_minor, row.fee_currency)) for row in self._conn.execute(query)]
