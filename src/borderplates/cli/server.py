"""``borderplates serve``: the HTTP API with uvicorn, on the registry the settings name (a site's, with its sync worker)."""

from __future__ import annotations

import os
from typing import Annotated

import typer
import uvicorn

from borderplates.cli import app, say, session
from borderplates.registry import open_registry
from borderplates.services import accounts
from borderplates.settings import load_settings


@app.command()
def serve(
    host: Annotated[str, typer.Option("--host", help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option("--port", min=1, max=65535, help="Port to listen on.")] = 8000,
    workers: Annotated[int, typer.Option("--workers", min=1, max=64, help="Worker processes.")] = 1,
    site: Annotated[str | None, typer.Option("--site", help="Serve as this site (its registry joined with borderplates sites join).")] = None,
    centre: Annotated[str | None, typer.Option("--centre", help="The site's centre, if not the one it joined.")] = None,
) -> None:
    """Serve the web pages and the HTTP API until Ctrl-C; on a registry without accounts, create the first admin and print its one-time password.

    On a site's registry the server also pushes the site's records to its centre and pulls what it must know.
    """
    if site is not None or centre is not None:
        # The server's workers read their settings from the environment: hand the site and centre on to them.
        os.environ.update({f"BORDERPLATES_{name}": value for name, value in (("SITE", site), ("CENTRE_URL", centre)) if value is not None})
        settings = load_settings()
        db = open_registry(settings, migrate=settings.embedded)
    else:
        settings = session().settings
        db = session().db
    password = accounts.ensure_first_admin(db=db)
    db.close()
    base = f"http://{host if ':' not in host else f'[{host}]'}:{port}"
    say(("borderplates serves ", "bold"), f"{base}/login (pages)   {base}/board (public)   {base}/api/v1/   API docs: {base}/docs")
    say(f"registry: {db.where}")
    if db.is_site:
        say(f"site {db.origin}: records go to its centre and what it must know comes back, while the centre answers")
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
