"""The registry's records as the use cases see them: registrations, crossings, actions, audit entries.

Plain, frozen dataclasses: the repositories take and return these, never database
rows, and the interfaces render them. Validity is defined once, here: a temporary
registration issued on local day D for N days is valid on D and the N-1 days after
(``valid_until`` is the last valid day).

>>> valid_until(dt.date(2021, 9, 20), 60)
datetime.date(2021, 11, 18)
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any, NamedTuple

from borderplates.law import Money
from borderplates.vocabulary import ActionKind, Decision, Direction, Mode, RegistrationStatus, VehicleClass


def valid_until(valid_from: dt.date, validity_days: int) -> dt.date:
    """The last day a registration valid for ``validity_days`` from ``valid_from`` is valid."""
    return valid_from + dt.timedelta(days=validity_days - 1)


@dataclass(frozen=True, slots=True)
class Registration:
    """A temporary registration, as issued, with where it stands now."""

    number: str
    plate: str
    issuer: str
    jurisdiction: str
    valid_from: dt.date
    valid_until: dt.date
    fee: Money
    rule_id: str
    rule_version: str
    issued_at: dt.datetime
    issuing_point: str
    clerk: str
    status: RegistrationStatus
    status_reason: str | None
    holder: str | None = None
    """The person (or company) it was issued to, as the clerk wrote the name."""
    id: int = field(default=0, compare=False, repr=False)
    vehicle_id: int = field(default=0, compare=False, repr=False)

    @property
    def is_active(self) -> bool:
        return self.status == RegistrationStatus.ACTIVE

    def is_valid_on(self, day: dt.date) -> bool:
        return self.is_active and self.valid_from <= day <= self.valid_until

    def as_json(self) -> dict[str, Any]:
        return {
            "number": self.number,
            "plate": self.plate,
            "issuer": self.issuer,
            "jurisdiction": self.jurisdiction,
            "valid_from": self.valid_from.isoformat(),
            "valid_until": self.valid_until.isoformat(),
            "fee": self.fee.as_json(),
            "rule": {"id": self.rule_id, "effective_from": self.rule_version},
            "issued_at": self.issued_at.isoformat(),
            "issuing_point": self.issuing_point,
            "clerk": self.clerk,
            "status": str(self.status),
            "status_reason": self.status_reason,
            "holder": self.holder,
        }


@dataclass(frozen=True)
class Held:
    """A vehicle's active registration as a check reads it: its validity at once, the whole record only when asked for."""

    id: int
    number: str
    valid_from: dt.date
    valid_until: dt.date
    load: Callable[[], Registration] = field(compare=False, repr=False)

    @cached_property
    def registration(self) -> Registration:
        return self.load()


class Stickers(NamedTuple):
    """Stickers issued to a vehicle under a rule's version: when, and at which crossing point."""

    issued_at: dt.datetime
    point: str


class NewVehicle(NamedTuple):
    """A vehicle the registry sees for the first time."""

    issuer: str
    plate: str
    plate_kind: str
    area_code: str | None
    vehicle_class: VehicleClass
    resident: str | None
    vin: str | None
    created_at: dt.datetime


class NewRegistration(NamedTuple):
    """What an issuance or a renewal writes (and what a bulk load writes, row by row)."""

    number: str
    vehicle_id: int
    jurisdiction: str
    valid_from: dt.date
    valid_until: dt.date
    fee: Money
    rule_id: str
    rule_version: str
    issued_at: dt.datetime
    issuing_point: str
    clerk: str
    request_key: str | None = None
    renews_id: int | None = None
    status: RegistrationStatus = RegistrationStatus.ACTIVE
    holder: str | None = None


@dataclass(frozen=True, slots=True)
class Crossing:
    """One entry or exit of a vehicle at a crossing point, with the decision taken."""

    id: int
    plate: str
    issuer: str
    point: str
    direction: Direction
    jurisdiction: str
    mode: Mode
    lane: str | None
    at: dt.datetime
    decision: Decision
    officer: str
    rule_id: str | None = None
    rule_version: str | None = None
    registration_id: int | None = None
    request_key: str | None = None
    vehicle_id: int = field(default=0, compare=False, repr=False)


