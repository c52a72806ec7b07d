"""``borderplates serve``: the HTTP API with uvicorn, on the registry the settings name."""

from __future__ import annotations

from typing import Annotated

import typer
import uvicorn

from borderplates.cli import app, say, session
from borderplates.services import accounts


@app.command()
def serve(
    host: Annotated[str, typer.Option("--host", help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option("--port", min=1, max=65535, help="Port to listen on.")] = 8000,
    workers: Annotated[int, typer.Option("--workers", min=1, max=64, help="Worker processes.")] = 1,
) -> None:
    """Serve the web pages and the HTTP API until Ctrl-C; on a registry without accounts, create the first admin and print its one-time password."""
    settings = session().settings
    db = session().db
    password = accounts.ensure_first_admin(db=db)
    db.close()
    base = f"http://{host if ':' not in host else f'[{host}]'}:{port}"
    say(("borderplates serves ", "bold"), f"{base}/login (pages)   {base}/board (public)   {base}/api/v1/   API docs: {base}/docs")
    say(f"registry: {db.where}")
    if password is not None:
        say("first admin account: ", (accounts.FIRST_ADMIN, "bold"), "   one-time password (shown once): ", (password, "bold"))
        say(f"log in at {base}/login (or POST /api/v1/session) and choose a new password")
    else:
        say("accounts exist already; a forgotten admin password is replaced with: borderplates users reset admin")
    uvicorn.run(
        "borderplates.api:app_from_environment",
        factory=True,
        host=host,
        port=port,
        workers=workers,
        access_log=settings.access_log,
        log_level="warning",
        server_header=False,
    )
