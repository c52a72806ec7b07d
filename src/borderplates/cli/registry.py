"""Commands on the registry: db, issue, cross, registrations, stickers, warnings, fines, expiry."""

from __future__ import annotations

import datetime as dt
import getpass
import os
from typing import Annotated

import typer
from rich.table import Table

from borderplates.cli import JsonOption, app, console, emit_json, moment, parse_date
from borderplates.errors import ValidationError
from borderplates.services import admin, checks, crossings, enforcement, registrations
from borderplates.services import law as law_services

db_app = typer.Typer(help="The registry database.", no_args_is_help=True)
registrations_app = typer.Typer(help="Temporary registrations.", no_args_is_help=True)
app.add_typer(db_app, name="db")
app.add_typer(registrations_app, name="registrations")

Point = Annotated[str, typer.Option("--point", help="Crossing point id (jarinje, brnjak, merdare, mutivode, konculj, mucibaba).")]
PointOrCentre = Annotated[str, typer.Option("--point", help="Crossing point id, or centre:<name> for a registration centre.")]
Entering = Annotated[str | None, typer.Option("--entering", help="Jurisdiction entered, e.g. XK.")]
Leaving = Annotated[str | None, typer.Option("--leaving", help="Jurisdiction left, e.g. XK.")]
On = Annotated[str | None, typer.Option("--on", help="Local date; means noon of that day.")]
At = Annotated[str | None, typer.Option("--at", help="ISO 8601 date-time with offset; default now.")]
RequestKey = Annotated[str | None, typer.Option("--request-key", help="Retrying with the same key returns the first answer.")]
Resident = Annotated[str | None, typer.Option("--resident", help="Jurisdiction where the keeper resides.")]
RegisteredOn = Annotated[str | None, typer.Option("--registered-on", help="Date the vehicle's registration was issued or renewed.")]
Class = Annotated[str, typer.Option("--class", help="Vehicle class: car, van, truck, bus, motorcycle or trailer.")]


def _who(name: str | None) -> str:
    return name or os.environ.get("BORDERPLATES_USER") or getpass.getuser()


def _direction(entering: str | None, leaving: str | None) -> tuple[str, str]:
    if (entering is None) == (leaving is None):
        raise ValidationError("give exactly one of --entering or --leaving")
    return (entering, "entry") if entering else (leaving, "exit")  # type: ignore[return-value]


def _date(text: str | None, option: str) -> dt.date | None:
    return parse_date(text, option) if text else None


@db_app.command("upgrade")
def db_upgrade(as_json: bool = JsonOption) -> None:
    """Create or migrate the registry (BORDERPLATES_DATABASE_URL, or the embedded SQLite file)."""
    where, revision = admin.upgrade_registry()
    if as_json:
        emit_json({"database": where, "revision": revision})
    else:
        console.print(f"registry at {where} is at revision {revision}")


@app.command()
def check(
    plate_text: Annotated[str, typer.Argument(metavar="PLATE", help="The plate, e.g. 'NP 123-AB'.")],
    entering: Entering = None,
    leaving: Leaving = None,
    on: On = None,
    at: At = None,
    point: Annotated[str | None, typer.Option("--point", help="Crossing point id.")] = None,
    vehicle_class: Class = "car",
    resident: Resident = None,
    registered_on: RegisteredOn = None,
    as_json: bool = JsonOption,
) -> None:
    """What the officer must do for this vehicle now: the law, and what the vehicle already holds."""
    jurisdiction, direction = _direction(entering, leaving)
    result = checks.check_vehicle(
        plate_text,
        jurisdiction,
        moment(on, at, jurisdiction),
        direction,
        point=point,
        vehicle_class=vehicle_class,
        resident=resident,
        registered_on=_date(registered_on, "--registered-on"),
    ).as_json()
    if as_json:
        emit_json(result)
        return
    console.print(f"[bold]{result['decision'].replace('_', ' ').upper()}[/bold]  {result['plate']['canonical']} ({result['plate']['issuer']})")
    for reason in result["reasons"]:
        console.print(f"  • {reason}", highlight=False)


