"""The pages under test: a server on a loopback port (SQLite and PostgreSQL, the pages' clock in the demo week), one account per role, and Chromium from Debian.

The browser is Debian's ``/usr/bin/chromium`` (installed by ``dev/test.sh``), driven
by Playwright with no browser download; one browser per test session. Screenshots
are kept in ``tmp/web-screenshots/`` (not committed).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest

from borderplates.registry import Database
from borderplates.services import accounts
from borderplates.services.actors import Actor
from borderplates.settings import Settings
from borderplates.vocabulary import Role
from tests.api.conftest import registry_for, serving

ROOT = Path(__file__).parents[2]
SCREENSHOTS = ROOT / "tmp" / "web-screenshots"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    *("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run"),
    *("--disable-background-networking", "--disable-component-update", "--disable-sync"),
]
#: The pages' clock starts in the demo week: the road to Jarinje is blocked, Serbian plates need temporary registrations in Kosovo.
DEMO_CLOCK = dt.datetime(2021, 9, 27, 10, 30, tzinfo=dt.timezone(dt.timedelta(hours=2)))
PASSWORD = "correct-horse-battery"
ADMIN = Actor("test-admin", Role.ADMIN)
#: name → (role, the place the account is bound to)
ACCOUNTS = {
    "officer": (Role.OFFICER, None),
    "clerk": (Role.CLERK, None),
    "supervisor": (Role.SUPERVISOR, None),
    "admin": (Role.ADMIN, None),
    "newcomer": (Role.CLERK, None),
}


@dataclass
class Site:
    """A server under test: its address, registry and settings; every account's password is :data:`PASSWORD` (the newcomer's is one-time)."""

    url: str
    db: Database
    settings: Settings
    one_time: dict[str, str] = field(default_factory=dict)

    def client(self, **headers: str) -> httpx.Client:
        return httpx.Client(base_url=self.url, headers=headers, timeout=30, follow_redirects=True)

    def logged_in(self, name: str, **headers: str) -> httpx.Client:
        """A client with a session of ``name``."""
        client = self.client(**headers)
        form = client.get("/login")
        answer = client.post("/login", data={"name": name, "password": PASSWORD, "form_token": hidden(form.text, "form_token"), "target": "/"})
        assert answer.status_code == 200, answer.text[:500]
        return client


def hidden(html: str, name: str) -> str:
    """The value of a hidden field (or any input) named ``name`` in a page."""
    found = re.search(rf'name="{name}" value="([^"]*)"', html)
    assert found is not None, f"no field {name}"
    return found.group(1)


def make_accounts(db: Database) -> dict[str, str]:
    """Every account of :data:`ACCOUNTS`, with :data:`PASSWORD` set (the newcomer keeps its one-time password, returned)."""
    one_time = {}
    for name, (role, point) in ACCOUNTS.items():
        _, first = accounts.create_user(name, role, point, actor=ADMIN, db=db)
        if name == "newcomer":
            one_time[name] = first
            continue
        opened = accounts.login(name, first, address=None, lifetime=dt.timedelta(minutes=5), db=db)
        accounts.change_password(opened.token, first, PASSWORD, db=db)
    return one_time


@pytest.fixture(scope="module", params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def site(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    """The pages served on a new SQLite registry, or on the worker's PostgreSQL database emptied."""
    folder = tmp_path_factory.mktemp("web")
    with registry_for(request.param, request, folder) as db:
        settings = Settings(data_dir=folder, database_url=db.url, demo_clock=DEMO_CLOCK)
        one_time = make_accounts(db)
        with serving(settings, db) as url:
            yield Site(url, db, settings, one_time)


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args: dict[str, Any]) -> dict[str, Any]:
    """Debian's Chromium, never a downloaded browser."""
    return {**browser_type_launch_args, "executable_path": CHROMIUM, "args": CHROMIUM_ARGS}


@pytest.fixture(scope="session")
def screenshots() -> Path:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    return SCREENSHOTS
