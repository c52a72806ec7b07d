"""Entry rules as dated data, read from data/rules/ (one file per regime).

A rule says what a jurisdiction requires of vehicles that fit its conditions when
they enter (or leave); it is a history of complete versions, each in force from a
local date or date-time until the next, each with its legal source. Announced
versions that never took effect are kept as ``planned``.

Two rules of a regime that can both decide for the same vehicle at the same
moment must say which of them takes precedence: ``precedes = ["other_rule"]`` in
one of them (precedence is transitive). The loader refuses overlapping rules
without it, a precedence that goes round in a circle, and a precedence between
rules that never meet, so the order of the rules in the file decides nothing.
"""

from __future__ import annotations

import datetime as dt
from bisect import bisect_right
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from importlib.resources.abc import Traversable
from itertools import combinations, pairwise
from typing import Any, Literal, TypeVar
from zoneinfo import ZoneInfo

import pydantic

from borderplates.errors import RuleDataError, ValidationError
from borderplates.reference import Area, Reference
from borderplates.reference.datafiles import DATA, Source, Strict, display_name, files, read_toml, validate
from borderplates.vocabulary import Decision, Direction, Phase, PlateKind, RequirementKind, VehicleClass, utc_moment

T = TypeVar("T")

#: What the officer must do for a vehicle that holds nothing yet, by enforcement phase.
DECISION_BY_PHASE: Mapping[Phase, Decision] = {
    Phase.INFORM: Decision.ADMIT,
    Phase.WARN: Decision.WARN,
    Phase.FINE: Decision.FINE,
    Phase.TEMPORARY_PLATE: Decision.ISSUE_TEMPORARY_REGISTRATION,
    Phase.STICKER: Decision.APPLY_STICKER,
    Phase.SEIZE: Decision.REFUSE,
    Phase.REFUSE_ENTRY: Decision.REFUSE,
}


class MoneySchema(Strict):
    amount: Decimal = pydantic.Field(ge=0, decimal_places=2)
    currency: str = pydantic.Field(pattern=r"^[A-Z]{3}$")

    @pydantic.field_validator("amount", mode="before")
    @classmethod
    def _text_only(cls, value: Any) -> Any:
        if not isinstance(value, str):
            raise ValueError('write amounts as text, e.g. "5.00", never as a number')
        return value


class RequirementSchema(Strict):
    kind: RequirementKind
    validity_days: int | None = pydantic.Field(default=None, gt=0)
    fee: MoneySchema | None = None


class EnforcementSchema(Strict):
    phase: Phase
    fine: MoneySchema | None = None


class VersionSchema(Strict):
    from_: dt.datetime | dt.date = pydantic.Field(alias="from")
    requirement: RequirementSchema | RequirementKind | Literal["end"]
    enforcement: EnforcementSchema | Phase | None = None
    note: str | None = None
    source: Source


class PlannedSchema(VersionSchema):
    status: Literal["postponed", "cancelled"]


class WhenSchema(Strict):
    issuer: tuple[str, ...] | None = None
    kind: tuple[PlateKind, ...] | None = None
    area: tuple[str, ...] | None = None
    territory: tuple[str, ...] | None = None
    resident: tuple[str, ...] | None = None
    vehicle_class: tuple[VehicleClass, ...] | None = None
    registered_after: dt.date | None = None


class RuleSchema(Strict):
    jurisdiction: str
    direction: Direction
    description: str
    when: WhenSchema
    precedes: tuple[str, ...] = ()
    versions: tuple[VersionSchema, ...] = pydantic.Field(min_length=1)
    planned: tuple[PlannedSchema, ...] = ()


class RegimeSchema(Strict):
    jurisdictions: tuple[str, ...] = pydantic.Field(min_length=2)
    timezone: str
    description: str
    rules: dict[str, RuleSchema] = pydantic.Field(min_length=1)


@dataclass(frozen=True)
class Money:
    amount: Decimal
    currency: str

    def as_json(self) -> dict[str, str]:
        return {"amount": f"{self.amount:.2f}", "currency": self.currency}

    def __str__(self) -> str:
        return f"{self.currency} {self.amount:.2f}"


@dataclass(frozen=True)
class Requirement:
    kind: RequirementKind
    validity_days: int | None = None
    fee: Money | None = None


@dataclass(frozen=True)
class Enforcement:
    phase: Phase
    fine: Money | None = None


@dataclass(frozen=True)
class Version:
    """One complete value of a rule, in force from ``effective_from`` (local)."""

    rule_id: str
    effective_from: dt.date | dt.datetime
    starts_at: dt.datetime
    requirement: Requirement | None
    enforcement: Enforcement | None
    decision: Decision | None
    note: str | None
    source: Source
    status: str = "in_force"

    @property
    def id(self) -> str:
        """The version's identifier: its local start, ``2021-09-20`` or ``2021-10-04T08:00:00``."""
        return self.effective_from.isoformat()


