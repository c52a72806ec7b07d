"""Commands on the audit trail: ``audit verify`` walks the hash chains and names the first record touched."""

from __future__ import annotations

import typer

from borderplates.cli import JsonOption, app, emit_json, say, session
from borderplates.services import audit

audit_app = typer.Typer(help="The tamper-evident audit trail.", no_args_is_help=True)
app.add_typer(audit_app, name="audit")


@audit_app.command("verify")
def verify(as_json: bool = JsonOption) -> None:
    """Check every audit chain; exit code 1 names the first record altered, inserted or deleted."""
    result = audit.verify_chains(actor=session().operator(None), db=session().db)
    if as_json:
        emit_json(result.as_json())
    elif result.intact:
        chains = ", ".join(f"{chain.origin} ({chain.records}, head {chain.head_hash[:12]})" for chain in result.chains) or "none"
        say(("audit trail intact", "bold"), f": {result.checked} record(s) checked; chains: {chains}")
    else:
        for found in result.breaks:
            where = f"record {found.seq} of {found.origin}" + (f" (id {found.record_id})" if found.record_id is not None else "")
            say(("audit trail broken", "bold"), f": {where} was {found.kind}: {found.detail}")
    if not result.intact:
        raise typer.Exit(1)
