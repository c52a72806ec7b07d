"""Accounts, API keys, login sessions and failed logins: their tables and repositories.

An account is a person (or a machine's owner) with a role and, optionally, the
crossing point or registration centre it is bound to. Secrets are never stored:
passwords as argon2 hashes, API keys and session tokens as the SHA-256 of a
high-entropy random value (a fast hash is right for those: nothing to guess).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa

from borderplates.registry.tables import UTCDateTime, metadata
from borderplates.vocabulary import NAME_LENGTH, Role

accounts = sa.Table(
    "accounts",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("name", sa.String(NAME_LENGTH), nullable=False, unique=True),
    sa.Column("role", sa.String(12), nullable=False),
    sa.Column("point", sa.String(NAME_LENGTH)),
    sa.Column("password_hash", sa.String(200), nullable=False),
    sa.Column("password_must_change", sa.Boolean, nullable=False),
    sa.Column("created_at", UTCDateTime, nullable=False),
    sa.Column("created_by", sa.String(NAME_LENGTH), nullable=False),
    sa.Column("disabled_at", UTCDateTime),
    sa.Column("language", sa.String(10)),
    sa.CheckConstraint(f"role in ({', '.join(repr(role.value) for role in Role)})", name="role"),
)

api_keys = sa.Table(
    "api_keys",
    metadata,
    sa.Column("id", sa.String(16), primary_key=True),
    sa.Column("account_id", sa.Integer, sa.ForeignKey("accounts.id"), nullable=False),
    sa.Column("key_hash", sa.String(64), nullable=False, unique=True),
    sa.Column("created_at", UTCDateTime, nullable=False),
    sa.Column("created_by", sa.String(NAME_LENGTH), nullable=False),
    sa.Column("revoked_at", UTCDateTime),
    sa.Column("revoked_by", sa.String(NAME_LENGTH)),
    sa.Index("ix_api_keys_account", "account_id"),
)

login_sessions = sa.Table(
    "login_sessions",
    metadata,
    sa.Column("token_hash", sa.String(64), primary_key=True),
    sa.Column("account_id", sa.Integer, sa.ForeignKey("accounts.id"), nullable=False),
    sa.Column("csrf_token", sa.String(64), nullable=False),
    sa.Column("created_at", UTCDateTime, nullable=False),
    sa.Column("expires_at", UTCDateTime, nullable=False),
    sa.Column("address", sa.String(64)),
    sa.Index("ix_login_sessions_account", "account_id"),
    sa.Index("ix_login_sessions_expires", "expires_at"),
)

login_failures = sa.Table(
    "login_failures",
    metadata,
    sa.Column("key", sa.String(120), primary_key=True),
    sa.Column("failures", sa.Integer, nullable=False),
    sa.Column("last_failed_at", UTCDateTime, nullable=False),
)

ACC, KEY, SES, FAIL = accounts, api_keys, login_sessions, login_failures


@dataclass(frozen=True, slots=True)
class Account:
    """An account as the registry keeps it (its password hash stays in the registry unless asked for)."""

    id: int
    name: str
    role: Role
    point: str | None
    password_must_change: bool
    created_at: dt.datetime
    created_by: str
    disabled_at: dt.datetime | None

    @property
    def is_active(self) -> bool:
        return self.disabled_at is None

    def as_json(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "role": str(self.role),
            "point": self.point,
            "password_must_change": self.password_must_change,
            "created_at": self.created_at.isoformat(),
            "created_by": self.created_by,
            "disabled_at": self.disabled_at.isoformat() if self.disabled_at else None,
        }


@dataclass(frozen=True, slots=True)
class ApiKey:
    """An API key's public facts: its id, whose it is, who made it and when, and whether it was revoked."""

    id: str
    user: str
    created_at: dt.datetime
    created_by: str
    revoked_at: dt.datetime | None
    revoked_by: str | None

    def as_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "user": self.user,
            "created_at": self.created_at.isoformat(),
            "created_by": self.created_by,
            "revoked_at": self.revoked_at.isoformat() if self.revoked_at else None,
            "revoked_by": self.revoked_by,
        }


@dataclass(frozen=True, slots=True)
class LoginSession:
    """A browser's login: whose, its CSRF token, and until when it holds."""

    account: Account
    csrf_token: str
    created_at: dt.datetime
    expires_at: dt.datetime


_ACCOUNT = sa.select(ACC.c.id, ACC.c.name, ACC.c.role, ACC.c.point, ACC.c.password_must_change, ACC.c.created_at, ACC.c.created_by, ACC.c.disabled_at)
_ACCOUNT_BY_NAME = _ACCOUNT.where(ACC.c.name == sa.bindparam("name"))
_PASSWORD = sa.select(ACC.c.password_hash).where(ACC.c.id == sa.bindparam("account_id"))
_KEY = sa.select(KEY.c.id, ACC.c.name.label("user"), KEY.c.created_at, KEY.c.created_by, KEY.c.revoked_at, KEY.c.revoked_by).join(
    ACC, ACC.c.id == KEY.c.account_id
)
_ACCOUNT_BY_KEY = _ACCOUNT.join(KEY, KEY.c.account_id == ACC.c.id).where(KEY.c.key_hash == sa.bindparam("key_hash"), KEY.c.revoked_at.is_(None))
_SESSION = sa.select(*_ACCOUNT.selected_columns, SES.c.csrf_token, SES.c.created_at.label("session_created_at"), SES.c.expires_at).join(
    SES, SES.c.account_id == ACC.c.id
)


