"""The ``borderplates`` command line: thin, every command with ``--json``.

Bad input anywhere prints one line on stderr and exits with code 2; nothing is
changed. The settings are read once per run; the registry is opened (and the
embedded default migrated) only by the commands that use it. Text that came from
the registry or from the user is printed as it is, never read as markup.
"""

from __future__ import annotations

import datetime as dt
import getpass
import json
import sys
from contextvars import ContextVar
from functools import cached_property
from typing import Any

import typer
from rich.console import Console
from rich.text import Text
from typer.core import TyperGroup

from borderplates.errors import BorderplatesError, MissingFact, ValidationError, quoted
from borderplates.registry import Database, open_registry
from borderplates.services import inputs
from borderplates.services import law as law_services
from borderplates.services import sync as sync_services
from borderplates.services.actors import Actor
from borderplates.settings import Settings, load_settings
from borderplates.vocabulary import Role


class _Group(TyperGroup):
    """The command group: every project error and usage error of a subcommand becomes one stderr line and exit code 2."""

    def invoke(self, ctx: Any) -> Any:
        try:
            return super().invoke(ctx)
        except MissingFact as missing:
            fail(f"{missing.text} ({OPTION_FOR_FACT.get(missing.fact, missing.fact)})")
        except BorderplatesError as error:
            fail(error.text)
        except typer.TyperException as error:
            fail(error.format_message())


app = typer.Typer(
    name="borderplates",
    help="Plates, the law on any date, and the crossing.",
    cls=_Group,
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
)
console = Console(width=None if sys.stdout.isatty() else 160, markup=False, highlight=False)

#: The command-line option that supplies each fact a rule may need.
OPTION_FOR_FACT = {"registration date": "--registered-on DATE"}

JsonOption = typer.Option(False, "--json", help="Print exactly one JSON object on stdout.")


class Session:
    """What one run of the command line works with: the settings, and the registry once a command asks for it."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings

    @cached_property
    def db(self) -> Database:
        """The registry; the embedded default is created and migrated here, explicitly, on first use by a command.

        A site's registry makes the command judge by the rules last pulled from its centre.
        """
        db = open_registry(self.settings, migrate=self.settings.embedded)
        if db.is_site:
            sync_services.activate_rules(sync_services.site_state(db).rules_version, self.settings.data_dir)
        return db

    def operator(self, name: str | None, role: Role = Role.SUPERVISOR) -> Actor:
        """The person at this machine, acting with ``role``: ``name``, else BORDERPLATES_USER, else the login name."""
        if name is not None:
            return Actor(inputs.name(name, "operator"), role)
        return Actor(inputs.name(self.settings.user or _login(), "operator"), role)

    def close(self) -> None:
        if "db" in self.__dict__:
            self.db.close()


_session: ContextVar[Session] = ContextVar("session")


@app.callback()
def _start(ctx: typer.Context) -> None:
    started = Session(load_settings())
    _session.set(started)
    ctx.call_on_close(started.close)


def session() -> Session:
    """The session of the command being run."""
    return _session.get()


def _login() -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        raise ValidationError("say who you are: --clerk/--officer NAME or BORDERPLATES_USER") from None


def emit_json(payload: dict[str, Any]) -> None:
    """One JSON object on one line of stdout (text that is not valid Unicode is escaped, never a crash)."""
    _write(sys.stdout, json.dumps(payload, ensure_ascii=False, default=str) + "\n")


def say(*parts: str | tuple[str, str]) -> None:
    """Print a line to people: plain strings as they are, ``(text, style)`` pairs styled; never markup."""
    console.print(Text.assemble(*parts), soft_wrap=True)


#: The longest error line shown: what people typed is quoted short, and this bounds whatever else comes.
LONGEST_ERROR = 1000


def fail(message: str) -> None:
    """One line on stderr and exit code 2."""
    line = " ".join(message.split())
    if len(line) > LONGEST_ERROR:
        line = line[: LONGEST_ERROR - 1] + "…"
    _write(sys.stderr, f"borderplates: error: {line}\n")
    raise SystemExit(2)


def _write(stream: Any, text: str) -> None:
    buffer = getattr(stream, "buffer", None)
    if buffer is None:
        stream.write(text.encode("utf-8", "backslashreplace").decode("utf-8"))
    else:
        buffer.write(text.encode("utf-8", "backslashreplace"))
    stream.flush()


def moment(on: str | None, at: str | None, jurisdiction: str | None) -> dt.datetime:
    """``--on DATE`` is local noon of that date; ``--at`` is ISO 8601 with an offset; neither is now."""
    if on is not None and at is not None:
        raise ValidationError("give --on or --at, not both")
    if at is not None:
        try:
            value = dt.datetime.fromisoformat(at)
        except ValueError:
            raise ValidationError(f"--at {quoted(at)} is not an ISO 8601 date-time") from None
        if value.tzinfo is None:
            raise ValidationError(f"--at {quoted(at)} needs a UTC offset, e.g. {at[:30]}+02:00")
        return inputs.moment(value, "--at moment")
    if on is not None:
        if jurisdiction is None:
            raise ValidationError("--on needs a jurisdiction to know the local time zone; give --at with an offset")
        return law_services.local_noon(parse_date(on, "--on"), jurisdiction)
    return dt.datetime.now(dt.UTC)


def parse_date(text: str, option: str) -> dt.date:
    try:
        day = dt.date.fromisoformat(text)
    except ValueError:
        raise ValidationError(f"{option} {quoted(text)} is not a date (YYYY-MM-DD)") from None
    if not inputs.FIRST_YEAR <= day.year <= inputs.LAST_YEAR:
        raise ValidationError(f"{option} {day.isoformat()} is outside the years {inputs.FIRST_YEAR}–{inputs.LAST_YEAR}")
    return day


def main() -> None:
    """Entry point: run the app; every expected error is one line on stderr and exit code 2."""
    from borderplates.cli import commands  # noqa: F401  (registers the commands)

    try:
        code = app(standalone_mode=False)
    except MissingFact as missing:
        fail(f"{missing.text} ({OPTION_FOR_FACT.get(missing.fact, missing.fact)})")
    except BorderplatesError as error:
        fail(error.text)
    except typer.TyperException as error:
        fail(error.format_message())
    except typer.Abort:
        fail("aborted")
    except typer.Exit as done:
        sys.exit(done.exit_code)
    sys.exit(code if isinstance(code, int) else 0)