@dataclass(frozen=True)
class Rule:
    """One entry (or exit) rule: the vehicles it is for, and its history of versions.

    ``starts`` holds the versions' starts in UTC, and ``precedes`` the ids of the rules
    this one takes precedence over.
    """

    id: str
    jurisdiction: str
    direction: Direction
    description: str
    issuers: frozenset[str] | None
    kinds: frozenset[PlateKind] | None
    areas: frozenset[str] | None
    territories: frozenset[str] | None
    residents: frozenset[str] | None
    vehicle_classes: frozenset[VehicleClass] | None
    registered_after: dt.date | None
    precedes: tuple[str, ...]
    versions: tuple[Version, ...]
    planned: tuple[Version, ...]
    starts: tuple[dt.datetime, ...]
    timezone: ZoneInfo

    def version_at(self, utc: dt.datetime) -> Version | None:
        """The version in force at the UTC moment ``utc`` (an end is a version without requirement); None before the first."""
        index = bisect_right(self.starts, utc) - 1
        return self.versions[index] if index >= 0 else None

    @property
    def conditions(self) -> dict[str, Any]:
        raw = {
            "issuer": self.issuers,
            "kind": self.kinds,
            "area": self.areas,
            "territory": self.territories,
            "resident": self.residents,
            "vehicle_class": self.vehicle_classes,
        }
        result: dict[str, Any] = {key: sorted(value) for key, value in raw.items() if value is not None}
        if self.registered_after is not None:
            result["registered_after"] = self.registered_after.isoformat()
        return result


@dataclass(frozen=True)
class Regime:
    """The rules of one data file, in file order and in the order they are tried (precedence first)."""

    id: str
    jurisdictions: tuple[str, ...]
    timezone: ZoneInfo
    description: str
    rules: tuple[Rule, ...]
    by_precedence: tuple[Rule, ...]


def load_regimes(reference: Reference, root: Traversable | Any = DATA) -> tuple[Regime, ...]:
    """Every regime under ``root`` (the shipped data by default), validated against the reference data."""
    regimes = []
    seen: dict[str, str] = {}
    for path in files("rules", root):
        schema = validate(RegimeSchema, read_toml(path, RuleDataError), path, RuleDataError)
        regime_id = path.name.removesuffix(".toml")
        regime = _build(regime_id, schema, reference, display_name(path))
        for rule in regime.rules:
            if rule.id in seen:
                raise RuleDataError(display_name(path), f"rules.{rule.id}", f"rule id also in {seen[rule.id]}")
            seen[rule.id] = path.name
        regimes.append(regime)
    return tuple(regimes)


def _build(regime_id: str, schema: RegimeSchema, reference: Reference, file: str) -> Regime:
    try:
        zone = ZoneInfo(schema.timezone)
    except (KeyError, ValueError):
        raise RuleDataError(file, "timezone", f"unknown time zone {schema.timezone!r}") from None
    for code in schema.jurisdictions:
        _known_jurisdiction(code, reference, file, "jurisdictions")
    rules = tuple(_rule(f"{regime_id}.{key}", spec, schema, zone, reference, file, f"rules.{key}") for key, spec in schema.rules.items())
    return Regime(regime_id, schema.jurisdictions, zone, schema.description, rules, _by_precedence(regime_id, rules, reference, file))


def _rule(rule_id: str, spec: RuleSchema, regime: RegimeSchema, zone: ZoneInfo, reference: Reference, file: str, key: str) -> Rule:
    if spec.jurisdiction not in regime.jurisdictions:
        raise RuleDataError(file, f"{key}.jurisdiction", f"{spec.jurisdiction} is not one of the regime's jurisdictions")
    when = spec.when
    for field in ("issuer", "resident", "territory"):
        for code in getattr(when, field) or ():
            _known_jurisdiction(code, reference, file, f"{key}.when.{field}")
    issuers = when.issuer or tuple(reference.jurisdictions)
    if when.area is not None:
        known = {code for issuer in issuers for code in reference.jurisdictions[issuer].areas}
        for code in when.area:
            if code not in known:
                raise RuleDataError(file, f"{key}.when.area", f"{code} is no registration area of {', '.join(issuers)}")
    for code in when.territory or ():
        if not any(area.territory == code for issuer in issuers for area in reference.jurisdictions[issuer].areas.values()):
            raise RuleDataError(file, f"{key}.when.territory", f"no registration area of {', '.join(issuers)} lies in {code}")
    versions = tuple(_version(rule_id, v, zone, file, f"{key}.versions.{i}") for i, v in enumerate(spec.versions))
    planned = tuple(_version(rule_id, v, zone, file, f"{key}.planned.{i}", v.status) for i, v in enumerate(spec.planned))
    if versions[0].requirement is None:
        raise RuleDataError(file, f"{key}.versions.0.requirement", "a rule cannot start with its end")
    for i, (before, after) in enumerate(pairwise(versions), start=1):
        if after.starts_at <= before.starts_at:
            problem = "duplicate date" if after.starts_at == before.starts_at else "versions must be in date order"
            raise RuleDataError(file, f"{key}.versions.{i}.from", f"{problem}: {after.id}")
    return Rule(
        id=rule_id,
        jurisdiction=spec.jurisdiction,
        direction=spec.direction,
        description=spec.description,
        issuers=_set(when.issuer),
        kinds=_set(when.kind),
        areas=_set(when.area),
        territories=_set(when.territory),
        residents=_set(when.resident),
        vehicle_classes=_set(when.vehicle_class),
        registered_after=when.registered_after,
        precedes=tuple(f"{rule_id.rpartition('.')[0]}.{other}" for other in spec.precedes),
        versions=versions,
        planned=planned,
        starts=tuple(v.starts_at.astimezone(dt.UTC) for v in versions),
        timezone=zone,
    )


