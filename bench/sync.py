"""Benchmark: sites and the centre — ingest against COPY, a day's catch-up over HTTP, the booth's check with a backlog.

Measured in one run, under the shipped rules (the demo week's):

- ``ingest``: the centre taking a site's chain (``services.sync.receive_batch`` in
  batches of 1,000: each record checked against the chain held, stored verbatim and
  applied) into PostgreSQL, in records per second, against a raw ``COPY`` of the same
  rows (the audit records, vehicles, registrations and crossings they made) into the
  same tables. The site's records are made by the use cases (issuances and crossings).
- ``catch-up``: a site that was cut off for a day at Merdare's demo-week volume (its
  registrations and crossings of 21 Sep 2021, about 620 and 930: some 3,000 records)
  catches up with ``borderplates sync now``'s cycle over real HTTP, against a centre
  served by ``borderplates serve`` on PostgreSQL: seconds, and records per second.
- ``check``: ``services.checks.check_vehicle`` at a site (SQLite) holding 100,000
  records it has not sent, against the same registry with every record acknowledged,
  and against the same registry while its sync worker pushes that backlog (a thread
  of the same process, as in the site's server). Aim: the backlog costs the booth
  nothing (1.0×).

PostgreSQL: ``BORDERPLATES_BENCH_POSTGRES_URL`` or ``BORDERPLATES_TEST_POSTGRES_URL``,
else a throwaway cluster (as ``bench/registry.py`` starts one). Each figure is the
best of 3 repeats (the checks: of 20 rounds, the two states taking turns), timed with ``time.perf_counter``.
Run: ``python bench/sync.py [--quick]`` (``--quick``: a smaller site, half a day, a
backlog of 20,000).
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import sqlalchemy as sa
from psycopg.types.json import Json

from borderplates.demo import generate_week
from borderplates.errors import ConflictError
from borderplates.model import AuditEntry, NewCrossing
from borderplates.reference import parse_plate
from borderplates.registry import Database, create_engine
from borderplates.registry.tables import metadata
from borderplates.services import checks, registrations, sync
from borderplates.services.actors import Actor
from borderplates.services.crossings import record_crossing
from borderplates.services.presentation import Presentation
from borderplates.sync.client import CentreClient
from borderplates.sync.protocol import Batch, BatchAnswer, ChainPage, PullAnswer, PullRequest, RulesBundle, Snapshot
from borderplates.vocabulary import Decision, Direction, Mode, Role, VehicleClass
from registry import best, postgres_databases, postgres_server, timed  # the sibling benchmark's PostgreSQL and timing helpers

os.environ.pop("BORDERPLATES_DATA_ROOT", None)  # set by the sibling for its frozen regime: this one runs the shipped rules

ADMIN, CLERK, OFFICER = Actor("bench-admin", Role.ADMIN), Actor("bench-clerk", Role.CLERK), Actor("bench-officer", Role.OFFICER)
DAY = dt.date(2021, 9, 21)
COMMAND = Path(sys.executable).parent / "borderplates"
INGESTED = ("audit_log", "crossings", "temporary_registrations", "vehicles", "sync_conflicts")


@dataclass(frozen=True)
class Sizes:
    site_records: int
    day_share: float
    backlog: int
    checks: int


FULL = Sizes(site_records=12_000, day_share=1.0, backlog=100_000, checks=3_000)
QUICK = Sizes(site_records=3_000, day_share=0.5, backlog=20_000, checks=1_000)


class InProcessCentre:
    """The centre's sync services called directly with a site's key (the HTTP path is measured by the catch-up)."""

    centre_url = "in-process"

    def __init__(self, db: Database, key: str) -> None:
        self.db, self.key = db, key

    def _site(self) -> Any:
        return sync.site_for_key(self.key, db=self.db)

    def push(self, batch: Batch) -> BatchAnswer:
        return sync.receive_batch(self._site(), sync.Pushed.of(batch), db=self.db)

    def pull(self, request: PullRequest) -> PullAnswer:
        return sync.changes_for(self._site(), request, db=self.db)

    def snapshot(self, *, own: bool) -> Snapshot:
        return sync.snapshot_for(self._site(), own=own, db=self.db)

    def chain(self, after: int, limit: int) -> ChainPage:
        return sync.chain_for(self._site(), after, limit, db=self.db)

    def rules(self) -> RulesBundle:
        return sync.rules_bundle()


def migrated(url: str) -> Database:
    db = Database(url, create_engine(url))
    db.upgrade()
    return db


def joined_site(folder: Path, centre: Database, name: str) -> tuple[Database, InProcessCentre]:
    """A new SQLite site registry joined to ``centre`` as ``name``."""
    folder.mkdir(parents=True, exist_ok=True)
    _, key = sync.create_site(name, actor=ADMIN, db=centre)
    site = migrated(f"sqlite:///{folder / 'borderplates.db'}")
    client = InProcessCentre(centre, key)
    sync.join_site(name, client=client, site_key=key, db=site, data_dir=folder, actor=ADMIN)
    return site, client


def work(site: Database, point: str, issued: list[tuple[str, dt.datetime]], crossed: list[tuple[str, str, dt.datetime]]) -> None:
    """A site's day through the use cases: issuances, then crossings (refusals and conflicts are part of a day)."""
    for plate, at in issued:
        with suppress(ConflictError):
            registrations.issue_temporary_registration(Presentation(plate, "XK", at, point=point), actor=CLERK, db=site)
    for plate, way, at in crossed:
        record_crossing(Presentation(plate, "XK", at, Direction(way), point=point), actor=OFFICER, db=site)


