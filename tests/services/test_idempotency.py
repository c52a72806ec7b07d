"""Writes happen once per request key, and a crossing is judged and recorded in one unit of work, on SQLite and PostgreSQL."""

from __future__ import annotations

import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor, wait
from typing import Any

import pytest
import sqlalchemy as sa

from borderplates import reference
from borderplates.errors import ConflictError
from borderplates.model import AuditEntry, Crossing, NewCrossing
from borderplates.registry import Database, UnitOfWork
from borderplates.registry.tables import audit_log, crossings, enforcement_actions, sticker_issuances, temporary_registrations
from borderplates.services import crossings as crossing_services
from borderplates.services import enforcement, idempotency, registrations
from borderplates.services.presentation import Presentation
from borderplates.vocabulary import Decision, Direction, Mode, VehicleClass
from tests.conftest import local, operator

pytestmark = pytest.mark.usefixtures("test_rules")

PLATE = "NP 123-AB"
CALLS = 24


def written(answer: Any) -> Any:
    """What a use case wrote: a crossing's record without the check that decided it (a retry is not judged again)."""
    return answer.crossing if isinstance(answer, crossing_services.CrossingRecord) else answer


def count(db: Database, table: sa.Table) -> int:
    with db.read() as conn:
        return int(conn.execute(sa.select(sa.func.count()).select_from(table)).scalar_one())


def together(calls: int, work: Callable[[int], Any]) -> list[Any]:
    """Run ``work(index)`` on as many threads, released at the same moment; each result or the error raised."""
    start = threading.Event()

    def call(index: int) -> Any:
        start.wait(timeout=60)
        try:
            return work(index)
        except ConflictError as conflict:
            return conflict

    with ThreadPoolExecutor(max_workers=calls) as pool:
        futures = [pool.submit(call, index) for index in range(calls)]
        start.set()
        return [future.result(timeout=300) for future in futures]


def keyed_crossing(db: Database, key: str, plate_text: str = PLATE) -> Crossing:
    """A minimal keyed write through the one mechanism: a crossing row and its audit record."""
    plate = reference.parse_plate(plate_text)

    def act(uow: UnitOfWork) -> Crossing:
        vehicle = uow.vehicles.ensure(plate, vehicle_class=VehicleClass.CAR, resident=None, vin=None, at=local(2021, 10, 1, 10), actor="t", point=None)
        new = NewCrossing(vehicle, "jarinje", Direction.ENTRY, "XK", Mode.PASSENGER, None, local(2021, 10, 1, 10), Decision.ADMIT, "t", request_key=key)
        crossing = uow.crossings.add(new, plate=plate.canonical, issuer=plate.issuer)
        uow.audit.append(AuditEntry(new.at, "t", "jarinje", "record", "crossing", crossing.id, None, new._asdict()))
        return crossing

    def replay(uow: UnitOfWork, request: str) -> Crossing | None:
        found = uow.crossings.by_request_key(request)
        if found is not None and found.plate != plate.canonical:
            raise ConflictError("this request key was already used for another vehicle")
        return found

    return idempotency.once(db, key, act=act, replay=replay)


def test_concurrent_retries_of_one_keyed_write_all_get_the_first_answer_and_it_is_written_once(db):
    results = together(CALLS, lambda _: keyed_crossing(db, "booth-7/1"))
    assert all(isinstance(result, Crossing) for result in results), results
    assert len({result.id for result in results}) == 1
    assert count(db, crossings) == 1
    assert count(db, audit_log) == 2  # the vehicle and the one crossing


def test_concurrent_writes_with_different_keys_are_each_written_once(db):
    results = together(CALLS, lambda index: keyed_crossing(db, f"booth-{index % 4}/1"))
    assert len({result.id for result in results}) == 4
    assert count(db, crossings) == 4


def test_a_key_used_for_another_vehicle_is_a_conflict_even_under_races(db):
    results = together(CALLS, lambda index: keyed_crossing(db, "shared", PLATE if index % 2 else "BG 999-ZZ"))
    written = [result for result in results if isinstance(result, Crossing)]
    refused = [result for result in results if isinstance(result, ConflictError)]
    assert len({result.plate for result in written}) == 1
    assert len(written) + len(refused) == CALLS and refused
    assert all("another vehicle" in str(conflict) for conflict in refused)
    assert count(db, crossings) == 1


def test_a_write_without_a_key_is_not_replayed(db):
    first, second = keyed_crossing(db, None), keyed_crossing(db, None)  # type: ignore[arg-type]
    assert first.id != second.id
    assert count(db, crossings) == 2


def _issue(db: Database, key: str | None, plate: str = PLATE) -> Any:
    return registrations.issue_temporary_registration(
        Presentation(plate, "XK", local(2021, 9, 20, 10), point="jarinje"), actor=operator("c"), request_key=key, db=db
    )


