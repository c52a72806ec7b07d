"""Temporary registrations: issue, renew, return on exit, cancel, expire, list and show.

Validity is defined once, in :func:`borderplates.model.valid_until`: a registration
issued on local day D for N days is valid on D and the N-1 days after (60 days from
2021-09-20 is valid through 2021-11-18, expired on 2021-11-19).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from borderplates import reference
from borderplates.errors import ConflictError, NotFound, ValidationError
from borderplates.law import Money
from borderplates.model import AuditEntry, NewRegistration, Registration, valid_until
from borderplates.registry import Database, UnitOfWork
from borderplates.registry.numbers import compact_number, new_number
from borderplates.services import inputs, pages
from borderplates.services.actors import Actor, Permission, authorise
from borderplates.services.idempotency import once
from borderplates.services.presentation import Judgement, Presentation, judge
from borderplates.vocabulary import HOLDER_LENGTH, REASON_LENGTH, RegistrationStatus, RequirementKind

__all__ = [
    "Registration",
    "RegistrationPage",
    "cancel",
    "expire_due",
    "issue_temporary_registration",
    "list_registrations",
    "renew",
    "return_on_exit",
    "show_registration",
    "valid_until",
]

ENTITY = "temporary_registration"
_ACTION_BY_STATUS = {RegistrationStatus.EXPIRED: "expire", RegistrationStatus.RETURNED: "return", RegistrationStatus.CANCELLED: "cancel"}


def issue_temporary_registration(
    presentation: Presentation, *, actor: Actor, holder: str | None = None, request_key: str | None = None, db: Database
) -> Registration:
    """Issue a temporary registration when the law requires one and the vehicle holds none valid, to ``holder`` if named."""
    key = inputs.request_key(request_key)
    holder = inputs.optional_text(holder, "holder's name", HOLDER_LENGTH)
    judgement = judge(presentation, centres=True, point_required=True)
    authorise(actor, Permission.ISSUE, judgement.where)
    validity_days, fee = _required_registration(judgement)
    plate = judgement.plate

    def act(uow: UnitOfWork) -> Registration:
        vehicle = uow.vehicles.ensure(
            plate,
            vehicle_class=judgement.vehicle_class,
            resident=judgement.resident,
            vin=judgement.vin,
            at=judgement.at,
            actor=actor.name,
            point=judgement.where,
        )
        active = uow.holdings.active_registration(plate.issuer, plate.canonical, judgement.jurisdiction)
        if active is not None:
            if active.valid_until >= judgement.day:
                raise _already_holds(active.registration)
            change_status(uow, active.registration, RegistrationStatus.EXPIRED, judgement.at, actor, judgement.where, f"expired after {active.valid_until}")
        return _insert(uow, judgement, vehicle, validity_days, fee, actor=actor, key=key, action="issue", holder=holder)

    def explain(uow: UnitOfWork) -> None:
        active = uow.holdings.active_registration(plate.issuer, plate.canonical, judgement.jurisdiction)
        if active is not None:
            raise _already_holds(active.registration)
        raise ConflictError(f"another issuance for {plate.canonical} happened at the same moment; check the vehicle again")

    return once(db, key, act=act, replay=_Replay(plate.issuer, plate.canonical), explain=explain)


def renew(
    number: str,
    at: dt.datetime,
    *,
    point: str,
    actor: Actor,
    request_key: str | None = None,
    registered_on: dt.date | None = None,
    db: Database,
) -> Registration:
    """Replace an active or expired registration with a new one valid from today, if the law still requires one.

    The vehicle is judged as it is known to the registry: its issuer, class and keeper's residence; the new
    registration is the old one's holder's.
    """
    key = inputs.request_key(request_key)
    number = compact_number(number)
    at = inputs.moment(at)
    with db.reading() as uow:
        old = _found(uow, number)
        issuer, plate_text, vehicle_class, resident = uow.vehicles.facts(old.vehicle_id)
    if old.status not in (RegistrationStatus.ACTIVE, RegistrationStatus.EXPIRED):
        raise ConflictError(f"registration {number} was {old.status}; issue a new one instead of renewing it")
    _not_before(at, old)
    plate = reference.read_plate(plate_text, among=(issuer,)).best
    presentation = Presentation(plate, old.jurisdiction, at, point=point, vehicle_class=vehicle_class, resident=resident, registered_on=registered_on)
    judgement = judge(presentation, centres=True, point_required=True)
    authorise(actor, Permission.RENEW, judgement.where)
    if judgement.ruling.requirement.kind != RequirementKind.TEMPORARY_REGISTRATION:
        raise ConflictError(f"the law no longer requires a temporary registration on {judgement.day} (rule {judgement.ruling.rule.id}); nothing to renew")
    validity_days, fee = _required_registration(judgement)

    def act(uow: UnitOfWork) -> Registration:
        current = uow.registrations.by_id(old.id)
        if current is None or current.status not in (RegistrationStatus.ACTIVE, RegistrationStatus.EXPIRED):
            raise ConflictError(f"registration {number} changed meanwhile; check it again")
        if current.status == RegistrationStatus.ACTIVE:
            change_status(uow, current, RegistrationStatus.EXPIRED, judgement.at, actor, judgement.where, "renewed")
        return _insert(uow, judgement, old.vehicle_id, validity_days, fee, actor=actor, key=key, action="renew", renews=old.id, holder=old.holder)

    return once(db, key, act=act, replay=_Replay(issuer, plate_text))


def return_on_exit(number: str, at: dt.datetime, *, point: str, actor: Actor, request_key: str | None = None, db: Database) -> Registration:
    """The vehicle leaves for good and hands its temporary registration back."""
    return _end(number, RegistrationStatus.RETURNED, at, point, actor, "returned on exit", Permission.RETURN, request_key, db)


def cancel(number: str, at: dt.datetime, *, reason: str, actor: Actor, point: str | None = None, request_key: str | None = None, db: Database) -> Registration:
    """Cancel an active registration (issued in error, plates lost, ...); the reason is required."""
    why = inputs.text(reason, "reason", REASON_LENGTH, missing="say why the registration is cancelled")
    return _end(number, RegistrationStatus.CANCELLED, at, point, actor, why, Permission.CANCEL, request_key, db)


def _end(
    number: str,
    status: RegistrationStatus,
    at: dt.datetime,
    point: str | None,
    actor: Actor,
    reason: str,
    permission: Permission,
    request_key: str | None,
    db: Database,
) -> Registration:
    key = inputs.request_key(request_key)
    at = inputs.moment(at)
    number = compact_number(number)

    def act(uow: UnitOfWork) -> Registration:
        registration = _found(uow, number)
        where = inputs.place(point, registration.jurisdiction, centres=True) if point is not None else None
        authorise(actor, permission, where)
        if registration.status != RegistrationStatus.ACTIVE:
            raise ConflictError(f"registration {number} is {registration.status}, not active")
        _not_before(at, registration)
        return change_status(uow, registration, status, at, actor, where, reason, key)

    return once(db, key, act=act, replay=_EndReplay(number, status))


def expire_due(at: dt.datetime, *, actor: Actor, db: Database) -> int:
    """Mark every active registration whose last valid day is before ``at`` (local) as expired; idempotent."""
    at = inputs.moment(at)
    authorise(actor, Permission.EXPIRE)
    expired = 0
    with db.begin() as uow:
        for code in uow.registrations.jurisdictions():
            for registration in uow.registrations.due(code, inputs.local_day(at, code)):
                change_status(uow, registration, RegistrationStatus.EXPIRED, at, actor, None, f"expired after {registration.valid_until}")
                expired += 1
        uow.commit()
    return expired


@dataclass(frozen=True, slots=True)
class RegistrationPage:
    """One page of a list of registrations, newest first, and where the next page starts."""

    registrations: tuple[Registration, ...]
    next_cursor: str | None


def list_registrations(
    *,
    actor: Actor,
    plate: str | None = None,
    status: str | None = None,
    point: str | None = None,
    limit: int = 100,
    cursor: str | None = None,
    db: Database,
) -> RegistrationPage:
    """Registrations newest first, filtered by plate, status and issuing place; ``cursor`` continues a list."""
    authorise(actor, Permission.SEARCH_REGISTRATIONS)
    wanted = inputs.word(RegistrationStatus, status, "status") if status is not None else None
    size = pages.limit(limit)
    parsed = reference.parse_plate(inputs.text(plate, "plate", 40)) if plate is not None else None
    where = inputs.any_place(point) if point is not None else None
    before = pages.parse_cursor(cursor) if cursor is not None else None
    with db.reading(replica=True) as uow:
        found = uow.registrations.search(plate=parsed, status=wanted, point=where, limit=size + 1, before=before)
    page = tuple(found[:size])
    last = page[-1] if len(found) > size else None
    return RegistrationPage(page, pages.cursor_after(last.issued_at, last.id) if last is not None else None)


def show_registration(number: str, *, actor: Actor, db: Database) -> tuple[Registration, list[dict[str, object]]]:
    """A registration and its audit trail."""
    authorise(actor, Permission.VIEW_REGISTRATION)
    number = compact_number(number)
    with db.reading() as uow:
        registration = _found(uow, number)
        trail = [entry.as_json() for entry in uow.audit.trail(ENTITY, registration.id)]
    return registration, trail


def change_status(
    uow: UnitOfWork,
    registration: Registration,
    status: RegistrationStatus,
    at: dt.datetime,
    actor: Actor,
    where: str | None,
    reason: str | None,
    request_key: str | None = None,
) -> Registration:
    """End a registration (expired, returned, cancelled), with its audit record."""
    changed = uow.registrations.set_status(registration, status, at, reason, request_key)
    before, after = {"status": str(registration.status)}, {"status": str(status)}
    uow.audit.append(AuditEntry(at, actor.name, where, _ACTION_BY_STATUS[status], ENTITY, registration.id, before, after, reason))
    return changed


def _insert(
    uow: UnitOfWork,
    judgement: Judgement,
    vehicle: int,
    validity_days: int,
    fee: Money,
    *,
    actor: Actor,
    key: str | None,
    action: str,
    renews: int | None = None,
    holder: str | None = None,
) -> Registration:
    """Insert an active registration valid from the judgement's day under its ruling, and audit it."""
    ruling, day = judgement.ruling, judgement.day
    new = NewRegistration(
        number=new_number(),
        vehicle_id=vehicle,
        jurisdiction=ruling.jurisdiction,
        valid_from=day,
        valid_until=valid_until(day, validity_days),
        fee=fee,
        rule_id=ruling.rule.id,
        rule_version=ruling.version.id,
        issued_at=judgement.at,
        issuing_point=judgement.where or "",
        clerk=actor.name,
        request_key=key,
        renews_id=renews,
        holder=holder,
    )
    registration = uow.registrations.add(new, plate=judgement.plate.canonical, issuer=judgement.plate.issuer)
    uow.audit.append(AuditEntry(judgement.at, actor.name, judgement.where, action, ENTITY, registration.id, None, new._asdict()))
    return registration


