"""Exactly once: racing issuances for one car leave one active registration, on SQLite and PostgreSQL.

Real threads share one engine; real processes (spawned, as separate booths would be) each open
their own. Every call either gets the one registration (same request) or a ConflictError.
"""

from __future__ import annotations

import multiprocessing
import os
import threading
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
import sqlalchemy as sa

from borderplates.errors import ConflictError
from borderplates.registry import Database
from borderplates.registry.tables import audit_log, crossings, temporary_registrations, vehicles
from borderplates.services import registrations
from borderplates.services.crossings import record_crossing
from borderplates.services.presentation import Presentation
from tests.conftest import local, operator

pytestmark = pytest.mark.usefixtures("test_rules")

PLATE = "NP 123-AB"
CALLS = 50
WORKERS = 16
PROCESSES = 8


def issue(db: Database, key: str | None, clerk: str = "clerk") -> str | ConflictError:
    """The number issued, or the conflict raised; any other exception fails the test."""
    try:
        return registrations.issue_temporary_registration(
            Presentation(PLATE, "XK", local(2021, 9, 20, 10), point="jarinje"), actor=operator(clerk), request_key=key, db=db
        ).number
    except ConflictError as conflict:
        return conflict


def race(db: Database, keys: list[str | None]) -> list[str | ConflictError]:
    """Run one issuance per key on ``WORKERS`` threads, all released at the same moment."""
    start = threading.Event()

    def call(index: int) -> str | ConflictError:
        start.wait(timeout=60)
        return issue(db, keys[index], clerk=f"clerk-{index}")

    with ThreadPoolExecutor(max_workers=WORKERS) as pool:
        futures = [pool.submit(call, index) for index in range(len(keys))]
        start.set()
        return [future.result(timeout=300) for future in futures]


def registry_rows(db: Database) -> tuple[list[sa.Row[Any]], int, int]:
    with db.read() as conn:
        rows = list(conn.execute(sa.select(temporary_registrations)))
        vehicle_count = conn.execute(sa.select(sa.func.count()).select_from(vehicles)).scalar_one()
        issue_audits = conn.execute(sa.select(sa.func.count()).select_from(audit_log).where(audit_log.c.action == "issue")).scalar_one()
    return rows, vehicle_count, issue_audits


def cancel_earlier_registration(db: Database) -> None:
    """Make the car known to the registry with an ended registration, so the race is on the registration alone."""
    earlier = registrations.issue_temporary_registration(Presentation(PLATE, "XK", local(2021, 9, 1, 10), point="jarinje"), actor=operator("clerk"), db=db)
    registrations.cancel(earlier.number, local(2021, 9, 1, 11), actor=operator("clerk"), reason="issued in error", db=db)


@pytest.mark.parametrize("known_vehicle", [False, True], ids=["new-vehicle", "known-vehicle"])
def test_fifty_concurrent_issuances_without_a_shared_key_leave_exactly_one_active_registration(db, known_vehicle):
    if known_vehicle:
        cancel_earlier_registration(db)
    results = race(db, [f"booth-{index}" for index in range(CALLS)])
    numbers = [result for result in results if isinstance(result, str)]
    conflicts = [result for result in results if isinstance(result, ConflictError)]
    assert len(numbers) == 1
    assert len(conflicts) == CALLS - 1
    rows, vehicle_count, issue_audits = registry_rows(db)
    active = [row for row in rows if row.status == "active"]
    assert [row.number for row in active] == numbers
    assert len(rows) == (2 if known_vehicle else 1)
    assert vehicle_count == 1
    assert issue_audits == len(rows)


@pytest.mark.parametrize("known_vehicle", [False, True], ids=["new-vehicle", "known-vehicle"])
def test_fifty_concurrent_retries_of_one_request_all_get_the_same_registration(db, known_vehicle):
    if known_vehicle:
        cancel_earlier_registration(db)
    results = race(db, ["booth-1/0001"] * CALLS)
    assert all(isinstance(result, str) for result in results), [r for r in results if not isinstance(r, str)]
    assert len(set(results)) == 1
    rows, vehicle_count, issue_audits = registry_rows(db)
    assert [row.number for row in rows if row.status == "active"] == [results[0]]
    assert [row.request_key for row in rows if row.status == "active"] == ["booth-1/0001"]
    assert vehicle_count == 1
    assert issue_audits == len(rows)


