"""Calibration: arrival rates and the decision mix of a crossing point, from recorded crossings.

A vehicle that passes a crossing point between two jurisdictions may be recorded
by both sides (an exit from one, an entry into the other). To count each passage
once, only the records kept by one side's booths are read: an entry into that
side is traffic towards it, an exit from it is traffic towards the other side.
Plates of neither side are grouped as :data:`OTHER`.

Rates are per local hour of the day (Europe/Belgrade), averaged over the calendar
days from the first record to the last: the daily profile of each stream is its
count per hour of the day.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any, Protocol
from zoneinfo import ZoneInfo

from borderplates import reference
from borderplates.errors import ValidationError
from borderplates.simulate.model import HOURS_PER_DAY, Stream
from borderplates.vocabulary import Decision, Direction, Mode

BORDER_TIME = ZoneInfo("Europe/Belgrade")
OTHER = "other"
"""The origin of vehicles with plates of neither side of the crossing point."""

StreamKey = tuple[str, str, Mode]
"""(origin, towards, mode)."""


class NoTraffic(ValidationError):
    """No crossing was recorded at the point (by the side's booths) to calibrate from."""


class CrossingRecord(Protocol):
    """What calibration reads of a recorded crossing."""

    @property
    def at(self) -> dt.datetime: ...
    @property
    def point(self) -> str: ...
    @property
    def direction(self) -> str: ...
    @property
    def jurisdiction(self) -> str: ...
    @property
    def mode(self) -> str: ...
    @property
    def decision(self) -> str: ...
    @property
    def issuer(self) -> str: ...


@dataclass(frozen=True, slots=True)
class RecordedCrossing:
    """A crossing as calibration needs it: when, where, which booth, which traffic, what was decided."""

    at: dt.datetime
    point: str
    direction: str
    jurisdiction: str
    mode: str
    decision: str
    issuer: str


@dataclass(frozen=True)
class Calibration:
    """The traffic of a crossing point as recorded: streams with hourly profiles, and the decisions taken."""

    point: str
    side: str
    first_on: dt.date
    last_on: dt.date
    records: int
    streams: tuple[Stream, ...]
    decision_mix: Mapping[StreamKey, Mapping[Decision, float]]

    @property
    def days(self) -> int:
        return (self.last_on - self.first_on).days + 1

    def per_day(self) -> dict[StreamKey, float]:
        return {(s.origin, s.towards, s.mode): s.arrivals_per_hour * HOURS_PER_DAY for s in self.streams}

    def as_json(self) -> dict[str, Any]:
        return {
            "point": self.point,
            "side": self.side,
            "from": self.first_on.isoformat(),
            "until": self.last_on.isoformat(),
            "days": self.days,
            "records": self.records,
            "streams": [
                {
                    "origin": s.origin,
                    "towards": s.towards,
                    "mode": str(s.mode),
                    "per_day": round(s.arrivals_per_hour * HOURS_PER_DAY, 2),
                    "per_hour": round(s.arrivals_per_hour, 3),
                    "profile": [round(w, 4) for w in s.profile],
                    "decisions": {str(d): round(share, 4) for d, share in self.decision_mix.get((s.origin, s.towards, s.mode), {}).items()},
                }
                for s in self.streams
            ],
        }


def calibrate(records: Iterable[CrossingRecord], point: str, *, side: str | None = None) -> Calibration:
    """Arrival rates per hour, mode and origin, and the decision mix, of ``point`` from ``records``.

    ``side`` is the jurisdiction whose booths' records are counted; by default the
    first of the point's pair. Raises ``NoTraffic`` when there is none.
    """
    crossing_point = reference.crossing_point(point)
    pair = crossing_point.between
    side = side or pair[0]
    if side not in pair:
        raise ValidationError(f"{crossing_point.name} lies between {pair[0]} and {pair[1]}, not {side}")
    other_side = pair[1] if side == pair[0] else pair[0]
    hourly: dict[StreamKey, list[int]] = defaultdict(lambda: [0] * HOURS_PER_DAY)
    decisions: dict[StreamKey, Counter[Decision]] = defaultdict(Counter)
    first: dt.date | None = None
    last: dt.date | None = None
    count = 0
    for record in records:
        if record.point != crossing_point.id or record.jurisdiction != side:
            continue
        local = record.at.astimezone(BORDER_TIME)
        towards = side if record.direction == Direction.ENTRY else other_side
        origin = record.issuer if record.issuer in pair else OTHER
        key = (origin, towards, Mode(record.mode))
        hourly[key][local.hour] += 1
        decisions[key][Decision(record.decision)] += 1
        day = local.date()
        first = day if first is None or day < first else first
        last = day if last is None or day > last else last
        count += 1
    if first is None or last is None:
        raise NoTraffic(f"no crossings recorded by {side} at {crossing_point.name} to calibrate from")
    days = (last - first).days + 1
    streams = tuple(
        Stream(origin, towards, mode, sum(counts) / (days * HOURS_PER_DAY), tuple(float(c) for c in counts))
        for (origin, towards, mode), counts in sorted(hourly.items(), key=lambda item: (item[0][1], item[0][0], list(Mode).index(item[0][2])))
    )
    mix = {key: {decision: n / sum(counter.values()) for decision, n in counter.most_common()} for key, counter in decisions.items()}
    return Calibration(crossing_point.id, side, first, last, count, streams, mix)
