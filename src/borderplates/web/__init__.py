"""The web pages for officers, clerks and supervisors, and the public verification page (Jinja2 + htmx, four languages).

Server-rendered pages on the same services and login sessions as the API:
``/login``; ``/check`` (the booth); ``/issue``; ``/registrations`` and one
registration with its printable certificate; ``/crossings``; ``/rules/XK/RS``;
``/dashboard``; and ``/verify/{number}`` for anyone. htmx and the pages' own
script and style are served from the package (``/static``): a booth may have no
internet. :func:`install` adds them to an app built by
:func:`borderplates.api.create_app`.
"""

from __future__ import annotations

from importlib.metadata import version

from fastapi import FastAPI
from starlette.staticfiles import StaticFiles
from starlette.types import Receive, Scope, Send

from borderplates.api.deps import Served
from borderplates.web.pages import WebState
from borderplates.web.routes import booth, planning, public, reads, records, registrations, session, sync

#: The routers of the pages; a new page module adds its router here.
ROUTERS = (session.router, booth.router, registrations.router, records.router, public.router, planning.router, reads.router, sync.router)


class StaticAssets(StaticFiles):
    """The package's static files, cacheable for a day (their addresses carry the package's version)."""

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        async def cached(message: dict[str, object]) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))  # type: ignore[call-overload]  # an ASGI message's headers are a list of pairs
                message["headers"] = [*headers, (b"cache-control", b"public, max-age=86400")]
            await send(message)

        await super().__call__(scope, receive, cached)  # type: ignore[arg-type]  # the wrapper is an ASGI send callable


def install(app: FastAPI, served: Served) -> None:
    """Add the pages and their static files to ``app``."""
    app.state.web = WebState.build(served, version("borderplates"))
    for router in ROUTERS:
        app.include_router(router)
    app.mount("/static", StaticAssets(packages=[("borderplates.web", "static")]), name="static")
