"""Crossing status and waits: set by supervisors, seen on the board, enforced at the booth.

The shipped history (data/crossing_status/, :mod:`borderplates.reference.crossing_status`)
says when each flow of traffic (a mode entering a jurisdiction at a crossing point)
was blocked or closed; supervisors lay their changes over it, and from the moment
of a change it governs the flow. A check or a crossing at a point whose flow is
blocked or closed is refused, with the open alternatives nearest first. Waits are
estimated from the crossings the booths record and the queues staff observe
(:mod:`borderplates.waits`).

Every process keeps the merged history and reads the recorded changes again when
one was added (a one-row query, at most once every :data:`REFRESH` seconds), so a
booth's check stays fast and a supervisor's change reaches every booth within
seconds.
"""

from __future__ import annotations

import datetime as dt
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any
from weakref import WeakKeyDictionary

from borderplates import reference
from borderplates.errors import ValidationError, quoted
from borderplates.model import AuditEntry
from borderplates.reference.crossing_status import (
    Alternative,
    StatusEntry,
    StatusHistory,
    entering_for,
    load_crossing_status,
    open_alternatives,
    state_at,
    status_at,
)
from borderplates.registry import Database
from borderplates.services import inputs
from borderplates.services import law as law_services
from borderplates.services.actors import Actor, Permission, authorise
from borderplates.vocabulary import REASON_LENGTH, CrossingState, Direction, Mode, VehicleClass
from borderplates.waits import QueueObservation, WaitEstimate, WaitSettings, estimate_wait

#: Seconds a process trusts its merged status history before asking whether a change was recorded.
REFRESH = 2.0
#: The kind of traffic a vehicle of each class is checked as.
MODE_BY_CLASS = {VehicleClass.BUS: Mode.BUS, VehicleClass.TRUCK: Mode.CARGO, VehicleClass.TRAILER: Mode.CARGO}
#: The states in which a flow does not pass.
STOPPED = frozenset({CrossingState.BLOCKED, CrossingState.CLOSED})


@dataclass(frozen=True, slots=True)
class Closure:
    """A flow that does not pass at the moment of a check, and where to go instead."""

    status: StatusEntry
    alternatives: tuple[Alternative, ...]

    @property
    def reasons(self) -> tuple[str, ...]:
        point = reference.crossing_point(self.status.point)
        since = f" since {self.status.since:%Y-%m-%d %H:%M}" if self.status.since else ""
        until = f" until {self.status.until:%Y-%m-%d %H:%M}" if self.status.until else ""
        said = f"{point.name} is {self.status.state} for {self.status.mode} traffic entering {self.status.entering}{since}{until}: {self.status.reason}"
        if not self.alternatives:
            return (said, "no other crossing point is open to this traffic")
        return (said, "open instead: " + ", ".join(_alternative(a) for a in self.alternatives))


def mode_of(vehicle_class: VehicleClass) -> Mode:
    """The traffic a vehicle of ``vehicle_class`` is checked as."""
    return MODE_BY_CLASS.get(vehicle_class, Mode.PASSENGER)


def closure(db: Database, point: str, entering: str, mode: Mode, at: dt.datetime) -> Closure | None:
    """The closure of the flow at ``at``, when it is blocked or closed; None when it passes."""
    history = current_history(db)
    if state_at(history, point, entering, mode, at) not in STOPPED:
        return None
    status = status_at(history, point, entering, mode, at)
    return Closure(status, open_alternatives(history, reference.load().crossing_points.values(), point, entering, mode, at))


def closure_for(db: Database, point: str, jurisdiction: str, direction: Direction, mode: Mode, at: dt.datetime) -> Closure | None:
    """The closure met by traffic going ``direction`` of ``jurisdiction`` at ``point``, if any."""
    return closure(db, point, entering_for(reference.crossing_point(point), jurisdiction, direction), mode, at)


