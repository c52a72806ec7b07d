"""Accounts, API keys and logins: who may act, proven by a password (people) or an API key (machines).

An admin creates accounts (a name, a role, optionally the crossing point or
registration centre the account is bound to) and API keys; each gets a secret
shown once and never stored: passwords are kept as argon2id hashes, keys and
session tokens as SHA-256 hashes of 256 random bits. A new or reset password is
one-time: a session opened with it may only change it. Failed logins are slowed
per account and per address (:class:`Throttle`): past a few free tries, each
further try must wait twice as long as the one before, up to a limit; a try made
too early is refused without looking at the password. Every change to accounts
and keys is audited, in the transaction that makes it.

>>> key_hash("bpk_x") == key_hash("bpk_x") != key_hash("bpk_y")
True
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import re
import secrets
import threading
import time
from dataclasses import dataclass, field, replace
from typing import Any

import argon2
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

from borderplates.errors import BorderplatesError, ConflictError, Forbidden, NotFound, TryLater, ValidationError, quoted
from borderplates.model import AuditEntry
from borderplates.registry import Database, UnitOfWork
from borderplates.registry.accounts import Account, ApiKey, LoginSession
from borderplates.services import inputs
from borderplates.services.actors import Actor, Permission, authorise
from borderplates.vocabulary import NAME_LENGTH, Role

__all__ = [
    "Account",
    "ApiKey",
    "Authenticator",
    "LoginSession",
    "NotAuthenticated",
    "PasswordChangeRequired",
    "Throttle",
    "TooManyAttempts",
    "change_password",
    "create_key",
    "create_user",
    "disable_user",
    "ensure_first_admin",
    "list_keys",
    "list_users",
    "login",
    "logout",
    "reset_password",
    "revoke_key",
    "session_of",
]

#: The account created on first start when there is none.
FIRST_ADMIN = "admin"
#: Passwords people choose are at least this long (a one-time password is longer).
MIN_PASSWORD_LENGTH = 12
MAX_PASSWORD_LENGTH = 200
KEY_PREFIX = "bpk_"
_NAME = re.compile(r"[a-z0-9][a-z0-9._-]*")
_HASHER = argon2.PasswordHasher()
# A hash to verify against when the account does not exist, so that a wrong name takes as long as a wrong password.
_DUMMY_HASH = _HASHER.hash(secrets.token_urlsafe(16))
ENTITY = "account"


class NotAuthenticated(BorderplatesError):
    """No credentials, or credentials that prove nobody (wrong password, unknown or revoked key, ended session)."""

    message = "Log in, or give an API key: Authorization: Bearer <key>."


class PasswordChangeRequired(Forbidden):
    """The session was opened with a one-time password: it may only change it."""

    message = "change your one-time password first: PUT /api/v1/session/password"


class TooManyAttempts(TryLater):
    """Too many failed logins for this account or from this address: wait before trying again."""

    def __init__(self, retry_after: int) -> None:
        super().__init__(f"too many failed logins; try again in {retry_after} s", retry_after)


@dataclass(frozen=True, slots=True)
class Throttle:
    """How failed logins are slowed: free tries per account and per address, then waits doubling up to ``max_delay`` seconds.

    Failures older than ``window`` seconds are forgotten.

    >>> Throttle().delay(5, per_account=True), Throttle().delay(7, per_account=True), Throttle().delay(40, per_account=True)
    (1, 4, 300)
    """

    free_per_account: int = 5
    free_per_address: int = 20
    max_delay: int = 300
    window: int = 900

    def delay(self, failures: int, *, per_account: bool) -> int:
        """Seconds to wait after the last of ``failures`` failed logins."""
        free = self.free_per_account if per_account else self.free_per_address
        if failures < free:
            return 0
        return min(1 << min(failures - free, 30), self.max_delay)


def key_hash(secret: str) -> str:
    """The stored form of an API key or session token: its SHA-256, hex."""
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


def account_name(value: object) -> str:
    """An account name: lower-case letters, digits, '.', '-' and '_', starting with a letter or digit."""
    name = inputs.text(value, "account name", NAME_LENGTH).lower()
    if not name.isascii() or not _NAME.fullmatch(name):
        raise ValidationError(f"the account name {quoted(value)} may hold only letters, digits, '.', '-' and '_', and starts with a letter or digit")
    return name


def actor_of(account: Account) -> Actor:
    return Actor(account.name, account.role, account.point)


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def _new_password() -> str:
    return secrets.token_urlsafe(15)


def _audit(uow: UnitOfWork, actor: Actor, action: str, account: Account, before: dict[str, Any] | None, after: dict[str, Any] | None) -> None:
    uow.audit.append(AuditEntry(_now(), actor.name, actor.point, action, ENTITY, account.id, before, after))


def _found(uow: UnitOfWork, name: str) -> Account:
    account = uow.accounts.by_name(name)
    if account is None:
        raise NotFound(f"no account {name!r}")
    return account


# -------------------------------------------------------------------------------- accounts


def create_user(name: str, role: Role | str, point: str | None = None, *, actor: Actor, db: Database) -> tuple[Account, str]:
    """Create an account with a one-time password; returns the account and the password (shown once, never stored)."""
    authorise(actor, Permission.ACCOUNTS)
    checked = account_name(name)
    wanted = inputs.word(Role, role, "role")
    where = inputs.any_place(point) if point is not None else None
    password = _new_password()
    hashed = _HASHER.hash(password)
    with db.begin() as uow:
        if uow.accounts.by_name(checked) is not None:
            raise ConflictError(f"there is already an account {checked!r}")
        account = uow.accounts.add(checked, wanted, where, hashed, at=_now(), by=actor.name)
        _audit(uow, actor, "create", account, None, {"name": checked, "role": str(wanted), "point": where})
        uow.commit()
    return account, password


def list_users(*, actor: Actor, db: Database) -> list[Account]:
    authorise(actor, Permission.ACCOUNTS)
    with db.reading() as uow:
        return uow.accounts.all()


def disable_user(name: str, *, actor: Actor, db: Database) -> Account:
    """Disable an account: its sessions end and its API keys stop working at once."""
    authorise(actor, Permission.ACCOUNTS)
    checked = account_name(name)
    if checked == actor.name:
        raise ConflictError("you cannot disable your own account")
    with db.begin() as uow:
        account = _found(uow, checked)
        if not account.is_active:
            return account
        at = _now()
        uow.accounts.set_disabled(account, at)
        uow.accounts.end_sessions_of(account)
        _audit(uow, actor, "disable", account, {"disabled_at": None}, {"disabled_at": at.isoformat()})
        uow.commit()
    return replace(account, disabled_at=at)


def enable_user(name: str, *, actor: Actor, db: Database) -> Account:
    """Enable a disabled account again: it may log in, and its API keys that were not revoked work again."""
    authorise(actor, Permission.ACCOUNTS)
    with db.begin() as uow:
        account = _found(uow, account_name(name))
        if account.is_active:
            return account
        uow.accounts.set_disabled(account, None)
        _audit(uow, actor, "enable", account, {"disabled_at": account.disabled_at.isoformat() if account.disabled_at else None}, {"disabled_at": None})
        uow.commit()
    return replace(account, disabled_at=None)


def reset_password(name: str, *, actor: Actor, db: Database) -> tuple[Account, str]:
    """Give an account a new one-time password (its sessions end); returns it, shown once."""
    authorise(actor, Permission.ACCOUNTS)
    checked = account_name(name)
    password = _new_password()
    hashed = _HASHER.hash(password)
    with db.begin() as uow:
        account = _found(uow, checked)
        uow.accounts.set_password(account, hashed, must_change=True)
        uow.accounts.end_sessions_of(account)
        _audit(uow, actor, "reset_password", account, None, {"password_must_change": True})
        uow.commit()
    return account, password


def ensure_first_admin(*, db: Database) -> str | None:
    """On a registry with no account, create the ``admin`` account; returns its one-time password, or None when accounts exist."""
    system = Actor("borderplates", Role.ADMIN)
    with db.reading() as uow:
        if uow.accounts.any():
            return None
    try:
        return create_user(FIRST_ADMIN, Role.ADMIN, actor=system, db=db)[1]
    except ConflictError:
        return None


def change_password(token: str, current: str, new: str, *, db: Database) -> None:
    """The logged-in person sets their own password (needed after a one-time one); other sessions of theirs end."""
    found = session_of(token, db=db, for_password_change=True)
    account = found.account
    if not isinstance(new, str) or not MIN_PASSWORD_LENGTH <= len(new) <= MAX_PASSWORD_LENGTH:
        raise ValidationError(f"a password has {MIN_PASSWORD_LENGTH} to {MAX_PASSWORD_LENGTH} characters")
    if new == current:
        raise ValidationError("the new password is the same as the current one")
    with db.reading() as uow:
        stored = uow.accounts.password_hash(account.id)
    if not _verify(stored, current):
        raise Forbidden("the current password is wrong")
    hashed = _HASHER.hash(new)
    with db.begin() as uow:
        uow.accounts.set_password(account, hashed, must_change=False)
        uow.accounts.end_sessions_of(account, keep=key_hash(token))
        _audit(uow, actor_of(account), "change_password", account, None, {"password_must_change": False})
        uow.commit()


# -------------------------------------------------------------------------------- API keys


def create_key(user: str, *, actor: Actor, db: Database) -> tuple[ApiKey, str]:
    """Create an API key for an account; returns its public facts and the key itself (shown once, stored hashed)."""
    authorise(actor, Permission.KEYS)
    checked = account_name(user)
    key_id = secrets.token_hex(6)
    secret = f"{KEY_PREFIX}{key_id}_{secrets.token_urlsafe(32)}"
    with db.begin() as uow:
        account = _found(uow, checked)
        if not account.is_active:
            raise ConflictError(f"the account {checked!r} is disabled")
        made = uow.accounts.add_key(key_id, account, key_hash(secret), at=_now(), by=actor.name)
        _audit(uow, actor, "create_key", account, None, {"key": key_id})
        uow.commit()
    return made, secret


def list_keys(*, actor: Actor, user: str | None = None, db: Database) -> list[ApiKey]:
    authorise(actor, Permission.KEYS)
    checked = account_name(user) if user is not None else None
    with db.reading() as uow:
        return uow.accounts.keys(checked)


def revoke_key(key_id: str, *, actor: Actor, db: Database) -> ApiKey:
    """Revoke an API key: it stops working at once on this server (within the key cache's seconds on other workers)."""
    authorise(actor, Permission.KEYS)
    wanted = inputs.text(key_id, "key id", 16)
    with db.begin() as uow:
        found = uow.accounts.key(wanted)
        if found is None:
            raise NotFound(f"no API key {wanted!r}")
        if found.revoked_at is not None:
            return found
        at = _now()
        uow.accounts.revoke_key(wanted, at=at, by=actor.name)
        account = _found(uow, found.user)
        _audit(uow, actor, "revoke_key", account, {"key": wanted, "revoked_at": None}, {"key": wanted, "revoked_at": at.isoformat()})
        uow.commit()
    return ApiKey(found.id, found.user, found.created_at, found.created_by, at, actor.name)


# -------------------------------------------------------------------------------- logins


@dataclass(frozen=True, slots=True)
class Login:
    """A session just opened: the token for the cookie (shown once), and the session."""

    token: str
    session: LoginSession


def login(name: str, password: str, *, address: str | None, lifetime: dt.timedelta, throttle: Throttle = Throttle(), db: Database) -> Login:
    """Check a name and password and open a session; slowed after repeated failures (:class:`TooManyAttempts`).

    Slow on purpose (argon2): call it off the event loop.
    """
    if not isinstance(name, str) or not isinstance(password, str) or not name or not password or len(password) > MAX_PASSWORD_LENGTH:
        raise NotAuthenticated("wrong name or password")
    checked = name.strip().lower()[:NAME_LENGTH]
    keys = [f"account:{checked}", *([f"address:{address[:64]}"] if address else [])]
    now = _now()
    with db.reading() as uow:
        wait = max(_wait(uow, key, now, throttle) for key in keys)
        account = uow.accounts.by_name(checked)
        stored = uow.accounts.password_hash(account.id) if account is not None else _DUMMY_HASH
    if wait > 0:
        raise TooManyAttempts(wait)
    good = _verify(stored, password) and account is not None and account.is_active
    with db.begin() as uow:
        if not good or account is None:
            for key in keys:
                counted = uow.accounts.failures(key)
                failures = counted[0] if counted is not None and (now - counted[1]).total_seconds() < throttle.window else 0
                uow.accounts.set_failures(key, failures + 1, now)
            uow.commit()
            raise NotAuthenticated("wrong name or password")
        uow.accounts.clear_failures(keys[0])
        uow.accounts.end_expired_sessions(now)
        token = secrets.token_urlsafe(32)
        opened = uow.accounts.add_session(key_hash(token), account, secrets.token_urlsafe(24), at=now, until=now + lifetime, address=address)
        _audit(uow, actor_of(account), "login", account, None, {"address": address, "until": (now + lifetime).isoformat()})
        uow.commit()
    return Login(token, opened)


def _wait(uow: UnitOfWork, key: str, now: dt.datetime, throttle: Throttle) -> int:
    counted = uow.accounts.failures(key)
    if counted is None:
        return 0
    failures, last = counted
    since = (now - last).total_seconds()
    if since >= throttle.window:
        return 0
    delay = throttle.delay(failures, per_account=key.startswith("account:"))
    return max(0, int(delay - since + 0.999))


def _verify(stored: str, password: str) -> bool:
    try:
        return _HASHER.verify(stored, password)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


def logout(token: str, *, db: Database) -> None:
    """End the session a token opened (nothing happens for an unknown token)."""
    with db.begin() as uow:
        uow.accounts.end_session(key_hash(token))
        uow.commit()


def session_of(token: str, *, db: Database, for_password_change: bool = False) -> LoginSession:
    """The open session of a cookie token, of an active account; one opened with a one-time password only to change it."""
    if not token:
        raise NotAuthenticated()
    with db.reading() as uow:
        found = uow.accounts.session(key_hash(token), _now())
    if found is None or not found.account.is_active:
        raise NotAuthenticated("the session has ended; log in again")
    if found.account.password_must_change and not for_password_change:
        raise PasswordChangeRequired()
    return found


def csrf_matches(session: LoginSession, token: str | None) -> bool:
    """Whether a request's CSRF token is its session's (compared in constant time)."""
    return token is not None and hmac.compare_digest(session.csrf_token.encode(), token.encode())


@dataclass
class Authenticator:
    """Finds the actor behind an API key; keys that worked are remembered for ``cache_seconds`` (revoking clears this server's memory at once)."""

    db: Database
    cache_seconds: float = 2.0
    _known: dict[str, tuple[Actor, float]] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def actor_for_key(self, key: str) -> Actor:
        if not key.startswith(KEY_PREFIX) or len(key) > 100:
            raise NotAuthenticated("the API key is not valid")
        hashed = key_hash(key)
        known = self._known.get(hashed)
        now = time.monotonic()
        if known is not None and known[1] > now:
            return known[0]
        with self.db.reading() as uow:
            account = uow.accounts.by_key_hash(hashed)
        if account is None or not account.is_active:
            self._known.pop(hashed, None)
            raise NotAuthenticated("the API key is not valid, or was revoked")
        actor = actor_of(account)
        with self._lock:
            if len(self._known) > 10_000:
                self._known.clear()
            self._known[hashed] = (actor, now + self.cache_seconds)
        return actor

    def forget(self) -> None:
        """Forget every remembered key (after a key is revoked or an account disabled)."""
        with self._lock:
            self._known.clear()
