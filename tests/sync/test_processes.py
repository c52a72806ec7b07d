"""A centre and two sites as separate servers: the link cut, a day's work at both sites, the link back; sites killed and rebuilt.

The centre runs on PostgreSQL, each site on its own embedded SQLite registry, every
one a ``borderplates serve`` process on a loopback port; sites are admitted, joined
and rebuilt with the command line, and their sync workers push and pull on their
own. Merdare's server runs with its clock five hours behind.
"""

from __future__ import annotations

import datetime as dt
import shutil
import time
from collections.abc import Iterator
from contextlib import ExitStack
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest
import sqlalchemy as sa

from borderplates.demo import generate_week
from borderplates.registry import Database, open_registry
from borderplates.registry.tables import audit_log, crossings, temporary_registrations
from borderplates.services import accounts, audit, sync
from borderplates.settings import Settings
from borderplates.vocabulary import Role
from tests.conftest import postgres_database_named
from tests.sync.processes import Server, environment, faketime, run, until

pytestmark = pytest.mark.postgres
ADMIN = accounts.Actor("test-admin", Role.ADMIN)
SUPERVISOR = accounts.Actor("test-supervisor", Role.SUPERVISOR)
#: Merdare's registrations and crossings of one day of the demo week (about 620 and 930).
DAY = dt.date(2021, 9, 21)
SYNC = {"sync_interval": "0.5", "sync_max_backoff": "1", "sync_batch": "100"}


@dataclass
class Place:
    """A site or the centre: its server, its data directory and API keys by account."""

    name: str
    folder: Path
    server: Server
    keys: dict[str, str] = field(default_factory=dict)

    def client(self, account: str) -> httpx.Client:
        return self.server.client(self.keys[account])


def accounts_for(place: Place, settings: Settings, *names: tuple[str, Role, str | None]) -> None:
    """Make accounts with API keys in ``place``'s registry (through the services, as an admin at that machine would)."""
    db = open_registry(settings)
    try:
        for name, role, point in names:
            accounts.create_user(name, role, point, actor=ADMIN, db=db)
            place.keys[name] = accounts.create_key(name, actor=ADMIN, db=db)[1]
    finally:
        db.close()


@dataclass
class Cluster:
    folder: Path
    centre_db: Database
    centre: Place
    centre_env: dict[str, str]
    sites: dict[str, Place] = field(default_factory=dict)
    site_keys: dict[str, str] = field(default_factory=dict)

    def site_env(self, name: str, **values: str) -> dict[str, str]:
        return environment(data_dir=str(self.folder / name), site_key=self.site_keys[name], **(SYNC | values))

    def add_site(self, name: str, *, clock: str | None = None, **values: str) -> Place:
        self.site_keys[name] = sync.create_site(name, actor=ADMIN, db=self.centre_db)[1]
        env = self.site_env(name, **values)
        joined = run(env, "sites", "join", name, "--centre", self.centre.server.url)
        assert joined["site"] == name
        return self.serve_site(name, env, clock)

    def serve_site(self, name: str, env: dict[str, str], clock: str | None = None) -> Place:
        server = Server(name, env, ("--site", name, "--centre", self.centre.server.url), faketime(clock) if clock else ())
        place = Place(name, self.folder / name, server.start(self.folder))
        accounts_for(place, Settings(data_dir=place.folder), (f"clerk-{name}", Role.CLERK, name), (f"officer-{name}", Role.OFFICER, name))
        self.sites[name] = place
        return place

    def settled(self, site: str) -> int:
        """How far the centre holds ``site``'s chain once no batch is still being taken (one sent just before the site died may be)."""
        last = self.acknowledged(site)
        while True:
            time.sleep(0.5)
            now = self.acknowledged(site)
            if now == last:
                return now
            last = now

    def acknowledged(self, site: str) -> int:
        with self.centre_db.read() as conn:
            return int(conn.execute(sa.select(sa.func.coalesce(sa.func.max(audit_log.c.seq), 0)).where(audit_log.c.origin == site)).scalar_one())