class Accounts:
    """Accounts, their API keys and their login sessions."""

    def __init__(self, conn: sa.Connection) -> None:
        self._conn = conn

    def any(self) -> bool:
        return self._conn.execute(sa.select(ACC.c.id).limit(1)).first() is not None

    def by_name(self, name: str) -> Account | None:
        row = self._conn.execute(_ACCOUNT_BY_NAME, {"name": name}).first()
        return _account(row) if row is not None else None

    def all(self) -> list[Account]:
        return [_account(row) for row in self._conn.execute(_ACCOUNT.order_by(ACC.c.name))]

    def password_hash(self, account_id: int) -> str:
        return str(self._conn.execute(_PASSWORD, {"account_id": account_id}).scalar_one())

    def add(self, name: str, role: Role, point: str | None, password_hash: str, *, at: dt.datetime, by: str) -> Account:
        values = {
            "name": name,
            "role": str(role),
            "point": point,
            "password_hash": password_hash,
            "password_must_change": True,
            "created_at": at,
            "created_by": by,
        }
        account_id = int(self._conn.execute(ACC.insert().returning(ACC.c.id), values).scalar_one())
        return Account(account_id, name, role, point, True, at, by, None)

    def set_password(self, account: Account, password_hash: str, *, must_change: bool) -> None:
        self._conn.execute(ACC.update().where(ACC.c.id == account.id).values(password_hash=password_hash, password_must_change=must_change))

    def language(self, account_id: int) -> str | None:
        """The language the account chose for the pages (a BCP 47 tag such as ``sr-Cyrl``), or None."""
        return self._conn.execute(sa.select(ACC.c.language).where(ACC.c.id == account_id)).scalar_one_or_none()

    def set_language(self, account_id: int, language: str) -> None:
        self._conn.execute(ACC.update().where(ACC.c.id == account_id).values(language=language))

    def set_disabled(self, account: Account, at: dt.datetime | None) -> None:
        """Disable the account from ``at``, or (None) enable it again."""
        self._conn.execute(ACC.update().where(ACC.c.id == account.id).values(disabled_at=at))

    def add_key(self, key_id: str, account: Account, key_hash: str, *, at: dt.datetime, by: str) -> ApiKey:
        self._conn.execute(KEY.insert(), {"id": key_id, "account_id": account.id, "key_hash": key_hash, "created_at": at, "created_by": by})
        return ApiKey(key_id, account.name, at, by, None, None)

    def key(self, key_id: str) -> ApiKey | None:
        row = self._conn.execute(_KEY.where(KEY.c.id == key_id)).first()
        return _key(row) if row is not None else None

    def keys(self, user: str | None = None) -> list[ApiKey]:
        query = _KEY if user is None else _KEY.where(ACC.c.name == user)
        return [_key(row) for row in self._conn.execute(query.order_by(KEY.c.created_at, KEY.c.id))]

    def revoke_key(self, key_id: str, *, at: dt.datetime, by: str) -> None:
        self._conn.execute(KEY.update().where(KEY.c.id == key_id).values(revoked_at=at, revoked_by=by))

    def by_key_hash(self, key_hash: str) -> Account | None:
        """The account an API key (by its hash) belongs to, unless the key was revoked."""
        row = self._conn.execute(_ACCOUNT_BY_KEY, {"key_hash": key_hash}).first()
        return _account(row) if row is not None else None

    def add_session(self, token_hash: str, account: Account, csrf_token: str, *, at: dt.datetime, until: dt.datetime, address: str | None) -> LoginSession:
        self._conn.execute(
            SES.insert(),
            {"token_hash": token_hash, "account_id": account.id, "csrf_token": csrf_token, "created_at": at, "expires_at": until, "address": address},
        )
        return LoginSession(account, csrf_token, at, until)

    def session(self, token_hash: str, now: dt.datetime) -> LoginSession | None:
        """The login session a token (by its hash) opened, while it holds."""
        row = self._conn.execute(_SESSION.where(SES.c.token_hash == token_hash, SES.c.expires_at > now)).first()
        return LoginSession(_account(row), row.csrf_token, row.session_created_at, row.expires_at) if row is not None else None

    def end_session(self, token_hash: str) -> bool:
        return bool(self._conn.execute(SES.delete().where(SES.c.token_hash == token_hash)).rowcount)

    def end_sessions_of(self, account: Account, *, keep: str | None = None) -> int:
        """End every session of an account, but the one whose token hash is ``keep``."""
        query = SES.delete().where(SES.c.account_id == account.id)
        if keep is not None:
            query = query.where(SES.c.token_hash != keep)
        return int(self._conn.execute(query).rowcount)

    def end_expired_sessions(self, now: dt.datetime) -> int:
        return int(self._conn.execute(SES.delete().where(SES.c.expires_at <= now)).rowcount)

    def failures(self, key: str) -> tuple[int, dt.datetime] | None:
        """(failed logins, the last one's moment) counted under ``key`` (an account or an address)."""
        row = self._conn.execute(sa.select(FAIL.c.failures, FAIL.c.last_failed_at).where(FAIL.c.key == key)).first()
        return (int(row.failures), row.last_failed_at) if row is not None else None

    def set_failures(self, key: str, failures: int, at: dt.datetime) -> None:
        updated = self._conn.execute(FAIL.update().where(FAIL.c.key == key).values(failures=failures, last_failed_at=at)).rowcount
        if not updated:
            self._conn.execute(FAIL.insert(), {"key": key, "failures": failures, "last_failed_at": at})

    def clear_failures(self, key: str) -> None:
        self._conn.execute(FAIL.delete().where(FAIL.c.key == key))


def _account(row: Any) -> Account:
    return Account(row.id, row.name, Role(row.role), row.point, bool(row.password_must_change), row.created_at, row.created_by, row.disabled_at)


def _key(row: Any) -> ApiKey:
    return ApiKey(row.id, row.user, row.created_at, row.created_by, row.revoked_at, row.revoked_by)
