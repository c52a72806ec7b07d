"""Checking a crossings CSV file: its encoding, its header, and every row, naming the line of each problem."""

from __future__ import annotations

import csv
import datetime as dt
import io
import os
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path
from typing import IO, Any

from borderplates import reference
from borderplates.errors import ValidationError, quoted
from borderplates.reference import Plate
from borderplates.services import inputs
from borderplates.services import law as law_services
from borderplates.vocabulary import LANE_LENGTH, REQUEST_KEY_LENGTH, Decision, Direction, Mode, VehicleClass, words

CROSSING_COLUMNS = ("plate", "point", "direction", "jurisdiction", "at", "mode", "lane", "decision", "officer", "request_key")
VEHICLE_CLASS_BY_MODE = {Mode.CARGO: VehicleClass.TRUCK, Mode.BUS: VehicleClass.BUS}
SHOWN_PROBLEMS = 10
CHUNK = 5000

Progress = Callable[[int, int | None], None]
Problem = tuple[int, str]
Opener = Callable[[], Any]
VehicleKey = tuple[str, str]


class ImportRejected(ValidationError):
    """A file that was not imported, with every bad row as (line number, reason)."""

    def __init__(self, message: str, problems: Sequence[Problem] = ()) -> None:
        self.problems: list[Problem] = list(problems)
        super().__init__(message)

    @classmethod
    def bad_rows(cls, problems: Sequence[Problem]) -> ImportRejected:
        problems = sorted(problems)
        shown = "; ".join(f"line {line}: {reason}" for line, reason in problems[:SHOWN_PROBLEMS])
        more = f"; ... and {len(problems) - SHOWN_PROBLEMS} more" if len(problems) > SHOWN_PROBLEMS else ""
        rows = len({line for line, _ in problems})
        return cls(f"{rows} bad row{'s' if rows != 1 else ''}: {shown}{more}; nothing was imported", problems)


def open_source(source: str | os.PathLike[str] | IO[bytes] | IO[str]) -> tuple[str, Opener]:
    """The file's name, and how to open it as UTF-8 text (a BOM skipped) for each pass: a path is opened again, a stream is read once into memory."""
    if isinstance(source, str | os.PathLike):
        path = Path(source)

        @contextmanager
        def reopen() -> Iterator[IO[str]]:
            try:
                handle = path.open("rb")
            except OSError as error:
                raise ValidationError(f"cannot read {quoted(str(path), 200)}: {error.strerror or error}") from None
            with handle, io.TextIOWrapper(handle, encoding="utf-8-sig", newline="") as text:
                yield text

        return path.name, reopen
    name = Path(str(getattr(source, "name", "<stream>"))).name
    read: bytes | str = source.read()
    if isinstance(read, bytes):
        try:
            data = read.decode("utf-8-sig")
        except UnicodeDecodeError as error:
            line = read.count(b"\n", 0, error.start) + 1
            raise ImportRejected(f"line {line}: the file is not UTF-8 text (is it a CSV file?)") from None
    else:
        data = read

    @contextmanager
    def in_memory() -> Iterator[IO[str]]:
        yield io.StringIO(data, newline="")

    return name, in_memory


class Reader:
    """The rows of a crossings file after its header, with the line each ends on; decoding and CSV errors name their line."""

    def __init__(self, text: IO[str]) -> None:
        self._text = text
        self._reader = csv.reader(text, strict=True)
        self._lines = 0

    def __iter__(self) -> Iterator[tuple[int, list[str]]]:
        reader = self._reader
        try:
            header = next(reader, None)
            if header is None:
                raise ImportRejected(f"the file is empty: a crossings file starts with the header {','.join(CROSSING_COLUMNS)}")
            if [h.strip().lower() for h in header] != list(CROSSING_COLUMNS):
                raise ImportRejected(f"line 1: not a crossings file: the header is {quoted(','.join(header))}, expected {','.join(CROSSING_COLUMNS)}")
            for row in reader:
                if row:
                    yield reader.line_num, row
        except UnicodeDecodeError:
            raise ImportRejected(f"line {self._line_of_bad_bytes()}: the file is not UTF-8 text (is it a CSV file?)") from None
        except csv.Error as error:
            raise ImportRejected(f"line {reader.line_num}: the file is not CSV text: {error}") from None

    def _line_of_bad_bytes(self) -> int:
        """The line of the first byte that is not UTF-8 (the CSV reader's count lags behind the decoder's buffer)."""
        buffer = getattr(self._text, "buffer", None)
        if buffer is None or not hasattr(buffer, "seek"):
            return self._reader.line_num + 1
        buffer.seek(0)
        data = buffer.read()
        try:
            data.decode("utf-8-sig")
        except UnicodeDecodeError as error:
            return int(data.count(b"\n", 0, error.start)) + 1
        return self._reader.line_num + 1


@dataclass
class Survey:
    """What a first, cheap pass over the file learns: the vehicles it names, its request keys, its size."""

    rows: int = 0
    firsts: dict[tuple[str, str], tuple[str, str]] = field(default_factory=dict)
    """(plate text, point text) -> (at text, mode) of its first row."""
    keys: dict[str, int] = field(default_factory=dict)
    """request key -> the line it is first used on."""


def survey(text: IO[str], progress: Progress | None) -> Survey:
    found = Survey()
    for line, row in Reader(text):
        found.rows += 1
        if progress is not None and found.rows % CHUNK == 0:
            progress(found.rows, None)
        if len(row) != len(CROSSING_COLUMNS):
            continue
        found.firsts.setdefault((row[0], row[1]), (row[4], row[5]))
        key = row[9].strip()
        if key and key not in found.keys:
            found.keys[key] = line
    if progress is not None:
        progress(found.rows, None)
    return found