def records(db: Database, origin: str) -> int:
    with db.reading() as uow:
        return uow.audit.last_seq(origin)


def rate(count: float, seconds: float) -> str:
    return f"{count / seconds:,.0f}/s"


# ----------------------------------------------------------------------- ingest against COPY


def truncate(db: Database, tables: tuple[str, ...]) -> None:
    with db.engine.begin() as conn:
        conn.exec_driver_sql(f"TRUNCATE {', '.join(tables)} RESTART IDENTITY CASCADE")


def copy_rows(source: Database, target: Database, tables: tuple[str, ...]) -> float:
    """Seconds to COPY every row of ``tables`` (as ``source`` holds them) into ``target``'s same tables, raw."""
    data: dict[str, tuple[list[str], list[tuple[Any, ...]]]] = {}
    for name in tables:
        table = metadata.tables[name]
        columns = [column.name for column in table.columns]
        with source.engine.connect() as conn:
            rows = conn.execute(sa.select(table).order_by(table.c.id))
            data[name] = (columns, [tuple(Json(value) if isinstance(value, dict) else value for value in row) for row in rows])
    truncate(target, INGESTED)
    start = time.perf_counter()
    with target.engine.connect() as conn:
        raw: Any = conn.connection.driver_connection
        with raw.cursor() as cursor:
            for name in tables:
                columns, rows = data[name]
                with cursor.copy(f"COPY {name} ({', '.join(columns)}) FROM STDIN") as copy:
                    for row in rows:
                        copy.write_row(row)
        raw.commit()
    return time.perf_counter() - start


def measure_ingest(server: str, folder: Path, sizes: Sizes, out: list[tuple[str, str, str]]) -> None:
    with postgres_databases(server, [f"bench_sync_centre_{os.getpid()}", f"bench_sync_copy_{os.getpid()}"]) as (centre_url, copy_url):
        centre, copy_target = migrated(centre_url), migrated(copy_url)
        site, client = joined_site(folder / "ingest-site", centre, "merdare")
        n = sizes.site_records // 4
        start = dt.datetime(2021, 9, 21, 6, tzinfo=dt.UTC)
        issued = [(f"NP {1000 + i}-BE", start + dt.timedelta(seconds=20 * i)) for i in range(n)]
        work(site, "merdare", issued, [(plate, "entry", at + dt.timedelta(minutes=3)) for plate, at in issued])
        total = records(site, "merdare")

        def ingest(_: int) -> float:
            truncate(centre, INGESTED)
            with site.begin() as uow:
                uow.sites.update_state(acknowledged=0)
                uow.commit()
            return timed(lambda: sync.push(db=site, client=client, batch=1000, data_dir=folder / "ingest-site"))

        pushed = best(3, ingest)
        copied = best(3, lambda _: copy_rows(centre, copy_target, ("vehicles", "temporary_registrations", "crossings", "audit_log")))
        out.append((f"centre ingest, {total:,} records in batches of 1,000", rate(total, pushed), f"{pushed:.2f} s"))
        out.append(("raw COPY of the same rows (audit records, vehicles, registrations, crossings)", rate(total, copied), f"{copied:.2f} s"))
        out.append(("ingest / COPY", f"{copied / pushed:.2f}×", "records per second, ingest against COPY"))
        for db in (site, centre, copy_target):
            db.close()


