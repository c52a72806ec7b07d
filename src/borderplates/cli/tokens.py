"""Commands on signed certificate tokens: verify-token, and the signing-keys group.

``verify-token`` answers offline whether the content of a certificate's QR code (its
URL or the bare token) proves a valid registration. A token that is refused is an
answer, not a usage error: it exits with code 1 and says why; bad options (an
unreadable key file, no trusted keys, a malformed ``--at``) exit with code 2.
The keys live in ``BORDERPLATES_DATA_DIR/keys``.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.table import Table

from borderplates import tokens
from borderplates.cli import JsonOption, app, console, emit_json, moment, say, session
from borderplates.errors import ValidationError, quoted
from borderplates.services import law as law_services

signing_keys_app = typer.Typer(help="The keys that sign certificate tokens (BORDERPLATES_DATA_DIR/keys).", no_args_is_help=True)
app.add_typer(signing_keys_app, name="signing-keys")

KeysFile = Annotated[
    Path | None,
    typer.Option("--keys", help="A JSON Web Key Set of trusted public keys (as published at /api/v1/keys/public); default: the data directory's."),
]
At = Annotated[str | None, typer.Option("--at", help="Verify as of this ISO 8601 date-time with offset; default now.")]


def key_store() -> tokens.KeyStore:
    return tokens.KeyStore(session().settings.data_dir / "keys")


def read_key_set(path: Path) -> tokens.KeySet:
    """The key set in the JSON file at ``path``; raises ``ValidationError`` naming the file."""
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
    except OSError as error:
        raise ValidationError(f"cannot read {quoted(str(path), 200)}: {error.strerror}") from None
    except (json.JSONDecodeError, UnicodeDecodeError) as error:
        raise ValidationError(f"{quoted(str(path), 200)} is not JSON: {error}") from None
    try:
        return tokens.KeySet.from_jwks(document)
    except ValidationError as error:
        raise ValidationError(f"{quoted(str(path), 200)}: {error.text}") from None


@app.command("verify-token")
def verify_token(
    text: Annotated[str, typer.Argument(metavar="TEXT", help="What the QR code holds: the verification URL or the bare token (BP1.…).")],
    keys_file: KeysFile = None,
    at: At = None,
    as_json: bool = JsonOption,
) -> None:
    """Check a certificate's token offline: exit 0 when valid, 1 when refused (with the reason)."""
    now = moment(None, at, None)
    trusted = read_key_set(keys_file) if keys_file else _own_key_set()
    try:
        verified = tokens.verify(text, trusted, now)
    except tokens.InvalidToken as refused:
        said = _described(refused.authentic) if refused.authentic else {}
        if as_json:
            emit_json({"valid": False, "problem": str(refused.problem), "reason": refused.reason, **said})
        else:
            say(("NOT VALID", "bold"), f": {refused.reason}")
            _print_lines(said)
        raise SystemExit(1) from None
    if as_json:
        emit_json({"valid": True, **_described(verified)})
        return
    say(("VALID", "bold"), f": registration {verified.claims.number}")
    _print_lines(_described(verified))


def _own_key_set() -> tokens.KeySet:
    store = key_store()
    keys = store.key_set()
    if not keys:
        raise ValidationError(
            f"no trusted public keys in {store.directory}: give --keys FILE.json (the set published at /api/v1/keys/public) "
            "or add it with: borderplates signing-keys import FILE.json"
        )
    return keys


def _described(verified: tokens.VerifiedToken) -> dict[str, Any]:
    """What the token says, with the signing moment in the jurisdiction's time."""
    return {**verified.as_json(), "issued_at": law_services.local_time(verified.issued_at, verified.claims.jurisdiction).isoformat()}


def _print_lines(said: dict[str, Any]) -> None:
    if not said:
        return
    lines = [
        ("plate", f"{said['plate']} ({said['issuer']})"),
        ("valid in", said["jurisdiction"]),
        ("valid from", said["valid_from"]),
        ("valid until", f"{said['valid_until']} (that day included)"),
        ("issued at", said["issued_at"]),
        ("signed with key", said["key_id"]),
    ]
    for label, value in lines:
        say(f"  {label:<16}{value}")


@signing_keys_app.command("rotate")
def rotate(as_json: bool = JsonOption) -> None:
    """Make a new signing key current; tokens signed with earlier keys still verify."""
    store = key_store()
    key = store.rotate()
    count = len(store.key_set())
    if as_json:
        emit_json({"key_id": key.key_id, "trusted_keys": count, "directory": str(store.directory)})
    else:
        say(f"new signing key {key.key_id} in {store.directory}; {count} public keys trusted")


@signing_keys_app.command("public")
def public(as_json: bool = JsonOption) -> None:
    """The trusted public keys; with --json the JSON Web Key Set to publish or give to verify-token --keys."""
    store = key_store()
    keys = store.key_set()
    if not keys:
        raise ValidationError(f"no keys in {store.directory} yet: create the first signing key with: borderplates signing-keys rotate")
    if as_json:
        emit_json(keys.as_jwks())
        return
    table = Table("key id", "algorithm", "curve")
    for key in keys:
        table.add_row(key.key_id, "ES256", "P-256")
    console.print(table)


@signing_keys_app.command("import")
def import_keys(
    path: Annotated[Path, typer.Argument(metavar="FILE", help="A JSON Web Key Set of public keys, e.g. another site's /api/v1/keys/public.")],
    as_json: bool = JsonOption,
) -> None:
    """Trust the public keys in FILE, so that tokens they signed verify here."""
    store = key_store()
    added = store.import_keys(read_key_set(path))
    count = len(store.key_set())
    if as_json:
        emit_json({"added": [key.key_id for key in added], "trusted_keys": count})
    else:
        say(f"{len(added)} keys added; {count} public keys trusted in {store.directory}")