@dataclass(frozen=True, slots=True)
class GoodRow:
    """A row that passed every check, ready to be written."""

    vehicle: VehicleKey
    point: str
    direction: Direction
    jurisdiction: str
    at: dt.datetime
    mode: Mode
    lane: str | None
    decision: Decision
    officer: str
    request_key: str | None


class Bad(str):
    """Why a field of a row is bad (a value of this type is never a good value)."""


class RowChecker:
    """Checks rows one by one, remembering what it already worked out (places, plate readings, officers, keys seen)."""

    def __init__(self, readings: dict[tuple[str, frozenset[str]], Plate | Bad]) -> None:
        self.readings = readings
        self._places: dict[tuple[str, str, str], Place | Bad] = {}
        self._officers: dict[str, str | Bad] = {}
        self._keys: dict[str, int] = {}

    def check(self, line: int, row: list[str]) -> GoodRow | Bad:
        """The row, checked; or every reason it is bad, in one line."""
        if len(row) != len(CROSSING_COLUMNS):
            return Bad(f"expected {len(CROSSING_COLUMNS)} fields, found {len(row)}")
        plate_text, point_text, direction_text, jurisdiction, at_text, mode_text, lane_text, decision_text, officer_text, key_text = row
        place = self.place(point_text, jurisdiction, mode_text)
        plate = self.plate(plate_text, place.between) if not isinstance(place, Bad) else None
        direction = _member(Direction, direction_text, f"direction {quoted(direction_text)} is not {words(Direction)}")
        at = moment(at_text)
        decision = _member(Decision, decision_text, f"unknown decision {quoted(decision_text)}; one of {', '.join(Decision)}")
        officer = self._officer(officer_text)
        lane = _optional(lane_text, "lane", LANE_LENGTH)
        key = _optional(key_text, "request key", REQUEST_KEY_LENGTH)
        if isinstance(key, str) and not isinstance(key, Bad) and self._keys.setdefault(key, line) != line:
            key = Bad(f"request key {quoted(key)} is used twice in the file (first on line {self._keys[key]})")
        if (
            isinstance(place, Bad)
            or not isinstance(plate, Plate)
            or isinstance(at, Bad)
            or any(isinstance(value, Bad) for value in (direction, decision, officer, lane, key))
        ):
            return Bad("; ".join(value for value in (place, plate, direction, at, decision, officer, lane, key) if isinstance(value, Bad)))
        return GoodRow(
            (plate.issuer, plate.canonical), place.point, Direction(direction), place.jurisdiction, at, place.mode, lane, Decision(decision), officer, key
        )

    def place(self, point_text: str, jurisdiction: str, mode: str) -> Place | Bad:
        """Where the row happened, or why not."""
        cached = self._places.get((point_text, jurisdiction, mode))
        if cached is None:
            cached = self._places[(point_text, jurisdiction, mode)] = _place(point_text, jurisdiction, mode)
        return cached

    def plate(self, text: str, context: frozenset[str]) -> Plate | Bad:
        cached = self.readings.get((text, context))
        if cached is None:
            cached = self.readings[(text, context)] = read_plate(text, context)
        return cached

    def _officer(self, text: str) -> str | Bad:
        found = self._officers.get(text)
        if found is None:
            try:
                found = inputs.name(text, "officer")
            except ValidationError as error:
                found = Bad(error.text)
            self._officers[text] = found
        return found


@dataclass(frozen=True, slots=True)
class Place:
    """A row's crossing point, jurisdiction and mode, checked; and the jurisdictions that meet there."""

    point: str
    jurisdiction: str
    mode: Mode
    between: frozenset[str]


def _place(point_text: str, jurisdiction: str, mode_text: str) -> Place | Bad:
    try:
        code = reference.jurisdiction(jurisdiction).code
        point = reference.crossing_point(inputs.any_place(point_text, centres=False))
        inputs.place(point.id, code)
    except ValidationError as error:
        return Bad(error.text)
    mode = _member(Mode, mode_text, "")
    if isinstance(mode, Bad) or mode not in point.modes:
        return Bad(f"{point.id} ({point.name}) serves {', '.join(point.modes)}, not {quoted(mode_text)}")
    return Place(point.id, code, Mode(mode), frozenset(point.between))


def read_plate(text: str, context: frozenset[str]) -> Plate | Bad:
    """The plate, read as at a check at a point between ``context``; or why not."""
    try:
        return law_services.choose_plate(text, context).plate
    except ValidationError as error:
        return Bad(error.text)


def moment(text: str) -> dt.datetime | Bad:
    """The moment written in a row, or why it is not one."""
    try:
        value = dt.datetime.fromisoformat(text)
    except ValueError:
        return Bad(f"at {quoted(text)} is not an ISO 8601 date-time")
    if value.tzinfo is None:
        return Bad(f"at {quoted(text)} has no UTC offset (write it like 2021-09-20T10:15:00+02:00)")
    try:
        return inputs.moment(value, "time")
    except ValidationError as error:
        return Bad(error.text)


def _member(vocabulary: type[StrEnum], value: str, problem: str) -> str | Bad:
    """``value`` when it is a word of ``vocabulary``, else the problem."""
    return value if value in vocabulary._value2member_map_ else Bad(problem)


def _optional(value: str, what: str, limit: int) -> str | Bad | None:
    if not value.strip():
        return None
    try:
        return inputs.text(value, what, limit)
    except ValidationError as error:
        return Bad(error.text)