def _version(rule_id: str, spec: VersionSchema, zone: ZoneInfo, file: str, key: str, status: str = "in_force") -> Version:
    start = spec.from_
    if isinstance(start, dt.datetime):
        if start.tzinfo is not None:
            raise RuleDataError(file, f"{key}.from", "write the local date-time without an offset; the regime's time zone applies")
        starts_at = start.replace(tzinfo=zone)
    else:
        starts_at = dt.datetime.combine(start, dt.time(), zone)
    try:
        utc_moment(starts_at)
    except ValidationError:
        raise RuleDataError(file, f"{key}.from", f"{start.isoformat()} is outside the moments borderplates handles (1900-01-01 to 2199-12-31)") from None
    raw = spec.requirement
    requirement: Requirement | None
    if raw == "end":
        if status != "in_force":
            raise RuleDataError(file, f"{key}.requirement", "a planned version cannot be an end")
        requirement = None
    else:
        schema = raw if isinstance(raw, RequirementSchema) else RequirementSchema(kind=RequirementKind(raw))
        if schema.kind != RequirementKind.TEMPORARY_REGISTRATION and (schema.validity_days or schema.fee):
            raise RuleDataError(file, f"{key}.requirement", f"{schema.kind} takes no validity_days or fee")
        fee = Money(schema.fee.amount, schema.fee.currency) if schema.fee else None
        requirement = Requirement(schema.kind, schema.validity_days, fee)
    enforcement = _enforcement(spec.enforcement, file, key)
    decision: Decision | None
    if requirement is None or requirement.kind == RequirementKind.NONE:
        if enforcement is not None:
            raise RuleDataError(file, f"{key}.enforcement", "nothing is required, so nothing is enforced")
        decision = Decision.ADMIT if requirement else None
    else:
        if enforcement is None:
            raise RuleDataError(file, f"{key}.enforcement", "required field is missing")
        decision = DECISION_BY_PHASE[enforcement.phase]
    return Version(rule_id, start, starts_at, requirement, enforcement, decision, spec.note, spec.source, status)


def _enforcement(raw: EnforcementSchema | Phase | None, file: str, key: str) -> Enforcement | None:
    if raw is None:
        return None
    schema = raw if isinstance(raw, EnforcementSchema) else EnforcementSchema(phase=raw)
    if (schema.phase == Phase.FINE) != (schema.fine is not None):
        raise RuleDataError(file, f"{key}.enforcement", "a fine phase needs its amount, and only a fine phase has one")
    fine = Money(schema.fine.amount, schema.fine.currency) if schema.fine else None
    return Enforcement(schema.phase, fine)


def _known_jurisdiction(code: str, reference: Reference, file: str, key: str) -> None:
    if code not in reference.jurisdictions:
        raise RuleDataError(file, key, f"unknown jurisdiction {code}")


def _set(values: tuple[T, ...] | None) -> frozenset[T] | None:
    return frozenset(values) if values is not None else None


# Precedence -------------------------------------------------------------------------------