@pytest.fixture
def cluster(tmp_path: Path, worker_id: str, testrun_uid: str) -> Iterator[Cluster]:
    with ExitStack() as stack:
        db = stack.enter_context(postgres_database_named(f"borderplates_test_{testrun_uid[:12]}_{worker_id}_centre"))
        env = environment(data_dir=str(tmp_path / "centre"), database_url=db.url)
        centre = Place("centre", tmp_path / "centre", Server("centre", env).start(tmp_path))
        made = Cluster(tmp_path, db, centre, env)
        stack.callback(lambda: [place.server.stop() for place in [centre, *made.sites.values()]])
        accounts_for(centre, Settings(data_dir=centre.folder, database_url=db.url), ("supervisor", Role.SUPERVISOR, None))
        yield made


def day_of_work(point: str, day: dt.date) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """The demo week's registrations issued at ``point`` on ``day`` and its crossings there, as API request bodies."""
    week = generate_week(2021)
    classes = {vehicle.key: str(vehicle.vehicle_class) for vehicle in week.vehicles}
    issued = [
        {"plate": r.vehicle[1], "entering": r.jurisdiction, "point": point, "at": r.issued_at.isoformat(), "class": classes[r.vehicle]}
        for r in week.registrations
        if r.issuing_point == point and r.issued_at.date() == day
    ]
    crossed = [
        {
            "plate": c.vehicle[1],
            "point": point,
            ("entering" if c.direction == "entry" else "leaving"): c.jurisdiction,
            "at": c.at.isoformat(),
            "mode": str(c.mode),
            "class": classes[c.vehicle],
        }
        for c in week.crossings
        if c.point == point and c.at.date() == day
    ]
    return issued, crossed


def send(place: Place, account: str, path: str, bodies: list[dict[str, Any]], accepted: tuple[int, ...] = (201,)) -> int:
    """POST every body to the site's API, one after the other as a booth does; how many were accepted."""
    with place.client(account) as client:
        statuses = [client.post(path, json=body).status_code for body in bodies]
    assert set(statuses) <= {*accepted, 409}, statuses
    return sum(status in accepted for status in statuses)


def rows(db_or_url: Any, origin: str) -> tuple[int, int, list[tuple[int, str]]]:
    """(registrations, crossings, chain (seq, hash)) of ``origin`` in a registry."""
    engine = sa.create_engine(db_or_url) if isinstance(db_or_url, str) else db_or_url.engine
    try:
        with engine.connect() as conn:
            n_reg = conn.execute(sa.select(sa.func.count()).select_from(temporary_registrations).where(temporary_registrations.c.origin == origin)).scalar_one()
            n_cross = conn.execute(sa.select(sa.func.count()).select_from(crossings).where(crossings.c.origin == origin)).scalar_one()
            links = conn.execute(sa.select(audit_log.c.seq, audit_log.c.hash).where(audit_log.c.origin == origin).order_by(audit_log.c.seq)).all()
    finally:
        if isinstance(db_or_url, str):
            engine.dispose()
    return int(n_reg), int(n_cross), [tuple(link) for link in links]


def verified_at(place: Place) -> bool:
    """Whether every audit chain of a site's registry verifies."""
    db = open_registry(Settings(data_dir=place.folder))
    try:
        return audit.verify_chains(actor=SUPERVISOR, db=db).intact
    finally:
        db.close()


def site_url(place: Place) -> str:
    return f"sqlite:///{place.folder / 'borderplates.db'}"