def set_crossing_status(
    point: str,
    entering: str,
    modes: Sequence[Mode | str],
    state: CrossingState | str,
    reason: str,
    *,
    since: dt.datetime,
    until: dt.datetime | None = None,
    source: str | None = None,
    actor: Actor,
    db: Database,
) -> tuple[StatusEntry, ...]:
    """Record that the flows of ``modes`` entering ``entering`` at ``point`` are in ``state`` from ``since`` (until ``until``, if announced)."""
    crossing = reference.crossing_point(inputs.any_place(point, centres=False))
    authorise(actor, Permission.SET_STATUS, crossing.id)
    code = reference.jurisdiction(entering).code
    if code not in crossing.between:
        raise ValidationError(f"{crossing.name} lies between {' and '.join(crossing.between)}, not on the border of {code}")
    if not modes:
        raise ValidationError(f"say which traffic: one or more of {', '.join(crossing.modes)}")
    chosen = tuple(dict.fromkeys(inputs.word(Mode, mode, "mode") for mode in modes))
    for mode in chosen:
        if mode not in crossing.modes:
            raise ValidationError(f"{crossing.name} serves {', '.join(crossing.modes)}, not {quoted(mode)}")
    new_state = inputs.word(CrossingState, state, "state")
    why = inputs.text(reason, "reason", REASON_LENGTH, missing="say why the crossing status changes")
    note = inputs.optional_text(source, "source", REASON_LENGTH)
    start = inputs.moment(since, "since")
    end = inputs.moment(until, "until") if until is not None else None
    if end is not None and end <= start:
        raise ValidationError("a status ends after it starts")
    entries = tuple(StatusEntry(crossing.id, code, mode, new_state, start, end, why, None, note, actor.name) for mode in chosen)
    now = dt.datetime.now(dt.UTC)
    with db.begin() as uow:
        for entry in entries:
            change_id = uow.status_changes.add(entry, now)
            after = {
                "point": entry.point,
                "entering": entry.entering,
                "mode": str(entry.mode),
                "state": str(entry.state),
                "since": start,
                "until": end,
                "source": note,
            }
            uow.audit.append(AuditEntry(now, actor.name, crossing.id, "set_status", "crossing_status", change_id, None, after, why))
        uow.commit()
    forget_cached(db)
    return entries


def crossing_status(point: str, entering: str, mode: Mode | str, at: dt.datetime, *, db: Database) -> StatusEntry:
    """The status of one flow at ``at``: the shipped history with supervisors' changes laid over it."""
    crossing = reference.crossing_point(inputs.any_place(point, centres=False))
    return status_at(current_history(db), crossing.id, reference.jurisdiction(entering).code, inputs.word(Mode, mode, "mode"), inputs.moment(at))


@dataclass(frozen=True, slots=True)
class BoardEntry:
    """One line of the board: a flow, its status, the wait to reach the booth, and where to go when it does not pass."""

    status: StatusEntry
    wait: WaitEstimate
    alternatives: tuple[Alternative, ...]

    def as_json(self) -> dict[str, Any]:
        point = reference.crossing_point(self.status.point)
        leaving = next(code for code in point.between if code != self.status.entering)
        wait = self.wait
        return {
            "point": point.id,
            "name": point.name,
            "names": dict(point.names),
            "entering": self.status.entering,
            "from": leaving,
            "mode": str(self.status.mode),
            "status": str(self.status.state),
            "since": self.status.since.isoformat() if self.status.since else None,
            "until": self.status.until.isoformat() if self.status.until else None,
            "reason": self.status.reason,
            "source": self.status.source.url if self.status.source else self.status.note,
            "delay_minutes": round(wait.delay_minutes, 1) if wait.delay_minutes is not None else None,
            "unbounded": wait.unbounded,
            "lanes_open": wait.lanes_open,
            "max_lanes": wait.max_lanes,
            "method": str(wait.method) if wait.method else None,
            "updated_at": wait.updated_at.isoformat() if wait.updated_at else None,
            "stale": wait.stale,
            "alternatives": [
                {"point": a.point.id, "name": a.point.name, "distance_km": round(a.distance_km, 1) if a.distance_km is not None else None}
                for a in self.alternatives
            ],
        }