def _by_precedence(regime_id: str, rules: tuple[Rule, ...], reference: Reference, file: str) -> tuple[Rule, ...]:
    """The rules in the order they are tried, each before those it precedes; refuses overlaps that no precedence settles."""
    by_id = {rule.id: rule for rule in rules}
    prefix = f"{regime_id}."
    for rule in rules:
        key = f"rules.{rule.id.removeprefix(prefix)}.precedes"
        for other in rule.precedes:
            name = other.removeprefix(prefix)
            if other not in by_id:
                raise RuleDataError(file, key, f"there is no rule {name} in this file")
            if other == rule.id:
                raise RuleDataError(file, key, "a rule cannot precede itself")
            if _first_shared_moment(rule, by_id[other], reference) is None:
                raise RuleDataError(file, key, f"{name} never decides for the same vehicle at the same moment as this rule: nothing to precede")
    ordered = _topological(rules, by_id, prefix, file)
    after = {rule.id: _descendants(rule, by_id) for rule in rules}
    for first, second in combinations(rules, 2):
        if second.id in after[first.id] or first.id in after[second.id]:
            continue
        moment = _first_shared_moment(first, second, reference)
        if moment is not None:
            one, other = first.id.removeprefix(prefix), second.id.removeprefix(prefix)
            local = moment.astimezone(first.timezone)
            raise RuleDataError(
                file,
                f"rules.{one}.precedes",
                f"rules {one} and {other} can both decide for the same vehicle from {local:%Y-%m-%d %H:%M}: "
                f'say which takes precedence, e.g. precedes = ["{other}"] in rule {one}',
            )
    return ordered


def _topological(rules: tuple[Rule, ...], by_id: Mapping[str, Rule], prefix: str, file: str) -> tuple[Rule, ...]:
    """The rules with every rule before those it precedes, otherwise in file order."""
    waiting = {rule.id: 0 for rule in rules}
    for rule in rules:
        for other in rule.precedes:
            waiting[other] += 1
    ordered: list[Rule] = []
    remaining = list(rules)
    while remaining:
        ready = next((rule for rule in remaining if waiting[rule.id] == 0), None)
        if ready is None:
            names = ", ".join(rule.id.removeprefix(prefix) for rule in remaining)
            raise RuleDataError(file, f"rules.{remaining[0].id.removeprefix(prefix)}.precedes", f"precedence goes round in a circle among rules {names}")
        remaining.remove(ready)
        ordered.append(ready)
        for other in ready.precedes:
            waiting[other] -= 1
    return tuple(ordered)


def _descendants(rule: Rule, by_id: Mapping[str, Rule]) -> set[str]:
    """The ids of every rule that ``rule`` precedes, directly or through others."""
    found: set[str] = set()
    todo = list(rule.precedes)
    while todo:
        other = todo.pop()
        if other not in found:
            found.add(other)
            todo.extend(by_id[other].precedes)
    return found


def _first_shared_moment(a: Rule, b: Rule, reference: Reference) -> dt.datetime | None:
    """The first moment (UTC) at which both rules can decide for the same vehicle; None when they never can."""
    if not _can_fit_one_vehicle(a, b, reference):
        return None
    shared = [
        max(start_a, start_b)
        for start_a, until_a in _deciding(a)
        for start_b, until_b in _deciding(b)
        if (until_b is None or start_a < until_b) and (until_a is None or start_b < until_a)
    ]
    return min(shared, default=None)


def _deciding(rule: Rule) -> list[tuple[dt.datetime, dt.datetime | None]]:
    """The periods (UTC, the end exclusive or open) in which the rule has a version that decides."""
    ends: Sequence[dt.datetime | None] = (*rule.starts[1:], None)
    return [(start, until) for version, start, until in zip(rule.versions, rule.starts, ends, strict=True) if version.requirement is not None]


def _can_fit_one_vehicle(a: Rule, b: Rule, reference: Reference) -> bool:
    """Whether one vehicle can fit the conditions of both rules (the registration date can always fit both)."""
    if (a.jurisdiction, a.direction) != (b.jurisdiction, b.direction):
        return False
    if any(x is not None and y is not None and not x & y for x, y in ((a.residents, b.residents), (a.vehicle_classes, b.vehicle_classes))):
        return False
    return not _plates(a, reference).isdisjoint(_plates(b, reference))


def _plates(rule: Rule, reference: Reference) -> frozenset[tuple[str, PlateKind, str | None]]:
    """Every kind of plate the rule is for: issuer, kind and registration area (None for plates without one)."""
    found: set[tuple[str, PlateKind, str | None]] = set()
    for jurisdiction in reference.jurisdictions.values():
        if rule.issuers is not None and jurisdiction.code not in rule.issuers:
            continue
        for fmt in jurisdiction.formats:
            if rule.kinds is not None and fmt.kind not in rule.kinds:
                continue
            codes: list[str | None] = [None] if any("@" not in pattern for pattern in fmt.patterns) else []
            if any("@" in pattern for pattern in fmt.patterns):
                codes.extend(jurisdiction.areas)
            found.update((jurisdiction.code, fmt.kind, code) for code in codes if _fits_area(rule, jurisdiction.areas[code] if code else None))
    return frozenset(found)


def _fits_area(rule: Rule, area: Area | None) -> bool:
    if rule.areas is None and rule.territories is None:
        return True
    return area is not None and (rule.areas is None or area.code in rule.areas) and (rule.territories is None or area.territory in rule.territories)
