"""Logging in and out, accounts and API keys.

A browser logs in with ``POST /session`` and gets an HttpOnly, SameSite=Strict
session cookie, plus the session's CSRF token in the answer: every write made with
the cookie must send it back in ``X-CSRF-Token``. A session opened with a one-time
password may only change it (``PUT /session/password``). Machines use API keys
(``Authorization: Bearer <key>``) that an admin creates with ``POST /keys``.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request, Response
from starlette.concurrency import run_in_threadpool

from borderplates.api.deps import CurrentActor, Served, ServedDep, password_changer, session_token
from borderplates.api.schemas import (
    KeyCreate,
    KeyCreated,
    KeyPublic,
    KeysPublic,
    LoginCreate,
    PasswordChange,
    PasswordReset,
    SessionPublic,
    UserCreate,
    UserCreated,
    UserPublic,
    UsersPublic,
)
from borderplates.services import accounts
from borderplates.services.accounts import LoginSession

session_router = APIRouter(tags=["session"])
users_router = APIRouter(tags=["accounts"])


def _session_public(session: LoginSession) -> SessionPublic:
    account = session.account
    return SessionPublic(
        name=account.name,
        role=account.role,
        point=account.point,
        password_must_change=account.password_must_change,
        csrf_token=session.csrf_token,
        expires_at=session.expires_at.isoformat(),
    )


def _set_cookie(response: Response, served: Served, token: str) -> None:
    response.set_cookie(
        served.cookie_name,
        token,
        max_age=int(served.session_lifetime.total_seconds()),
        path="/",
        secure=served.settings.secure_cookies,
        httponly=True,
        samesite="strict",
    )


@session_router.post("/session", status_code=201)
async def login(body: LoginCreate, request: Request, response: Response, served: ServedDep) -> SessionPublic:
    """Log in with a name and password: sets the session cookie; the answer holds the CSRF token for writes."""
    address = request.client.host if request.client else None
    opened = await run_in_threadpool(
        accounts.login, body.name, body.password, address=address, lifetime=served.session_lifetime, throttle=served.throttle, db=served.db
    )
    _set_cookie(response, served, opened.token)
    return _session_public(opened.session)


@session_router.get("/session")
def current_session(request: Request, served: ServedDep) -> SessionPublic:
    """The logged-in account and the session's CSRF token."""
    return _session_public(accounts.session_of(session_token(request), db=served.db, for_password_change=True))


@session_router.delete("/session", status_code=204)
def logout(request: Request, served: ServedDep, _session: Annotated[LoginSession, Depends(password_changer)]) -> Response:
    """Log out: the session ends and its cookie is cleared."""
    accounts.logout(session_token(request), db=served.db)
    response = Response(status_code=204)
    response.delete_cookie(served.cookie_name, path="/", secure=served.settings.secure_cookies, httponly=True, samesite="strict")
    return response


@session_router.put("/session/password", status_code=204)
async def change_password(body: PasswordChange, request: Request, served: ServedDep, _session: Annotated[LoginSession, Depends(password_changer)]) -> Response:
    """Set your own password (a one-time password must be changed before anything else); your other sessions end."""
    await run_in_threadpool(accounts.change_password, session_token(request), body.current, body.new, db=served.db)
    return Response(status_code=204)


@users_router.post("/users", status_code=201)
async def create_user(body: UserCreate, actor: CurrentActor, served: ServedDep) -> UserCreated:
    """Create an account (optionally bound to a crossing point or centre:<name>) with a one-time password, shown once."""
    account, password = await run_in_threadpool(accounts.create_user, body.name, body.role, body.point, actor=actor, db=served.db)
    return UserCreated(name=account.name, role=account.role, point=account.point, password=password)


@users_router.get("/users")
def list_users(actor: CurrentActor, served: ServedDep) -> UsersPublic:
    """Every account with its role, place and state."""
    return UsersPublic.model_validate({"users": [account.as_json() for account in accounts.list_users(actor=actor, db=served.db)]})


@users_router.post("/users/{name}/disable")
def disable_user(name: str, actor: CurrentActor, served: ServedDep) -> UserPublic:
    """Disable an account: its sessions end and its API keys stop working."""
    disabled = accounts.disable_user(name, actor=actor, db=served.db)
    served.authenticator.forget()
    return UserPublic.model_validate(disabled.as_json())


@users_router.post("/users/{name}/enable")
def enable_user(name: str, actor: CurrentActor, served: ServedDep) -> UserPublic:
    """Enable a disabled account again: it may log in, and its API keys that were not revoked work again."""
    enabled = accounts.enable_user(name, actor=actor, db=served.db)
    served.authenticator.forget()
    return UserPublic.model_validate(enabled.as_json())


@users_router.post("/users/{name}/password-reset")
async def reset_password(name: str, actor: CurrentActor, served: ServedDep) -> PasswordReset:
    """Give an account a new one-time password, shown once; its sessions end."""
    account, password = await run_in_threadpool(accounts.reset_password, name, actor=actor, db=served.db)
    return PasswordReset(name=account.name, password=password)


@users_router.post("/keys", status_code=201)
def create_key(body: KeyCreate, actor: CurrentActor, served: ServedDep) -> KeyCreated:
    """Create an API key for an account; the key is shown once (send it as ``Authorization: Bearer <key>``)."""
    made, key = accounts.create_key(body.user, actor=actor, db=served.db)
    return KeyCreated(id=made.id, user=made.user, key=key)


@users_router.get("/keys")
def list_keys(actor: CurrentActor, served: ServedDep, user: Annotated[str | None, Query(min_length=1, max_length=60)] = None) -> KeysPublic:
    """API keys (their ids, never the keys themselves)."""
    return KeysPublic.model_validate({"keys": [key.as_json() for key in accounts.list_keys(actor=actor, user=user, db=served.db)]})


@users_router.delete("/keys/{key_id}")
def revoke_key(key_id: str, actor: CurrentActor, served: ServedDep) -> KeyPublic:
    """Revoke an API key: it stops working."""
    revoked = accounts.revoke_key(key_id, actor=actor, db=served.db)
    served.authenticator.forget()
    return KeyPublic.model_validate(revoked.as_json())