class NewCrossing(NamedTuple):
    """What recording a crossing writes (and what an import writes, row by row)."""

    vehicle_id: int
    point: str
    direction: Direction
    jurisdiction: str
    mode: Mode
    lane: str | None
    at: dt.datetime
    decision: Decision
    officer: str
    rule_id: str | None = None
    rule_version: str | None = None
    registration_id: int | None = None
    request_key: str | None = None


@dataclass(frozen=True, slots=True)
class Action:
    """Stickers issued, a warning or a fine, recorded against a vehicle under the rule that demanded it."""

    kind: ActionKind
    plate: str
    jurisdiction: str
    at: dt.datetime
    point: str
    officer: str
    rule_id: str
    rule_version: str
    amount: Money | None = None
    note: str | None = None
    vehicle_id: int = field(default=0, compare=False, repr=False)

    def as_json(self) -> dict[str, Any]:
        return {
            "kind": str(self.kind),
            "plate": self.plate,
            "jurisdiction": self.jurisdiction,
            "at": self.at.isoformat(),
            "point": self.point,
            "officer": self.officer,
            "rule": {"id": self.rule_id, "effective_from": self.rule_version},
            "amount": self.amount.as_json() if self.amount else None,
        }


@dataclass(frozen=True, slots=True)
class AuditEntry:
    """One state change: who, when, where, what, before and after, and why."""

    at: dt.datetime
    actor: str
    point: str | None
    action: str
    entity: str
    entity_id: int
    before: dict[str, Any] | None
    after: dict[str, Any] | None
    reason: str | None = None

    def as_json(self) -> dict[str, Any]:
        return {
            "at": self.at.isoformat(),
            "actor": self.actor,
            "point": self.point,
            "action": self.action,
            "before": self.before,
            "after": self.after,
            "reason": self.reason,
        }


@dataclass(frozen=True, slots=True)
class StoredRead:
    """A plate read from a camera image, as kept: what the reader saw, the image by reference, who confirmed it."""

    id: int
    at: dt.datetime
    point: str | None
    camera: str | None
    submitted_by: str
    reader: str
    reader_version: str
    raw_text: str
    plate: str | None
    issuer: str | None
    confidence: float
    needs_confirmation: bool
    candidates: tuple[dict[str, Any], ...]
    image_sha256: str
    image_ref: str | None
    image_erased_at: dt.datetime | None = None
    confirmed_plate: str | None = None
    confirmed_issuer: str | None = None
    confirmed_by: str | None = None
    confirmed_at: dt.datetime | None = None
    crossing_id: int | None = None

    @property
    def settled(self) -> tuple[str, str] | None:
        """(issuer, plate) a decision may go by: the confirmed plate, or the read's own when it needed no confirmation."""
        if self.confirmed_plate is not None and self.confirmed_issuer is not None:
            return (self.confirmed_issuer, self.confirmed_plate)
        if not self.needs_confirmation and self.plate is not None and self.issuer is not None:
            return (self.issuer, self.plate)
        return None

    def as_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "at": self.at.isoformat(),
            "point": self.point,
            "camera": self.camera,
            "reader": {"name": self.reader, "version": self.reader_version},
            "raw_text": self.raw_text,
            "plate": self.plate,
            "issuer": self.issuer,
            "confidence": round(self.confidence, 3),
            "needs_confirmation": self.needs_confirmation,
            "candidates": list(self.candidates),
            "image": {
                "sha256": self.image_sha256,
                "kept": self.image_ref is not None,
                "erased_at": self.image_erased_at.isoformat() if self.image_erased_at else None,
            },
            "confirmed": {"plate": self.confirmed_plate, "issuer": self.confirmed_issuer, "by": self.confirmed_by, "at": self.confirmed_at.isoformat()}
            if self.confirmed_at
            else None,
            "crossing_id": self.crossing_id,
        }
