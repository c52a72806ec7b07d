"""The ``borderplates`` command line: thin, every command with ``--json``.

Bad input anywhere prints one line on stderr and exits with code 2.
"""

from __future__ import annotations

import datetime as dt
import json
import sys
from typing import Any

import typer
from rich.console import Console

from borderplates.errors import BorderplatesError, MissingFact, ValidationError
from borderplates.services import law as law_services

app = typer.Typer(
    name="borderplates",
    help="Plates, the law on any date, and the crossing.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
)
console = Console(width=None if sys.stdout.isatty() else 160)

#: The command-line option that supplies each fact a rule may need.
OPTION_FOR_FACT = {"registration date": "--registered-on DATE"}

JsonOption = typer.Option(False, "--json", help="Print exactly one JSON object on stdout.")


def emit_json(payload: dict[str, Any]) -> None:
    sys.stdout.write(json.dumps(payload, ensure_ascii=False, default=str) + "\n")


def moment(on: str | None, at: str | None, jurisdiction: str | None) -> dt.datetime:
    """``--on DATE`` is local noon of that date; ``--at`` is ISO 8601 with an offset; neither is now."""
    if on and at:
        raise ValidationError("give --on or --at, not both")
    if at:
        try:
            value = dt.datetime.fromisoformat(at)
        except ValueError:
            raise ValidationError(f"--at {at!r} is not an ISO 8601 date-time") from None
        if value.tzinfo is None:
            raise ValidationError(f"--at {at!r} needs a UTC offset, e.g. {at}+02:00")
        return value
    if on:
        if jurisdiction is None:
            raise ValidationError("--on needs a jurisdiction to know the local time zone; give --at with an offset")
        return law_services.local_noon(parse_date(on, "--on"), jurisdiction)
    return dt.datetime.now(dt.UTC)


def parse_date(text: str, option: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise ValidationError(f"{option} {text!r} is not a date (YYYY-MM-DD)") from None


def main() -> None:
    """Entry point: run the app, turning every expected error into one line and exit code 2."""
    from borderplates.cli import commands  # noqa: F401  (registers the commands)

    try:
        app(standalone_mode=False)
    except MissingFact as missing:
        _fail(f"{missing.text} ({OPTION_FOR_FACT.get(missing.fact, missing.fact)})")
    except BorderplatesError as error:
        _fail(error.text)
    except typer.TyperException as error:
        _fail(error.format_message().replace("\n", " "))
    except typer.Abort:
        _fail("aborted")
    except typer.Exit as done:
        sys.exit(done.exit_code)


def _fail(message: str) -> None:
    sys.stderr.write(f"borderplates: error: {message}\n")
    sys.exit(2)
