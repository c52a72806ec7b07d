"""What every page gets: the person logged in (if any), the language, the templates, and errors rendered as pages.

A page handler calls :func:`open_page` to learn who is asking and in which language,
then the services, then :meth:`Page.render`. Authorisation is the services' (a page
only hides what the role may not do, with :meth:`Page.may`). Errors are handled
once, by :class:`WebRoute`: no session sends the browser to ``/login``, a one-time
password to ``/password``, and a project error becomes a page saying what went
wrong in the person's language, with the status the API would answer.

``?lang=`` on any GET switches the language: it is kept in a cookie and, for a
person logged in, with their account; the browser is sent back to the same address
without it.
"""

from __future__ import annotations

import datetime as dt
import secrets
import time
from collections.abc import Callable, Coroutine, Mapping
from dataclasses import dataclass, field
from functools import cached_property, partial
from typing import Any
from urllib.parse import quote, urlencode

import jinja2
from fastapi import Request
from fastapi.routing import APIRoute
from starlette.concurrency import run_in_threadpool
from starlette.responses import HTMLResponse, RedirectResponse, Response

from borderplates.api.deps import Served, served_by
from borderplates.api.errors import status_of
from borderplates.errors import BorderplatesError, Forbidden, NotFound, TryLater
from borderplates.services import accounts, preferences
from borderplates.services.accounts import LoginSession, NotAuthenticated, PasswordChangeRequired
from borderplates.services.actors import Actor, Permission, may
from borderplates.tokens import KeyStore
from borderplates.vocabulary import ActionKind, RequirementKind
from borderplates.web import i18n, words
from borderplates.web.i18n import Language

LANGUAGE_COOKIE = "bp_lang"
#: Pages may load their own scripts, styles and images, talk to their own server, and nothing else.
PAGE_POLICY = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; "
    "form-action 'self'; frame-ancestors 'none'; base-uri 'none'"
)
PAGE_HEADERS = {"Content-Security-Policy": PAGE_POLICY, "Cache-Control": "no-store"}


class Clock:
    """The pages' clock: the real one, or one started at a chosen moment (``BORDERPLATES_DEMO_CLOCK``) that runs from there."""

    def __init__(self, start: dt.datetime | None = None) -> None:
        self.start = start
        self.started = time.monotonic()

    def now(self) -> dt.datetime:
        if self.start is None:
            return dt.datetime.now(dt.UTC)
        return self.start + dt.timedelta(seconds=time.monotonic() - self.started)


@dataclass
class WebState:
    """Built once per app: a template environment per language, and the key store certificates are signed with."""

    keys: KeyStore
    clock: Clock
    environments: dict[str, jinja2.Environment] = field(default_factory=dict)

    @classmethod
    def build(cls, served: Served, version: str) -> WebState:
        i18n.preload()
        state = cls(KeyStore(served.settings.data_dir / "keys"), Clock(served.settings.demo_clock))
        for language in i18n.LANGUAGES:
            state.environments[language.code] = environment(language, version)
        return state


def environment(language: Language, version: str) -> jinja2.Environment:
    """The templates in ``language``, with the helpers they write values with; ``version`` marks the static files' addresses."""
    templates = jinja2.Environment(
        loader=jinja2.PackageLoader("borderplates.web", "templates"),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        extensions=["jinja2.ext.i18n"],
        trim_blocks=True,
        lstrip_blocks=True,
    )
    templates.install_gettext_translations(language.translations, newstyle=True)  # type: ignore[attr-defined]  # added by the i18n extension
    templates.globals.update(
        lang=language,
        languages=i18n.LANGUAGES,
        Permission=Permission,
        ActionKind=ActionKind,
        static=lambda path: f"/static/{path}?v={version}",
        word=partial(words.word, language),
        word_kind=lambda kind: words.word(language, RequirementKind(kind)),
        requirement=partial(words.requirement, language),
        parse_moment=dt.datetime.fromisoformat,
    )
    return templates


def web_state(request: Request) -> WebState:
    found: WebState = request.app.state.web
    return found


