"""Crossing status as dated data: whether each flow of traffic passes a crossing point.

A flow is the traffic of one mode entering one of a crossing point's two
jurisdictions: entering XK at Jarinje is the traffic coming from Serbia, entering RS
there is the traffic leaving Kosovo. Its state is ``open``, ``restricted``,
``blocked`` or ``closed``. The files in data/crossing_status/ give the history as
periods, each with its reason and source, and declare the state of every flow that
no period covers (the default: open, no closure recorded). Everything here is pure:
the moment is always an argument.

Supervisors' changes, kept by a service in the registry, are merged over the
shipped history with ``StatusHistory.merged``: each is a ``StatusEntry`` with the
moment it was set as ``since``, an announced ``until`` if any, and ``set_by``. At
any moment the entry in force that started last wins, so a recorded change
overrides from its moment on (and a change at the same moment as a shipped period
wins over it); when it ends, whatever lies beneath shows again.

>>> from zoneinfo import ZoneInfo
>>> from borderplates import reference
>>> points = reference.load().crossing_points
>>> history = load_crossing_status(points)
>>> at = dt.datetime(2021, 9, 25, 12, tzinfo=ZoneInfo("Europe/Belgrade"))
>>> status_at(history, "jarinje", "XK", "passenger", at).state
<CrossingState.BLOCKED: 'blocked'>
>>> alternatives = open_alternatives(history, points.values(), "jarinje", "XK", "passenger", at)
>>> [a.point.id for a in alternatives], round(alternatives[0].distance_km or 0)
(['merdare', 'konculj', 'mucibaba', 'mutivode'], 54)
"""

from __future__ import annotations

import datetime as dt
import math
from bisect import bisect_right
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from importlib.resources.abc import Traversable
from itertools import pairwise
from typing import Any
from zoneinfo import ZoneInfo

import pydantic

from borderplates.errors import DataError, UnknownCrossingPoint, ValidationError
from borderplates.reference.crossing_points import Coordinates, CrossingPoint
from borderplates.reference.datafiles import DATA, Source, Strict, display_name, files, read_toml, validate
from borderplates.vocabulary import MOMENTS_FROM, CrossingState, Direction, Mode, words

EARTH_RADIUS_KM = 6371.0088
"""The mean radius of the Earth (IUGG), for great-circle distances."""


class DefaultSchema(Strict):
    state: CrossingState
    reason: str = pydantic.Field(min_length=1)


class PeriodSchema(Strict):
    points: tuple[str, ...] = pydantic.Field(min_length=1)
    entering: tuple[str, ...] = pydantic.Field(min_length=1)
    modes: tuple[Mode, ...] = pydantic.Field(min_length=1)
    state: CrossingState
    since: dt.datetime | dt.date
    until: dt.datetime | dt.date | None = None
    reason: str = pydantic.Field(min_length=1)
    note: str | None = None
    source: Source


class StatusFileSchema(Strict):
    jurisdictions: tuple[str, str]
    timezone: str
    description: str
    default: DefaultSchema
    periods: tuple[PeriodSchema, ...] = ()


@dataclass(frozen=True, slots=True)
class Flow:
    """The traffic of one mode entering one jurisdiction at one crossing point."""

    point: str
    entering: str
    mode: Mode

    def __str__(self) -> str:
        return f"{self.point} entering {self.entering} by {self.mode}"


@dataclass(frozen=True, slots=True)
class StatusEntry:
    """The state of one flow from ``since`` until ``until`` (exclusive; None: not announced).

    A shipped period has its ``source``; a change recorded by a supervisor has
    ``set_by`` (and may have a source); the default has neither, and its ``since``
    is the end of the last period before the moment asked, if any.
    """

    point: str
    entering: str
    mode: Mode
    state: CrossingState
    since: dt.datetime | None
    until: dt.datetime | None
    reason: str
    source: Source | None = None
    note: str | None = None
    set_by: str | None = None

    @property
    def flow(self) -> Flow:
        return Flow(self.point, self.entering, self.mode)

    @property
    def is_default(self) -> bool:
        """Whether this is the declared default rather than a period or a recorded change."""
        return self.source is None and self.set_by is None

    def covers(self, at: dt.datetime) -> bool:
        """Whether the entry is in force at the aware moment ``at``."""
        return (self.since is None or self.since <= at) and (self.until is None or at < self.until)


