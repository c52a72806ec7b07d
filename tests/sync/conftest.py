"""Sites and a centre in one process: the centre on SQLite or PostgreSQL, each site an embedded SQLite registry.

A site reaches its centre through :class:`InProcessCentre`, which calls the centre's
services the way the HTTP routes do (the HTTP path itself is tested with real
servers in ``test_processes.py``); cutting the link makes every call fail as an
unreachable centre does.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

from borderplates.registry import Database
from borderplates.registry.tables import audit_log
from borderplates.services import registrations, sync
from borderplates.services.crossings import record_crossing
from borderplates.services.presentation import Presentation
from borderplates.sync.client import CentreUnreachable
from borderplates.sync.protocol import Batch, BatchAnswer, ChainPage, PullAnswer, PullRequest, RulesBundle, Snapshot
from borderplates.tokens import KeyStore
from borderplates.vocabulary import Role
from tests.conftest import local, operator, sqlite_database

ADMIN = operator("site-admin", Role.ADMIN)
SUPERVISOR = operator("supervisor")


class InProcessCentre:
    """The centre's sync services, called directly with a site's key; ``cut`` makes the centre unreachable."""

    centre_url = "http://centre.test"

    def __init__(self, db: Database, key: str, keys: KeyStore | None = None) -> None:
        self.db, self.key, self.keys = db, key, keys
        self.cut = False
        self.batches: list[Batch] = []

    def _site(self) -> Any:
        if self.cut:
            raise CentreUnreachable("the centre at http://centre.test cannot be reached: the link is cut")
        return sync.site_for_key(self.key, db=self.db)

    def push(self, batch: Batch) -> BatchAnswer:
        site = self._site()
        self.batches.append(batch)
        return sync.receive_batch(site, sync.Pushed.of(batch), db=self.db, keys=self.keys)

    def pull(self, request: PullRequest) -> PullAnswer:
        return sync.changes_for(self._site(), request, db=self.db, keys=self.keys)

    def snapshot(self, *, own: bool) -> Snapshot:
        return sync.snapshot_for(self._site(), own=own, db=self.db, keys=self.keys)

    def chain(self, after: int, limit: int) -> ChainPage:
        return sync.chain_for(self._site(), after, limit, db=self.db)

    def rules(self) -> RulesBundle:
        self._site()
        return sync.rules_bundle()


@dataclass
class Site:
    """A site's registry, its data directory and its link to the centre."""

    name: str
    db: Database
    data_dir: Path
    centre: InProcessCentre
    joined: sync.Joined | None = None
    cycles: list[sync.Cycle] = field(default_factory=list)

    def sync(self, batch: int = 1000) -> sync.Cycle:
        cycle = sync.sync_now(db=self.db, client=self.centre, batch=batch, data_dir=self.data_dir)
        self.cycles.append(cycle)
        return cycle

    def issue(self, plate: str, at: dt.datetime, point: str | None = None, holder: str | None = None, **facts: Any) -> registrations.Registration:
        presentation = Presentation(plate, "XK", at, point=point or self.point, **facts)
        return registrations.issue_temporary_registration(presentation, actor=operator(f"clerk-{self.name}", Role.CLERK), holder=holder, db=self.db)

    def cross(self, plate: str, at: dt.datetime, **facts: Any) -> Any:
        presentation = Presentation(plate, "XK", at, point=self.point, **facts)
        return record_crossing(presentation, actor=operator(f"officer-{self.name}", Role.OFFICER), db=self.db)

    @property
    def point(self) -> str:
        return self.name


@pytest.fixture
def centre(db: Database, tmp_path: Path) -> Database:
    """The centre's registry (SQLite or PostgreSQL)."""
    return db


@pytest.fixture
def make_site(centre: Database, tmp_path: Path) -> Iterator[Any]:
    """Make a site admitted by the centre and joined (unless ``join=False``), with its own SQLite registry."""
    opened: list[Database] = []

    def make(name: str, *, join: bool = True) -> Site:
        _, key = sync.create_site(name, actor=ADMIN, db=centre)
        folder = tmp_path / name
        folder.mkdir()
        context = sqlite_database(folder / "borderplates.db")
        db = context.__enter__()
        opened.append(db)
        site = Site(name, db, folder, InProcessCentre(centre, key, KeyStore(tmp_path / "centre-keys")))
        if join:
            site.joined = sync.join_site(name, client=site.centre, site_key=key, db=db, data_dir=folder, actor=ADMIN)
        return site

    yield make
    for db in opened:
        db.engine.dispose()


def chain(db: Database, origin: str) -> list[sa.Row[Any]]:
    """An origin's audit records as a registry holds them, in chain order."""
    with db.read() as conn:
        return list(conn.execute(sa.select(audit_log).where(audit_log.c.origin == origin).order_by(audit_log.c.seq)))


def count(db: Database, table: sa.Table, **where: Any) -> int:
    query = sa.select(sa.func.count()).select_from(table)
    for column, value in where.items():
        query = query.where(table.c[column] == value)
    with db.read() as conn:
        return int(conn.execute(query).scalar_one())


DAY = local(2021, 9, 27, 8)