def board(at: dt.datetime, *, db: Database, settings: WaitSettings | None = None) -> tuple[BoardEntry, ...]:
    """Every crossing point's flows at ``at``: status, wait and, when one does not pass, the open alternatives."""
    at = inputs.moment(at)
    rules = settings or WaitSettings()
    history = current_history(db)
    points = reference.load().crossing_points
    lines = []
    since = at - max(rules.window, rules.stale_after) * 4
    with db.reading(replica=True) as uow:
        for point in points.values():
            for entering in point.between:
                for mode in point.modes:
                    status = status_at(history, point.id, entering, mode, at)
                    alternatives = open_alternatives(history, points.values(), point.id, entering, mode, at) if status.state in STOPPED else ()
                    crossed = uow.crossings.times(point.id, entering, Direction.ENTRY, mode, since, at + rules.clock_ahead)
                    seen = uow.queues.between(point.id, entering, mode, since, at + rules.clock_ahead)
                    wait = estimate_wait(at=at, mode=mode, crossings=crossed, observations=seen, settings=rules)
                    lines.append(BoardEntry(status, wait, alternatives))
    return tuple(lines)


def observe_queue(
    point: str,
    entering: str,
    mode: Mode | str,
    at: dt.datetime,
    *,
    lanes_open: int,
    vehicles: int | None = None,
    metres: float | None = None,
    wait_minutes: float | None = None,
    actor: Actor,
    db: Database,
) -> QueueObservation:
    """Record a queue as staff see it: its length in vehicles or metres, the lanes open, or the wait they judge."""
    crossing = reference.crossing_point(inputs.any_place(point, centres=False))
    authorise(actor, Permission.RECORD_CROSSING, crossing.id)
    code = reference.jurisdiction(entering).code
    if code not in crossing.between:
        raise ValidationError(f"{crossing.name} lies between {' and '.join(crossing.between)}, not on the border of {code}")
    traffic = inputs.word(Mode, mode, "mode")
    if vehicles is None and metres is None and wait_minutes is None:
        raise ValidationError("say how long the queue is (vehicles or metres) or how long the wait is")
    seen = QueueObservation(inputs.moment(at), lanes_open, vehicles, metres, wait_minutes)
    with db.begin() as uow:
        observation_id = uow.queues.add(crossing.id, code, traffic, seen, actor.name)
        after = {"point": crossing.id, "entering": code, "mode": str(traffic), "lanes_open": lanes_open, "vehicles": vehicles, "metres": metres}
        uow.audit.append(AuditEntry(seen.at, actor.name, crossing.id, "observe", "queue", observation_id, None, {**after, "wait_minutes": wait_minutes}))
        uow.commit()
    return seen


# -------------------------------------------------------------------------------- the merged history, per process


@dataclass
class _Kept:
    shipped: StatusHistory
    history: StatusHistory
    latest: int
    checked: float


_kept: WeakKeyDictionary[Database, _Kept] = WeakKeyDictionary()
_lock = threading.Lock()


def current_history(db: Database) -> StatusHistory:
    """The shipped history with the changes recorded in ``db`` laid over it, read again when a change was added."""
    kept = _kept.get(db)
    shipped = shipped_history()
    now = time.monotonic()
    if kept is not None and kept.shipped is shipped and now - kept.checked < REFRESH:
        return kept.history
    with db.reading() as uow:
        latest = uow.status_changes.latest()
        if kept is not None and kept.shipped is shipped and kept.latest == latest:
            kept.checked = now
            return kept.history
        changes = uow.status_changes.all()
    merged = shipped.merged(changes)
    with _lock:
        _kept[db] = _Kept(shipped, merged, latest, now)
    return merged


def shipped_history() -> StatusHistory:
    """The crossing status history shipped with borderplates, or the one under the data root when it has one."""
    return _history_from(law_services.data_root())


@cache
def _history_from(root: str | None) -> StatusHistory:
    points = reference.load().crossing_points
    if root is not None and (Path(root) / "crossing_status").is_dir():
        return load_crossing_status(points, Path(root))
    return load_crossing_status(points)


def forget_cached(db: Database) -> None:
    """Read the recorded changes again at the next check (after the registry was changed behind the services' back: a restore, a test)."""
    with _lock:
        _kept.pop(db, None)


def _alternative(alternative: Alternative) -> str:
    distance = f" ({alternative.distance_km:.0f} km)" if alternative.distance_km is not None else ""
    return f"{alternative.point.name}{distance}"