@dataclass(frozen=True, slots=True)
class Default:
    """The state of a flow that no entry covers, as its status file declares it."""

    state: CrossingState
    reason: str


@dataclass(frozen=True)
class StatusHistory:
    """Every flow's entries in the order they start, and the default of every flow."""

    defaults: Mapping[Flow, Default]
    entries: Mapping[Flow, tuple[StatusEntry, ...]]
    starts: Mapping[Flow, tuple[float, ...]] = field(repr=False)
    states: Mapping[tuple[str, str, str], tuple[tuple[float, ...], tuple[CrossingState, ...]]] = field(repr=False, default_factory=dict)
    """Per (point, entering, mode): the moments (POSIX seconds) where the flow's state may change, and its
    state before the first and from each of them: what :func:`state_at` answers without building an entry."""

    @property
    def flows(self) -> frozenset[Flow]:
        return frozenset(self.defaults)

    def merged(self, changes: Iterable[StatusEntry]) -> StatusHistory:
        """This history with recorded changes laid over it, each governing its flow from its ``since``.

        Changes are given in the order they were recorded; of two starting at the
        same moment the later one wins, and any change wins over a shipped period
        starting at the same moment.
        """
        combined = {flow: list(entries) for flow, entries in self.entries.items()}
        for change in changes:
            if change.flow not in self.defaults:
                raise ValidationError(f"no crossing status is kept for {change.flow}")
            if change.since is None or change.since.tzinfo is None:
                raise ValidationError(f"a recorded change for {change.flow} needs the aware moment it took effect")
            if change.until is not None and change.until <= change.since:
                raise ValidationError(f"a recorded change for {change.flow} must end after it starts")
            if change.is_default:
                raise ValidationError(f"a recorded change for {change.flow} must name who set it or its source")
            combined.setdefault(change.flow, []).append(change)
        return _history(self.defaults, combined)


@dataclass(frozen=True, slots=True)
class Alternative:
    """An open crossing point for the same flow, with its great-circle distance (None without coordinates)."""

    point: CrossingPoint
    status: StatusEntry
    distance_km: float | None


def load_crossing_status(points: Mapping[str, CrossingPoint], root: Traversable | Any = DATA) -> StatusHistory:
    """The crossing status history under ``root`` (the shipped data by default), validated against ``points``."""
    folder = root / "crossing_status"
    if not folder.is_dir():
        raise DataError(display_name(folder), "", "the crossing_status folder is missing")
    defaults: dict[Flow, Default] = {}
    entries: dict[Flow, list[StatusEntry]] = {}
    covered_by: dict[str, str] = {}
    for path in files("crossing_status", root):
        file = display_name(path)
        schema = validate(StatusFileSchema, read_toml(path), path)
        zone = _zone(schema.timezone, file)
        pair = set(schema.jurisdictions)
        covered = [point for point in points.values() if set(point.between) == pair]
        if not covered:
            raise DataError(file, "jurisdictions", f"no crossing point lies between {' and '.join(schema.jurisdictions)}")
        default = Default(schema.default.state, schema.default.reason)
        for point in covered:
            if point.id in covered_by:
                raise DataError(file, "jurisdictions", f"crossing point {point.id} is also covered by {covered_by[point.id]}")
            covered_by[point.id] = file
            defaults.update((flow, default) for flow in _flows(point))
        periods = _periods(schema, {point.id: point for point in covered}, points, zone, file)
        _check_overlaps(periods, file)
        for flow, found in periods.items():
            entries[flow] = [entry for entry, _ in found]
    return _history(defaults, entries)


def status_at(history: StatusHistory, point: str, entering: str, mode: Mode | str, at: dt.datetime) -> StatusEntry:
    """The status of the flow of ``mode`` entering ``entering`` at ``point``, at the aware moment ``at``."""
    _check_moment(at)
    flow = _flow(history, point, entering, mode)
    entries = history.entries.get(flow, ())
    moment = at.timestamp()
    for index in range(bisect_right(history.starts.get(flow, ()), moment) - 1, -1, -1):
        if entries[index].covers(at):
            return entries[index]
    ended = [entry.until for entry in entries if entry.until is not None and entry.until <= at]
    default = history.defaults[flow]
    return StatusEntry(flow.point, flow.entering, flow.mode, default.state, max(ended, default=None), None, default.reason)