@app.command()
def issue(
    plate_text: Annotated[str, typer.Argument(metavar="PLATE")],
    point: PointOrCentre,
    entering: Annotated[str, typer.Option("--entering", help="Jurisdiction entered, e.g. XK.")],
    on: On = None,
    at: At = None,
    clerk: Annotated[str | None, typer.Option("--clerk", help="Who issues (default: BORDERPLATES_USER or the login name).")] = None,
    request_key: RequestKey = None,
    vin: Annotated[str | None, typer.Option("--vin")] = None,
    vehicle_class: Class = "car",
    resident: Resident = None,
    registered_on: RegisteredOn = None,
    as_json: bool = JsonOption,
) -> None:
    """Issue a temporary registration (when the law requires one and none valid is held)."""
    registration = registrations.issue_temporary_registration(
        plate_text,
        entering,
        moment(on, at, entering),
        point=point,
        clerk=_who(clerk),
        request_key=request_key,
        vin=vin,
        vehicle_class=vehicle_class,
        resident=resident,
        registered_on=_date(registered_on, "--registered-on"),
    )
    _show_registration(registration, as_json)


@app.command()
def cross(
    plate_text: Annotated[str, typer.Argument(metavar="PLATE")],
    point: Point,
    entering: Entering = None,
    leaving: Leaving = None,
    on: On = None,
    at: At = None,
    mode: Annotated[str, typer.Option("--mode", help="passenger, cargo, bus or pedestrian.")] = "passenger",
    lane: Annotated[str | None, typer.Option("--lane")] = None,
    officer: Annotated[str | None, typer.Option("--officer", help="Who records (default: BORDERPLATES_USER or the login name).")] = None,
    request_key: RequestKey = None,
    return_registration: Annotated[bool, typer.Option("--return-registration", help="On exit, take back the temporary registration.")] = False,
    vehicle_class: Class = "car",
    resident: Resident = None,
    registered_on: RegisteredOn = None,
    as_json: bool = JsonOption,
) -> None:
    """Record an entry or exit with the decision taken (refusals included)."""
    jurisdiction, direction = _direction(entering, leaving)
    record = crossings.record_crossing(
        plate_text,
        jurisdiction,
        moment(on, at, jurisdiction),
        direction,
        point=point,
        officer=_who(officer),
        mode=mode,
        lane=lane,
        request_key=request_key,
        vehicle_class=vehicle_class,
        resident=resident,
        registered_on=_date(registered_on, "--registered-on"),
        return_registration=return_registration,
    )
    if as_json:
        emit_json(record.as_json())
        return
    console.print(f"recorded {record.direction} of {record.plate} at {record.point}: [bold]{record.decision.replace('_', ' ')}[/bold]")


def _enforcement_command(kind: str) -> None:
    service = {"sticker": enforcement.issue_sticker, "warning": enforcement.record_warning, "fine": enforcement.record_fine}[kind]

    def command(
        plate_text: Annotated[str, typer.Argument(metavar="PLATE")],
        point: PointOrCentre,
        entering: Annotated[str, typer.Option("--entering", help="Jurisdiction whose law applies, e.g. XK.")],
        on: On = None,
        at: At = None,
        officer: Annotated[str | None, typer.Option("--officer")] = None,
        request_key: RequestKey = None,
        resident: Resident = None,
        registered_on: RegisteredOn = None,
        as_json: bool = JsonOption,
    ) -> None:
        action = service(
            plate_text,
            entering,
            moment(on, at, entering),
            point=point,
            officer=_who(officer),
            request_key=request_key,
            resident=resident,
            registered_on=_date(registered_on, "--registered-on"),
        )
        if as_json:
            emit_json(action.as_json())
        else:
            amount = f" of {action.amount}" if action.amount else ""
            console.print(f"recorded {action.kind}{amount} for {action.plate} at {action.point} under {action.rule_id}")

    command.__doc__ = {
        "sticker": "Record stickers issued to cover the state symbols.",
        "warning": "Record a warning (when the law is in its warning phase).",
        "fine": "Record a fine of the amount the law sets (when it is in a fine phase).",
    }[kind]
    app.command(name=kind)(command)


