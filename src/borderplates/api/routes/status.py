"""Crossing status and queues: the public board and its feed, and what supervisors and officers report.

``GET /board.json`` (and ``/api/v1/board``) is the feed drivers, hauliers and bus
companies read before they set off, in the manner of the US CBP Border Wait Times
feed: one entry per crossing point, direction and mode, numbers as numbers and
missing as null. Public, no login; ``?at=`` gives the board as it stood.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from fastapi import APIRouter, Query
from pydantic import Field

from borderplates.api.deps import CurrentActor, ServedDep
from borderplates.api.responses import moment_or_now
from borderplates.api.schemas import Code, IsoMoment, ModeWord, Public, Strict
from borderplates.services import status
from borderplates.vocabulary import NAME_LENGTH, REASON_LENGTH, CrossingState
from borderplates.waits import MAX_LANES_OPEN, MAX_QUEUE

router = APIRouter(tags=["crossing status"])
feed = APIRouter(tags=["public"])

Point = Annotated[str, Field(min_length=1, max_length=NAME_LENGTH, description="A crossing point id, e.g. jarinje.")]


class Alternative(Public):
    point: str
    name: str
    distance_km: float | None


class BoardLine(Public):
    """One crossing point, direction and mode."""

    point: str
    name: str
    names: dict[str, str]
    entering: str
    from_: str = Field(alias="from")
    mode: str
    status: CrossingState
    since: str | None
    until: str | None
    reason: str
    source: str | None
    delay_minutes: float | None
    unbounded: bool
    lanes_open: int | None
    max_lanes: int | None
    method: str | None
    updated_at: str | None
    stale: bool
    alternatives: list[Alternative]


class Board(Public):
    at: str
    crossings: list[BoardLine]


class StatusChange(Strict):
    """A change of status of a crossing point for some traffic, from a moment on."""

    point: Point
    entering: Code
    modes: list[ModeWord] = Field(min_length=1, max_length=4)
    status: CrossingState = Field(strict=False)
    reason: str = Field(min_length=1, max_length=REASON_LENGTH)
    since: IsoMoment | None = Field(None, description="From when; default now.")
    until: IsoMoment | None = Field(None, description="Until when, if announced.")
    source: str | None = Field(None, min_length=1, max_length=REASON_LENGTH)


class StatusSet(Public):
    point: str
    entering: str
    mode: str
    status: str
    since: str | None
    until: str | None
    reason: str
    set_by: str | None


class QueueSeen(Strict):
    """A queue as staff see it: its length in vehicles or metres, the lanes open, or the wait they judge."""

    point: Point
    entering: Code
    mode: ModeWord
    lanes_open: int = Field(ge=0, le=MAX_LANES_OPEN)
    vehicles: int | None = Field(None, ge=0, le=MAX_QUEUE)
    metres: float | None = Field(None, ge=0, le=MAX_QUEUE)
    wait_minutes: float | None = Field(None, ge=0, le=MAX_QUEUE)
    at: IsoMoment | None = None


class QueueRecorded(Public):
    at: str
    lanes_open: int
    vehicles: int | None
    metres: float | None
    wait_minutes: float | None


def _board(served: ServedDep, at: dt.datetime | None) -> Board:
    moment = moment_or_now(at)
    lines = status.board(moment, db=served.db)
    return Board.model_validate({"at": moment.isoformat(), "crossings": [line.as_json() for line in lines]})


@feed.get("/board.json")
def board_feed(served: ServedDep, at: Annotated[IsoMoment | None, Query(description="The board as it stood then; default now.")] = None) -> Board:
    """The board as a feed: every crossing point, direction and mode with its status, the wait and the open alternatives. Public."""
    return _board(served, at)


@router.get("/board")
def board(served: ServedDep, at: Annotated[IsoMoment | None, Query(description="The board as it stood then; default now.")] = None) -> Board:
    """The board (as ``/board.json``). Public."""
    return _board(served, at)


@router.post("/crossing-status", status_code=201)
def set_status(body: StatusChange, actor: CurrentActor, served: ServedDep) -> list[StatusSet]:
    """Set the status of a crossing point for some traffic (supervisors); checks and crossings there follow it from ``since``."""
    entries = status.set_crossing_status(
        body.point,
        body.entering,
        body.modes,
        body.status,
        body.reason,
        since=moment_or_now(body.since),
        until=body.until,
        source=body.source,
        actor=actor,
        db=served.db,
    )
    return [
        StatusSet(
            point=e.point,
            entering=e.entering,
            mode=str(e.mode),
            status=str(e.state),
            since=e.since.isoformat() if e.since else None,
            until=e.until.isoformat() if e.until else None,
            reason=e.reason,
            set_by=e.set_by,
        )
        for e in entries
    ]


@router.post("/queues", status_code=201)
def observe(body: QueueSeen, actor: CurrentActor, served: ServedDep) -> QueueRecorded:
    """Record a queue as staff see it (officers and up)."""
    seen = status.observe_queue(
        body.point,
        body.entering,
        body.mode,
        moment_or_now(body.at),
        lanes_open=body.lanes_open,
        vehicles=body.vehicles,
        metres=body.metres,
        wait_minutes=body.wait_minutes,
        actor=actor,
        db=served.db,
    )
    return QueueRecorded(at=seen.at.isoformat(), lanes_open=seen.lanes_open, vehicles=seen.vehicles, metres=seen.metres, wait_minutes=seen.wait_minutes)
