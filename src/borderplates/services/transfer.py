"""Moving crossings and registrations in and out of the registry as CSV files.

Import (``import_crossings``) takes a CSV file with the header::

    plate,point,direction,jurisdiction,at,mode,lane,decision,officer,request_key

one crossing per row: ``at`` is ISO 8601 with a UTC offset, ``direction`` is
``entry`` or ``exit``, ``decision`` is the decision taken at the time (``admit``,
``issue_temporary_registration``, ``apply_sticker``, ``warn``, ``fine`` or
``refuse``), so historical crossings import as they happened and are not re-judged
by today's law; ``lane`` and ``request_key`` may be empty. The plate is read as at
a check (the best reading; when two rank equal, the one of the crossing point's two
jurisdictions); the point must be on the border of ``jurisdiction`` and serve
``mode``.

Policy (:data:`IMPORT_POLICY`), all or nothing:

- the whole file is validated first; if any row is bad, **nothing** is imported and
  every bad row is reported with its line number and the reason
  (:class:`ImportRejected`, a ``ValidationError``). A file with a wrong header, an
  empty file, or one that is not UTF-8 CSV text is rejected the same way.
- a ``request_key`` used twice in the file, or already used by a crossing in the
  registry, makes a bad row.
- a valid file is imported in one transaction: the vehicles it names are created
  as needed (class from the mode: ``cargo`` a truck, ``bus`` a bus, else a car;
  first seen at their earliest crossing in the file), every crossing is inserted,
  and one ``audit_log`` row (action ``import``, entity ``crossing_import``, entity
  id = the number of rows) records the file. Imported crossings carry no rule and
  no registration: the file does not say them.

How (for speed): a quick first pass reads the header, the plates and points and
the request keys; then, inside the one write transaction, the vehicles are looked
up and created in bulk, and a second pass validates every row and streams the good
ones to the database (COPY on PostgreSQL, executemany chunks elsewhere) while no
row has been bad, so that checking and writing overlap. A bad row anywhere rolls
the transaction back, so a rejected file leaves no trace. A path is read twice; a
stream is read once into memory.

Export (``export_crossings``, ``export_registrations``) streams rows to CSV; an
exported crossings file re-imports into another registry (times are written in
the jurisdiction's local time with their offset).
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import os
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any
from zoneinfo import ZoneInfo

import sqlalchemy as sa

from borderplates import reference
from borderplates.errors import BorderplatesError, ConflictError, ValidationError
from borderplates.registry import Database, repository
from borderplates.registry.tables import crossings, vehicles
from borderplates.services import common
from borderplates.services import law as law_services

CROSSING_COLUMNS = ("plate", "point", "direction", "jurisdiction", "at", "mode", "lane", "decision", "officer", "request_key")
REGISTRATION_COLUMNS = (
    "number",
    "plate",
    "issuer",
    "jurisdiction",
    "valid_from",
    "valid_until",
    "fee_amount",
    "fee_currency",
    "rule_id",
    "rule_version",
    "issued_at",
    "issuing_point",
    "clerk",
    "status",
)
DECISIONS = ("admit", "issue_temporary_registration", "apply_sticker", "warn", "fine", "refuse")
DIRECTIONS = ("entry", "exit")
VEHICLE_CLASS_BY_MODE = {"cargo": "truck", "bus": "bus"}
IMPORT_POLICY = (
    "all or nothing: the whole file is validated first; if any row is bad nothing is imported and every bad row is reported "
    "with its line number; a valid file is imported in one transaction"
)
CHUNK = 5000
SHOWN_PROBLEMS = 10

Progress = Callable[[int, int | None], None]
Problem = tuple[int, str]


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


@dataclass(frozen=True)
class ImportResult:
    file: str
    rows: int
    vehicles_created: int
    policy: str = IMPORT_POLICY

    def as_json(self) -> dict[str, Any]:
        return {"imported": self.rows, "vehicles_created": self.vehicles_created, "file": self.file, "policy": self.policy}


# ------------------------------------------------------------------------ import


@dataclass
class _Survey:
    """What a first, cheap pass over the file learns: the vehicles it names, its request keys, its size."""

    rows: int = 0
    firsts: dict[tuple[str, str], tuple[str, str]] = field(default_factory=dict)  # (plate text, point text) -> (at text, mode) of its first row
    keys: dict[str, int] = field(default_factory=dict)  # request key -> first line


def import_crossings(
    path_or_file: str | os.PathLike[str] | IO[bytes] | IO[str],
    *,
    db: Database | None = None,
    progress: Progress | None = None,
    actor: str = "import",
) -> ImportResult:
    """Import a crossings CSV file, all or nothing (see the module's policy).

    Two passes: a quick survey (header, vehicles, request keys), then, in the one
    write transaction, every row is validated and, while no row has been bad,
    streamed to the database (COPY on PostgreSQL), so that checking and writing
    overlap. A bad row anywhere rolls the whole transaction back.

    ``progress(rows_done, total)`` is called during the survey (``total`` None) and
    while validating and writing (``total`` the number of rows).
    """
    actor = common.person(actor, "importer")
    name, opener = _source(path_or_file)
    with opener() as text:
        survey = _survey(text, progress)
    if survey.rows == 0:
        raise ImportRejected(f"{name}: the file has a header but no rows; nothing was imported")
    database = common.database(db)
    try:
        with database.write() as conn:
            problems = _keys_in_registry(conn, survey.keys)
            readings: dict[tuple[str, frozenset[str]], tuple[str, str] | str] = {}
            ids, first_seen = _vehicle_ids(conn, survey, readings)
            with opener() as text, _writer(conn, survey.rows, progress) as write:
                problems += _check_and_write(text, readings, ids, first_seen, write if not problems else None, progress, survey.rows)
                if problems:
                    raise ImportRejected.bad_rows(problems)
            _correct_first_seen(conn, first_seen)
            repository.audit(
                conn,
                at=dt.datetime.now(dt.UTC),
                actor=actor,
                point=None,
                action="import",
                entity="crossing_import",
                entity_id=survey.rows,
                before=None,
                after={"file": name, "rows": survey.rows, "vehicles_created": len(first_seen)},
            )
    except sa.exc.IntegrityError:
        raise ConflictError("another import or check wrote the same vehicles or request keys at the same moment; nothing was imported, try again") from None
    return ImportResult(name, survey.rows, len(first_seen))


def _source(source: str | os.PathLike[str] | IO[bytes] | IO[str]) -> tuple[str, Callable[[], Any]]:
    """The file's name, and how to open it as UTF-8 text (a BOM skipped) for each pass: a path is
    opened again, a stream is read once into memory."""
    if isinstance(source, str | os.PathLike):
        path = Path(source)

        @contextmanager
        def reopen() -> Iterator[IO[str]]:
            try:
                handle = path.open("rb")
            except OSError as error:
                raise ValidationError(f"cannot read {path}: {error.strerror or error}") from None
            with handle, io.TextIOWrapper(handle, encoding="utf-8-sig", newline="") as text:
                yield text

        return path.name, reopen
    name = Path(str(getattr(source, "name", "<stream>"))).name
    data = source.read()
    if isinstance(data, bytes):
        try:
            data = data.decode("utf-8-sig")
        except UnicodeDecodeError as error:
            line = data.count(b"\n", 0, error.start) + 1
            raise ImportRejected(f"line {line}: the file is not UTF-8 text (is it a CSV file?)") from None

    @contextmanager
    def in_memory() -> Iterator[IO[str]]:
        yield io.StringIO(data, newline="")

    return name, in_memory


@contextmanager
def _reading(reader: Any) -> Iterator[None]:
    """Turn decoding and CSV errors into a rejection naming the line."""
    try:
        yield
    except UnicodeDecodeError:
        raise ImportRejected(f"line {reader.line_num + 1}: the file is not UTF-8 text (is it a CSV file?)") from None
    except csv.Error as error:
        raise ImportRejected(f"line {reader.line_num}: the file is not CSV text: {error}") from None


def _header(reader: Any) -> None:
    header = next(reader, None)
    if header is None:
        raise ImportRejected(f"the file is empty: a crossings file starts with the header {','.join(CROSSING_COLUMNS)}")
    if [h.strip().lower() for h in header] != list(CROSSING_COLUMNS):
        shown = ",".join(header)[:120]
        raise ImportRejected(f"line 1: not a crossings file: the header is {shown!r}, expected {','.join(CROSSING_COLUMNS)}")


def _survey(text: IO[str], progress: Progress | None) -> _Survey:
    survey = _Survey()
    reader = csv.reader(text, strict=True)
    firsts, keys = survey.firsts, survey.keys
    with _reading(reader):
        _header(reader)
        for row in reader:
            if not row:
                continue
            survey.rows += 1
            if progress is not None and survey.rows % CHUNK == 0:
                progress(survey.rows, None)
            if len(row) != 10:
                continue
            pair = (row[0], row[1])
            if pair not in firsts:
                firsts[pair] = (row[4], row[5])
            key = row[9].strip()
            if key and key not in keys:
                keys[key] = reader.line_num
    if progress is not None:
        progress(survey.rows, None)
    return survey


def _check_and_write(
    text: IO[str],
    plates: dict[tuple[str, frozenset[str]], tuple[str, str] | str],
    ids: dict[tuple[str, str], int],
    first_seen: dict[int, list[Any]],
    write: Callable[[tuple[Any, ...]], None] | None,
    progress: Progress | None,
    total: int,
) -> list[Problem]:
    """Validate every row; write each good one while no row has been bad. Returns the bad rows."""
    places: dict[tuple[str, str, str], tuple[str, str, frozenset[str]] | str] = {}
    officers: dict[str, str] = {}
    directions = {d: d for d in DIRECTIONS}
    decisions = {d: d for d in DECISIONS}
    keys: dict[str, int] = {}
    problems: list[Problem] = []
    reader = csv.reader(text, strict=True)
    count = 0
    with _reading(reader):
        _header(reader)
        for row in reader:
            line = reader.line_num
            if not row:
                continue
            count += 1
            if progress is not None and count % CHUNK == 0:
                progress(count, total)
            if len(row) != 10:
                problems.append((line, f"expected 10 fields, found {len(row)}"))
                continue
            plate_text, point_text, direction, jurisdiction, at_text, mode, lane, decision, officer, key = row
            bad: list[str] = []
            place = places.get((point_text, jurisdiction, mode))
            if place is None:
                place = places[(point_text, jurisdiction, mode)] = _place(point_text, jurisdiction, mode)
            vehicle: tuple[str, str] | str | None = None
            if isinstance(place, str):
                bad.append(place)
            else:
                vehicle = plates.get((plate_text, place[2]))
                if vehicle is None:
                    vehicle = plates[(plate_text, place[2])] = _plate(plate_text, place[2])
                if isinstance(vehicle, str):
                    bad.append(vehicle)
            direction_ok = directions.get(direction)
            if direction_ok is None:
                bad.append(f"direction {direction!r} is not entry or exit")
            at = _moment(at_text)
            if isinstance(at, str):
                bad.append(at)
            decision_ok = decisions.get(decision)
            if decision_ok is None:
                bad.append(f"unknown decision {decision!r}; one of {', '.join(DECISIONS)}")
            who = officers.get(officer)
            if who is None:
                try:
                    who = officers[officer] = common.person(officer, "officer")
                except ValidationError as error:
                    bad.append(error.text)
            lane_value = lane.strip() or None
            if lane_value is not None and len(lane_value) > 20:
                bad.append("a lane is named in at most 20 characters")
            key_value = key.strip() or None
            if key_value is not None:
                if len(key_value) > 100:
                    bad.append("a request key has at most 100 characters")
                elif key_value in keys:
                    bad.append(f"request key {key_value!r} is used twice in the file (first on line {keys[key_value]})")
                else:
                    keys[key_value] = line
            if bad:
                problems.append((line, "; ".join(bad)))
                continue
            if write is None or problems:
                continue
            vehicle_id = ids[vehicle]  # type: ignore[index]
            seen = first_seen.get(vehicle_id)
            if seen is not None and at < seen[0]:  # type: ignore[operator]
                seen[0], seen[1] = at, True
            write((vehicle_id, place[0], direction_ok, place[1], at, mode, lane_value, decision_ok, who, key_value))  # type: ignore[index]
    if progress is not None:
        progress(count, total)
    return problems


def _place(point_text: str, jurisdiction: str, mode: str) -> tuple[str, str, frozenset[str]] | str:
    try:
        code = reference.jurisdiction(jurisdiction).code
        point = reference.crossing_point(point_text)
        common.place(point.id, code)
    except ValidationError as error:
        return error.text
    if mode not in point.modes:
        return f"{point.id} ({point.name}) serves {', '.join(point.modes)}, not {mode!r}"
    return point.id, code, frozenset(point.between)


def _plate(text: str, context: frozenset[str], details: dict[tuple[str, str], tuple[str, str | None]] | None = None) -> tuple[str, str] | str:
    """(issuer, canonical plate), read as at a check at a point between ``context``; or why not.
    The plate's kind and area go to ``details``."""
    try:
        plate = law_services.choose_plate(text, context).plate
    except ValidationError as error:
        return error.text
    key = (plate.issuer, plate.canonical)
    if details is not None:
        details[key] = (plate.kind, plate.area.code if plate.area else None)
    return key


def _moment(text: str) -> dt.datetime | str:
    try:
        value = dt.datetime.fromisoformat(text)
    except ValueError:
        return f"at {text!r} is not an ISO 8601 date-time"
    if value.tzinfo is None:
        return f"at {text!r} has no UTC offset (write it like 2021-09-20T10:15:00+02:00)"
    return value


def _keys_in_registry(conn: sa.Connection, keys: dict[str, int]) -> list[Problem]:
    problems = []
    for key in _existing(conn, "SELECT request_key FROM crossings", "request_key", [k for k in keys if len(k) <= 100]):
        problems.append((keys[key[0]], f"request key {key[0]!r} was already used by a crossing in the registry"))
    return problems


def _existing(conn: sa.Connection, select: str, column: str, values: list[str]) -> Iterator[tuple[Any, ...]]:
    """The rows of ``select`` whose ``column`` is among ``values``: one array query on PostgreSQL, chunks of IN elsewhere."""
    if not values:
        return
    if conn.dialect.name == "postgresql":
        with conn.connection.driver_connection.cursor() as cursor:  # type: ignore[union-attr]
            yield from cursor.execute(f"{select} WHERE {column} = ANY(%s)", (values,))
        return
    query = sa.text(f"{select} WHERE {column} IN :values").bindparams(sa.bindparam("values", expanding=True))
    for start in range(0, len(values), CHUNK):
        yield from (tuple(row) for row in conn.execute(query, {"values": values[start : start + CHUNK]}))


def _vehicle_ids(
    conn: sa.Connection, survey: _Survey, readings: dict[tuple[str, frozenset[str]], tuple[str, str] | str]
) -> tuple[dict[tuple[str, str], int], dict[int, list[Any]]]:
    """The id of every vehicle the file names (as far as its plate and point read), creating those the
    registry does not know yet; and, for the new ones, [first seen, corrected?]. ``readings`` caches
    the plate readings for the second pass."""
    wanted: dict[tuple[str, str], tuple[str, str | None, str, dt.datetime]] = {}
    details: dict[tuple[str, str], tuple[str, str | None]] = {}
    points: dict[str, frozenset[str] | None] = {}
    for (plate_text, point_text), (at_text, mode) in survey.firsts.items():
        if point_text not in points:
            try:
                points[point_text] = frozenset(reference.crossing_point(point_text).between)
            except ValidationError:
                points[point_text] = None
        context = points[point_text]
        if context is None:
            continue
        reading = readings.get((plate_text, context))
        if reading is None:
            reading = readings[(plate_text, context)] = _plate(plate_text, context, details)
        at = _moment(at_text)
        if isinstance(reading, str) or isinstance(at, str) or reading in wanted:
            continue
        kind, area = details[reading]
        wanted[reading] = (kind, area, VEHICLE_CLASS_BY_MODE.get(mode, "car"), at)
    ids = _lookup_vehicles(conn, wanted)
    missing = [key for key in wanted if key not in ids]
    columns = ("issuer", "plate", "plate_kind", "area_code", "vehicle_class", "created_at")
    bulk_insert(conn, vehicles, columns, [(*key, *wanted[key]) for key in missing])
    first_seen: dict[int, list[Any]] = {}
    if missing:
        new = _lookup_vehicles(conn, missing)
        ids.update(new)
        first_seen = {vehicle_id: [wanted[key][3], False] for key, vehicle_id in new.items()}
    return ids, first_seen


def _lookup_vehicles(conn: sa.Connection, wanted: Iterable[tuple[str, str]]) -> dict[tuple[str, str], int]:
    wanted = set(wanted)
    plates = sorted({plate for _, plate in wanted})
    found: dict[tuple[str, str], int] = {}
    for vehicle_id, issuer, plate in _existing(conn, "SELECT id, issuer, plate FROM vehicles", "plate", plates):
        if (issuer, plate) in wanted:
            found[(issuer, plate)] = vehicle_id
    return found


def _correct_first_seen(conn: sa.Connection, first_seen: dict[int, list[Any]]) -> None:
    """A new vehicle was first seen at its earliest crossing in the file, not at its first row."""
    changed = [{"vid": vehicle_id, "at": seen[0]} for vehicle_id, seen in first_seen.items() if seen[1]]
    if changed:
        conn.execute(vehicles.update().where(vehicles.c.id == sa.bindparam("vid")).values(created_at=sa.bindparam("at")), changed)


CROSSING_INSERT_COLUMNS = ("vehicle_id", "point", "direction", "jurisdiction", "at", "mode", "lane", "decision", "officer", "request_key")


@contextmanager
def _writer(conn: sa.Connection, total: int, progress: Progress | None) -> Iterator[Callable[[tuple[Any, ...]], None]]:
    """A function that writes one crossing row: into a COPY on PostgreSQL, in executemany chunks elsewhere."""
    columns = CROSSING_INSERT_COLUMNS
    if conn.dialect.name == "postgresql":
        driver = conn.connection.driver_connection
        with driver.cursor() as cursor, cursor.copy(f"COPY crossings ({', '.join(columns)}) FROM STDIN (FORMAT BINARY)") as copy:  # type: ignore[union-attr]
            copy.set_types(["int4", "text", "text", "text", "timestamptz", "text", "text", "text", "text", "text"])
            yield copy.write_row
        return
    insert = crossings.insert()
    chunk: list[dict[str, Any]] = []

    def write(row: tuple[Any, ...]) -> None:
        chunk.append(dict(zip(columns, row, strict=True)))
        if len(chunk) == CHUNK:
            conn.execute(insert, chunk)
            chunk.clear()

    yield write
    if chunk:
        conn.execute(insert, chunk)


def bulk_insert(
    conn: sa.Connection,
    table: sa.Table,
    columns: Sequence[str],
    rows: Iterable[Sequence[Any]],
    *,
    total: int | None = None,
    progress: Progress | None = None,
) -> int:
    """Insert many rows fast, inside the connection's transaction: COPY on PostgreSQL, executemany in chunks elsewhere.

    Values are Python values (aware datetimes, dates, ints, strings, None).
    """
    done = 0
    if conn.dialect.name == "postgresql":
        driver = conn.connection.driver_connection
        statement = f"COPY {table.name} ({', '.join(columns)}) FROM STDIN"
        with driver.cursor() as cursor, cursor.copy(statement) as copy:  # type: ignore[union-attr]
            for row in rows:
                copy.write_row(row)
                done += 1
                if progress is not None and done % CHUNK == 0:
                    progress(done, total)
    else:
        insert = table.insert()
        chunk: list[dict[str, Any]] = []
        for row in rows:
            chunk.append(dict(zip(columns, row, strict=True)))
            if len(chunk) == CHUNK:
                conn.execute(insert, chunk)
                done += len(chunk)
                chunk = []
                if progress is not None:
                    progress(done, total)
        if chunk:
            conn.execute(insert, chunk)
            done += len(chunk)
    if progress is not None:
        progress(done, total if total is not None else done)
    return done


# ------------------------------------------------------------------------ export


def export_crossings(
    out: IO[str] | str | os.PathLike[str],
    *,
    start: dt.datetime | None = None,
    end: dt.datetime | None = None,
    point: str | None = None,
    db: Database | None = None,
    progress: Progress | None = None,
) -> int:
    """Write the crossings from ``start`` (inclusive) to ``end`` (exclusive), optionally at one point, as an
    importable CSV file; returns the number of rows. Rows are streamed, oldest first."""
    start = common.aware(start) if start is not None else None
    end = common.aware(end) if end is not None else None
    point_id = reference.crossing_point(point).id if point is not None else None
    zones = _zones()
    database = common.database(db)
    with _open_out(out) as handle, database.read() as conn:
        total = _count_crossings(conn, start, end, point_id) if progress is not None else None
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(CROSSING_COLUMNS)
        written = 0
        result = repository.crossings_between(_streaming(conn), start, end, point_id)
        for row in result:
            writer.writerow(
                (
                    row.plate,
                    row.point,
                    row.direction,
                    row.jurisdiction,
                    row.at.astimezone(zones.get(row.jurisdiction, dt.UTC)).isoformat(),
                    row.mode,
                    row.lane or "",
                    row.decision,
                    row.officer,
                    row.request_key or "",
                )
            )
            written += 1
            if progress is not None and written % CHUNK == 0:
                progress(written, total)
        if progress is not None:
            progress(written, total)
    return written


def export_registrations(
    out: IO[str] | str | os.PathLike[str],
    *,
    status: str | None = None,
    db: Database | None = None,
    progress: Progress | None = None,
) -> int:
    """Write the temporary registrations (optionally of one status) as CSV, oldest issue first; returns the number of rows."""
    if status is not None and status not in ("active", "returned", "cancelled", "expired"):
        raise ValidationError(f"unknown status {status!r}: active, returned, cancelled or expired")
    zones = _zones()
    database = common.database(db)
    with _open_out(out) as handle, database.read() as conn:
        total = repository.count_registrations(conn, status) if progress is not None else None
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(REGISTRATION_COLUMNS)
        written = 0
        for row in repository.all_registrations(_streaming(conn), status):
            writer.writerow(
                (
                    row.number,
                    row.plate,
                    row.issuer,
                    row.jurisdiction,
                    row.valid_from.isoformat(),
                    row.valid_until.isoformat(),
                    f"{common.from_minor(row.fee_minor, row.fee_currency).amount:.2f}",
                    row.fee_currency,
                    row.rule_id,
                    row.rule_version,
                    row.issued_at.astimezone(zones.get(row.jurisdiction, dt.UTC)).isoformat(),
                    row.issuing_point,
                    row.clerk,
                    row.status,
                )
            )
            written += 1
            if progress is not None and written % CHUNK == 0:
                progress(written, total)
        if progress is not None:
            progress(written, total)
    return written


def _zones() -> dict[str, ZoneInfo]:
    return {code: ZoneInfo(j.timezone) for code, j in reference.load().jurisdictions.items()}


def _streaming(conn: sa.Connection) -> sa.Connection:
    """The connection set to fetch results in batches (a server-side cursor on PostgreSQL)."""
    return conn.execution_options(stream_results=True, yield_per=CHUNK)


def _count_crossings(conn: sa.Connection, start: dt.datetime | None, end: dt.datetime | None, point: str | None) -> int:
    query = sa.select(sa.func.count()).select_from(crossings)
    if start is not None:
        query = query.where(crossings.c.at >= start)
    if end is not None:
        query = query.where(crossings.c.at < end)
    if point is not None:
        query = query.where(crossings.c.point == point)
    return int(conn.execute(query).scalar_one())


@contextmanager
def _open_out(out: IO[str] | str | os.PathLike[str]) -> Iterator[IO[str]]:
    if isinstance(out, str | os.PathLike):
        try:
            handle = Path(out).open("w", encoding="utf-8", newline="")  # noqa: SIM115 (closed below)
        except OSError as error:
            raise BorderplatesError(f"cannot write {out}: {error.strerror or error}") from None
        with handle:
            yield handle
        return
    yield out


__all__ = [
    "CROSSING_COLUMNS",
    "DECISIONS",
    "IMPORT_POLICY",
    "REGISTRATION_COLUMNS",
    "ImportRejected",
    "ImportResult",
    "bulk_insert",
    "export_crossings",
    "export_registrations",
    "import_crossings",
]
