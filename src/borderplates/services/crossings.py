"""Recording crossings: every entry and exit, with the decision taken; refusals are crossings too.

The vehicle is judged and the crossing recorded in one unit of work: the decision
recorded rests on the registry as it stands when the crossing is written (a
registration cancelled a moment earlier cannot be recorded as admitting the car).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from borderplates import reference
from borderplates.errors import ConflictError, ValidationError, quoted
from borderplates.model import AuditEntry, Crossing, NewCrossing
from borderplates.registry import Database, UnitOfWork
from borderplates.services import inputs, pages
from borderplates.services.actors import Actor, Permission, authorise
from borderplates.services.checks import Check, assess, closed_to
from borderplates.services.idempotency import once
from borderplates.services.presentation import Presentation, judge
from borderplates.services.reads import check_settled, checked_id
from borderplates.services.registrations import change_status
from borderplates.vocabulary import LANE_LENGTH, Decision, Direction, Mode, RegistrationStatus


@dataclass(frozen=True, slots=True)
class CrossingPage:
    """One page of a crossings log, newest first, and where the next page starts."""

    crossings: tuple[Crossing, ...]
    next_cursor: str | None


@dataclass(frozen=True, slots=True)
class CrossingRecord:
    """A recorded crossing, with the check it was decided by (None when a retried request is answered again)."""

    crossing: Crossing
    check: Check | None = None

    def as_json(self) -> dict[str, Any]:
        return {**crossing_json(self.crossing), "reasons": list(self.check.reasons) if self.check else []}


def crossing_json(c: Crossing) -> dict[str, Any]:
    """A crossing as every interface shows it."""
    return {
        "id": c.id,
        "plate": c.plate,
        "issuer": c.issuer,
        "point": c.point,
        "direction": str(c.direction),
        "jurisdiction": c.jurisdiction,
        "mode": str(c.mode),
        "lane": c.lane,
        "at": c.at.isoformat(),
        "decision": str(c.decision),
        "officer": c.officer,
    }


def record_crossing(
    presentation: Presentation,
    *,
    actor: Actor,
    mode: Mode | str = Mode.PASSENGER,
    lane: str | None = None,
    request_key: str | None = None,
    return_registration: bool = False,
    read_id: int | None = None,
    db: Database,
) -> CrossingRecord:
    """Check the vehicle and record the crossing with the decision taken, in one unit of work.

    On exit, ``return_registration`` also takes back the vehicle's active temporary registration.
    ``read_id`` names the camera read the plate came from: it must be settled (confirmed or corrected
    by an officer when it needed it) and name the same plate, and it is linked to the crossing.
    """
    key = inputs.request_key(request_key)
    judgement = judge(presentation, point_required=True)
    authorise(actor, Permission.RECORD_CROSSING, judgement.where)
    where = judgement.where or ""
    point = reference.crossing_point(where)
    if mode not in point.modes:
        raise ValidationError(f"{point.name} serves {', '.join(point.modes)}, not {quoted(mode)}")
    traffic = Mode(mode)
    lane_name = inputs.optional_text(lane, "lane", LANE_LENGTH)
    direction = Direction(judgement.ruling.direction)
    if return_registration:
        if direction != Direction.EXIT:
            raise ValidationError("a registration is returned on exit only")
        authorise(actor, Permission.RETURN, where)
    plate = judgement.plate

    closure = closed_to(judgement, traffic, db)

    def act(uow: UnitOfWork) -> CrossingRecord:
        if read_id is not None:
            check_settled(uow.reads.by_id(checked_id(read_id)), plate)
        check = assess(judgement, uow.holdings, closure)
        vehicle = uow.vehicles.ensure(
            plate, vehicle_class=judgement.vehicle_class, resident=judgement.resident, vin=judgement.vin, at=judgement.at, actor=actor.name, point=where
        )
        registration_id = check.holding.id if check.holding is not None and check.decision == Decision.ADMIT else None
        if return_registration:
            active = uow.holdings.active_registration(plate.issuer, plate.canonical, judgement.jurisdiction)
            if active is None:
                raise ConflictError(f"{plate.canonical} holds no active temporary registration to return")
            change_status(uow, active.registration, RegistrationStatus.RETURNED, judgement.at, actor, where, "returned on exit")
            registration_id = active.id
        new = NewCrossing(
            vehicle_id=vehicle,
            point=where,
            direction=direction,
            jurisdiction=judgement.jurisdiction,
            mode=traffic,
            lane=lane_name,
            at=judgement.at,
            decision=check.decision,
            officer=actor.name,
            rule_id=judgement.ruling.rule.id,
            rule_version=judgement.ruling.version.id,
            registration_id=registration_id,
            request_key=key,
        )
        crossing = uow.crossings.add(new, plate=plate.canonical, issuer=plate.issuer)
        uow.audit.append(AuditEntry(judgement.at, actor.name, where, "record", "crossing", crossing.id, None, {**new._asdict(), "read_id": read_id}))
        if read_id is not None:
            uow.reads.link(read_id, crossing.id)
        return CrossingRecord(crossing, check)

    def replay(uow: UnitOfWork, request: str) -> CrossingRecord | None:
        found = uow.crossings.by_request_key(request)
        if found is None:
            return None
        if (found.issuer, found.plate) != (plate.issuer, plate.canonical):
            raise ConflictError("this request key was already used for another vehicle")
        return CrossingRecord(found)

    def explain(uow: UnitOfWork) -> None:
        raise ConflictError("this request key was used at the same moment by another request")

    return once(db, key, act=act, replay=replay, explain=explain)


def list_crossings(
    *,
    actor: Actor,
    plate: str | None = None,
    point: str | None = None,
    direction: str | None = None,
    decision: str | None = None,
    start: dt.datetime | None = None,
    end: dt.datetime | None = None,
    limit: int = 100,
    cursor: str | None = None,
    db: Database,
) -> CrossingPage:
    """The crossings log, newest first, filtered by plate, point, direction, decision and period; ``cursor`` continues it."""
    authorise(actor, Permission.LIST_CROSSINGS)
    size = pages.limit(limit)
    parsed = reference.parse_plate(inputs.text(plate, "plate", 40)) if plate is not None else None
    where = inputs.any_place(point, centres=False) if point is not None else None
    way = inputs.word(Direction, direction, "direction") if direction is not None else None
    taken = inputs.word(Decision, decision, "decision") if decision is not None else None
    since = inputs.moment(start, "start") if start is not None else None
    until = inputs.moment(end, "end") if end is not None else None
    before = pages.parse_cursor(cursor) if cursor is not None else None
    with db.reading(replica=True) as uow:
        found = uow.crossings.search(plate=parsed, point=where, direction=way, decision=taken, start=since, end=until, limit=size + 1, before=before)
    page = tuple(found[:size])
    last = page[-1] if len(found) > size else None
    return CrossingPage(page, pages.cursor_after(last.at, last.id) if last is not None else None)
