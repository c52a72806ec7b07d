"""Logging in and out, one-time passwords, CSRF tokens, slowed failed logins, and revoking keys, over HTTP."""

from __future__ import annotations

import contextlib

import httpx

from borderplates.services import accounts
from borderplates.vocabulary import Role
from tests.api.conftest import ADMIN, Running

AT = "2021-09-27T10:00:00+02:00"
CHECK = {"plate": "NP 123-AB", "entering": "XK", "point": "jarinje", "at": AT}
NEW_PASSWORD = "a long new password 42"


def new_account(server: Running, name: str, role: Role = Role.OFFICER, point: str | None = "jarinje") -> str:
    return accounts.create_user(name, role, point, actor=ADMIN, db=server.db)[1]


def logged_in(server: Running, name: str, password: str) -> tuple[httpx.Client, dict[str, object]]:
    client = httpx.Client(base_url=server.url, timeout=30)
    response = client.post("/api/v1/session", json={"name": name, "password": password})
    assert response.status_code == 201, response.text
    return client, response.json()


def test_login_sets_an_httponly_samesite_strict_cookie_and_answers_the_csrf_token(server: Running) -> None:
    password = new_account(server, "login-cookie")
    with httpx.Client(base_url=server.url) as client:
        response = client.post("/api/v1/session", json={"name": "login-cookie", "password": password})
    assert response.status_code == 201
    cookie = response.headers["set-cookie"].lower()
    assert "httponly" in cookie and "samesite=strict" in cookie and "path=/" in cookie
    session = response.json()
    assert session["name"] == "login-cookie" and session["role"] == "officer" and session["point"] == "jarinje"
    assert session["password_must_change"] is True and len(session["csrf_token"]) >= 32


def test_a_one_time_password_only_lets_its_holder_change_it(server: Running) -> None:
    password = new_account(server, "one-time")
    client, session = logged_in(server, "one-time", password)
    csrf = {"X-CSRF-Token": str(session["csrf_token"])}
    with contextlib.closing(client):
        refused = client.get("/api/v1/check", params=CHECK)
        assert refused.status_code == 403
        assert refused.json()["type"] == "urn:borderplates:problem:password-change-required"
        assert client.put("/api/v1/session/password", json={"current": password, "new": NEW_PASSWORD}).status_code == 403  # no CSRF token
        too_short = client.put("/api/v1/session/password", json={"current": password, "new": "short"}, headers=csrf)
        assert too_short.status_code == 422
        wrong = client.put("/api/v1/session/password", json={"current": "not the password", "new": NEW_PASSWORD}, headers=csrf)
        assert wrong.status_code == 403
        assert client.put("/api/v1/session/password", json={"current": password, "new": NEW_PASSWORD}, headers=csrf).status_code == 204
        assert client.get("/api/v1/check", params=CHECK).status_code == 200
        assert client.get("/api/v1/session").json()["password_must_change"] is False
    again, _ = logged_in(server, "one-time", NEW_PASSWORD)
    again.close()


def test_a_write_with_the_session_cookie_needs_the_csrf_token(server: Running) -> None:
    password = new_account(server, "csrf-officer")
    client, session = logged_in(server, "csrf-officer", password)
    with contextlib.closing(client):
        client.put("/api/v1/session/password", json={"current": password, "new": NEW_PASSWORD}, headers={"X-CSRF-Token": str(session["csrf_token"])})
        crossing = {**CHECK, "plate": "NP 777-AB"}
        missing = client.post("/api/v1/crossings", json=crossing)
        forged = client.post("/api/v1/crossings", json=crossing, headers={"X-CSRF-Token": "forged"})
        token = client.get("/api/v1/session").json()["csrf_token"]
        made = client.post("/api/v1/crossings", json=crossing, headers={"X-CSRF-Token": token})
    assert missing.status_code == forged.status_code == 403
    assert "CSRF" in missing.json()["detail"]
    assert made.status_code == 201 and made.json()["officer"] == "csrf-officer"