def _renew(db: Database, key: str | None) -> Any:
    number = registrations.list_registrations(actor=operator("c"), plate="BG 999-ZZ", db=db).registrations[-1].number
    return registrations.renew(number, local(2021, 9, 20, 10), point="jarinje", actor=operator("c"), request_key=key, db=db)


KEYED: dict[str, tuple[Callable[[Database, str | None], Any], sa.Table]] = {
    "issue": (_issue, temporary_registrations),
    "renew": (_renew, temporary_registrations),
    "cross": (
        lambda db, key: crossing_services.record_crossing(
            Presentation(PLATE, "XK", local(2021, 9, 20, 10), point="jarinje"), actor=operator("o"), request_key=key, db=db
        ),
        crossings,
    ),
    "sticker": (
        lambda db, key: enforcement.issue_sticker(
            Presentation("01-123-AB", "RS", local(2021, 10, 4, 9), point="jarinje"), actor=operator("o"), request_key=key, db=db
        ),
        sticker_issuances,
    ),
    "warning": (
        lambda db, key: enforcement.record_warning(
            Presentation("KM 456-XY", "XK", local(2020, 3, 2, 10), point="jarinje", resident="XK"), actor=operator("o"), request_key=key, db=db
        ),
        enforcement_actions,
    ),
    "fine": (
        lambda db, key: enforcement.record_fine(
            Presentation("KM 456-XY", "XK", local(2020, 8, 3, 10), point="jarinje", resident="XK"), actor=operator("o"), request_key=key, db=db
        ),
        enforcement_actions,
    ),
}


@pytest.mark.parametrize("use_case", sorted(KEYED))
def test_every_keyed_use_case_goes_through_the_one_mechanism_and_answers_a_retry_with_the_first_answer(db, use_case, monkeypatch):
    call, table = KEYED[use_case]
    if use_case == "renew":
        _issue(db, None, "BG 999-ZZ")
    keys: list[str | None] = []
    real = idempotency.once

    def spy(database: Database, key: str | None, **parts: Any) -> Any:
        keys.append(key)
        return real(database, key, **parts)

    for module in (registrations, crossing_services, enforcement):
        monkeypatch.setattr(module, "once", spy)
    before = count(db, table)
    first = written(call(db, "request-1"))
    assert written(call(db, "request-1")) == first
    assert count(db, table) == before + 1
    assert keys == ["request-1", "request-1"]


def test_a_registration_cancelled_while_a_crossing_is_being_judged_cannot_be_recorded_as_admitting_the_car(db, monkeypatch):
    """The cancellation waits for the crossing's unit of work: the decision recorded matches the registry at commit."""
    issued = registrations.issue_temporary_registration(Presentation(PLATE, "XK", local(2021, 9, 20, 10), point="jarinje"), actor=operator("c"), db=db)
    judged, release = threading.Event(), threading.Event()
    real_assess = crossing_services.assess

    def slow_assess(*args: Any) -> Any:
        check = real_assess(*args)
        judged.set()
        release.wait(timeout=60)
        return check

    monkeypatch.setattr(crossing_services, "assess", slow_assess)
    with ThreadPoolExecutor(max_workers=2) as pool:
        crossing = pool.submit(
            crossing_services.record_crossing, Presentation(PLATE, "XK", local(2021, 9, 21, 10), point="jarinje"), actor=operator("o"), db=db
        )
        assert judged.wait(timeout=60)
        cancel = pool.submit(registrations.cancel, issued.number, local(2021, 9, 21, 10, 1), reason="plates lost", actor=operator("s"), db=db)
        done, _ = wait([cancel], timeout=1.5)
        assert not done, "the cancellation did not wait for the crossing being judged"
        release.set()
        recorded, cancelled = crossing.result(timeout=60), cancel.result(timeout=60)
    assert recorded.crossing.decision == Decision.ADMIT
    assert cancelled.status == "cancelled"
    with db.read() as conn:
        linked = conn.execute(sa.select(crossings.c.registration_id)).scalar_one()
        registration = conn.execute(sa.select(temporary_registrations.c.id)).scalar_one()
        order = [row.action for row in conn.execute(sa.select(audit_log.c.action).where(audit_log.c.action.in_(("record", "cancel"))).order_by(audit_log.c.id))]
    assert linked == registration
    assert order == ["record", "cancel"]
    after = crossing_services.record_crossing(Presentation(PLATE, "XK", local(2021, 9, 21, 11), point="jarinje"), actor=operator("o"), db=db)
    assert after.crossing.decision == Decision.ISSUE_TEMPORARY_REGISTRATION