def test_a_day_cut_off_from_the_centre_arrives_exactly_once_with_verified_chains(cluster: Cluster) -> None:
    jarinje = cluster.add_site("jarinje")
    merdare = cluster.add_site("merdare", clock="-5h")
    supervisor = cluster.centre.client("supervisor")

    # Before the cut: a registration issued at Jarinje reaches the centre, and Merdare learns it.
    with jarinje.client("clerk-jarinje") as clerk:
        early = clerk.post("/api/v1/registrations", json={"plate": "NP 500-AA", "entering": "XK", "point": "jarinje", "at": "2021-09-21T07:00:00+02:00"})
    assert early.status_code == 201, early.text
    number = early.json()["number"]
    check = {"plate": "NP 500-AA", "entering": "XK", "point": "merdare", "at": "2021-09-21T09:00:00+02:00"}
    with merdare.client("officer-merdare") as officer:
        until(lambda: officer.get("/api/v1/check", params=check).json()["decision"] == "admit", "Merdare admitting the car registered at Jarinje")

    # The cut: the centre stops; a supervisor cancels the registration on the centre's registry meanwhile.
    cluster.centre.server.stop()
    cancelled = run(cluster.centre_env, "registrations", "cancel", number, "--reason", "plates reported stolen")
    assert cancelled["status"] == "cancelled"

    # A day's work goes on at both sites: a clerk issues at Jarinje, Merdare issues and records its demo day's crossings.
    issued, crossed = day_of_work("merdare", DAY)
    assert len(issued) > 500 and len(crossed) > 800
    at_jarinje = [
        {"plate": f"NP {600 + i}-JA", "entering": "XK", "point": "jarinje", "at": f"2021-09-21T{8 + i // 4:02d}:{i % 4 * 15:02d}:00+02:00"} for i in range(12)
    ]
    at_jarinje.append({"plate": "NP 700-CF", "entering": "XK", "point": "jarinje", "at": "2021-09-21T12:00:00+02:00"})
    assert send(jarinje, "clerk-jarinje", "/api/v1/registrations", at_jarinje) == 13
    assert send(merdare, "clerk-merdare", "/api/v1/registrations", issued) > 500
    send(merdare, "clerk-merdare", "/api/v1/registrations", [{"plate": "NP 700-CF", "entering": "XK", "point": "merdare", "at": "2021-09-21T12:30:00+02:00"}])
    assert send(merdare, "officer-merdare", "/api/v1/crossings", crossed) == len(crossed)
    with merdare.client("officer-merdare") as officer:
        assert officer.get("/api/v1/check", params=check).json()["decision"] == "admit"  # the cancellation has not reached it yet
    status = run(environment(data_dir=str(merdare.folder)), "sync", "status")
    assert status["sites"][0]["backlog"] > 2000 and status["last_error"] is not None and "cannot be reached" in status["last_error"]

    # The centre comes back: one cycle at each site, and it holds all of it exactly once.
    cluster.centre.server.start(cluster.folder)
    for place in (jarinje, merdare):
        cycle = run(environment(data_dir=str(place.folder), sync_batch="1000"), "sync", "now")
        assert cycle["backlog"] == 0, cycle
    for place in (jarinje, merdare):
        at_site = rows(site_url(place), place.name)
        assert rows(cluster.centre_db, place.name) == at_site  # same records, same chain, once each
    verified = run(cluster.centre_env, "audit", "verify")
    assert verified["intact"] and {c["origin"] for c in verified["chains"]} == {"centre", "jarinje", "merdare"}
    for place in (jarinje, merdare):
        assert verified_at(place)

    # The cancellation made at the centre during the cut is enforced at the sites after their next pull.
    with merdare.client("officer-merdare") as officer:
        until(lambda: officer.get("/api/v1/check", params=check).json()["decision"] == "issue_temporary_registration", "Merdare refusing the cancelled one")
        answer = officer.get("/api/v1/check", params=check).json()
        assert answer["freshness"]["site"] == "merdare" and any("centre last reached" in reason for reason in answer["reasons"])
    with jarinje.client("clerk-jarinje") as clerk:
        until(lambda: clerk.get(f"/api/v1/registrations/{number}").json()["status"] == "cancelled", "Jarinje learning the cancellation")

    # Both sites issued to NP 700-CF while cut off: both kept, the conflict listed for supervisors.
    [conflict] = supervisor.get("/api/v1/sync/conflicts").json()["conflicts"]
    assert conflict["kind"] == "two_active" and conflict["vehicle"]["plate"] == "NP 700-CF"
    assert {conflict["first"]["origin"], conflict["second"]["origin"]} == {"jarinje", "merdare"}

    # Merdare's clock is five hours behind: its records say so, and its own sequence orders them all the same.
    with cluster.centre_db.read() as conn:
        recorded = conn.execute(sa.select(audit_log.c.recorded_at).where(audit_log.c.origin == "merdare").order_by(audit_log.c.seq)).scalars().all()
    lag = dt.datetime.now(dt.UTC) - recorded[-1]
    assert dt.timedelta(hours=4, minutes=50) < lag < dt.timedelta(hours=5, minutes=10)
    line = {s["site"]: s for s in supervisor.get("/api/v1/sync/status").json()["sites"]}
    assert line["merdare"]["backlog"] == 0 and line["jarinje"]["backlog"] == 0
    supervisor.close()


