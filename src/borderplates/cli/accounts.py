"""Commands on accounts and API keys: ``users create|list|disable|reset`` and ``keys create|list|revoke``.

The person at this machine acts as an admin (named by BORDERPLATES_USER or the login
name). A password or key is printed once and never stored: keep it, or make another.
"""

from __future__ import annotations

from typing import Annotated

import typer
from rich.table import Table

from borderplates.cli import JsonOption, app, console, emit_json, say, session
from borderplates.services import accounts
from borderplates.services.actors import Actor
from borderplates.vocabulary import Role

users_app = typer.Typer(help="Accounts of people and machines, with their roles.", no_args_is_help=True)
keys_app = typer.Typer(help="API keys for machines (Authorization: Bearer <key>).", no_args_is_help=True)
app.add_typer(users_app, name="users")
app.add_typer(keys_app, name="keys")


def _admin() -> Actor:
    return session().operator(None, Role.ADMIN)


@users_app.command("create")
def users_create(
    name: Annotated[str, typer.Argument(help="Account name: letters, digits, '.', '-', '_'.")],
    role: Annotated[str, typer.Option("--role", help="officer, clerk, supervisor or admin.")],
    point: Annotated[str | None, typer.Option("--point", help="Bind the account to a crossing point id, or centre:<name>.")] = None,
    as_json: bool = JsonOption,
) -> None:
    """Create an account with a one-time password, printed once (it must be changed at first login)."""
    account, password = accounts.create_user(name, role, point, actor=_admin(), db=session().db)
    if as_json:
        emit_json({"name": account.name, "role": str(account.role), "point": account.point, "password": password})
        return
    say(f"created {account.role} {account.name}" + (f" bound to {account.point}" if account.point else ""))
    say("one-time password (shown once): ", (password, "bold"))


@users_app.command("list")
def users_list(as_json: bool = JsonOption) -> None:
    """Every account, with its role, place and state."""
    found = accounts.list_users(actor=_admin(), db=session().db)
    if as_json:
        emit_json({"users": [account.as_json() for account in found]})
        return
    table = Table("name", "role", "point", "state", "created", title=f"{len(found)} account(s)")
    for account in found:
        state = "disabled" if account.disabled_at else "must change password" if account.password_must_change else "active"
        table.add_row(account.name, account.role, account.point or "", state, f"{account.created_at:%Y-%m-%d %H:%M} by {account.created_by}")
    console.print(table)


@users_app.command("disable")
def users_disable(name: str, as_json: bool = JsonOption) -> None:
    """Disable an account: its sessions end and its API keys stop working."""
    account = accounts.disable_user(name, actor=_admin(), db=session().db)
    if as_json:
        emit_json(account.as_json())
    else:
        say(f"disabled {account.name}")


@users_app.command("enable")
def users_enable(name: str, as_json: bool = JsonOption) -> None:
    """Enable a disabled account again: it may log in, and its keys that were not revoked work again."""
    account = accounts.enable_user(name, actor=_admin(), db=session().db)
    if as_json:
        emit_json(account.as_json())
    else:
        say(f"enabled {account.name}")


@users_app.command("reset")
def users_reset(name: str, as_json: bool = JsonOption) -> None:
    """Give an account a new one-time password, printed once; its sessions end."""
    account, password = accounts.reset_password(name, actor=_admin(), db=session().db)
    if as_json:
        emit_json({"name": account.name, "password": password})
        return
    say(f"new one-time password for {account.name} (shown once): ", (password, "bold"))


@keys_app.command("create")
def keys_create(user: Annotated[str, typer.Argument(help="The account the key acts as.")], as_json: bool = JsonOption) -> None:
    """Create an API key for an account, printed once."""
    made, key = accounts.create_key(user, actor=_admin(), db=session().db)
    if as_json:
        emit_json({"id": made.id, "user": made.user, "key": key})
        return
    say(f"API key {made.id} for {made.user} (shown once): ", (key, "bold"))


@keys_app.command("list")
def keys_list(user: Annotated[str | None, typer.Option("--user", help="Only this account's keys.")] = None, as_json: bool = JsonOption) -> None:
    """API keys (their ids, never the keys), with who made or revoked them."""
    found = accounts.list_keys(actor=_admin(), user=user, db=session().db)
    if as_json:
        emit_json({"keys": [key.as_json() for key in found]})
        return
    table = Table("id", "user", "created", "revoked", title=f"{len(found)} API key(s)")
    for key in found:
        revoked = f"{key.revoked_at:%Y-%m-%d %H:%M} by {key.revoked_by}" if key.revoked_at else ""
        table.add_row(key.id, key.user, f"{key.created_at:%Y-%m-%d %H:%M} by {key.created_by}", revoked)
    console.print(table)


@keys_app.command("revoke")
def keys_revoke(key_id: Annotated[str, typer.Argument(metavar="ID")], as_json: bool = JsonOption) -> None:
    """Revoke an API key: it stops working."""
    key = accounts.revoke_key(key_id, actor=_admin(), db=session().db)
    if as_json:
        emit_json(key.as_json())
    else:
        say(f"revoked API key {key.id} of {key.user}")
