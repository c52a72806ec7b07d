"""Exporting crossings and registrations as CSV, streamed from the registry.

An exported crossings file re-imports into another registry: times are written in
the jurisdiction's local time with their offset.
"""

from __future__ import annotations

import csv
import datetime as dt
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO
from zoneinfo import ZoneInfo

from borderplates import reference
from borderplates.errors import BorderplatesError, quoted
from borderplates.registry import Database
from borderplates.services import inputs
from borderplates.services.actors import Actor, Permission, authorise
from borderplates.services.transfer.rows import CHUNK, CROSSING_COLUMNS, Progress
from borderplates.vocabulary import RegistrationStatus

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
    "holder",
)


def export_crossings(
    out: IO[str] | str | os.PathLike[str],
    *,
    actor: Actor,
    db: Database,
    start: dt.datetime | None = None,
    end: dt.datetime | None = None,
    point: str | None = None,
    progress: Progress | None = None,
) -> int:
    """Write the crossings from ``start`` (inclusive) to ``end`` (exclusive), optionally at one point, as an
    importable CSV file; returns the number of rows. Rows are streamed, oldest first."""
    authorise(actor, Permission.EXPORT)
    start = inputs.moment(start, "start") if start is not None else None
    end = inputs.moment(end, "end") if end is not None else None
    point_id = inputs.any_place(point, centres=False) if point is not None else None
    zones = _zones()
    with db.reading(replica=True) as uow, _open_out(out) as handle:
        total = uow.crossings.count_between(start, end, point_id) if progress is not None else None
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(CROSSING_COLUMNS)
        written = 0
        for c in uow.crossings.between(start, end, point_id):
            local = c.at.astimezone(zones.get(c.jurisdiction, dt.UTC)).isoformat()
            writer.writerow((c.plate, c.point, c.direction, c.jurisdiction, local, c.mode, c.lane or "", c.decision, c.officer, c.request_key or ""))
            written += 1
            if progress is not None and written % CHUNK == 0:
                progress(written, total)
        if progress is not None:
            progress(written, total)
    return written


def export_registrations(
    out: IO[str] | str | os.PathLike[str], *, actor: Actor, db: Database, status: str | None = None, progress: Progress | None = None
) -> int:
    """Write the temporary registrations (optionally of one status) as CSV, oldest issue first; returns the number of rows."""
    authorise(actor, Permission.EXPORT)
    wanted = inputs.word(RegistrationStatus, status, "status") if status is not None else None
    zones = _zones()
    with db.reading(replica=True) as uow, _open_out(out) as handle:
        total = uow.registrations.count(wanted) if progress is not None else None
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(REGISTRATION_COLUMNS)
        written = 0
        for r in uow.registrations.stream(wanted):
            writer.writerow(
                (
                    r.number,
                    r.plate,
                    r.issuer,
                    r.jurisdiction,
                    r.valid_from.isoformat(),
                    r.valid_until.isoformat(),
                    f"{r.fee.amount:.2f}",
                    r.fee.currency,
                    r.rule_id,
                    r.rule_version,
                    r.issued_at.astimezone(zones.get(r.jurisdiction, dt.UTC)).isoformat(),
                    r.issuing_point,
                    r.clerk,
                    r.status,
                    r.holder or "",
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


@contextmanager
def _open_out(out: IO[str] | str | os.PathLike[str]) -> Iterator[IO[str]]:
    """The file to write, or the stream given; a file that cannot be written, or a full disk, is one clear error."""
    if not isinstance(out, str | os.PathLike):
        yield out
        return
    path = Path(out)
    try:
        handle = path.open("w", encoding="utf-8", newline="")
    except OSError as error:
        raise BorderplatesError(f"cannot write {quoted(str(path), 200)}: {error.strerror or error}") from None
    try:
        with handle:
            yield handle
    except OSError as error:
        if path.is_file():
            path.unlink()
            raise BorderplatesError(f"cannot write {quoted(str(path), 200)}: {error.strerror or error}; the partial file was removed") from None
        raise BorderplatesError(f"cannot write {quoted(str(path), 200)}: {error.strerror or error}") from None
