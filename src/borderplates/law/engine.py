"""Evaluating the entry rules for one vehicle at one moment.

The moment is always an argument: the engine never reads the clock.
"""

from __future__ import annotations

import datetime as dt
from bisect import bisect_right
from collections.abc import Iterable, Mapping
from typing import NamedTuple

from borderplates.errors import MissingFact, NoRuleData, ValidationError, quoted
from borderplates.law.rules import Enforcement, Regime, Requirement, Rule, Version
from borderplates.reference import Plate, Reference
from borderplates.vocabulary import (
    MOMENTS_FROM,
    MOMENTS_UNTIL_EXCLUSIVE,
    ZONES_WITH_OFFSETS,
    Decision,
    Direction,
    Phase,
    PlateKind,
    VehicleClass,
    utc_moment,
    words,
)


class Vehicle(NamedTuple):
    """What crosses: a plate, a class, and what is known of its keeper and registration."""

    plate: Plate
    vehicle_class: VehicleClass = VehicleClass.CAR
    resident: str | None = None
    registered_on: dt.date | None = None


class Ruling(NamedTuple):
    """What the law of ``jurisdiction`` requires of ``vehicle`` at ``at``, and on what basis.

    ``decision`` is what the officer must do for a vehicle that holds nothing yet; the
    reasons are written only when asked for.
    """

    vehicle: Vehicle
    jurisdiction: str
    direction: Direction
    at: dt.datetime
    rule: Rule
    version: Version
    requirement: Requirement
    decision: Decision

    @property
    def enforcement(self) -> Enforcement | None:
        return self.version.enforcement

    @property
    def local_at(self) -> dt.datetime:
        return self.at.astimezone(self.rule.timezone)

    @property
    def reasons(self) -> tuple[str, ...]:
        plate, version = self.vehicle.plate, self.version
        area = f" ({plate.area.name})" if plate.area else ""
        verb = "entering" if self.direction == Direction.ENTRY else "leaving"
        reasons = [
            f"{plate.issuer} {plate.kind} plate {plate.canonical}{area} {verb} {self.jurisdiction} on {self.local_at:%Y-%m-%d %H:%M} local time",
            f"rule {self.rule.id} ({self.rule.description}), version in force since {version.id}: {_describe(self.requirement, self.enforcement)}",
            f"legal source: {version.source.title} <{version.source.url}> [{version.source.confidence}]",
        ]
        if version.note:
            reasons.append(version.note)
        return tuple(reasons)


_DIRECTIONS: Mapping[str, Direction] = {direction.value: direction for direction in Direction}

# The rules that can apply to a plate, by jurisdiction, direction, issuer, kind and the territory of its area.
_Key = tuple[str, str, str, str, str | None]


class _Timeline(NamedTuple):
    """The rules for one key and, for each period between the moments when one of their versions
    starts, the versions that decide in it, precedence first, each with what it requires and decides
    and whether its rule asks more of the vehicle than the key says (its area, keeper or class).

    The starts and the bounds of the moments handled are written in ``zone``: the rules' own time
    zone, so that a moment given in it is compared as it is, without a conversion. Moments in one
    zone compare by their wall clock, which is exact as long as no start lies near a change of the
    clocks; where one does (or the rules have different zones), ``zone`` is UTC.
    """

    direction: Direction
    rules: tuple[Rule, ...]
    zone: dt.tzinfo
    first: dt.datetime
    until: dt.datetime
    starts: tuple[dt.datetime, ...]
    deciding: tuple[tuple[tuple[Rule, Version, Requirement, Decision, bool], ...], ...]


