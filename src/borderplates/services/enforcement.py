"""Stickers, warnings and fines, each recorded against the vehicle and the rule that demanded it."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace

from borderplates.errors import ConflictError
from borderplates.law import Money
from borderplates.model import Action, AuditEntry
from borderplates.registry import Database, UnitOfWork
from borderplates.services import inputs
from borderplates.services.actors import Actor, Permission, authorise
from borderplates.services.idempotency import once
from borderplates.services.presentation import Judgement, Presentation, judge
from borderplates.vocabulary import REASON_LENGTH, ActionKind, Phase, RequirementKind

__all__ = ["Action", "issue_sticker", "record_fine", "record_warning"]


def issue_sticker(presentation: Presentation, *, actor: Actor, request_key: str | None = None, db: Database) -> Action:
    """Record the stickers that cover the state symbols, when the law requires them."""
    key = inputs.request_key(request_key)
    judgement = judge(presentation, centres=True, point_required=True)
    authorise(actor, Permission.STICKER, judgement.where)
    ruling = judgement.ruling
    if ruling.requirement.kind != RequirementKind.COVER_SYMBOLS:
        raise ConflictError(
            f"the law does not require cover symbols of {judgement.plate.canonical} on {judgement.day}: "
            f"it requires {ruling.requirement.kind.replace('_', ' ')} (rule {ruling.rule.id})"
        )
    action = _action(ActionKind.STICKER, judgement, actor)

    def act(uow: UnitOfWork) -> Action:
        vehicle = _vehicle(uow, judgement, actor)
        earlier = uow.actions.sticker_for(vehicle, ruling.jurisdiction, ruling.rule.id, ruling.version.id)
        if earlier is not None:
            issued_at, point = earlier
            raise ConflictError(f"stickers were already issued to {judgement.plate.canonical} on {issued_at:%Y-%m-%d} at {point} under this rule")
        return _add(uow, action, vehicle, key, None)

    def explain(uow: UnitOfWork) -> None:
        raise ConflictError(f"stickers for {judgement.plate.canonical} were issued at the same moment by someone else")

    return once(db, key, act=act, replay=_Replay(ActionKind.STICKER, judgement), explain=explain)


def record_warning(presentation: Presentation, *, actor: Actor, note: str | None = None, request_key: str | None = None, db: Database) -> Action:
    """Record a warning when the law is in its warning phase."""
    return _enforce(ActionKind.WARNING, Phase.WARN, Permission.WARN, presentation, actor, note, request_key, db)


def record_fine(presentation: Presentation, *, actor: Actor, note: str | None = None, request_key: str | None = None, db: Database) -> Action:
    """Record a fine of the amount the law sets, when the law is in a fine phase."""
    return _enforce(ActionKind.FINE, Phase.FINE, Permission.FINE, presentation, actor, note, request_key, db)


def _enforce(
    kind: ActionKind, phase: Phase, permission: Permission, presentation: Presentation, actor: Actor, note: str | None, request_key: str | None, db: Database
) -> Action:
    key = inputs.request_key(request_key)
    remark = inputs.optional_text(note, "note", REASON_LENGTH)
    judgement = judge(presentation, centres=True, point_required=True)
    authorise(actor, permission, judgement.where)
    ruling = judgement.ruling
    enforcement = ruling.enforcement
    if enforcement is None or enforcement.phase != phase:
        current = enforcement.phase.replace("_", " ") if enforcement else "nothing"
        raise ConflictError(f"the law does not {phase} {judgement.plate.canonical} on {judgement.day}: rule {ruling.rule.id} enforces {current}")
    action = _action(kind, judgement, actor, enforcement.fine, remark)

    def act(uow: UnitOfWork) -> Action:
        return _add(uow, action, _vehicle(uow, judgement, actor), key, phase)

    def explain(uow: UnitOfWork) -> None:
        raise ConflictError("this request key was used at the same moment by another request")

    return once(db, key, act=act, replay=_Replay(kind, judgement), explain=explain)


def _action(kind: ActionKind, judgement: Judgement, actor: Actor, amount: Money | None = None, note: str | None = None) -> Action:
    ruling = judgement.ruling
    return Action(
        kind,
        judgement.plate.canonical,
        ruling.jurisdiction,
        judgement.at.astimezone(dt.UTC),
        judgement.where or "",
        actor.name,
        ruling.rule.id,
        ruling.version.id,
        amount,
        note,
    )


def _vehicle(uow: UnitOfWork, judgement: Judgement, actor: Actor) -> int:
    return uow.vehicles.ensure(
        judgement.plate,
        vehicle_class=judgement.vehicle_class,
        resident=judgement.resident,
        vin=judgement.vin,
        at=judgement.at,
        actor=actor.name,
        point=judgement.where,
    )


def _add(uow: UnitOfWork, action: Action, vehicle: int, key: str | None, phase: Phase | None) -> Action:
    recorded = replace(action, vehicle_id=vehicle)
    record_id, stored = uow.actions.add(recorded, request_key=key, phase=phase)
    entity = "sticker_issuance" if action.kind == ActionKind.STICKER else str(action.kind)
    verb = "issue" if action.kind == ActionKind.STICKER else "record"
    uow.audit.append(AuditEntry(action.at, action.officer, action.point, verb, entity, record_id, None, stored))
    return recorded


class _Replay:
    """The answer to a retried request: the action recorded with the key, for the same vehicle."""

    def __init__(self, kind: ActionKind, judgement: Judgement) -> None:
        self.kind, self.plate = kind, judgement.plate.canonical

    def __call__(self, uow: UnitOfWork, key: str) -> Action | None:
        found = uow.actions.by_request_key(self.kind, key)
        if found is not None and (found.plate != self.plate or found.kind != self.kind):
            raise ConflictError("this request key was already used for another vehicle")
        return found
