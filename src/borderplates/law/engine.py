"""Evaluating the entry rules for one vehicle at one moment.

The moment is always an argument: the engine never reads the clock.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from borderplates.errors import MissingFact, NoRuleData, ValidationError
from borderplates.law.rules import Enforcement, Regime, Requirement, Rule, Version
from borderplates.reference import Plate, Reference


@dataclass(frozen=True, slots=True)
class Vehicle:
    """What crosses: a plate, a class, and what is known of its keeper and registration."""

    plate: Plate
    vehicle_class: str = "car"
    resident: str | None = None
    registered_on: dt.date | None = None


@dataclass(frozen=True, slots=True)
class Ruling:
    """What the law of ``jurisdiction`` requires of ``vehicle`` at ``at``, and on what basis.

    ``decision`` is what the officer must do for a vehicle that holds nothing yet.
    """

    vehicle: Vehicle
    jurisdiction: str
    direction: str
    at: dt.datetime
    rule: Rule
    version: Version
    requirement: Requirement
    decision: str

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
        verb = "entering" if self.direction == "entry" else "leaving"
        reasons = [
            f"{plate.issuer} {plate.kind} plate {plate.canonical}{area} {verb} {self.jurisdiction} on {self.local_at:%Y-%m-%d %H:%M} local time",
            f"rule {self.rule.id} ({self.rule.description}), version in force since {version.id}: {_describe(self.requirement, self.enforcement)}",
            f"legal source: {version.source.title} <{version.source.url}> [{version.source.confidence}]",
        ]
        if version.note:
            reasons.append(version.note)
        return tuple(reasons)


class Law:
    """The shipped regimes, indexed for fast evaluation."""

    def __init__(self, regimes: Iterable[Regime], reference: Reference) -> None:
        self.regimes = tuple(regimes)
        self.reference = reference
        rules = [rule for regime in self.regimes for rule in regime.rules]
        self.rules = tuple(rules)
        self._index: dict[tuple[str, str, str], tuple[Rule, ...]] = {}
        for code in {rule.jurisdiction for rule in rules}:
            for direction in ("entry", "exit"):
                for issuer in reference.jurisdictions:
                    self._index[(code, direction, issuer)] = tuple(
                        rule for rule in rules if rule.jurisdiction == code and rule.direction == direction and (rule.issuers is None or issuer in rule.issuers)
                    )

    def requirement_for(self, vehicle: Vehicle, jurisdiction: str, at: dt.datetime, direction: str = "entry") -> Ruling:
        """The ruling of the first rule that fits ``vehicle`` and is in force at ``at``.

        Raises :class:`NoRuleData` when no shipped rule covers the case: never a silent "none".
        """
        if at.tzinfo is None or at.utcoffset() is None:
            raise ValidationError(f"the moment {at.isoformat()} needs a UTC offset")
        rules = self._index.get((jurisdiction, direction, vehicle.plate.issuer))
        if rules is None:
            raise NoRuleData(f"no rule data for vehicles {_verb(direction)} {jurisdiction}")
        timestamp = at.timestamp()
        plate = vehicle.plate
        area = plate.area.code if plate.area else None
        fitting = False
        for rule in rules:
            if rule.kinds is not None and plate.kind not in rule.kinds:
                continue
            if rule.areas is not None and area not in rule.areas:
                continue
            if rule.residents is not None and vehicle.resident not in rule.residents:
                continue
            if rule.vehicle_classes is not None and vehicle.vehicle_class not in rule.vehicle_classes:
                continue
            fitting = True
            version = rule.version_at(timestamp)
            if version is None or version.requirement is None or version.decision is None:
                continue  # before the rule's first version, or after its end
            if rule.registered_after is not None:
                if vehicle.registered_on is None:
                    raise MissingFact(
                        "registration date",
                        rule.id,
                        f"it applies to registrations issued or renewed after {rule.registered_after}; give the date the registration was issued",
                    )
                if vehicle.registered_on <= rule.registered_after:
                    continue
            return Ruling(vehicle, jurisdiction, direction, at, rule, version, version.requirement, version.decision)
        raise NoRuleData(self._no_data_message(vehicle, jurisdiction, at, direction, rules if fitting else ()))

    def rules_for(self, jurisdiction: str | None = None, issuer: str | None = None, direction: str | None = None) -> tuple[Rule, ...]:
        """The rules of ``jurisdiction`` (for ``direction``) that can apply to plates of ``issuer``."""
        return tuple(
            rule
            for rule in self.rules
            if (jurisdiction is None or rule.jurisdiction == jurisdiction)
            and (direction is None or rule.direction == direction)
            and (issuer is None or rule.issuers is None or issuer in rule.issuers)
        )

    def _no_data_message(self, vehicle: Vehicle, jurisdiction: str, at: dt.datetime, direction: str, rules: tuple[Rule, ...]) -> str:
        plate = vehicle.plate
        what = f"no rule data for {plate.issuer} {plate.kind} plates {_verb(direction)} {jurisdiction}"
        if not rules:
            return f"{what}: no shipped rule covers them"
        first = min(rules, key=lambda r: r.starts[0])
        local = at.astimezone(first.timezone)
        return f"{what} on {local:%Y-%m-%d %H:%M}: the rules for them start on {first.versions[0].id}"


def _verb(direction: str) -> str:
    return "entering" if direction == "entry" else "leaving"


def _describe(requirement: Requirement, enforcement: Enforcement | None) -> str:
    text = requirement.kind.replace("_", " ")
    details = []
    if requirement.validity_days:
        details.append(f"valid {requirement.validity_days} days")
    if requirement.fee:
        details.append(f"fee {requirement.fee}")
    if details:
        text += f" ({', '.join(details)})"
    if enforcement and enforcement.phase != "refuse_entry":
        text += f", enforced by {enforcement.phase.replace('_', ' ')}"
        if enforcement.fine:
            text += f" of {enforcement.fine}"
    return text
