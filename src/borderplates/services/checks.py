"""Checking a vehicle at the border: the law, then what the vehicle already holds.

The law decides what a vehicle that holds nothing must do; :func:`assess` then looks
at what it holds (a valid temporary registration admits it, stickers under the rule
in force admit it, earlier warnings and fines are shown). A check reads through the
fast lookups of the caller's thread; recording a crossing assesses the vehicle with
the same code inside its own unit of work.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass
from typing import Any, Protocol

from borderplates.law import Ruling
from borderplates.model import Registration
from borderplates.registry import Database
from borderplates.services import law as law_services
from borderplates.services.actors import Actor, Permission, authorise
from borderplates.services.presentation import Judgement, Presentation, judge
from borderplates.vocabulary import ActionKind, Decision, RequirementKind

#: A registration whose last valid day is this close is admitted with a notice.
EXPIRY_NOTICE_DAYS = 3


class Holdings(Protocol):
    """What the registry can say about what a vehicle holds (the fast lookups, or a unit of work's repository)."""

    def active_registration(self, issuer: str, plate: str, jurisdiction: str) -> Registration | None: ...

    def sticker(self, issuer: str, plate: str, jurisdiction: str, rule_id: str, rule_version: str) -> tuple[dt.datetime, str] | None: ...

    def action_counts(self, issuer: str, plate: str, rule_id: str) -> Counter[ActionKind]: ...


@dataclass(frozen=True, slots=True)
class Check:
    """What the officer must do now, and why."""

    judgement: Judgement
    decision: Decision
    held: tuple[str, ...]
    registration: Registration | None = None

    @property
    def ruling(self) -> Ruling:
        return self.judgement.ruling

    @property
    def reasons(self) -> tuple[str, ...]:
        """How the plate was read, the law's reasons, then what the vehicle holds."""
        return (*self.judgement.notes, *self.judgement.ruling.reasons, *self.held)

    def as_json(self) -> dict[str, Any]:
        result = law_services.check_json(self.judgement.ruling, self.decision, self.reasons)
        result["registration"] = self.registration.as_json() if self.registration else None
        return result


def check_vehicle(presentation: Presentation, *, actor: Actor, db: Database) -> Check:
    """The decision for a vehicle at a crossing: the law's, adjusted for what it holds. Writes nothing."""
    judgement = judge(presentation)
    authorise(actor, Permission.CHECK, judgement.where)
    return assess(judgement, db.lookups())


def assess(judgement: Judgement, holdings: Holdings) -> Check:
    """Adjust the law's decision for what the vehicle holds."""
    ruling = judgement.ruling
    decision = Decision(ruling.decision)
    plate = judgement.plate
    if decision == Decision.ISSUE_TEMPORARY_REGISTRATION and ruling.requirement.kind == RequirementKind.TEMPORARY_REGISTRATION:
        registration = holdings.active_registration(plate.issuer, plate.canonical, ruling.jurisdiction)
        if registration is None:
            return Check(judgement, decision, ("the vehicle holds no active temporary registration",))
        day = judgement.day
        if registration.valid_from <= day <= registration.valid_until:
            return Check(judgement, Decision.ADMIT, _valid(registration, day), registration)
        if registration.valid_until < day:
            expired = f"temporary registration {registration.number} expired after {registration.valid_until}; a new one is needed"
            return Check(judgement, decision, (expired,), registration)
        return Check(judgement, decision, (f"temporary registration {registration.number} is valid only from {registration.valid_from}",), registration)
    if decision == Decision.APPLY_STICKER:
        sticker = holdings.sticker(plate.issuer, plate.canonical, ruling.jurisdiction, ruling.rule.id, ruling.version.id)
        if sticker is not None:
            issued_at, point = sticker
            local = issued_at.astimezone(ruling.rule.timezone)
            return Check(judgement, Decision.ADMIT, (f"stickers were issued on {local:%Y-%m-%d %H:%M} at {point}; check that they cover the state symbols",))
    if decision in (Decision.WARN, Decision.FINE):
        counts = holdings.action_counts(plate.issuer, plate.canonical, ruling.rule.id)
        earlier = [f"{n} {kind}{'s' if n > 1 else ''}" for kind in (ActionKind.WARNING, ActionKind.FINE) if (n := counts[kind])]
        if earlier:
            return Check(judgement, decision, (f"recorded earlier for this vehicle under this rule: {', '.join(earlier)}",))
    return Check(judgement, decision, ())


def _valid(registration: Registration, day: dt.date) -> tuple[str, ...]:
    left = (registration.valid_until - day).days
    reasons = [f"holds temporary registration {registration.number}, valid {registration.valid_from} to {registration.valid_until}"]
    if left < EXPIRY_NOTICE_DAYS:
        reasons.append(f"notice: it expires {'today' if left == 0 else f'in {left} day' + ('s' if left > 1 else '')}; tell the driver to renew it")
    return tuple(reasons)
