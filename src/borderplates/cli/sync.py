"""Commands on synchronisation: ``sync now`` (one push-and-pull cycle), ``sync status`` and ``sync conflicts``."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

import typer
from rich.table import Table

from borderplates.cli import JsonOption, app, console, emit_json, say, session
from borderplates.services import sync

sync_app = typer.Typer(help="Synchronisation between a site and its centre.", no_args_is_help=True)
app.add_typer(sync_app, name="sync")


@sync_app.command("now")
def now(
    centre: Annotated[str | None, typer.Option("--centre", help="The centre's address, if not the one the site joined.")] = None,
    as_json: bool = JsonOption,
) -> None:
    """At a site: push every record the centre has not acknowledged, pull what the site must know, and exit."""
    settings = session().settings
    db = session().db
    with sync.client_for(db, centre or settings.centre_url) as client:
        cycle = sync.sync_now(db=db, client=client, batch=settings.sync_batch, data_dir=settings.data_dir)
    if as_json:
        emit_json(cycle.as_json())
        return
    say(f"site {cycle.site}: sent {cycle.pushed}, acknowledged up to {cycle.acknowledged}, {cycle.backlog} not sent; pulled {cycle.pulled}")
    if cycle.conflicts:
        say(("conflicts", "bold"), f": the centre found {cycle.conflicts}; supervisors see them with borderplates sync conflicts at the centre")


def _age(seconds: int | None) -> str:
    return "" if seconds is None else str(dt.timedelta(seconds=seconds))


@sync_app.command("status")
def status(as_json: bool = JsonOption) -> None:
    """Per site: the last sequence number acknowledged, the backlog, the age of the oldest record not sent, when last heard from."""
    found = sync.sync_status(actor=session().operator(None), db=session().db).as_json()
    if as_json:
        emit_json(found)
        return
    if found["centre"]:
        say(f"site {found['origin']}, centre {found['centre']}; last pull {found['last_pull_at'] or 'never'}")
        if found["last_error"]:
            say(("last error", "bold"), f" ({found['last_error_at']}): {found['last_error']}")
    else:
        say(f"centre: {len(found['sites'])} site(s), {found['open_conflicts']} open conflict(s)")
    table = Table("site", "acknowledged", "head", "backlog", "oldest unsent", "last heard", "rejections")
    for line in found["sites"]:
        table.add_row(
            line["site"],
            str(line["acknowledged"]),
            str(line["head"]),
            str(line["backlog"]),
            _age(line["oldest_unsent_age_seconds"]),
            line["last_seen_at"] or "never",
            str(line["rejections"]),
        )
    console.print(table)


@sync_app.command("conflicts")
def conflicts(everything: Annotated[bool, typer.Option("--all", help="Also the conflicts resolved.")] = False, as_json: bool = JsonOption) -> None:
    """At the centre: records of two sites that contradict each other (resolved by a cancellation with a reason)."""
    found = [view.as_json() for view in sync.list_conflicts(actor=session().operator(None), db=session().db, everything=everything)]
    if as_json:
        emit_json({"conflicts": found})
        return
    if not found:
        say("no open conflicts" if not everything else "no conflicts")
    for conflict in found:
        say((f"{conflict['kind']}{'' if conflict['open'] else ' (resolved)'}", "bold"), f"  {conflict['detail']}")
        for side in ("first", "second"):
            record = conflict[side]
            if record is not None:
                say(f"  • {record['number']} from {record['origin']} at {record['issuing_point']}, {record['issued_at']}: {record['status']}")
