"""Commands on the registry: db, check, issue, cross, registrations, stickers, warnings, fines, expiry."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Annotated

import typer
from rich.table import Table

from borderplates.cli import JsonOption, app, console, emit_json, moment, parse_date, say, session
from borderplates.errors import ValidationError
from borderplates.model import Action, Registration
from borderplates.services import admin, checks, crossings, enforcement, registrations
from borderplates.services import law as law_services
from borderplates.services.actors import Actor
from borderplates.services.presentation import Presentation
from borderplates.vocabulary import Direction

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
Clerk = Annotated[str | None, typer.Option("--clerk", help="Who issues (default: BORDERPLATES_USER or the login name).")]
Officer = Annotated[str | None, typer.Option("--officer", help="Who records (default: BORDERPLATES_USER or the login name).")]


def _direction(entering: str | None, leaving: str | None) -> tuple[str, Direction]:
    if entering is not None and leaving is None:
        return entering, Direction.ENTRY
    if leaving is not None and entering is None:
        return leaving, Direction.EXIT
    raise ValidationError("give exactly one of --entering or --leaving")


def _date(text: str | None, option: str) -> dt.date | None:
    return parse_date(text, option) if text is not None else None


def _operator(name: str | None) -> Actor:
    return session().operator(name)


@db_app.command("upgrade")
def db_upgrade(as_json: bool = JsonOption) -> None:
    """Create or migrate the registry (BORDERPLATES_DATABASE_URL, or the embedded SQLite file)."""
    where, revision = admin.upgrade_registry(session().settings)
    if as_json:
        emit_json({"database": where, "revision": revision})
    else:
        say(f"registry at {where} is at revision {revision}")


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
    presentation = Presentation(
        plate_text,
        jurisdiction,
        moment(on, at, jurisdiction),
        direction,
        point=point,
        vehicle_class=vehicle_class,
        resident=resident,
        registered_on=_date(registered_on, "--registered-on"),
    )
    result = checks.check_vehicle(presentation, actor=_operator(None), db=session().db).as_json()
    if as_json:
        emit_json(result)
        return
    say((result["decision"].replace("_", " ").upper(), "bold"), f"  {result['plate']['canonical']} ({result['plate']['issuer']})")
    for reason in result["reasons"]:
        say(f"  • {reason}")


@app.command()
def issue(
    plate_text: Annotated[str, typer.Argument(metavar="PLATE")],
    point: PointOrCentre,
    entering: Annotated[str, typer.Option("--entering", help="Jurisdiction entered, e.g. XK.")],
    on: On = None,
    at: At = None,
    clerk: Clerk = None,
    request_key: RequestKey = None,
    vin: Annotated[str | None, typer.Option("--vin")] = None,
    holder: Annotated[str | None, typer.Option("--holder", help="The name of the person (or company) it is issued to.")] = None,
    vehicle_class: Class = "car",
    resident: Resident = None,
    registered_on: RegisteredOn = None,
    as_json: bool = JsonOption,
) -> None:
    """Issue a temporary registration (when the law requires one and none valid is held)."""
    presentation = Presentation(
        plate_text,
        entering,
        moment(on, at, entering),
        point=point,
        vehicle_class=vehicle_class,
        resident=resident,
        registered_on=_date(registered_on, "--registered-on"),
        vin=vin,
    )
    registration = registrations.issue_temporary_registration(presentation, actor=_operator(clerk), holder=holder, request_key=request_key, db=session().db)
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
    officer: Officer = None,
    request_key: RequestKey = None,
    return_registration: Annotated[bool, typer.Option("--return-registration", help="On exit, take back the temporary registration.")] = False,
    vehicle_class: Class = "car",
    resident: Resident = None,
    registered_on: RegisteredOn = None,
    as_json: bool = JsonOption,
) -> None:
    """Record an entry or exit with the decision taken (refusals included)."""
    jurisdiction, direction = _direction(entering, leaving)
    presentation = Presentation(
        plate_text,
        jurisdiction,
        moment(on, at, jurisdiction),
        direction,
        point=point,
        vehicle_class=vehicle_class,
        resident=resident,
        registered_on=_date(registered_on, "--registered-on"),
    )
    record = crossings.record_crossing(
        presentation,
        actor=_operator(officer),
        mode=mode,
        lane=lane,
        request_key=request_key,
        return_registration=return_registration,
        db=session().db,
    )
    if as_json:
        emit_json(record.as_json())
        return
    c = record.crossing
    say(f"recorded {c.direction} of {c.plate} at {c.point}: ", (c.decision.replace("_", " "), "bold"))


def _enforcement_command(name: str, service: Callable[..., Action], doc: str) -> None:
    def command(
        plate_text: Annotated[str, typer.Argument(metavar="PLATE")],
        point: PointOrCentre,
        entering: Annotated[str, typer.Option("--entering", help="Jurisdiction whose law applies, e.g. XK.")],
        on: On = None,
        at: At = None,
        officer: Officer = None,
        request_key: RequestKey = None,
        vehicle_class: Class = "car",
        resident: Resident = None,
        registered_on: RegisteredOn = None,
        as_json: bool = JsonOption,
    ) -> None:
        presentation = Presentation(
            plate_text,
            entering,
            moment(on, at, entering),
            point=point,
            vehicle_class=vehicle_class,
            resident=resident,
            registered_on=_date(registered_on, "--registered-on"),
        )
        action = service(presentation, actor=_operator(officer), request_key=request_key, db=session().db)
        if as_json:
            emit_json(action.as_json())
        else:
            amount = f" of {action.amount}" if action.amount else ""
            say(f"recorded {action.kind}{amount} for {action.plate} at {action.point} under {action.rule_id}")

    command.__doc__ = doc
    app.command(name=name)(command)


_enforcement_command("sticker", enforcement.issue_sticker, "Record stickers issued to cover the state symbols.")
_enforcement_command("warning", enforcement.record_warning, "Record a warning (when the law is in its warning phase).")
_enforcement_command("fine", enforcement.record_fine, "Record a fine of the amount the law sets (when it is in a fine phase).")


@app.command()
def expire(at: At = None, as_json: bool = JsonOption) -> None:
    """Mark registrations past their last valid day as expired (safe to run again)."""
    count = registrations.expire_due(moment(None, at, None), actor=session().operator("expiry"), db=session().db)
    if as_json:
        emit_json({"expired": count})
    else:
        say(f"{count} registration(s) expired")


@registrations_app.command("list")
def registrations_list(
    plate: Annotated[str | None, typer.Option("--plate")] = None,
    status: Annotated[str | None, typer.Option("--status", help="active, returned, cancelled or expired.")] = None,
    point: Annotated[str | None, typer.Option("--point", help="Issuing crossing point id, or centre:<name>.")] = None,
    limit: Annotated[int, typer.Option("--limit")] = 100,
    cursor: Annotated[str | None, typer.Option("--cursor", help="Continue a list where the previous page ended (its next_cursor).")] = None,
    as_json: bool = JsonOption,
) -> None:
    """Temporary registrations, newest first."""
    page = registrations.list_registrations(actor=_operator(None), plate=plate, status=status, point=point, limit=limit, cursor=cursor, db=session().db)
    if as_json:
        emit_json({"registrations": [r.as_json() for r in page.registrations], "next_cursor": page.next_cursor})
        return
    table = Table(
        "number", "plate", "valid from", "valid until", "fee", "status", "issued", "where", title=f"{len(page.registrations)} temporary registration(s)"
    )
    for r in page.registrations:
        issued = law_services.local_time(r.issued_at, r.jurisdiction)
        table.add_row(r.number, r.plate, str(r.valid_from), str(r.valid_until), str(r.fee), r.status, f"{issued:%Y-%m-%d %H:%M}", r.issuing_point)
    console.print(table)
    if page.next_cursor:
        say(f"more: --cursor {page.next_cursor}")


@registrations_app.command("show")
def registrations_show(number: str, as_json: bool = JsonOption) -> None:
    """One registration with its audit trail."""
    registration, trail = registrations.show_registration(number, actor=_operator(None), db=session().db)
    if as_json:
        emit_json({**registration.as_json(), "audit": trail})
        return
    _show_registration(registration, False)
    for entry in trail:
        say(f"  {entry['at']}  {entry['action']!s:<7} by {entry['actor']}  {entry['reason'] or ''}")


@registrations_app.command("renew")
def registrations_renew(
    number: str,
    point: PointOrCentre,
    at: At = None,
    clerk: Clerk = None,
    request_key: RequestKey = None,
    registered_on: RegisteredOn = None,
    as_json: bool = JsonOption,
) -> None:
    """Replace a registration with a new one valid from today."""
    renewed = registrations.renew(
        number,
        moment(None, at, None),
        point=point,
        actor=_operator(clerk),
        request_key=request_key,
        registered_on=_date(registered_on, "--registered-on"),
        db=session().db,
    )
    _show_registration(renewed, as_json)


@registrations_app.command("cancel")
def registrations_cancel(
    number: str,
    reason: Annotated[str, typer.Option("--reason")],
    at: At = None,
    clerk: Clerk = None,
    request_key: RequestKey = None,
    as_json: bool = JsonOption,
) -> None:
    """Cancel an active registration, with the reason."""
    cancelled = registrations.cancel(number, moment(None, at, None), reason=reason, actor=_operator(clerk), request_key=request_key, db=session().db)
    _show_registration(cancelled, as_json)


@registrations_app.command("return")
def registrations_return(number: str, point: Point, at: At = None, officer: Officer = None, request_key: RequestKey = None, as_json: bool = JsonOption) -> None:
    """Take back a registration when the vehicle leaves."""
    returned = registrations.return_on_exit(number, moment(None, at, None), point=point, actor=_operator(officer), request_key=request_key, db=session().db)
    _show_registration(returned, as_json)


def _show_registration(registration: Registration, as_json: bool) -> None:
    if as_json:
        emit_json(registration.as_json())
        return
    issued = law_services.local_time(registration.issued_at, registration.jurisdiction)
    say((registration.number, "bold"), f"  {registration.plate} ({registration.issuer})  {registration.status}")
    if registration.holder:
        say(f"  holder: {registration.holder}")
    say(f"  valid {registration.valid_from} to {registration.valid_until} in {registration.jurisdiction}, fee {registration.fee}")
    say(
        f"  issued {issued:%Y-%m-%d %H:%M} local time at {registration.issuing_point} by {registration.clerk} "
        f"under {registration.rule_id} ({registration.rule_version})"
    )
