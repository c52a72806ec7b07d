"""What every route gets from the request: the registry, the settings, and the actor, found once and shallowly.

The actor comes from ``Authorization: Bearer <API key>`` (machines) or from the
session cookie (browsers); a write authenticated by the cookie must also carry the
session's CSRF token in ``X-CSRF-Token``. Which role may do what is decided by the
services (:func:`borderplates.services.actors.authorise`), never here.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Request

from borderplates.errors import Forbidden
from borderplates.registry import Database
from borderplates.services import accounts
from borderplates.services.accounts import Authenticator, LoginSession, NotAuthenticated, Throttle
from borderplates.services.actors import Actor
from borderplates.settings import Settings

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
CSRF_HEADER = "X-CSRF-Token"


@dataclass(frozen=True)
class Served:
    """What the application serves with: built once by :func:`borderplates.api.create_app`."""

    settings: Settings
    db: Database
    authenticator: Authenticator
    throttle: Throttle
    cookie_name: str

    @property
    def session_lifetime(self) -> dt.timedelta:
        return dt.timedelta(hours=self.settings.session_hours)


def served_by(request: Request) -> Served:
    found: Served = request.app.state.served
    return found


async def served(request: Request) -> Served:
    """What the app serves with (a coroutine, so that FastAPI does not send it to a thread)."""
    return served_by(request)


def _bearer(request: Request) -> str | None:
    header = request.headers.get("authorization")
    if header is None:
        return None
    scheme, _, key = header.partition(" ")
    if scheme.lower() != "bearer" or not key.strip():
        raise NotAuthenticated("the Authorization header must be: Bearer <API key>")
    return key.strip()


def bearer(request: Request) -> str | None:
    """The token of ``Authorization: Bearer <token>`` (an API key, or a site's key on the sync endpoints), or None."""
    return _bearer(request)


def session_token(request: Request) -> str:
    """The session cookie's token, or :class:`NotAuthenticated`."""
    token = request.cookies.get(served_by(request).cookie_name)
    if not token:
        raise NotAuthenticated()
    return token


def login_session(request: Request, *, for_password_change: bool = False) -> LoginSession:
    """The open session of the cookie; a write must carry its CSRF token."""
    state = served_by(request)
    session = accounts.session_of(session_token(request), db=state.db, for_password_change=for_password_change)
    if request.method not in SAFE_METHODS and not accounts.csrf_matches(session, request.headers.get(CSRF_HEADER)):
        raise Forbidden(f"a write with the session cookie needs the session's CSRF token in the {CSRF_HEADER} header")
    return session


async def authenticated(request: Request) -> Actor:
    """The actor behind the request: an API key's account, or the session cookie's (with its CSRF token on writes)."""
    key = _bearer(request)
    if key is not None:
        return served_by(request).authenticator.actor_for_key(key)
    return accounts.actor_of(login_session(request).account)


async def password_changer(request: Request) -> LoginSession:
    """The session of a person changing their password (allowed with a one-time password)."""
    return login_session(request, for_password_change=True)


CurrentActor = Annotated[Actor, Depends(authenticated)]
ServedDep = Annotated[Served, Depends(served)]
