"""The application factory: the HTTP API on a registry, with nothing connected or read at import.

:func:`create_app` builds the app for the given settings (and registry, or opens the
one the settings name). :func:`app_from_environment` is the factory the server runs
in each worker: it reads the settings from the environment.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import gc
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from importlib.metadata import version
from typing import Any

from fastapi import FastAPI
from fastapi.openapi.utils import get_openapi
from fastapi.telemetry import TelemetryConfig
from starlette.routing import Route

from borderplates import reference, web
from borderplates.api import docs, errors
from borderplates.api.deps import CSRF_HEADER, SAFE_METHODS, Served
from borderplates.api.middleware import API_HEADERS, SecurityHeaders, TooLargeAsProblem
from borderplates.api.routes import (
    accounts,
    audit,
    certificates,
    crossings,
    enforcement,
    law,
    planning,
    reads,
    registrations,
    status,
    sync,
    transfer,
    verify,
)
from borderplates.errors import BorderplatesError
from borderplates.registry import Database, open_registry
from borderplates.services import law as law_services
from borderplates.services import sync as sync_services
from borderplates.services.accounts import Authenticator, Throttle
from borderplates.services.actors import Actor
from borderplates.services.reads import ImageStore, erase_old_images
from borderplates.services.status import shipped_history
from borderplates.settings import Settings, load_settings
from borderplates.sync.worker import SyncWorker
from borderplates.vocabulary import Role

PREFIX = "/api/v1"
#: Operations anyone may call without logging in.
PUBLIC = frozenset(
    {
        ("get", f"{PREFIX}/verify/{{number}}"),
        ("get", f"{PREFIX}/crossing-points"),
        ("get", f"{PREFIX}/rules"),
        ("post", f"{PREFIX}/session"),
        ("get", f"{PREFIX}/board"),
        ("get", "/board.json"),
        ("get", f"{PREFIX}/keys/public"),
    }
)
#: Operations on one's own login session: the session cookie only.
SESSION = frozenset({("get", f"{PREFIX}/session"), ("delete", f"{PREFIX}/session"), ("put", f"{PREFIX}/session/password")})
#: Operations of the centre for its sites: a site's key only.
SITE_KEY = frozenset(
    {("post", f"{PREFIX}/sync/batches"), ("post", f"{PREFIX}/sync/changes")} | {("get", f"{PREFIX}/sync/{name}") for name in ("snapshot", "chain", "rules")}
)
#: Seconds between two runs of the erasure of plate-read images past their retention.
RETENTION_RUN = 3600.0
TELEMETRY_OFF: TelemetryConfig = {"tracing": False, "metrics": False, "logs": False, "operation_spans": False}
DESCRIPTION = """The cross-border vehicle registration regime: the law on any date, the check at the booth,
temporary registrations, stickers, warnings and fines, crossings, and the audit trail.