def state_at(history: StatusHistory, point: str, entering: str, mode: Mode | str, at: dt.datetime) -> CrossingState:
    """The state of the flow at ``at`` (as :func:`status_at` has it), found by a search of its precomputed changes."""
    timeline = history.states.get((point, entering, mode))
    if timeline is None or not isinstance(at, dt.datetime) or at.utcoffset() is None:
        return status_at(history, point, entering, mode, at).state  # says what is wrong
    changes, states = timeline
    return states[bisect_right(changes, at.timestamp())]


def board_at(history: StatusHistory, points: Iterable[CrossingPoint], at: dt.datetime) -> tuple[StatusEntry, ...]:
    """The status of every flow of ``points`` at ``at``: each point, each jurisdiction entered, each mode it serves."""
    return tuple(status_at(history, flow.point, flow.entering, flow.mode, at) for point in points for flow in _flows(point))


def open_alternatives(
    history: StatusHistory, points: Iterable[CrossingPoint], point: str, entering: str, mode: Mode | str, at: dt.datetime
) -> tuple[Alternative, ...]:
    """The other points of ``points`` open at ``at`` to the same flow, nearest first.

    Candidates lie between the same two jurisdictions and serve ``mode``. They are
    ordered by great-circle distance from ``point``; those without coordinates come
    last, in the order of ``points``.
    """
    candidates = list(points)
    origin = next((candidate for candidate in candidates if candidate.id == point), None)
    if origin is None:
        raise UnknownCrossingPoint(f"unknown crossing point {point!r}; known: {', '.join(c.id for c in candidates)}")
    flow = status_at(history, point, entering, mode, at).flow
    found: list[tuple[int, Alternative]] = []
    for order, candidate in enumerate(candidates):
        if candidate.id == origin.id or set(candidate.between) != set(origin.between) or flow.mode not in candidate.modes:
            continue
        status = status_at(history, candidate.id, flow.entering, flow.mode, at)
        if status.state == CrossingState.OPEN:
            distance = great_circle_km(origin.coordinates, candidate.coordinates) if origin.coordinates and candidate.coordinates else None
            found.append((order, Alternative(candidate, status, distance)))
    found.sort(key=lambda item: (item[1].distance_km is None, item[1].distance_km or 0.0, item[0]))
    return tuple(alternative for _, alternative in found)


def entering_for(point: CrossingPoint, jurisdiction: str, direction: Direction | str) -> str:
    """The jurisdiction that traffic enters at ``point`` when it goes ``direction`` (entry or exit) of ``jurisdiction``."""
    if jurisdiction not in point.between:
        raise ValidationError(f"{jurisdiction} is not one of {point.id}'s jurisdictions ({', '.join(point.between)})")
    try:
        way = Direction(direction)
    except ValueError:
        raise ValidationError(f"unknown direction {direction!r}; use {words(Direction)}") from None
    if way == Direction.ENTRY:
        return jurisdiction
    return next(code for code in point.between if code != jurisdiction)


def great_circle_km(a: Coordinates, b: Coordinates) -> float:
    """The great-circle (haversine) distance between two points, in kilometres."""
    lat_a, lat_b = math.radians(a.latitude), math.radians(b.latitude)
    half_chord = math.sin((lat_b - lat_a) / 2) ** 2 + math.cos(lat_a) * math.cos(lat_b) * math.sin(math.radians(b.longitude - a.longitude) / 2) ** 2
    return 2 * EARTH_RADIUS_KM * math.asin(math.sqrt(half_chord))


def _flows(point: CrossingPoint) -> list[Flow]:
    return [Flow(point.id, code, Mode(mode)) for code in point.between for mode in point.modes]


def _history(defaults: Mapping[Flow, Default], entries: Mapping[Flow, Iterable[StatusEntry]]) -> StatusHistory:
    # A stable sort: of two entries starting together, the one given later stays later, and wins.
    ordered = {flow: tuple(sorted(found, key=_start)) for flow, found in entries.items()}
    starts = {flow: tuple(_start(entry) for entry in found) for flow, found in ordered.items()}
    timelines: dict[tuple[str, str, str], tuple[tuple[float, ...], tuple[CrossingState, ...]]] = {}
    history = StatusHistory(dict(defaults), ordered, starts, timelines)
    for flow in history.defaults:  # filled before the history is handed out, from the rule of status_at itself
        bounds = {moment for entry in ordered.get(flow, ()) for moment in (entry.since, entry.until) if moment is not None}
        changes = tuple(sorted({moment.timestamp() for moment in bounds if moment > MOMENTS_FROM}))
        firsts = (MOMENTS_FROM, *(dt.datetime.fromtimestamp(moment, dt.UTC) for moment in changes))
        states = tuple(status_at(history, flow.point, flow.entering, flow.mode, moment).state for moment in firsts)
        timelines[(flow.point, flow.entering, str(flow.mode))] = (changes, states)
    return history


