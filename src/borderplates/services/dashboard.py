"""The supervisors' figures: per crossing point (or registration centre) and local day, what happened.

Entries and exits recorded, refusals among them, temporary registrations issued and
the fees they brought, counted from the registry over a period of local days (the
border's time zone). Read-only; for supervisors.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from zoneinfo import ZoneInfo

from borderplates.errors import ValidationError
from borderplates.registry import Database
from borderplates.services import inputs
from borderplates.services.actors import Actor, Permission, authorise
from borderplates.vocabulary import Decision, Direction

#: Days are counted in the border's local time.
BORDER_TIME = ZoneInfo("Europe/Belgrade")
#: The longest period one request counts.
MAX_DAYS = 62


@dataclass
class DayFigures:
    """What happened at one place on one local day."""

    place: str
    day: dt.date
    entries: int = 0
    exits: int = 0
    refusals: int = 0
    issuances: int = 0
    fees: dict[str, Decimal] = field(default_factory=dict)
    """Fees collected for the issuances, per currency."""


@dataclass(frozen=True)
class Figures:
    """The figures of a period: one line per place and day, places and days in order, and the totals per place."""

    start: dt.date
    end: dt.date
    lines: tuple[DayFigures, ...]

    @property
    def days(self) -> tuple[dt.date, ...]:
        return tuple(self.start + dt.timedelta(days=n) for n in range((self.end - self.start).days + 1))

    @property
    def places(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(line.place for line in self.lines))

    def of(self, place: str) -> tuple[DayFigures, ...]:
        return tuple(line for line in self.lines if line.place == place)

    def total(self, place: str | None = None) -> DayFigures:
        """The sums over the period, for one place or all."""
        total = DayFigures(place or "", self.start)
        for line in self.lines:
            if place is None or line.place == place:
                total.entries += line.entries
                total.exits += line.exits
                total.refusals += line.refusals
                total.issuances += line.issuances
                for currency, amount in line.fees.items():
                    total.fees[currency] = total.fees.get(currency, Decimal(0)) + amount
        return total


def daily_figures(start: dt.date, end: dt.date, *, actor: Actor, point: str | None = None, db: Database) -> Figures:
    """Entries, exits, refusals, issuances and fees per place and local day from ``start`` to ``end`` (both included)."""
    authorise(actor, Permission.LIST_CROSSINGS)
    for day in (start, end):
        if not isinstance(day, dt.date) or isinstance(day, dt.datetime):
            raise ValidationError("the period is given as two calendar dates")
    if end < start:
        raise ValidationError(f"the period ends ({end}) before it starts ({start})")
    if (end - start).days >= MAX_DAYS:
        raise ValidationError(f"a period is at most {MAX_DAYS} days")
    where = inputs.any_place(point) if point is not None else None
    since = inputs.moment(dt.datetime.combine(start, dt.time(), BORDER_TIME))
    until = inputs.moment(dt.datetime.combine(end + dt.timedelta(days=1), dt.time(), BORDER_TIME))
    lines: dict[tuple[str, dt.date], DayFigures] = {}

    def line(place: str, at: dt.datetime) -> DayFigures:
        day = at.astimezone(BORDER_TIME).date()
        found = lines.get((place, day))
        if found is None:
            found = lines[(place, day)] = DayFigures(place, day)
        return found

    with db.reading() as uow:
        crossed = [] if inputs.is_centre(where) else uow.figures.crossings(since, until, where)
        issued = uow.figures.issuances(since, until, where)
    for crossing in crossed:
        counted = line(crossing.point, crossing.at)
        if crossing.direction == Direction.ENTRY:
            counted.entries += 1
        else:
            counted.exits += 1
        if crossing.decision == Decision.REFUSE:
            counted.refusals += 1
    for issuance in issued:
        counted = line(issuance.place, issuance.issued_at)
        counted.issuances += 1
        counted.fees[issuance.fee.currency] = counted.fees.get(issuance.fee.currency, Decimal(0)) + issuance.fee.amount
    by_place: defaultdict[str, list[DayFigures]] = defaultdict(list)
    for (place, _), figures in sorted(lines.items(), key=lambda item: (inputs.is_centre(item[0][0]), item[0][0], item[0][1])):
        by_place[place].append(figures)
    return Figures(start, end, tuple(figures for place in by_place for figures in by_place[place]))
