"""Commands on crossing status and queues: status set, status show, board, queue observe."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.table import Table

from borderplates import reference
from borderplates.cli import JsonOption, app, console, emit_json, moment, say, session
from borderplates.errors import ValidationError
from borderplates.reference.crossing_status import entering_for
from borderplates.services import status
from borderplates.vocabulary import Direction, Role

status_app = typer.Typer(help="Whether each crossing point passes traffic, per mode and direction.", no_args_is_help=True)
queue_app = typer.Typer(help="Queues at the crossing points, as staff see them.", no_args_is_help=True)
app.add_typer(status_app, name="status")
app.add_typer(queue_app, name="queue")

PointArgument = Annotated[str, typer.Argument(metavar="POINT", help="Crossing point id, e.g. jarinje.")]
Entering = Annotated[str | None, typer.Option("--entering", help="The traffic entering this jurisdiction, e.g. XK.")]
Leaving = Annotated[str | None, typer.Option("--leaving", help="The traffic leaving this jurisdiction, e.g. XK.")]
At = Annotated[str | None, typer.Option("--at", help="ISO 8601 date-time with offset; default now.")]


def _entering(point: str, entering: str | None, leaving: str | None) -> str:
    """The jurisdiction the traffic enters, from --entering or --leaving at ``point``."""
    if (entering is None) == (leaving is None):
        raise ValidationError("give exactly one of --entering or --leaving")
    crossing = reference.crossing_point(point)
    if entering is not None:
        return entering_for(crossing, reference.jurisdiction(entering).code, Direction.ENTRY)
    return entering_for(crossing, reference.jurisdiction(leaving or "").code, Direction.EXIT)


@status_app.command("set")
def status_set(
    point: PointArgument,
    modes: Annotated[list[str], typer.Option("--mode", help="passenger, cargo, bus or pedestrian; repeat for several.")],
    state: Annotated[str, typer.Option("--status", help="open, restricted, blocked or closed.")],
    reason: Annotated[str, typer.Option("--reason", help="Why, as the public should read it.")],
    entering: Entering = None,
    leaving: Leaving = None,
    since: Annotated[str | None, typer.Option("--since", help="From when (ISO 8601 with offset); default now.")] = None,
    until: Annotated[str | None, typer.Option("--until", help="Until when, if announced (ISO 8601 with offset).")] = None,
    source: Annotated[str | None, typer.Option("--source", help="Where the information comes from.")] = None,
    supervisor: Annotated[str | None, typer.Option("--supervisor", help="Who sets it (default: BORDERPLATES_USER or the login name).")] = None,
    as_json: bool = JsonOption,
) -> None:
    """Set the status of a crossing point for some traffic, from a moment on."""
    entries = status.set_crossing_status(
        point,
        _entering(point, entering, leaving),
        modes,
        state,
        reason,
        since=moment(None, since, None),
        until=moment(None, until, None) if until is not None else None,
        source=source,
        actor=session().operator(supervisor, Role.SUPERVISOR),
        db=session().db,
    )
    if as_json:
        emit_json(
            {
                "set": [
                    {
                        "point": e.point,
                        "entering": e.entering,
                        "mode": str(e.mode),
                        "status": str(e.state),
                        "since": e.since.isoformat() if e.since else None,
                        "until": e.until.isoformat() if e.until else None,
                        "reason": e.reason,
                        "set_by": e.set_by,
                    }
                    for e in entries
                ]
            }
        )
        return
    for entry in entries:
        say(f"{entry.point}: {entry.mode} traffic entering {entry.entering} is ", (str(entry.state), "bold"), f" from {entry.since}: {entry.reason}")


@status_app.command("show")
def status_show(
    at: At = None, point: Annotated[str | None, typer.Option("--point", help="Only this crossing point.")] = None, as_json: bool = JsonOption
) -> None:
    """The status of every crossing point's traffic at a moment (and where to go when it does not pass)."""
    lines = [line for line in status.board(moment(None, at, None), db=session().db) if point is None or line.status.point == reference.crossing_point(point).id]
    _show(lines, as_json)


@app.command()
def board(at: At = None, as_json: bool = JsonOption) -> None:
    """The board: every crossing point, direction and mode, with its status, the wait, and the open alternatives."""
    _show(list(status.board(moment(None, at, None), db=session().db)), as_json)


def _show(lines: list[status.BoardEntry], as_json: bool) -> None:
    if as_json:
        emit_json({"crossings": [line.as_json() for line in lines]})
        return
    table = Table("crossing point", "entering", "mode", "status", "since", "wait", "open instead")
    for line in lines:
        shown = line.as_json()
        wait = "unknown" if shown["delay_minutes"] is None else f"{shown['delay_minutes']:.0f} min ({shown['method']})"
        table.add_row(
            shown["name"], shown["entering"], shown["mode"], shown["status"], shown["since"] or "", wait, ", ".join(a["name"] for a in shown["alternatives"])
        )
    console.print(table)


@queue_app.command("observe")
def queue_observe(
    point: PointArgument,
    mode: Annotated[str, typer.Option("--mode", help="passenger, cargo, bus or pedestrian.")],
    lanes: Annotated[int, typer.Option("--lanes", help="Lanes open.")],
    entering: Entering = None,
    leaving: Leaving = None,
    vehicles: Annotated[int | None, typer.Option("--vehicles", help="Vehicles waiting.")] = None,
    metres: Annotated[float | None, typer.Option("--metres", help="Length of the queue in metres.")] = None,
    wait_minutes: Annotated[float | None, typer.Option("--wait-minutes", help="The wait as staff judge it.")] = None,
    at: At = None,
    officer: Annotated[str | None, typer.Option("--officer", help="Who observes (default: BORDERPLATES_USER or the login name).")] = None,
    as_json: bool = JsonOption,
) -> None:
    """Record a queue as staff see it."""
    seen = status.observe_queue(
        point,
        _entering(point, entering, leaving),
        mode,
        moment(None, at, None),
        lanes_open=lanes,
        vehicles=vehicles,
        metres=metres,
        wait_minutes=wait_minutes,
        actor=session().operator(officer, Role.OFFICER),
        db=session().db,
    )
    if as_json:
        emit_json(
            {"at": seen.at.isoformat(), "lanes_open": seen.lanes_open, "vehicles": seen.vehicles, "metres": seen.metres, "wait_minutes": seen.wait_minutes}
        )
    else:
        say(f"queue recorded at {seen.at.isoformat()}")