def test_logout_ends_the_session(server: Running) -> None:
    password = new_account(server, "leaving")
    client, session = logged_in(server, "leaving", password)
    with contextlib.closing(client):
        cookie = client.cookies.get("borderplates_session")
        assert client.delete("/api/v1/session").status_code == 403  # a write: needs the CSRF token
        answer = client.delete("/api/v1/session", headers={"X-CSRF-Token": str(session["csrf_token"])})
        assert answer.status_code == 204
        assert "max-age=0" in answer.headers["set-cookie"].lower()
        assert client.get("/api/v1/session").status_code == 401
    with httpx.Client(base_url=server.url, cookies={"borderplates_session": cookie or ""}) as replay:
        assert replay.get("/api/v1/session").status_code == 401


def test_a_wrong_password_is_401_and_repeated_failures_are_slowed_with_429(server: Running) -> None:
    password = new_account(server, "guessed")
    with httpx.Client(base_url=server.url) as client:
        unknown = client.post("/api/v1/session", json={"name": "no-such-account", "password": "whatever"})
        assert unknown.status_code == 401
        statuses = [client.post("/api/v1/session", json={"name": "guessed", "password": f"guess {n}"}).status_code for n in range(3)]
        assert statuses == [401, 401, 401]
        slowed = client.post("/api/v1/session", json={"name": "guessed", "password": password})
    assert slowed.status_code == 429
    assert int(slowed.headers["retry-after"]) >= 1
    assert slowed.json()["type"] == "urn:borderplates:problem:too-many-attempts"


def test_a_revoked_key_and_the_key_of_a_disabled_account_stop_working(server: Running) -> None:
    with server.as_role(Role.ADMIN) as admin:
        made = admin.post("/api/v1/keys", json={"user": "officer-jarinje"}).json()
        assert set(made) == {"id", "user", "key"} and made["key"].startswith("bpk_")
        with server.client() as machine:
            machine.headers["Authorization"] = f"Bearer {made['key']}"
            assert machine.get("/api/v1/check", params=CHECK).status_code == 200
            listed = admin.get("/api/v1/keys", params={"user": "officer-jarinje"}).json()["keys"]
            assert made["id"] in {key["id"] for key in listed} and made["key"] not in str(listed)
            revoked = admin.delete(f"/api/v1/keys/{made['id']}")
            assert revoked.status_code == 200 and revoked.json()["revoked_by"] == "admin-2"
            assert machine.get("/api/v1/check", params=CHECK).status_code == 401
        accounts.create_user("soon-disabled", Role.OFFICER, None, actor=ADMIN, db=server.db)
        key = admin.post("/api/v1/keys", json={"user": "soon-disabled"}).json()["key"]
        with httpx.Client(base_url=server.url, headers={"Authorization": f"Bearer {key}"}) as machine:
            assert machine.get("/api/v1/check", params=CHECK).status_code == 200
            assert admin.post("/api/v1/users/soon-disabled/disable").json()["disabled_at"] is not None
            assert machine.get("/api/v1/check", params=CHECK).status_code == 401


def test_an_admin_creates_lists_and_resets_accounts_over_http(server: Running) -> None:
    with server.as_role(Role.ADMIN) as admin:
        created = admin.post("/api/v1/users", json={"name": "Clerk-Brnjak", "role": "clerk", "point": "brnjak"})
        assert created.status_code == 201
        body = created.json()
        assert body["name"] == "clerk-brnjak" and body["role"] == "clerk" and body["point"] == "brnjak" and len(body["password"]) >= 16
        assert admin.post("/api/v1/users", json={"name": "clerk-brnjak", "role": "clerk"}).status_code == 409
        assert admin.post("/api/v1/users", json={"name": "bad name!", "role": "clerk"}).status_code == 422
        assert admin.post("/api/v1/users", json={"name": "x", "role": "emperor"}).status_code == 422
        assert admin.post("/api/v1/users", json={"name": "x", "role": "clerk", "point": "atlantis"}).status_code == 422
        listed = {user["name"]: user for user in admin.get("/api/v1/users").json()["users"]}
        assert listed["clerk-brnjak"]["password_must_change"] is True
        reset = admin.post("/api/v1/users/clerk-brnjak/password-reset").json()
        assert reset["name"] == "clerk-brnjak" and reset["password"] != body["password"]
    with httpx.Client(base_url=server.url) as client:
        assert client.post("/api/v1/session", json={"name": "clerk-brnjak", "password": body["password"]}).status_code == 401
        assert client.post("/api/v1/session", json={"name": "clerk-brnjak", "password": reset["password"]}).status_code == 201
