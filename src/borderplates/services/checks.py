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
from dataclasses import dataclass, replace
from typing import Any, Protocol

from borderplates.law import Ruling
from borderplates.model import Held, Registration, Stickers
from borderplates.registry import Database
from borderplates.services import law as law_services
from borderplates.services import status, sync
from borderplates.services.actors import Actor, Permission, authorise
from borderplates.services.presentation import Judgement, Presentation, judge
from borderplates.vocabulary import ActionKind, Decision, Direction, Mode, RequirementKind

#: A registration whose last valid day is this close is admitted with a notice.
EXPIRY_NOTICE_DAYS = 3


class Holdings(Protocol):
    """What the registry can say about what a vehicle holds (the fast lookups, or a unit of work's repository)."""

    def active_registration(self, issuer: str, plate: str, jurisdiction: str) -> Held | None: ...

    def sticker(self, issuer: str, plate: str, jurisdiction: str, rule_id: str, rule_version: str) -> Stickers | None: ...

    def action_counts(self, issuer: str, plate: str, rule_id: str) -> Counter[ActionKind]: ...


@dataclass(frozen=True, slots=True)
class Check:
    """What the officer must do now, and why; the reasons are written out only when read."""

    judgement: Judgement
    decision: Decision
    holding: Held | None = None
    """The temporary registration the decision relied on."""
    stickers: Stickers | None = None
    """The stickers, issued under the rule in force, that admit the vehicle."""
    earlier: Counter[ActionKind] | None = None
    """The warnings and fines recorded earlier for the vehicle under the rule."""
    closure: status.Closure | None = None
    """Where the crossing point does not pass this traffic: the closure that refused the vehicle, with the open alternatives."""
    freshness: sync.Freshness | None = None
    """At a site: when it last reached the centre (what it knows of registrations issued elsewhere is that old)."""

    @property
    def ruling(self) -> Ruling:
        return self.judgement.ruling

    @property
    def registration(self) -> Registration | None:
        return self.holding.registration if self.holding is not None else None

    @property
    def days_left(self) -> int | None:
        """The days the held registration is valid after the day of the check: 0 on its last day, negative once it has expired."""
        return (self.holding.valid_until - self.judgement.day).days if self.holding is not None else None

    @property
    def not_yet_valid(self) -> bool:
        """The held registration's validity starts after the day of the check."""
        return self.holding is not None and self.judgement.day < self.holding.valid_from

    @property
    def renew(self) -> bool:
        """The registration that admits the vehicle expires within :data:`EXPIRY_NOTICE_DAYS`: the driver is to be told to renew it."""
        left = self.days_left
        return self.decision == Decision.ADMIT and left is not None and 0 <= left < EXPIRY_NOTICE_DAYS

    @property
    def needs_registration(self) -> bool:
        """The law asks for a temporary registration and the vehicle holds none."""
        return (
            self.holding is None
            and self.decision == Decision.ISSUE_TEMPORARY_REGISTRATION
            and self.ruling.requirement.kind == RequirementKind.TEMPORARY_REGISTRATION
        )

    @property
    def reasons(self) -> tuple[str, ...]:
        """How the plate was read, the law's reasons, what the vehicle holds, and (at a site) how fresh that knowledge is."""
        fresh = (self.freshness.reason(dt.datetime.now(dt.UTC)),) if self.freshness is not None else ()
        return (*self.judgement.notes(), *self.judgement.ruling.reasons, *self.held(), *fresh)

    def held(self) -> tuple[str, ...]:
        """What the vehicle holds (or the closure that refused it), as reasons."""
        if self.closure is not None:
            return self.closure.reasons
        if self.holding is not None:
            return self._holding()
        if self.stickers is not None:
            local = self.stickers.issued_at.astimezone(self.ruling.rule.timezone)
            return (f"stickers were issued on {local:%Y-%m-%d %H:%M} at {self.stickers.point}; check that they cover the state symbols",)
        if self.earlier:
            earlier = [f"{n} {kind}{'s' if n > 1 else ''}" for kind in (ActionKind.WARNING, ActionKind.FINE) if (n := self.earlier[kind])]
            return (f"recorded earlier for this vehicle under this rule: {', '.join(earlier)}",)
        if self.needs_registration:
            return ("the vehicle holds no active temporary registration",)
        return ()

    def _holding(self) -> tuple[str, ...]:
        held, left = self.holding, self.days_left
        assert held is not None and left is not None
        if left < 0:
            return (f"temporary registration {held.number} expired after {held.valid_until}; a new one is needed",)
        if self.not_yet_valid:
            return (f"temporary registration {held.number} is valid only from {held.valid_from}",)
        reasons = [f"holds temporary registration {held.number}, valid {held.valid_from} to {held.valid_until}"]
        if self.renew:
            reasons.append(f"notice: it expires {'today' if left == 0 else f'in {left} day' + ('s' if left > 1 else '')}; tell the driver to renew it")
        return tuple(reasons)

    def as_json(self) -> dict[str, Any]:
        result = law_services.check_json(self.judgement.ruling, self.decision, self.reasons)
        result["registration"] = self.registration.as_json() if self.registration else None
        result["freshness"] = self.freshness.as_json(dt.datetime.now(dt.UTC)) if self.freshness is not None else None
        return result


def check_vehicle(presentation: Presentation, *, actor: Actor, db: Database) -> Check:
    """The decision for a vehicle at a crossing: the law's, adjusted for what it holds and refused where the crossing does not pass. Writes nothing."""
    judgement = judge(presentation)
    authorise(actor, Permission.CHECK, judgement.where)
    check = assess(judgement, db.lookups(), closed_to(judgement, status.mode_of(judgement.vehicle_class), db))
    fresh = sync.freshness(db)
    return check if fresh is None else replace(check, freshness=fresh)


def closed_to(judgement: Judgement, mode: Mode, db: Database) -> status.Closure | None:
    """The closure of the crossing point for this vehicle's traffic at the moment, if it is blocked or closed."""
    if not judgement.at_crossing_point or judgement.where is None:
        return None
    return status.closure_for(db, judgement.where, judgement.jurisdiction, Direction(judgement.ruling.direction), mode, judgement.at)


def assess(judgement: Judgement, holdings: Holdings, closure: status.Closure | None = None) -> Check:
    """Adjust the law's decision for what the vehicle holds; refuse where the crossing does not pass."""
    if closure is not None:
        return Check(judgement, Decision.REFUSE, closure=closure)
    ruling = judgement.ruling
    decision = Decision(ruling.decision)
    plate = judgement.plate
    if decision == Decision.ISSUE_TEMPORARY_REGISTRATION and ruling.requirement.kind == RequirementKind.TEMPORARY_REGISTRATION:
        held = holdings.active_registration(plate.issuer, plate.canonical, ruling.jurisdiction)
        if held is not None and held.valid_from <= judgement.day <= held.valid_until:
            return Check(judgement, Decision.ADMIT, held)
        return Check(judgement, decision, held)
    if decision == Decision.APPLY_STICKER:
        stickers = holdings.sticker(plate.issuer, plate.canonical, ruling.jurisdiction, ruling.rule.id, ruling.version.id)
        if stickers is not None:
            return Check(judgement, Decision.ADMIT, stickers=stickers)
    if decision in (Decision.WARN, Decision.FINE):
        counts = holdings.action_counts(plate.issuer, plate.canonical, ruling.rule.id)
        if counts:
            return Check(judgement, decision, earlier=counts)
    return Check(judgement, decision)
