"""Entry rules as dated data, read from data/rules/ (one file per regime).

A rule says what a jurisdiction requires of vehicles that fit its conditions when
they enter (or leave); it is a history of complete versions, each in force from a
local date or date-time until the next, each with its legal source. Announced
versions that never took effect are kept as ``planned``.
"""

from __future__ import annotations

import datetime as dt
from bisect import bisect_right
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from importlib.resources.abc import Traversable
from itertools import pairwise
from typing import Any, Literal
from zoneinfo import ZoneInfo

import pydantic

from borderplates.errors import RuleDataError
from borderplates.reference import Reference
from borderplates.reference.datafiles import DATA, Source, Strict, display_name, files, read_toml, validate

RequirementKind = Literal["none", "temporary_registration", "cover_symbols", "re_registration", "refuse"]
Phase = Literal["inform", "warn", "fine", "temporary_plate", "sticker", "seize", "refuse_entry"]
Direction = Literal["entry", "exit"]

#: What the officer must do for a vehicle that holds nothing yet, by enforcement phase.
DECISION_BY_PHASE: Mapping[str, str] = {
    "inform": "admit",
    "warn": "warn",
    "fine": "fine",
    "temporary_plate": "issue_temporary_registration",
    "sticker": "apply_sticker",
    "seize": "refuse",
    "refuse_entry": "refuse",
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
    kind: tuple[str, ...] | None = None
    area: tuple[str, ...] | None = None
    resident: tuple[str, ...] | None = None
    vehicle_class: tuple[str, ...] | None = None
    registered_after: dt.date | None = None


class RuleSchema(Strict):
    jurisdiction: str
    direction: Direction
    description: str
    when: WhenSchema
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
    kind: str
    validity_days: int | None = None
    fee: Money | None = None


@dataclass(frozen=True)
class Enforcement:
    phase: str
    fine: Money | None = None


@dataclass(frozen=True)
class Version:
    """One complete value of a rule, in force from ``effective_from`` (local)."""

    rule_id: str
    effective_from: dt.date | dt.datetime
    starts_at: dt.datetime
    requirement: Requirement | None
    enforcement: Enforcement | None
    decision: str | None
    note: str | None
    source: Source
    status: str = "in_force"

    @property
    def id(self) -> str:
        """The version's identifier: its local start, ``2021-09-20`` or ``2021-10-04T08:00:00``."""
        return self.effective_from.isoformat()


@dataclass(frozen=True)
class Rule:
    id: str
    jurisdiction: str
    direction: str
    description: str
    issuers: frozenset[str] | None
    kinds: frozenset[str] | None
    areas: frozenset[str] | None
    residents: frozenset[str] | None
    vehicle_classes: frozenset[str] | None
    registered_after: dt.date | None
    versions: tuple[Version, ...]
    planned: tuple[Version, ...]
    starts: tuple[float, ...]
    timezone: ZoneInfo

    def version_at(self, timestamp: float) -> Version | None:
        """The version in force at a POSIX ``timestamp`` (an end is a version without requirement); None before the first."""
        index = bisect_right(self.starts, timestamp) - 1
        return self.versions[index] if index >= 0 else None

    @property
    def conditions(self) -> dict[str, Any]:
        raw = {
            "issuer": self.issuers,
            "kind": self.kinds,
            "area": self.areas,
            "resident": self.residents,
            "vehicle_class": self.vehicle_classes,
        }
        result: dict[str, Any] = {key: sorted(value) for key, value in raw.items() if value is not None}
        if self.registered_after is not None:
            result["registered_after"] = self.registered_after.isoformat()
        return result


@dataclass(frozen=True)
class Regime:
    id: str
    jurisdictions: tuple[str, ...]
    timezone: ZoneInfo
    description: str
    rules: tuple[Rule, ...]


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
    return Regime(regime_id, schema.jurisdictions, zone, schema.description, rules)


def _rule(rule_id: str, spec: RuleSchema, regime: RegimeSchema, zone: ZoneInfo, reference: Reference, file: str, key: str) -> Rule:
    if spec.jurisdiction not in regime.jurisdictions:
        raise RuleDataError(file, f"{key}.jurisdiction", f"{spec.jurisdiction} is not one of the regime's jurisdictions")
    when = spec.when
    for field in ("issuer", "resident"):
        for code in getattr(when, field) or ():
            _known_jurisdiction(code, reference, file, f"{key}.when.{field}")
    if when.area is not None:
        issuers = when.issuer or tuple(reference.jurisdictions)
        known = {code for issuer in issuers for code in reference.jurisdictions[issuer].areas}
        for code in when.area:
            if code not in known:
                raise RuleDataError(file, f"{key}.when.area", f"{code} is no registration area of {', '.join(issuers)}")
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
        residents=_set(when.resident),
        vehicle_classes=_set(when.vehicle_class),
        registered_after=when.registered_after,
        versions=versions,
        planned=planned,
        starts=tuple(v.starts_at.timestamp() for v in versions),
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
    raw = spec.requirement
    requirement: Requirement | None
    if raw == "end":
        if status != "in_force":
            raise RuleDataError(file, f"{key}.requirement", "a planned version cannot be an end")
        requirement = None
    else:
        schema = raw if isinstance(raw, RequirementSchema) else RequirementSchema(kind=raw)
        if schema.kind != "temporary_registration" and (schema.validity_days or schema.fee):
            raise RuleDataError(file, f"{key}.requirement", f"{schema.kind} takes no validity_days or fee")
        fee = Money(schema.fee.amount, schema.fee.currency) if schema.fee else None
        requirement = Requirement(schema.kind, schema.validity_days, fee)
    enforcement = _enforcement(spec.enforcement, file, key)
    if requirement is None or requirement.kind == "none":
        if enforcement is not None:
            raise RuleDataError(file, f"{key}.enforcement", "nothing is required, so nothing is enforced")
        decision = "admit" if requirement else None
    else:
        if enforcement is None:
            raise RuleDataError(file, f"{key}.enforcement", "required field is missing")
        decision = DECISION_BY_PHASE[enforcement.phase]
    return Version(rule_id, start, starts_at, requirement, enforcement, decision, spec.note, spec.source, status)


def _enforcement(raw: EnforcementSchema | str | None, file: str, key: str) -> Enforcement | None:
    if raw is None:
        return None
    schema = raw if isinstance(raw, EnforcementSchema) else EnforcementSchema(phase=raw)  # type: ignore[arg-type]
    if (schema.phase == "fine") != (schema.fine is not None):
        raise RuleDataError(file, f"{key}.enforcement", "a fine phase needs its amount, and only a fine phase has one")
    fine = Money(schema.fine.amount, schema.fine.currency) if schema.fine else None
    return Enforcement(schema.phase, fine)


def _known_jurisdiction(code: str, reference: Reference, file: str, key: str) -> None:
    if code not in reference.jurisdictions:
        raise RuleDataError(file, key, f"unknown jurisdiction {code}")


def _set(values: tuple[str, ...] | None) -> frozenset[str] | None:
    return frozenset(values) if values is not None else None
