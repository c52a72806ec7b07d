"""The API over real HTTP: a server on a loopback port, on SQLite and on PostgreSQL, with one account per role.

The server (uvicorn, in a thread of the test process) is started once per test module
and per database; the accounts and their API keys are made once with it, through the
services, so that tests spend their time on requests rather than on argon2.
"""

from __future__ import annotations

import contextlib
import socket
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import pytest
import uvicorn

from borderplates.api import create_app
from borderplates.registry import Database
from borderplates.services import accounts
from borderplates.services.actors import Actor
from borderplates.settings import Settings
from borderplates.vocabulary import Role
from tests.conftest import emptied, sqlite_database

ADMIN = Actor("test-admin", Role.ADMIN)
#: The accounts every test server has: name → (role, place it is bound to).
ACCOUNTS = {
    "officer-jarinje": (Role.OFFICER, "jarinje"),
    "clerk-jarinje": (Role.CLERK, "jarinje"),
    "supervisor": (Role.SUPERVISOR, None),
    "admin-2": (Role.ADMIN, None),
}
ROLE_ACCOUNT = {role: name for name, (role, _) in ACCOUNTS.items()}


@dataclass
class Running:
    """A server under test: its address, its registry, and an API key per account."""

    url: str
    db: Database
    settings: Settings
    keys: dict[str, str] = field(default_factory=dict)
    passwords: dict[str, str] = field(default_factory=dict)

    def client(self, account: str | None = None) -> httpx.Client:
        """An HTTP client, with the API key of ``account`` when given."""
        headers = {"Authorization": f"Bearer {self.keys[account]}"} if account else {}
        return httpx.Client(base_url=self.url, headers=headers, timeout=30)

    def as_role(self, role: Role) -> httpx.Client:
        return self.client(ROLE_ACCOUNT[role])


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@contextlib.contextmanager
def serving(settings: Settings, db: Database) -> Iterator[str]:
    """The API on ``db``, served by uvicorn on a free loopback port until the block ends."""
    port = free_port()
    server = uvicorn.Server(uvicorn.Config(create_app(settings, db), host="127.0.0.1", port=port, log_level="warning", access_log=False, lifespan="on"))
    thread = threading.Thread(target=server.run, name=f"uvicorn-{port}", daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            raise RuntimeError("the test server did not start")
        time.sleep(0.02)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=20)


@contextlib.contextmanager
def registry_for(kind: str, request: pytest.FixtureRequest, folder: Path) -> Iterator[Database]:
    if kind == "sqlite":
        with sqlite_database(folder / "registry.db") as database:
            yield database
    else:
        yield emptied(request.getfixturevalue("postgres_database"))


def with_accounts(running: Running) -> Running:
    """Make every account of :data:`ACCOUNTS` with an API key; the passwords are kept (one-time, unchanged)."""
    for name, (role, point) in ACCOUNTS.items():
        _, running.passwords[name] = accounts.create_user(name, role, point, actor=ADMIN, db=running.db)
        running.keys[name] = accounts.create_key(name, actor=ADMIN, db=running.db)[1]
    return running


@pytest.fixture(scope="module", params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def server(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Running]:
    """A running server with one account and API key per role, on a new SQLite registry or the emptied PostgreSQL one."""
    folder = tmp_path_factory.mktemp("api")
    with registry_for(request.param, request, folder) as db:
        settings = Settings(data_dir=folder, database_url=db.url, login_free_attempts=3, login_max_delay=60)
        with serving(settings, db) as url:
            yield with_accounts(Running(url, db, settings))