class Law:
    """The shipped regimes, indexed for fast evaluation."""

    def __init__(self, regimes: Iterable[Regime], reference: Reference) -> None:
        self.regimes = tuple(regimes)
        self.reference = reference
        self.rules = tuple(rule for regime in self.regimes for rule in regime.rules)
        tried = [rule for regime in self.regimes for rule in regime.by_precedence]
        territories: tuple[str | None, ...] = (None, *reference.jurisdictions)
        timelines: dict[tuple[Direction, tuple[Rule, ...]], _Timeline] = {}
        self._index: dict[_Key, _Timeline] = {}
        for code in {rule.jurisdiction for rule in tried}:
            for direction in Direction:
                for issuer in reference.jurisdictions:
                    for kind in PlateKind:
                        for territory in territories:
                            rules = tuple(
                                rule
                                for rule in tried
                                if rule.jurisdiction == code
                                and rule.direction == direction
                                and (rule.issuers is None or issuer in rule.issuers)
                                and (rule.kinds is None or kind in rule.kinds)
                                and (rule.territories is None or territory in rule.territories)
                            )
                            timeline = timelines.get((direction, rules)) or timelines.setdefault((direction, rules), _timeline(direction, rules))
                            self._index[(code, direction, issuer, kind, territory)] = timeline

    def requirement_for(self, vehicle: Vehicle, jurisdiction: str, at: dt.datetime, direction: Direction | str = Direction.ENTRY) -> Ruling:
        """The ruling of the rule that fits ``vehicle`` and is in force at ``at``, tried in order of precedence.

        Raises :class:`NoRuleData` when no shipped rule covers the case: never a silent "none";
        :class:`ValidationError` for a moment without offset or outside the moments handled.
        """
        zone = at.tzinfo
        if zone is None or (zone.__class__ not in ZONES_WITH_OFFSETS and at.utcoffset() is None):
            utc_moment(at)  # raises: the moment has no offset
        plate = vehicle.plate
        area = plate.area
        timeline = self._index.get((jurisdiction, direction, plate.issuer, plate.kind, area.territory if area else None))
        if timeline is None:
            utc_moment(at)
            way = _DIRECTIONS.get(direction)
            if way is None:
                raise ValidationError(f"unknown direction {quoted(direction)}: {words(Direction)}")
            raise NoRuleData(f"no rule data for vehicles {_verb(way)} {quoted(jurisdiction)}")
        way, _, rules_zone, first, until, starts, deciding = timeline
        try:
            moment = at.astimezone(rules_zone)  # ``at`` itself when it is given in that zone
        except OverflowError:
            moment = None
        if moment is None or not first <= moment < until:
            moment = utc_moment(at).astimezone(rules_zone)  # raises: the moment is outside the range handled
        for rule, version, requirement, decision, asks_more in deciding[bisect_right(starts, moment)]:
            if asks_more and not _fits(rule, vehicle):
                continue
            after = rule.registered_after
            if after is not None:
                if vehicle.registered_on is None:
                    raise MissingFact(
                        "registration date",
                        rule.id,
                        f"it applies to registrations issued or renewed after {after}; give the date the registration was issued",
                    )
                if vehicle.registered_on <= after:
                    continue
            # Built as a tuple: the named tuple's own constructor would only add the defaults.
            return tuple.__new__(Ruling, (vehicle, jurisdiction, way, at, rule, version, requirement, decision))
        fitting = tuple(rule for rule in timeline.rules if _fits(rule, vehicle))
        raise NoRuleData(self._no_data_message(vehicle, jurisdiction, at, way, timeline.rules if fitting else ()))

    def rules_for(self, jurisdiction: str | None = None, issuer: str | None = None, direction: Direction | str | None = None) -> tuple[Rule, ...]:
        """The rules of ``jurisdiction`` (for ``direction``) that can apply to plates of ``issuer``."""
        return tuple(
            rule
            for rule in self.rules
            if (jurisdiction is None or rule.jurisdiction == jurisdiction)
            and (direction is None or rule.direction == direction)
            and (issuer is None or rule.issuers is None or issuer in rule.issuers)
        )

    def _no_data_message(self, vehicle: Vehicle, jurisdiction: str, at: dt.datetime, direction: Direction, rules: tuple[Rule, ...]) -> str:
        plate = vehicle.plate
        what = f"no rule data for {plate.issuer} {plate.kind} plates {_verb(direction)} {jurisdiction}"
        if not rules:
            return f"{what}: no shipped rule covers them"
        first = min(rules, key=lambda r: r.starts[0])
        local = at.astimezone(first.timezone)
        return f"{what} on {local:%Y-%m-%d %H:%M}: the rules for them start on {first.versions[0].id}"


def _timeline(direction: Direction, rules: tuple[Rule, ...]) -> _Timeline:
    starts = tuple(sorted({start for rule in rules for start in rule.starts}))
    zones = {rule.timezone for rule in rules}
    bounds = (MOMENTS_FROM, MOMENTS_UNTIL_EXCLUSIVE)
    zone: dt.tzinfo = zones.pop() if len(zones) == 1 else dt.UTC
    if not all(_clear_of_clock_changes(moment, zone) for moment in (*starts, *bounds)):
        zone = dt.UTC
    deciding: list[tuple[tuple[Rule, Version, Requirement, Decision, bool], ...]] = [()]
    for start in starts:
        versions = ((rule, rule.version_at(start)) for rule in rules)
        deciding.append(
            tuple(
                (rule, version, version.requirement, version.decision, rule.areas is not None or rule.residents is not None or rule.vehicle_classes is not None)
                for rule, version in versions
                if version is not None and version.requirement is not None and version.decision is not None
            )
        )
    first, until = (bound.astimezone(zone) for bound in bounds)
    return _Timeline(direction, rules, zone, first, until, tuple(start.astimezone(zone) for start in starts), tuple(deciding))


def _clear_of_clock_changes(moment: dt.datetime, zone: dt.tzinfo) -> bool:
    """Whether the clocks of ``zone`` show the same offset three hours before and after ``moment``."""
    margin = dt.timedelta(hours=3)
    return (moment - margin).astimezone(zone).utcoffset() == (moment + margin).astimezone(zone).utcoffset()


def _fits(rule: Rule, vehicle: Vehicle) -> bool:
    """Whether ``vehicle`` fits the rule's conditions on its area, keeper and class (the index settles the others)."""
    area = vehicle.plate.area
    return (
        (rule.areas is None or (area is not None and area.code in rule.areas))
        and (rule.residents is None or vehicle.resident in rule.residents)
        and (rule.vehicle_classes is None or vehicle.vehicle_class in rule.vehicle_classes)
    )


def _verb(direction: Direction) -> str:
    return "entering" if direction == Direction.ENTRY else "leaving"


def _describe(requirement: Requirement, enforcement: Enforcement | None) -> str:
    text = requirement.kind.replace("_", " ")
    details = []
    if requirement.validity_days:
        details.append(f"valid {requirement.validity_days} days")
    if requirement.fee:
        details.append(f"fee {requirement.fee}")
    if details:
        text += f" ({', '.join(details)})"
    if enforcement and enforcement.phase != Phase.REFUSE_ENTRY:
        text += f", enforced by {enforcement.phase.replace('_', ' ')}"
        if enforcement.fine:
            text += f" of {enforcement.fine}"
    return text