# ----------------------------------------------------------------------- a day's catch-up over HTTP


@contextmanager
def serving(env: dict[str, str], folder: Path) -> Iterator[str]:
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    with (folder / "centre.log").open("ab") as log:
        process = subprocess.Popen([str(COMMAND), "serve", "--port", str(port)], env=env, stdout=log, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                if httpx.get(f"{url}/api/v1/crossing-points", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if time.monotonic() > deadline or process.poll() is not None:
                raise SystemExit("the centre did not start; see " + str(folder / "centre.log"))
            time.sleep(0.1)
        yield url
    finally:
        process.terminate()
        try:
            process.wait(20)
        except subprocess.TimeoutExpired:
            process.kill()


def merdare_day(share: float) -> tuple[list[tuple[str, dt.datetime]], list[tuple[str, str, dt.datetime]]]:
    week = generate_week(2021)
    issued = [(r.vehicle[1], r.issued_at) for r in week.registrations if r.issuing_point == "merdare" and r.issued_at.date() == DAY]
    crossed = [(c.vehicle[1], str(c.direction), c.at) for c in week.crossings if c.point == "merdare" and c.at.date() == DAY and c.jurisdiction == "XK"]
    return issued[: int(len(issued) * share)], crossed[: int(len(crossed) * share)]


def measure_catch_up(server: str, folder: Path, sizes: Sizes, out: list[tuple[str, str, str]]) -> None:
    issued, crossed = merdare_day(sizes.day_share)
    with postgres_databases(server, [f"bench_sync_http_{os.getpid()}"]) as (centre_url,):
        centre = migrated(centre_url)
        runs: list[tuple[float, int]] = []
        env = {k: v for k, v in os.environ.items() if not k.startswith("BORDERPLATES_")}
        env |= {
            "BORDERPLATES_DATABASE_URL": centre_url,
            "BORDERPLATES_DATA_DIR": str(folder / "centre"),
        }
        with serving(env, folder) as url:
            for repeat in range(3):
                truncate(centre, INGESTED)  # each repeat a site alone with the centre, as the first
                site, inproc = joined_site(folder / f"day-{repeat}", centre, f"merdare-{repeat}")
                work(site, "merdare", issued, crossed)
                total = records(site, f"merdare-{repeat}")
                with CentreClient(url, inproc.key) as client:
                    seconds = timed(lambda s=site, c=client, r=repeat: sync.sync_now(db=s, client=c, batch=1000, data_dir=folder / f"day-{r}"))
                assert records(centre, f"merdare-{repeat}") == total
                runs.append((seconds, total))
                site.close()
        seconds, total = min(runs)
        share = f"{sizes.day_share:.0%} of " if sizes.day_share < 1 else ""
        out.append(
            (f"catch-up after {share}a day offline at Merdare ({len(issued)} issued, {len(crossed)} crossings)", f"{seconds:.2f} s", f"{total:,} records")
        )
        out.append(("catch-up over HTTP, records per second", rate(total, seconds), "push and pull, one sync now cycle"))
        out.append(("catch-up time / the day it covers", f"{seconds / (86_400 * sizes.day_share):.6f}×", ""))
        centre.close()


# ----------------------------------------------------------------------- the booth's check with a backlog


def backlog(site: Database, origin: str, n: int) -> None:
    """``n`` records not yet sent: crossings written with their audit records as the use cases write them, in big transactions."""
    start = dt.datetime(2021, 9, 22, tzinfo=dt.UTC)
    plate = parse_plate("NP 5000-BL")
    done = 0
    while done < n:
        with site.begin() as uow:
            vehicle = uow.vehicles.ensure(plate, vehicle_class=VehicleClass.CAR, resident=None, vin=None, at=start, actor="bench", point="merdare")
            for i in range(done, min(n, done + 5000)):
                at = start + dt.timedelta(seconds=i)
                new = NewCrossing(vehicle, "merdare", Direction.ENTRY, "XK", Mode.PASSENGER, None, at, Decision.ADMIT, "bench")
                crossing = uow.crossings.add(new, plate=plate.canonical, issuer=plate.issuer)
                uow.audit.append(AuditEntry(at, "bench", "merdare", "record", "crossing", crossing.id, None, new._asdict()))
            uow.commit()
        done = min(n, done + 5000)


def check_time(site: Database, plates: list[str], repeats: int = 5) -> float:
    at = dt.datetime(2021, 9, 21, 20, tzinfo=dt.UTC)

    def run(_: int) -> float:
        return timed(lambda: [checks.check_vehicle(Presentation(p, "XK", at, point="merdare"), actor=OFFICER, db=site) for p in plates])

    return best(repeats, run) / len(plates)


def measure_check(server: str, folder: Path, sizes: Sizes, out: list[tuple[str, str, str]]) -> None:
    centre = migrated(f"sqlite:///{folder / 'check-centre.db'}")
    site, client = joined_site(folder / "check-site", centre, "merdare")
    issued = [(f"NP {2000 + i}-CH", dt.datetime(2021, 9, 21, 8, tzinfo=dt.UTC) + dt.timedelta(seconds=30 * i)) for i in range(200)]
    work(site, "merdare", issued, [])
    sync.sync_now(db=site, client=client, batch=1000, data_dir=folder / "check-site")
    backlog(site, "merdare", sizes.backlog)
    plates = [plate for plate, _ in issued] * (sizes.checks // len(issued))
    check_time(site, plates[:100], 1)  # warm up
    acknowledged, head = sync.site_state(site).acknowledged, records(site, "merdare")

    def acknowledge(seq: int) -> None:
        with site.begin() as uow:
            uow.sites.update_state(acknowledged=seq)
            uow.commit()
        # Both arms start from an empty write-ahead log: a reader's cost grows with the log's length, whatever the backlog.
        with site.engine.connect() as conn:
            conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")

    # The registry is the same in both states, only what the centre acknowledged differs. They take turns, each
    # going first every other round (whichever runs first after a write is the slower), over many rounds (the
    # machine is shared).
    times: dict[int, list[float]] = {acknowledged: [], head: []}
    for round_ in range(20):
        for seq in (acknowledged, head) if round_ % 2 else (head, acknowledged):
            acknowledge(seq)
            times[seq].append(check_time(site, plates, 1))
    with_backlog, without, pending = min(times[acknowledged]), min(times[head]), head - acknowledged
    acknowledge(acknowledged)
    pushing = threading.Thread(target=lambda: sync.push(db=site, client=client, batch=1000, data_dir=folder / "check-site"))
    pushing.start()
    while_pushing = check_time(site, plates[: len(plates) // 2], 1)
    pushing.join()
    out.append((f"check at a site, {pending:,} records not sent", f"{with_backlog * 1e6:.0f} µs", f"{len(plates)} checks"))
    out.append(("same check, every record acknowledged", f"{without * 1e6:.0f} µs", ""))
    out.append(("backlog / none", f"{with_backlog / without:.2f}×", "aim: 1.0×"))
    out.append(("same check while the worker pushes the backlog (same process)", f"{while_pushing * 1e6:.0f} µs", f"{while_pushing / without:.2f}× none"))
    site.close()
    centre.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--quick", action="store_true", help="a smaller site, half a day, a backlog of 20,000")
    args = parser.parse_args()
    sizes = QUICK if args.quick else FULL
    out: list[tuple[str, str, str]] = []
    started = time.perf_counter()
    print(f"sync benchmark ({'quick' if args.quick else 'full'}): {sizes}", flush=True)
    folder = Path(tempfile.mkdtemp(prefix="borderplates-bench-sync."))
    try:
        with postgres_server() as server:
            for measure in (measure_ingest, measure_catch_up, measure_check):
                measure(server, folder, sizes, out)
                print(f"  {measure.__name__} done at {time.perf_counter() - started:.0f} s", flush=True)
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    print(f"\n{'measure':<92} {'value':>12}  note")
    for what, value, note in out:
        print(f"{what:<92} {value:>12}  {note}")
    print(f"\ntotal {time.perf_counter() - started:.0f} s; python {sys.version.split()[0]}")


if __name__ == "__main__":
    main()