def _start(entry: StatusEntry) -> float:
    return entry.since.timestamp() if entry.since is not None else -math.inf


def _periods(
    schema: StatusFileSchema, covered: Mapping[str, CrossingPoint], points: Mapping[str, CrossingPoint], zone: ZoneInfo, file: str
) -> dict[Flow, list[tuple[StatusEntry, int]]]:
    found: dict[Flow, list[tuple[StatusEntry, int]]] = {}
    for index, period in enumerate(schema.periods):
        key = f"periods.{index}"
        for point_id in period.points:
            if point_id not in points:
                raise DataError(file, f"{key}.points", f"unknown crossing point {point_id!r}")
            if point_id not in covered:
                raise DataError(file, f"{key}.points", f"{point_id} is not between {' and '.join(schema.jurisdictions)}")
            point = covered[point_id]
            for code in period.entering:
                if code not in point.between:
                    raise DataError(file, f"{key}.entering", f"{code} is not one of {point_id}'s jurisdictions ({', '.join(point.between)})")
            for mode in period.modes:
                if mode not in point.modes:
                    raise DataError(file, f"{key}.modes", f"{point_id} does not serve {mode} traffic (it serves {', '.join(point.modes)})")
        since = _local(period.since, zone, file, f"{key}.since")
        until = _local(period.until, zone, file, f"{key}.until") if period.until is not None else None
        if until is not None and until <= since:
            raise DataError(file, f"{key}.until", f"the period must end after it starts ({period.since.isoformat()})")
        for point_id in period.points:
            for code in period.entering:
                for mode in period.modes:
                    entry = StatusEntry(point_id, code, mode, period.state, since, until, period.reason, period.source, period.note)
                    found.setdefault(entry.flow, []).append((entry, index))
    return found


def _check_overlaps(periods: Mapping[Flow, list[tuple[StatusEntry, int]]], file: str) -> None:
    for flow, found in periods.items():
        ordered = sorted(found, key=lambda item: (_start(item[0]), item[1]))
        for (before, before_index), (after, after_index) in pairwise(ordered):
            if before.until is None or (after.since is not None and after.since < before.until):
                later, earlier = max(before_index, after_index), min(before_index, after_index)
                raise DataError(file, f"periods.{later}", f"overlaps periods.{earlier} for {flow}")


def _local(value: dt.datetime | dt.date, zone: ZoneInfo, file: str, key: str) -> dt.datetime:
    if isinstance(value, dt.datetime):
        if value.tzinfo is not None:
            raise DataError(file, key, "write the local date-time without an offset; the file's time zone applies")
        return value.replace(tzinfo=zone)
    return dt.datetime.combine(value, dt.time(), zone)


def _zone(name: str, file: str) -> ZoneInfo:
    try:
        return ZoneInfo(name)
    except (KeyError, ValueError):
        raise DataError(file, "timezone", f"unknown time zone {name!r}") from None


def _check_moment(at: dt.datetime) -> None:
    if not isinstance(at, dt.datetime) or at.tzinfo is None or at.utcoffset() is None:
        raise ValidationError(f"give the moment with its time zone or UTC offset, not {at!r}")


def _flow(history: StatusHistory, point: str, entering: str, mode: Mode | str) -> Flow:
    try:
        kind = Mode(mode)
    except ValueError:
        raise ValidationError(f"unknown mode {mode!r}; use {words(Mode)}") from None
    flow = Flow(point, entering, kind)
    if flow in history.defaults:
        return flow
    known = [candidate for candidate in history.defaults if candidate.point == point]
    if not known:
        points = ", ".join(sorted({candidate.point for candidate in history.defaults}))
        raise UnknownCrossingPoint(f"no crossing status is kept for crossing point {point!r}; known: {points}")
    codes = sorted({candidate.entering for candidate in known})
    if entering not in codes:
        raise ValidationError(f"{entering!r} is not one of {point}'s jurisdictions ({', '.join(codes)})")
    modes = [str(candidate.mode) for candidate in known if candidate.entering == entering]
    raise ValidationError(f"{point} does not serve {kind} traffic (it serves {', '.join(modes)})")