def test_a_site_killed_mid_sync_loses_nothing_acknowledged_and_a_rebuilt_site_carries_on(cluster: Cluster) -> None:
    merdare = cluster.add_site("merdare", sync_batch="10")
    _, crossed = day_of_work("merdare", DAY)
    cluster.centre.server.stop()
    assert send(merdare, "officer-merdare", "/api/v1/crossings", crossed[:600]) == 600
    head = rows(site_url(merdare), "merdare")[2][-1][0]

    # The centre comes back; Merdare's worker pushes batch after batch, and is killed in the middle of it.
    before = cluster.acknowledged("merdare")
    cluster.centre.server.start(cluster.folder)
    until(lambda: cluster.acknowledged("merdare") > before, "Merdare's first batch reaching the centre", every=0.005)
    merdare.server.kill()
    acknowledged = cluster.settled("merdare")
    assert before < acknowledged < head
    held = rows(cluster.centre_db, "merdare")
    assert held[2] == rows(site_url(merdare), "merdare")[2][:acknowledged]  # what the centre acknowledged is there, once, in order

    # Restarted, it sends the rest, and only the rest.
    merdare.server.start(cluster.folder)
    until(lambda: cluster.acknowledged("merdare") == head, "Merdare catching up after the kill")
    assert rows(cluster.centre_db, "merdare") == rows(site_url(merdare), "merdare")

    # Merdare's machine is destroyed with work the centre never got; it is rebuilt from the centre and carries on.
    cluster.centre.server.stop()
    assert send(merdare, "officer-merdare", "/api/v1/crossings", crossed[600:800]) == 200
    cluster.centre.server.start(cluster.folder)
    until(lambda: cluster.acknowledged("merdare") > head, "Merdare starting to send its new work")
    merdare.server.kill()
    acknowledged = cluster.settled("merdare")
    lost_head = rows(site_url(merdare), "merdare")[2][-1][0]
    shutil.rmtree(merdare.folder)
    rebuilt = run(cluster.site_env("merdare"), "sites", "restore", "merdare", "--centre", cluster.centre.server.url)
    assert rebuilt["restored"] == acknowledged < lost_head
    assert rebuilt["lost"] == {"from": acknowledged + 1, "to": lost_head}  # every batch told the centre the site's head
    place = cluster.serve_site("merdare", cluster.site_env("merdare", sync_batch="10"))
    with place.client("officer-merdare") as officer:
        answer = officer.post("/api/v1/crossings", json={"plate": "NP 800-RB", "entering": "XK", "point": "merdare", "at": "2021-09-22T10:00:00+02:00"})
    assert answer.status_code == 201, answer.text
    final = rows(site_url(place), "merdare")
    until(lambda: cluster.acknowledged("merdare") == final[2][-1][0], "the rebuilt Merdare's work reaching the centre")
    assert rows(cluster.centre_db, "merdare")[2] == final[2]
    assert run(cluster.centre_env, "audit", "verify")["intact"]
    assert verified_at(place)