Machines send an API key: `Authorization: Bearer <key>`. People log in with `POST /api/v1/session`, which sets
a session cookie; every write made with the cookie must carry the session's CSRF token (from the login answer
or `GET /api/v1/session`) in the `X-CSRF-Token` header. Errors are RFC 9457 problem details
(`application/problem+json`) with a stable `type`. Writes that take an `Idempotency-Key` header answer a
retried request with the first answer."""


def create_app(settings: Settings, db: Database | None = None) -> FastAPI:
    """The API on ``db`` (or on the registry the settings name, migrated first when it is the embedded default)."""
    owned = db is None
    database = db if db is not None else open_registry(settings, migrate=settings.embedded)
    reference.load()
    law_services.current_law()
    shipped_history()
    served = Served(
        settings=settings,
        db=database,
        authenticator=Authenticator(database, settings.key_cache_seconds),
        throttle=Throttle(free_per_account=settings.login_free_attempts, free_per_address=4 * settings.login_free_attempts, max_delay=settings.login_max_delay),
        cookie_name="__Host-borderplates" if settings.secure_cookies else "borderplates_session",
    )

    worker = _sync_worker(settings, database) if database.is_site else None

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        eraser = asyncio.create_task(_erase_images_every(RETENTION_RUN, settings, database))
        if worker is not None:
            worker.start()
        # What was built to serve (the reference data, the law's index, the routes) lives as long as the
        # process: kept out of the collector's full passes, which would walk it in the middle of a check.
        gc.freeze()
        try:
            yield
        finally:
            if worker is not None:
                worker.stop()
            eraser.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await eraser
            if owned:
                database.close()

    app = FastAPI(
        title="borderplates",
        version=version("borderplates"),
        description=DESCRIPTION,
        telemetry=TELEMETRY_OFF,
        docs_url=None,
        redoc_url=None,
        openapi_url="/openapi.json",
        lifespan=lifespan,
    )
    app.state.served = served
    app.state.sync_worker = worker
    errors.install(app)
    # Routes are matched in order: the booth's check first.
    routers = (
        law.router,
        verify.router,
        registrations.router,
        certificates.router,
        enforcement.router,
        crossings.router,
        audit.router,
        transfer.build(settings.max_import_bytes),
        sync.build(settings.max_import_bytes),
        accounts.session_router,
        accounts.users_router,
        status.router,
        reads.build(settings.max_image_bytes),
        planning.router,
    )
    for router in routers:
        app.include_router(router, prefix=PREFIX, responses=errors.PROBLEM_RESPONSES, max_body_size=settings.max_body_bytes)
    app.include_router(status.feed, responses=errors.PROBLEM_RESPONSES)
    # The booth's check is answered by a plain route placed before every other: the same endpoint, without
    # FastAPI's per-request dependency and parameter machinery (its APIRoute stays, for the OpenAPI document).
    check = Route(f"{PREFIX}/check", law.check, methods=["GET"], include_in_schema=False)
    check.methods = {"GET"}  # as documented: Starlette would add HEAD
    app.router.routes.insert(0, check)
    web.install(app, served)
    html, script_hashes = docs.page()
    docs.install(app, html)
    headers = dict(API_HEADERS)
    if settings.secure_cookies:
        headers["Strict-Transport-Security"] = "max-age=31536000"
    too_large = errors.problem(
        413, "content-too-large", f"the request body is larger than {settings.max_body_bytes} bytes (imports: {settings.max_import_bytes})"
    )
    app.add_middleware(TooLargeAsProblem, body=bytes(too_large.body))
    app.add_middleware(SecurityHeaders, headers=headers, page_headers=docs.page_headers(script_hashes, headers), pages=(docs.DOCS,))
    app.openapi = lambda: _openapi(app, served.cookie_name)  # type: ignore[method-assign]  # FastAPI's documented way to shape the schema
    return app


async def _erase_images_every(period: float, settings: Settings, db: Database) -> None:
    """Erase the images of plate reads past their retention now and then, for as long as the server runs."""
    keeper = Actor("retention", Role.SUPERVISOR)
    store = ImageStore(settings.reads_dir)
    while True:
        with contextlib.suppress(BorderplatesError):
            now = dt.datetime.now(dt.UTC)
            await asyncio.to_thread(erase_old_images, now, dt.timedelta(days=settings.read_retention_days), actor=keeper, db=db, store=store)
        await asyncio.sleep(period)


def _sync_worker(settings: Settings, db: Database) -> SyncWorker:
    """The worker that pushes this site's records to its centre and pulls what it must know, one cycle after another."""
    sync_services.activate_rules(sync_services.site_state(db).rules_version, settings.data_dir)
    client = sync_services.client_for(db, settings.centre_url)

    def cycle() -> object:
        return sync_services.sync_now(db=db, client=client, batch=settings.sync_batch, data_dir=settings.data_dir)

    return SyncWorker(cycle, interval=settings.sync_interval, max_backoff=settings.sync_max_backoff, lock_path=settings.data_dir / "sync.lock")


def app_from_environment() -> FastAPI:
    """The app for a server worker: settings from the environment (BORDERPLATES_*)."""
    return create_app(load_settings())


def _openapi(app: FastAPI, cookie_name: str) -> dict[str, Any]:
    """The OpenAPI document, with how each operation is authenticated."""
    if app.openapi_schema:
        return app.openapi_schema
    schema = get_openapi(title=app.title, version=app.version, description=app.description, routes=app.routes)
    schema.setdefault("components", {})["securitySchemes"] = {
        "apiKey": {"type": "http", "scheme": "bearer", "description": "An API key: `Authorization: Bearer <key>`."},
        "session": {"type": "apiKey", "in": "cookie", "name": cookie_name, "description": "The session cookie set by `POST /api/v1/session`."},
        "csrf": {"type": "apiKey", "in": "header", "name": CSRF_HEADER, "description": "The session's CSRF token, for writes made with the cookie."},
        "siteKey": {"type": "http", "scheme": "bearer", "description": "A site's key (bps_...), from `borderplates sites create`."},
    }
    for path, operations in schema.get("paths", {}).items():
        for method, operation in operations.items():
            if (method, path) in PUBLIC:
                operation["security"] = []
            elif (method, path) in SITE_KEY:
                operation["security"] = [{"siteKey": []}]
            elif (method, path) in SESSION:
                operation["security"] = [{"session": []} if method.upper() in SAFE_METHODS else {"session": [], "csrf": []}]
            else:
                operation["security"] = [{"apiKey": []}, {"session": []} if method.upper() in SAFE_METHODS else {"session": [], "csrf": []}]
    app.openapi_schema = schema
    return schema
