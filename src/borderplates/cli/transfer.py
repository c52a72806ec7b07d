"""Commands that move data in bulk: import, export, and the demo week."""

from __future__ import annotations

import datetime as dt
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated
from zoneinfo import ZoneInfo

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from borderplates.cli import JsonOption, app, emit_json, parse_date, say, session
from borderplates.errors import ValidationError
from borderplates.services import demo, transfer

import_app = typer.Typer(help="Import data from files.", no_args_is_help=True)
export_app = typer.Typer(help="Export data as CSV.", no_args_is_help=True)
demo_app = typer.Typer(help="Demo data.", no_args_is_help=True)
app.add_typer(import_app, name="import")
app.add_typer(export_app, name="export")
app.add_typer(demo_app, name="demo")

Output = Annotated[Path | None, typer.Option("--output", "-o", help="Write to this file (default: stdout).")]

BORDER_TIME = ZoneInfo("Europe/Belgrade")
ProgressCallback = Callable[[int, int | None], None]


@contextmanager
def _progress(label: str, enabled: bool = True) -> Iterator[ProgressCallback | None]:
    """A Rich progress bar on stderr, fed by a service's ``progress(done, total)`` callback."""
    if not enabled:
        yield None
        return
    bar = Progress(
        TextColumn(label),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=Console(stderr=True),
        transient=True,
    )
    task = bar.add_task(label, total=None)

    def update(done: int, total: int | None) -> None:
        bar.update(task, completed=done, total=total)

    with bar:
        yield update


@import_app.command("crossings")
def import_crossings(
    file: Annotated[Path, typer.Argument(metavar="FILE.csv", help="CSV: plate,point,direction,jurisdiction,at,mode,lane,decision,officer,request_key")],
    as_json: bool = JsonOption,
) -> None:
    """Import crossings from a CSV file: all rows or none (every bad row is reported with its line)."""
    with _progress("importing", enabled=sys.stderr.isatty()) as progress:
        result = transfer.import_crossings(file, actor=session().operator(None), db=session().db, progress=progress)
    if as_json:
        emit_json(result.as_json())
    else:
        say(f"imported {result.rows} crossing(s) from {result.file} ({result.vehicles_created} new vehicle(s))")


def _day_start(text: str | None, option: str, days_after: int = 0) -> dt.datetime | None:
    """Local midnight (the border's time, Europe/Belgrade) at the start of a date, or of a day after it."""
    if text is None:
        return None
    return dt.datetime.combine(parse_date(text, option) + dt.timedelta(days=days_after), dt.time(0), BORDER_TIME)


@export_app.command("crossings")
def export_crossings(
    start: Annotated[str | None, typer.Option("--from", help="First local date (YYYY-MM-DD), included.")] = None,
    until: Annotated[str | None, typer.Option("--until", help="Last local date (YYYY-MM-DD), included.")] = None,
    point: Annotated[str | None, typer.Option("--point", help="Only this crossing point.")] = None,
    output: Output = None,
    as_json: bool = JsonOption,
) -> None:
    """Crossings as CSV (the import format), oldest first."""
    begin, end = _day_start(start, "--from"), _day_start(until, "--until", days_after=1)
    actor, db = session().operator(None), session().db
    if output is None:
        _csv_to_stdout(as_json)
        transfer.export_crossings(sys.stdout, actor=actor, db=db, start=begin, end=end, point=point)
        return
    with _progress("exporting", enabled=sys.stderr.isatty()) as progress:
        count = transfer.export_crossings(output, actor=actor, db=db, start=begin, end=end, point=point, progress=progress)
    _written(count, "crossing", output, as_json)


@export_app.command("registrations")
def export_registrations(
    status: Annotated[str | None, typer.Option("--status", help="active, returned, cancelled or expired.")] = None,
    output: Output = None,
    as_json: bool = JsonOption,
) -> None:
    """Temporary registrations as CSV, oldest issue first."""
    actor, db = session().operator(None), session().db
    if output is None:
        _csv_to_stdout(as_json)
        transfer.export_registrations(sys.stdout, actor=actor, db=db, status=status)
        return
    with _progress("exporting", enabled=sys.stderr.isatty()) as progress:
        count = transfer.export_registrations(output, actor=actor, db=db, status=status, progress=progress)
    _written(count, "registration", output, as_json)


def _csv_to_stdout(as_json: bool) -> None:
    if as_json:
        raise ValidationError("--json needs --output: without it the CSV itself goes to stdout")


def _written(count: int, what: str, output: Path, as_json: bool) -> None:
    if as_json:
        emit_json({"exported": count, "file": str(output)})
    else:
        Console(stderr=True, markup=False, highlight=False).print(f"wrote {count} {what}(s) to {output}")


@demo_app.command("load")
def demo_load(
    if_empty: Annotated[bool, typer.Option("--if-empty", help="Do nothing (and succeed) when the registry already holds data.")] = False,
    seed: Annotated[int, typer.Option("--seed", help="Seed of the generator; the same seed gives the same week.")] = 2021,
    as_json: bool = JsonOption,
) -> None:
    """Load the demo week 20–26 Sep 2021 (10,110 temporary registrations) into an empty registry."""
    db = session().db
    if if_empty and not demo.is_empty(db=db):
        _skipped(as_json)
        return
    try:
        with _progress("loading the demo week", enabled=sys.stderr.isatty()) as progress:
            summary = demo.load_demo_week(actor=session().operator("demo"), db=db, seed=seed, progress=progress)
    except demo.RegistryNotEmpty:
        if not if_empty:
            raise
        _skipped(as_json)
        return
    if as_json:
        emit_json({"loaded": True, **summary.as_json()})
        return
    say(
        f"loaded the demo week 2021-09-20 to 2021-09-26: {summary.registrations} temporary registrations "
        f"({summary.first_24h} in the first 24 h), {summary.crossings} crossings, {summary.vehicles} vehicles"
    )
    for place, count in summary.by_place.items():
        say(f"  {place:<20} {count:>6}")


def _skipped(as_json: bool) -> None:
    if as_json:
        emit_json({"loaded": False, "reason": "the registry already holds data"})
    else:
        say("the registry already holds data; the demo week was not loaded")
