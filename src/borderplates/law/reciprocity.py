"""Reciprocity: does A require of B's vehicles what B requires of A's?

"B's vehicles" are vehicles with a standard plate of B, kept by a resident of B:
the first example of B's standard plate format stands for them. Two sides are
alike at a moment when they require the same kind of thing (nothing, a temporary
registration, stickers, ...); fees and validity are reported, not compared.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from borderplates.errors import NoRuleData, UnknownJurisdiction, quoted
from borderplates.law.engine import Law, Ruling, Vehicle
from borderplates.reference.plates import parse_plate
from borderplates.vocabulary import Direction, PlateKind


@dataclass(frozen=True)
class Comparison:
    at: dt.datetime
    a_to_b: Ruling
    b_to_a: Ruling

    @property
    def symmetric(self) -> bool:
        return self.a_to_b.requirement.kind == self.b_to_a.requirement.kind


@dataclass(frozen=True)
class Period:
    start: dt.datetime
    until: dt.datetime | None


def representative_vehicle(law: Law, code: str) -> Vehicle:
    """A vehicle of ``code``: its standard plate's first example, kept by a resident."""
    jurisdiction = law.reference.jurisdictions.get(code)
    if jurisdiction is None:
        raise UnknownJurisdiction(f"unknown jurisdiction {quoted(code)}")
    fmt = next(f for f in jurisdiction.formats if f.kind == PlateKind.STANDARD)
    return Vehicle(parse_plate(fmt.examples[0], law.reference.jurisdictions, among=(code,)), resident=code)


def compare(law: Law, a: str, b: str, at: dt.datetime) -> Comparison:
    """What B requires of A's vehicles (``a_to_b``) and A of B's (``b_to_a``) at ``at``."""
    vehicle_a, vehicle_b = representative_vehicle(law, a), representative_vehicle(law, b)
    a_to_b = law.requirement_for(vehicle_a, b, at)
    b_to_a = law.requirement_for(vehicle_b, a, at)
    return Comparison(at, a_to_b, b_to_a)


def asymmetric_periods(law: Law, a: str, b: str) -> tuple[Period, ...]:
    """Every period in which the two sides treated each other's vehicles differently."""
    changes = sorted({v.starts_at for rule in law.rules if rule.jurisdiction in (a, b) and rule.direction == Direction.ENTRY for v in rule.versions})
    periods: list[Period] = []
    start: dt.datetime | None = None
    for moment in changes:
        try:
            symmetric = compare(law, a, b, moment).symmetric
        except NoRuleData:
            continue
        if not symmetric and start is None:
            start = moment
        elif symmetric and start is not None:
            periods.append(Period(start, moment))
            start = None
    if start is not None:
        periods.append(Period(start, None))
    return tuple(periods)
