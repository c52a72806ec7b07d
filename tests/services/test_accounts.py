"""Accounts, API keys and logins: hashed secrets shown once, one-time passwords, slowed guessing, admins only, all audited."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
import sqlalchemy as sa

from borderplates.errors import ConflictError, Forbidden, NotFound, ValidationError
from borderplates.services import accounts, audit
from borderplates.services.accounts import NotAuthenticated, PasswordChangeRequired, Throttle, TooManyAttempts
from borderplates.services.actors import Actor
from borderplates.vocabulary import Role
from tests.cli.conftest import Cli, base_env
from tests.conftest import OPERATOR

ADMIN = Actor("admin-1", Role.ADMIN)
HOUR = dt.timedelta(hours=1)


def test_a_new_account_gets_a_one_time_password_that_only_lets_it_change_it(db):
    account, password = accounts.create_user("Clerk-07", "clerk", "jarinje", actor=ADMIN, db=db)
    assert (account.name, account.role, account.point, account.password_must_change) == ("clerk-07", Role.CLERK, "jarinje", True)
    assert len(password) >= 16
    with db.read() as conn:
        stored = conn.execute(sa.text("SELECT password_hash FROM accounts")).scalar_one()
    assert stored.startswith("$argon2id$") and password not in stored
    opened = accounts.login("clerk-07", password, address="10.0.0.1", lifetime=HOUR, db=db)
    with pytest.raises(PasswordChangeRequired):
        accounts.session_of(opened.token, db=db)
    assert accounts.session_of(opened.token, db=db, for_password_change=True).account.name == "clerk-07"
    with pytest.raises(ValidationError):
        accounts.change_password(opened.token, password, "short", db=db)
    with pytest.raises(Forbidden):
        accounts.change_password(opened.token, "wrong current", "a long enough password", db=db)
    accounts.change_password(opened.token, password, "a long enough password", db=db)
    session = accounts.session_of(opened.token, db=db)
    assert accounts.actor_of(session.account) == Actor("clerk-07", Role.CLERK, "jarinje")
    with pytest.raises(NotAuthenticated):
        accounts.login("clerk-07", password, address=None, lifetime=HOUR, db=db)


def test_only_an_admin_manages_accounts_and_keys(db):
    accounts.create_user("officer-1", Role.OFFICER, None, actor=ADMIN, db=db)
    for role in (Role.OFFICER, Role.CLERK, Role.SUPERVISOR):
        someone = Actor("someone", role)
        with pytest.raises(Forbidden):
            accounts.create_user("x", Role.ADMIN, actor=someone, db=db)
        with pytest.raises(Forbidden):
            accounts.create_key("officer-1", actor=someone, db=db)
        with pytest.raises(Forbidden):
            accounts.list_users(actor=someone, db=db)
        with pytest.raises(Forbidden):
            accounts.reset_password("officer-1", actor=someone, db=db)


def test_names_roles_and_places_are_checked(db):
    for name, role, point, error in (
        ("bad name", Role.CLERK, None, ValidationError),
        ("-dash", Role.CLERK, None, ValidationError),
        ("ok", "emperor", None, ValidationError),
        ("ok", Role.CLERK, "atlantis", ValidationError),
        ("x" * 61, Role.CLERK, None, ValidationError),
    ):
        with pytest.raises(error):
            accounts.create_user(name, role, point, actor=ADMIN, db=db)
    accounts.create_user("centre.clerk", Role.CLERK, "centre:Mitrovica", actor=ADMIN, db=db)
    with pytest.raises(ConflictError):
        accounts.create_user("Centre.Clerk", Role.CLERK, None, actor=ADMIN, db=db)
    assert [a.point for a in accounts.list_users(actor=ADMIN, db=db)] == ["centre:Mitrovica"]


def test_an_api_key_is_shown_once_stored_hashed_and_stops_when_revoked_or_disabled(db):
    accounts.create_user("camera-3", Role.OFFICER, "merdare", actor=ADMIN, db=db)
    made, key = accounts.create_key("camera-3", actor=ADMIN, db=db)
    assert key.startswith("bpk_") and made.user == "camera-3"
    with db.read() as conn:
        assert conn.execute(sa.text("SELECT key_hash FROM api_keys")).scalar_one() == accounts.key_hash(key)
    door = accounts.Authenticator(db, cache_seconds=0)
    assert door.actor_for_key(key) == Actor("camera-3", Role.OFFICER, "merdare")
    with pytest.raises(NotAuthenticated):
        door.actor_for_key(key + "x")
    assert accounts.revoke_key(made.id, actor=ADMIN, db=db).revoked_by == "admin-1"
    with pytest.raises(NotAuthenticated):
        door.actor_for_key(key)
    _, other = accounts.create_key("camera-3", actor=ADMIN, db=db)
    assert door.actor_for_key(other).name == "camera-3"
    accounts.disable_user("camera-3", actor=ADMIN, db=db)
    with pytest.raises(NotAuthenticated):
        door.actor_for_key(other)
    with pytest.raises(ConflictError):
        accounts.create_key("camera-3", actor=ADMIN, db=db)
    with pytest.raises(NotFound):
        accounts.revoke_key("nothing", actor=ADMIN, db=db)
    assert [k.revoked_at is not None for k in accounts.list_keys(actor=ADMIN, user="camera-3", db=db)] == [True, False]


def test_an_enabled_account_logs_in_again_and_its_unrevoked_keys_work_again(db):
    _, password = accounts.create_user("seasonal", Role.OFFICER, "merdare", actor=ADMIN, db=db)
    revoked, old_key = accounts.create_key("seasonal", actor=ADMIN, db=db)
    accounts.revoke_key(revoked.id, actor=ADMIN, db=db)
    _, key = accounts.create_key("seasonal", actor=ADMIN, db=db)
    door = accounts.Authenticator(db, cache_seconds=0)
    accounts.disable_user("seasonal", actor=ADMIN, db=db)
    with pytest.raises(NotAuthenticated):
        accounts.login("seasonal", password, address=None, lifetime=HOUR, db=db)
    enabled = accounts.enable_user("Seasonal", actor=ADMIN, db=db)
    assert enabled.is_active and enabled.as_json()["disabled_at"] is None
    assert accounts.login("seasonal", password, address=None, lifetime=HOUR, db=db).session.account.name == "seasonal"
    assert door.actor_for_key(key).name == "seasonal"
    with pytest.raises(NotAuthenticated):
        door.actor_for_key(old_key)
    assert accounts.enable_user("seasonal", actor=ADMIN, db=db) == enabled  # enabling an active account changes nothing
    with pytest.raises(NotFound):
        accounts.enable_user("nobody", actor=ADMIN, db=db)
    with pytest.raises(Forbidden):
        accounts.enable_user("seasonal", actor=OPERATOR, db=db)


def test_a_remembered_key_is_forgotten_when_told(db):
    accounts.create_user("camera-4", Role.OFFICER, None, actor=ADMIN, db=db)
    made, key = accounts.create_key("camera-4", actor=ADMIN, db=db)
    door = accounts.Authenticator(db, cache_seconds=60)
    door.actor_for_key(key)
    accounts.revoke_key(made.id, actor=ADMIN, db=db)
    assert door.actor_for_key(key).name == "camera-4"  # remembered for up to cache_seconds
    door.forget()
    with pytest.raises(NotAuthenticated):
        door.actor_for_key(key)


def test_failed_logins_are_slowed_per_account_and_per_address(db):
    _, password = accounts.create_user("guessed", Role.OFFICER, None, actor=ADMIN, db=db)
    throttle = Throttle(free_per_account=2, free_per_address=3, max_delay=60)
    for guess in ("a", "b"):
        with pytest.raises(NotAuthenticated):
            accounts.login("guessed", guess, address="10.0.0.9", lifetime=HOUR, throttle=throttle, db=db)
    with pytest.raises(TooManyAttempts) as slowed:
        accounts.login("guessed", password, address="10.0.0.8", lifetime=HOUR, throttle=throttle, db=db)
    assert 1 <= slowed.value.retry_after <= 60
    _, other = accounts.create_user("other", Role.OFFICER, None, actor=ADMIN, db=db)
    with pytest.raises(NotAuthenticated):
        accounts.login("nobody", "c", address="10.0.0.9", lifetime=HOUR, throttle=throttle, db=db)
    with pytest.raises(TooManyAttempts):
        accounts.login("other", other, address="10.0.0.9", lifetime=HOUR, throttle=throttle, db=db)
    assert accounts.login("other", other, address="10.0.0.7", lifetime=HOUR, throttle=throttle, db=db).token


def test_the_delays_double_up_to_the_limit():
    throttle = Throttle(free_per_account=5, free_per_address=20, max_delay=300)
    assert [throttle.delay(n, per_account=True) for n in (0, 4, 5, 6, 7, 12, 100)] == [0, 0, 1, 2, 4, 128, 300]
    assert throttle.delay(19, per_account=False) == 0 and throttle.delay(20, per_account=False) == 1


def test_logout_reset_and_disable_end_sessions(db):
    _, password = accounts.create_user("clerk-9", Role.CLERK, None, actor=ADMIN, db=db)
    first = accounts.login("clerk-9", password, address=None, lifetime=HOUR, db=db)
    accounts.logout(first.token, db=db)
    with pytest.raises(NotAuthenticated):
        accounts.session_of(first.token, db=db, for_password_change=True)
    second = accounts.login("clerk-9", password, address=None, lifetime=HOUR, db=db)
    _, new = accounts.reset_password("clerk-9", actor=ADMIN, db=db)
    with pytest.raises(NotAuthenticated):
        accounts.session_of(second.token, db=db, for_password_change=True)
    third = accounts.login("clerk-9", new, address=None, lifetime=HOUR, db=db)
    accounts.disable_user("clerk-9", actor=ADMIN, db=db)
    with pytest.raises(NotAuthenticated):
        accounts.session_of(third.token, db=db, for_password_change=True)
    with pytest.raises(NotAuthenticated):
        accounts.login("clerk-9", new, address=None, lifetime=HOUR, db=db)
    with pytest.raises(ConflictError):
        accounts.disable_user("admin-1", actor=ADMIN, db=db)


def test_an_expired_session_proves_nobody(db):
    _, password = accounts.create_user("brief", Role.CLERK, None, actor=ADMIN, db=db)
    opened = accounts.login("brief", password, address=None, lifetime=dt.timedelta(seconds=-1), db=db)
    with pytest.raises(NotAuthenticated):
        accounts.session_of(opened.token, db=db, for_password_change=True)


def test_the_first_admin_is_made_once_with_a_one_time_password(db):
    password = accounts.ensure_first_admin(db=db)
    assert password is not None
    assert accounts.ensure_first_admin(db=db) is None
    [admin] = accounts.list_users(actor=ADMIN, db=db)
    assert (admin.name, admin.role, admin.password_must_change) == ("admin", Role.ADMIN, True)
    assert accounts.login("admin", password, address=None, lifetime=HOUR, db=db).session.account.name == "admin"


def test_every_change_to_accounts_and_keys_is_audited_without_secrets(db):
    _, password = accounts.create_user("audited", Role.CLERK, "jarinje", actor=ADMIN, db=db)
    made, key = accounts.create_key("audited", actor=ADMIN, db=db)
    accounts.revoke_key(made.id, actor=ADMIN, db=db)
    accounts.reset_password("audited", actor=ADMIN, db=db)
    accounts.disable_user("audited", actor=ADMIN, db=db)
    accounts.enable_user("audited", actor=ADMIN, db=db)
    _, new = accounts.reset_password("audited", actor=ADMIN, db=db)
    accounts.login("audited", new, address="203.0.113.7", lifetime=HOUR, db=db)
    records = audit.list_audit(actor=OPERATOR, entity="account", db=db).records
    assert [r.entry.action for r in records] == ["login", "reset_password", "enable", "disable", "reset_password", "revoke_key", "create_key", "create"]
    assert [r.entry.actor for r in records] == ["audited"] + ["admin-1"] * 7
    assert records[0].entry.after is not None and records[0].entry.after["address"] == "203.0.113.7"
    text = str([r.as_json() for r in records])
    assert password not in text and key not in text and "argon2" not in text
    assert audit.verify_chains(actor=OPERATOR, db=db).intact


def test_the_command_line_creates_users_and_keys_printing_the_secret_once(tmp_path: Path):
    cli = Cli(base_env(tmp_path / "registry", BORDERPLATES_USER="root-admin"))
    created = cli.json("users", "create", "clerk-07", "--role", "clerk", "--point", "jarinje")
    assert set(created) == {"name", "role", "point", "password"} and created["point"] == "jarinje"
    key = cli.json("keys", "create", "clerk-07")
    assert set(key) == {"id", "user", "key"} and key["user"] == "clerk-07"
    listed = cli.json("keys", "list")["keys"]
    assert [k["id"] for k in listed] == [key["id"]] and key["key"] not in str(listed)
    assert cli.json("keys", "revoke", key["id"])["revoked_by"] == "root-admin"
    reset = cli.json("users", "reset", "clerk-07")
    assert reset["name"] == "clerk-07" and reset["password"] != created["password"]
    assert cli.json("users", "disable", "clerk-07")["disabled_at"] is not None
    assert cli.json("users", "enable", "clerk-07")["disabled_at"] is None
    assert [u["name"] for u in cli.json("users", "list")["users"]] == ["clerk-07"]
    assert "role" in cli.fails("users", "create", "x", "--role", "emperor")
    assert "already" in cli.fails("users", "create", "clerk-07", "--role", "clerk")