@dataclass
class Page:
    """One request to a page: who asks, in which language, and how to answer."""

    request: Request
    served: Served
    web: WebState
    language: Language
    session: LoginSession | None

    @property
    def actor(self) -> Actor:
        if self.session is None:
            raise NotAuthenticated()
        return accounts.actor_of(self.session.account)

    @property
    def csrf_token(self) -> str:
        return self.session.csrf_token if self.session is not None else ""

    def now(self) -> dt.datetime:
        """Now, by the pages' clock."""
        return self.web.clock.now()

    def may(self, permission: Permission) -> bool:
        return self.session is not None and may(self.actor, permission)

    def _(self, message: str, **values: Any) -> str:
        text = self.language.gettext(message)
        return text % values if values else text

    @cached_property
    def is_fragment(self) -> bool:
        """Whether htmx asked for a part of the page (not a history restore)."""
        return self.request.headers.get("hx-request") == "true" and self.request.headers.get("hx-history-restore-request") != "true"

    def render(self, template: str, status: int = 200, headers: Mapping[str, str] | None = None, **values: Any) -> HTMLResponse:
        environment = self.web.environments[self.language.code]
        html = environment.get_template(template).render(page=self, session=self.session, may=self.may, csrf_token=self.csrf_token, **values)
        return HTMLResponse(html, status, headers={**PAGE_HEADERS, **(headers or {})})

    def here(self, **changes: str | None) -> str:
        """This page's address with some query parameters changed (None removes one)."""
        query = {key: value for key, value in self.request.query_params.items() if key not in changes}
        query.update({key: value for key, value in changes.items() if value is not None})
        return self.request.url.path + (f"?{urlencode(query)}" if query else "")


def open_page(request: Request, *, login: bool = True) -> Page:
    """The page for ``request``: its session (required when ``login``) and language. Blocking: call from a thread."""
    served = served_by(request)
    session = _session(request, served, required=login)
    return Page(request, served, web_state(request), _language(request, served, session), session)


def _session(request: Request, served: Served, *, required: bool) -> LoginSession | None:
    token = request.cookies.get(served.cookie_name)
    if not token:
        if required:
            raise NotAuthenticated()
        return None
    try:
        return accounts.session_of(token, db=served.db)
    except (NotAuthenticated, PasswordChangeRequired):
        if required:
            raise
        return None


def _language(request: Request, served: Served, session: LoginSession | None) -> Language:
    if session is not None:
        chosen = i18n.by_code(preferences.language_of(session.account, db=served.db))
        if chosen is not None:
            return chosen
    return i18n.by_code(request.cookies.get(LANGUAGE_COOKIE)) or i18n.negotiate(request.headers.get("accept-language"))


def switch_language(request: Request) -> Response:
    """Keep the language of ``?lang=`` (cookie, and the account's choice) and send the browser back without it."""
    served = served_by(request)
    query = [(key, value) for key, value in request.query_params.multi_items() if key != "lang"]
    back = request.url.path + (f"?{urlencode(query)}" if query else "")
    response = RedirectResponse(back, 303, headers=PAGE_HEADERS)
    language = i18n.by_code(request.query_params.get("lang"))
    if language is None:
        return response
    session = _session(request, served, required=False)
    if session is not None:
        preferences.choose_language(session.account, language.code, db=served.db)
    response.set_cookie(LANGUAGE_COOKIE, language.code, max_age=365 * 86400, path="/", secure=served.settings.secure_cookies, httponly=True, samesite="lax")
    return response


def one_time_key() -> str:
    """A fresh request key for a form: submitting the same form twice acts once."""
    return secrets.token_urlsafe(18)


def login_address(request: Request) -> str:
    """Where to send someone who must log in, to come back here afterwards."""
    target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    return f"/login?next={quote(target, safe='')}"


def safe_next(target: str | None) -> str:
    """A place on this site to go after logging in (never another site)."""
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target or len(target) > 500:
        return "/"
    return target


Handler = Callable[[Request], Coroutine[Any, Any, Response]]


class WebRoute(APIRoute):
    """A page route: ``?lang=`` switches the language, and errors are answered as pages."""

    def get_route_handler(self) -> Handler:
        handler = super().get_route_handler()

        async def handle(request: Request) -> Response:
            if request.method == "GET" and "lang" in request.query_params:
                return await run_in_threadpool(switch_language, request)
            try:
                return await handler(request)
            except PasswordChangeRequired:
                return _go(request, "/password")
            except NotAuthenticated:
                return _go(request, login_address(request))
            except BorderplatesError as error:
                return await run_in_threadpool(error_page, request, error)

        return handle


def _go(request: Request, target: str) -> Response:
    if request.headers.get("hx-request") == "true":
        return Response(status_code=204, headers={**PAGE_HEADERS, "HX-Redirect": target})
    return RedirectResponse(target, 303, headers=PAGE_HEADERS)


def error_page(request: Request, error: BorderplatesError) -> Response:
    """A project error as a page in the person's language."""
    page = open_page(request, login=False)
    status = status_of(error)
    headers = {"Retry-After": str(error.retry_after)} if isinstance(error, TryLater) else None
    if isinstance(error, Forbidden):
        title = page._("You may not do this")
    elif isinstance(error, NotFound):
        title = page._("Not found")
    else:
        title = page._("This could not be done")
    return page.render("error.html", status=status, headers=headers, title=title, detail=error.text)