def test_two_request_keys_racing_give_one_registration_to_one_key_and_a_conflict_to_the_other(db):
    keys: list[str | None] = ["booth-a" if index % 2 else "booth-b" for index in range(CALLS)]
    results = race(db, keys)
    rows, vehicle_count, _ = registry_rows(db)
    [row] = rows
    assert row.status == "active"
    winner = row.request_key
    assert winner in ("booth-a", "booth-b")
    for key, result in zip(keys, results, strict=True):
        if key == winner:
            assert result == row.number
        else:
            assert isinstance(result, ConflictError) and row.number in str(result)
    assert vehicle_count == 1


def test_fifty_concurrent_issuances_without_any_key_leave_exactly_one_active_registration(db):
    results = race(db, [None] * CALLS)
    numbers = [result for result in results if isinstance(result, str)]
    assert len(numbers) == 1
    assert sum(isinstance(result, ConflictError) for result in results) == CALLS - 1
    rows, _, _ = registry_rows(db)
    assert [row.number for row in rows] == numbers


# Separate processes ----------------------------------------------------------------------------


def _issue_in_process(url: str, key: str | None, barrier: Any, results: Any) -> None:
    """A booth in its own process: open the registry, wait for the others, issue."""
    from borderplates.registry.database import Database, create_engine

    database = Database(url, create_engine(url))
    try:
        barrier.wait(timeout=120)
        try:
            issued = registrations.issue_temporary_registration(
                Presentation(PLATE, "XK", local(2021, 9, 20, 10), point="jarinje"), actor=operator(f"clerk-{os.getpid()}"), request_key=key, db=database
            )
            results.put(("issued", issued.number, issued.rule_id, os.getpid()))
        except ConflictError as conflict:
            results.put(("conflict", str(conflict), None, os.getpid()))
        except Exception as error:  # reported to the parent, which fails the test
            results.put(("error", repr(error), None, os.getpid()))
    finally:
        database.close()


def race_processes(db: Database, keys: list[str | None]) -> list[tuple[str, str, str | None, int]]:
    assert os.environ["BORDERPLATES_DATA_ROOT"].endswith("test_regime")  # inherited by the spawned children
    context = multiprocessing.get_context("spawn")
    barrier = context.Barrier(len(keys))
    results = context.Queue()
    processes = [context.Process(target=_issue_in_process, args=(db.url, key, barrier, results)) for key in keys]
    for process in processes:
        process.start()
    try:
        answers = [results.get(timeout=180) for _ in processes]
    finally:
        for process in processes:
            process.join(timeout=60)
    assert [process.exitcode for process in processes] == [0] * len(processes)
    return answers


def test_separate_processes_racing_for_one_car_leave_exactly_one_active_registration(db):
    # Half the booths retry one request; the others each send their own.
    keys: list[str | None] = ["booth-1/0001"] * (PROCESSES // 2) + [f"process-{index}" for index in range(PROCESSES // 2)]
    answers = race_processes(db, keys)
    assert [answer for answer in answers if answer[0] == "error"] == []
    assert len({answer[3] for answer in answers}) == PROCESSES
    rows, vehicle_count, issue_audits = registry_rows(db)
    [row] = rows
    assert (row.status, vehicle_count, issue_audits) == ("active", 1, 1)
    issued = [answer for answer in answers if answer[0] == "issued"]
    assert {answer[1] for answer in issued} == {row.number}
    assert {answer[2] for answer in issued} == {"test.rs_plates_entering_xk"}  # the children used the frozen test regime
    assert len(issued) == keys.count(row.request_key)
    assert all(row.number in answer[1] for answer in answers if answer[0] == "conflict")


def test_concurrent_retries_of_one_crossing_record_it_once_and_all_get_it(db):
    start = threading.Event()

    def call(_: int) -> int:
        start.wait(timeout=60)
        return record_crossing(
            Presentation(PLATE, "XK", local(2021, 10, 1, 10), point="jarinje"), actor=operator("officer-1"), request_key="gate-1/42", db=db
        ).crossing.id

    with ThreadPoolExecutor(max_workers=WORKERS) as pool:
        futures = [pool.submit(call, index) for index in range(CALLS)]
        start.set()
        ids = [future.result(timeout=300) for future in futures]
    assert len(set(ids)) == 1
    with db.read() as conn:
        assert conn.execute(sa.select(sa.func.count()).select_from(crossings)).scalar_one() == 1