for _kind in ("sticker", "warning", "fine"):
    _enforcement_command(_kind)


@app.command()
def expire(at: At = None, as_json: bool = JsonOption) -> None:
    """Mark registrations past their last valid day as expired (safe to run again)."""
    count = registrations.expire_due(moment(None, at, None))
    if as_json:
        emit_json({"expired": count})
    else:
        console.print(f"{count} registration(s) expired")


@registrations_app.command("list")
def registrations_list(
    plate: Annotated[str | None, typer.Option("--plate")] = None,
    status: Annotated[str | None, typer.Option("--status", help="active, returned, cancelled or expired.")] = None,
    point: Annotated[str | None, typer.Option("--point")] = None,
    limit: Annotated[int, typer.Option("--limit")] = 100,
    as_json: bool = JsonOption,
) -> None:
    """Temporary registrations, newest first."""
    found = registrations.list_registrations(plate=plate, status=status, point=point, limit=limit)
    if as_json:
        emit_json({"registrations": [r.as_json() for r in found]})
        return
    table = Table("number", "plate", "valid from", "valid until", "fee", "status", "issued", "where", title=f"{len(found)} temporary registration(s)")
    for r in found:
        issued = law_services.local_time(r.issued_at, r.jurisdiction)
        table.add_row(r.number, r.plate, str(r.valid_from), str(r.valid_until), str(r.fee), r.status, f"{issued:%Y-%m-%d %H:%M}", r.issuing_point)
    console.print(table)


@registrations_app.command("show")
def registrations_show(number: str, as_json: bool = JsonOption) -> None:
    """One registration with its audit trail."""
    registration, trail = registrations.show_registration(number)
    if as_json:
        emit_json({**registration.as_json(), "audit": trail})
        return
    _show_registration(registration, False)
    for entry in trail:
        console.print(f"  {entry['at']}  {entry['action']:<7} by {entry['actor']}  {entry['reason'] or ''}")


@registrations_app.command("renew")
def registrations_renew(
    number: str,
    point: PointOrCentre,
    at: At = None,
    clerk: Annotated[str | None, typer.Option("--clerk")] = None,
    request_key: RequestKey = None,
    as_json: bool = JsonOption,
) -> None:
    """Replace a registration with a new one valid from today."""
    _show_registration(registrations.renew(number, moment(None, at, None), point=point, clerk=_who(clerk), request_key=request_key), as_json)


@registrations_app.command("cancel")
def registrations_cancel(
    number: str,
    reason: Annotated[str, typer.Option("--reason")],
    at: At = None,
    clerk: Annotated[str | None, typer.Option("--clerk")] = None,
    as_json: bool = JsonOption,
) -> None:
    """Cancel an active registration, with the reason."""
    _show_registration(registrations.cancel(number, moment(None, at, None), reason=reason, clerk=_who(clerk)), as_json)


@registrations_app.command("return")
def registrations_return(
    number: str, point: Point, at: At = None, officer: Annotated[str | None, typer.Option("--officer")] = None, as_json: bool = JsonOption
) -> None:
    """Take back a registration when the vehicle leaves."""
    _show_registration(registrations.return_on_exit(number, moment(None, at, None), point=point, officer=_who(officer)), as_json)


def _show_registration(registration: registrations.Registration, as_json: bool) -> None:
    if as_json:
        emit_json(registration.as_json())
        return
    console.print(
        f"[bold]{registration.number}[/bold]  {registration.plate} ({registration.issuer})  {registration.status}\n"
        f"  valid {registration.valid_from} to {registration.valid_until} in {registration.jurisdiction}, fee {registration.fee}\n"
        f"  issued {law_services.local_time(registration.issued_at, registration.jurisdiction):%Y-%m-%d %H:%M} local time "
        f"at {registration.issuing_point} by {registration.clerk} "
        f"under {registration.rule_id} ({registration.rule_version})"
    )