def _required_registration(judgement: Judgement) -> tuple[int, Money]:
    requirement = judgement.ruling.requirement
    plate, ruling = judgement.plate, judgement.ruling
    if requirement.kind != RequirementKind.TEMPORARY_REGISTRATION:
        raise ConflictError(
            f"{plate.canonical} needs no temporary registration to enter {judgement.jurisdiction} on {judgement.day}: "
            f"the law requires {requirement.kind.replace('_', ' ')} (rule {ruling.rule.id}, since {ruling.version.id})"
        )
    if requirement.validity_days is None or requirement.fee is None:
        raise ConflictError(f"rule {ruling.rule.id} does not say how long a temporary registration is valid or what it costs; none can be issued")
    return requirement.validity_days, requirement.fee


@dataclass(frozen=True, slots=True)
class _Replay:
    """The answer to a retried issuance or renewal: the registration recorded with the key, for the same vehicle."""

    issuer: str
    plate: str

    def __call__(self, uow: UnitOfWork, key: str) -> Registration | None:
        found = uow.registrations.by_request_key(key)
        if found is not None and (found.issuer, found.plate) != (self.issuer, self.plate):
            raise ConflictError("this request key was already used for another vehicle")
        return found


@dataclass(frozen=True, slots=True)
class _EndReplay:
    """The answer to a retried return or cancellation: the registration it ended, as it stands."""

    number: str
    status: RegistrationStatus

    def __call__(self, uow: UnitOfWork, key: str) -> Registration | None:
        found = uow.registrations.by_end_key(key)
        if found is not None and (found.number, found.status) != (self.number, self.status):
            raise ConflictError("this request key was already used to end another registration")
        if found is None and uow.registrations.by_request_key(key) is not None:
            raise ConflictError("this request key was already used for an issuance")
        return found


def _already_holds(active: Registration) -> ConflictError:
    return ConflictError(f"{active.plate} already holds temporary registration {active.number}, valid until {active.valid_until}")


def _found(uow: UnitOfWork, number: str) -> Registration:
    registration = uow.registrations.by_number(number)
    if registration is None:
        raise NotFound(f"no temporary registration {number}")
    return registration


def _not_before(at: dt.datetime, registration: Registration) -> None:
    """A registration's state cannot change before it was issued."""
    if at < registration.issued_at:
        raise ValidationError(f"registration {registration.number} was issued at {registration.issued_at.isoformat()}; nothing can happen to it before that")
