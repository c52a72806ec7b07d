"""Temporary registrations: issue, renew, return on exit, cancel, expire, list and show.

Validity: a registration issued on local day D for N days is valid on D and the
N-1 days after; ``valid_until`` is the last valid day (60 days from 2021-09-20 is
valid through 2021-11-18, expired on 2021-11-19).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa

from borderplates import reference
from borderplates.errors import ConflictError, NotFound, ValidationError
from borderplates.law import Money, Ruling
from borderplates.registry import Database, repository
from borderplates.registry.numbers import compact_number, new_number
from borderplates.registry.tables import temporary_registrations
from borderplates.services import common
from borderplates.services import law as law_services


@dataclass(frozen=True)
class Registration:
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
    status: str
    status_reason: str | None

    def is_valid_on(self, day: dt.date) -> bool:
        return self.status == "active" and self.valid_from <= day <= self.valid_until

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
            "status": self.status,
            "status_reason": self.status_reason,
        }


def valid_until(valid_from: dt.date, validity_days: int) -> dt.date:
    """The last day a registration valid for ``validity_days`` from ``valid_from`` is valid."""
    return valid_from + dt.timedelta(days=validity_days - 1)


def issue_temporary_registration(
    plate_text: str,
    jurisdiction: str,
    at: dt.datetime,
    *,
    point: str,
    clerk: str,
    request_key: str | None = None,
    vin: str | None = None,
    vehicle_class: str = "car",
    resident: str | None = None,
    registered_on: dt.date | None = None,
    db: Database | None = None,
) -> Registration:
    """Issue a temporary registration when the law requires one and the vehicle holds none valid."""
    at, clerk, key = common.aware(at), common.person(clerk, "clerk"), common.request_key(request_key)
    code = reference.jurisdiction(jurisdiction).code
    where = common.place(point, code, centres=True)
    vin = _vin(vin)
    ruling, _ = law_services.rule_for(
        plate_text,
        code,
        at,
        point_id=None if where.startswith(common.CENTRE_PREFIX) else where,
        vehicle_class=vehicle_class,
        resident=resident,
        registered_on=registered_on,
    )
    requirement = ruling.requirement
    plate = ruling.vehicle.plate
    day = ruling.local_at.date()
    if requirement.kind != "temporary_registration":
        raise ConflictError(
            f"{plate.canonical} needs no temporary registration to enter {code} on {day}: "
            f"the law requires {requirement.kind.replace('_', ' ')} (rule {ruling.rule.id}, since {ruling.version.id})"
        )
    if requirement.validity_days is None or requirement.fee is None:
        raise ConflictError(f"rule {ruling.rule.id} does not say how long a temporary registration is valid or what it costs; none can be issued")
    database = common.database(db)
    try:
        with database.write() as conn:
            if key is not None:
                existing = repository.by_request_key(conn, temporary_registrations, key)
                if existing is not None:
                    return _same_request(conn, existing, plate)
            vehicle = repository.ensure_vehicle(conn, plate, at, vehicle_class, vin, actor=clerk, point=where)
            _close_expired_or_refuse(conn, plate, code, day, at, clerk, where)
            return _insert(conn, ruling, vehicle, day, requirement.validity_days, requirement.fee, at=at, where=where, clerk=clerk, key=key, action="issue")
    except sa.exc.IntegrityError:
        return _after_race(database, key, plate, code, day)
    except ConflictError:
        if key is None:
            raise
        # The same request may have been committed by a concurrent retry after the key was looked up.
        return _after_race(database, key, plate, code, day)


def _insert(
    conn: sa.Connection,
    ruling: Ruling,
    vehicle: int,
    day: dt.date,
    validity_days: int,
    fee: Money,
    *,
    at: dt.datetime,
    where: str,
    clerk: str,
    key: str | None,
    action: str,
    renews: int | None = None,
) -> Registration:
    """Insert an active registration valid from ``day`` under ``ruling``, and audit it."""
    values = {
        "number": new_number(),
        "vehicle_id": vehicle,
        "jurisdiction": ruling.jurisdiction,
        "valid_from": day,
        "valid_until": valid_until(day, validity_days),
        "fee_minor": common.to_minor(fee),
        "fee_currency": fee.currency,
        "rule_id": ruling.rule.id,
        "rule_version": ruling.version.id,
        "issued_at": at,
        "issuing_point": where,
        "clerk": clerk,
        "status": "active",
        "status_changed_at": at,
        "renews_id": renews,
        "request_key": key,
    }
    new_id = repository.insert(conn, temporary_registrations, values)
    repository.audit(conn, at=at, actor=clerk, point=where, action=action, entity="temporary_registration", entity_id=new_id, before=None, after=values)
    return registration_from_row(repository.registration_by(conn, id=new_id))


def _same_request(conn: sa.Connection, existing: sa.Row[Any], plate: reference.Plate) -> Registration:
    found = repository.registration_by(conn, id=existing.id)
    if found is None or found.plate != plate.canonical or found.issuer != plate.issuer:
        raise ConflictError("this request key was already used for another vehicle")
    return registration_from_row(found)


def _after_race(database: Database, key: str | None, plate: reference.Plate, code: str, day: dt.date) -> Registration:
    """Another clerk won a concurrent issuance: return it for the same request, or say so."""
    with database.read() as conn:
        if key is not None:
            existing = repository.by_request_key(conn, temporary_registrations, key)
            if existing is not None:
                return _same_request(conn, existing, plate)
        active = repository.active_registration(conn, plate, code)
    if active is not None:
        raise ConflictError(f"{plate.canonical} already holds temporary registration {active.number}, valid until {active.valid_until}")
    raise ConflictError(f"another issuance for {plate.canonical} happened at the same moment; check the vehicle again")


def _close_expired_or_refuse(conn: sa.Connection, plate: reference.Plate, code: str, day: dt.date, at: dt.datetime, actor: str, where: str) -> None:
    active = repository.active_registration(conn, plate, code)
    if active is None:
        return
    if active.valid_until >= day:
        raise ConflictError(f"{plate.canonical} already holds temporary registration {active.number}, valid until {active.valid_until}")
    change_status(conn, active, "expired", at, actor, where, f"expired after {active.valid_until}")


def change_status(conn: sa.Connection, row: sa.Row[Any], status: str, at: dt.datetime, actor: str, where: str | None, reason: str | None) -> None:
    repository.set_status(conn, row.id, status, at, reason)
    action = {"expired": "expire", "returned": "return", "cancelled": "cancel"}[status]
    repository.audit(
        conn,
        at=at,
        actor=actor,
        point=where,
        action=action,
        entity="temporary_registration",
        entity_id=row.id,
        before={"status": row.status},
        after={"status": status},
        reason=reason,
    )


def renew(
    number: str,
    at: dt.datetime,
    *,
    point: str,
    clerk: str,
    request_key: str | None = None,
    registered_on: dt.date | None = None,
    db: Database | None = None,
) -> Registration:
    """Replace an active or expired registration with a new one valid from today, if the law still requires one."""
    at, clerk, key = common.aware(at), common.person(clerk, "clerk"), common.request_key(request_key)
    number = compact_number(number)
    database = common.database(db)
    with database.read() as conn:
        old = repository.registration_by(conn, number=number)
    if old is None:
        raise NotFound(f"no temporary registration {number}")
    if old.status not in ("active", "expired"):
        raise ConflictError(f"registration {number} was {old.status}; issue a new one instead of renewing it")
    where = common.place(point, old.jurisdiction, centres=True)
    ruling, _ = law_services.rule_for(f"{old.plate}", old.jurisdiction, at, registered_on=registered_on)
    requirement = ruling.requirement
    if requirement.kind != "temporary_registration" or requirement.validity_days is None or requirement.fee is None:
        raise ConflictError(f"the law no longer requires a temporary registration on {ruling.local_at.date()} (rule {ruling.rule.id}); nothing to renew")
    day = ruling.local_at.date()
    try:
        with database.write() as conn:
            if key is not None:
                existing = repository.by_request_key(conn, temporary_registrations, key)
                if existing is not None:
                    return _same_request(conn, existing, ruling.vehicle.plate)
            current = repository.registration_by(conn, id=old.id)
            if current is None or current.status not in ("active", "expired"):
                raise ConflictError(f"registration {number} changed meanwhile; check it again")
            if current.status == "active":
                change_status(conn, current, "expired", at, clerk, where, "renewed")
            return _insert(
                conn,
                ruling,
                old.vehicle_id,
                day,
                requirement.validity_days,
                requirement.fee,
                at=at,
                where=where,
                clerk=clerk,
                key=key,
                action="renew",
                renews=old.id,
            )
    except sa.exc.IntegrityError:
        return _after_race(database, key, ruling.vehicle.plate, old.jurisdiction, day)
    except ConflictError:
        if key is None:
            raise
        return _after_race(database, key, ruling.vehicle.plate, old.jurisdiction, day)


def return_on_exit(number: str, at: dt.datetime, *, point: str, officer: str, db: Database | None = None) -> Registration:
    """The vehicle leaves for good and hands its temporary registration back."""
    return _end(number, "returned", at, point, common.person(officer, "officer"), "returned on exit", db)


def cancel(number: str, at: dt.datetime, *, reason: str, clerk: str, point: str | None = None, db: Database | None = None) -> Registration:
    """Cancel an active registration (issued in error, plates lost, ...); the reason is required."""
    if not isinstance(reason, str) or not reason.strip():
        raise ValidationError("say why the registration is cancelled")
    return _end(number, "cancelled", at, point, common.person(clerk, "clerk"), reason.strip()[:200], db)


def _end(number: str, status: str, at: dt.datetime, point: str | None, actor: str, reason: str, db: Database | None) -> Registration:
    at = common.aware(at)
    number = compact_number(number)
    with common.database(db).write() as conn:
        row = repository.registration_by(conn, number=number)
        if row is None:
            raise NotFound(f"no temporary registration {number}")
        where = common.place(point, row.jurisdiction, centres=True) if point else None
        if row.status != "active":
            raise ConflictError(f"registration {number} is {row.status}, not active")
        change_status(conn, row, status, at, actor, where, reason)
        return registration_from_row(repository.registration_by(conn, id=row.id))


def expire_due(at: dt.datetime, *, actor: str = "expiry", db: Database | None = None) -> int:
    """Mark every active registration whose last valid day is before ``at`` (local) as expired; idempotent."""
    at = common.aware(at)
    expired = 0
    with common.database(db).write() as conn:
        jurisdictions = conn.execute(sa.select(temporary_registrations.c.jurisdiction).distinct()).scalars().all()
        for code in jurisdictions:
            for row in repository.due_registrations(conn, code, common.local_day(at, code)):
                repository.set_status(conn, row.id, "expired", at, f"expired after {row.valid_until}")
                repository.audit(
                    conn,
                    at=at,
                    actor=actor,
                    point=None,
                    action="expire",
                    entity="temporary_registration",
                    entity_id=row.id,
                    before={"status": "active"},
                    after={"status": "expired"},
                    reason=f"expired after {row.valid_until}",
                )
                expired += 1
    return expired


def list_registrations(
    *, plate: str | None = None, status: str | None = None, point: str | None = None, limit: int = 100, db: Database | None = None
) -> list[Registration]:
    if status is not None and status not in ("active", "returned", "cancelled", "expired"):
        raise ValidationError(f"unknown status {status!r}: active, returned, cancelled or expired")
    if not 1 <= limit <= 10_000:
        raise ValidationError("limit is between 1 and 10000")
    parsed = reference.parse_plate(plate) if plate is not None else None
    with common.database(db).read() as conn:
        return [registration_from_row(row) for row in repository.registrations(conn, plate=parsed, status=status, point=point, limit=limit)]


def show_registration(number: str, *, db: Database | None = None) -> tuple[Registration, list[dict[str, Any]]]:
    """A registration and its audit trail."""
    number = compact_number(number)
    with common.database(db).read() as conn:
        row = repository.registration_by(conn, number=number)
        if row is None:
            raise NotFound(f"no temporary registration {number}")
        trail = [
            {"at": t.at.isoformat(), "actor": t.actor, "point": t.point, "action": t.action, "before": t.before, "after": t.after, "reason": t.reason}
            for t in repository.audit_trail(conn, "temporary_registration", row.id)
        ]
    return registration_from_row(row), trail


def registration_from_row(row: sa.Row[Any] | None) -> Registration:
    if row is None:
        raise NotFound("registration not found")
    return Registration(
        number=row.number,
        plate=row.plate,
        issuer=row.issuer,
        jurisdiction=row.jurisdiction,
        valid_from=row.valid_from,
        valid_until=row.valid_until,
        fee=common.from_minor(row.fee_minor, row.fee_currency),
        rule_id=row.rule_id,
        rule_version=row.rule_version,
        issued_at=row.issued_at,
        issuing_point=row.issuing_point,
        clerk=row.clerk,
        status=row.status,
        status_reason=row.status_reason,
    )


def _vin(vin: str | None) -> str | None:
    if vin is None:
        return None
    vin = vin.strip().upper()
    if len(vin) != 17 or any(ch in "IOQ" for ch in vin) or not vin.isalnum():
        raise ValidationError(f"VIN {vin!r} must be 17 letters and digits, without I, O or Q")
    return vin
