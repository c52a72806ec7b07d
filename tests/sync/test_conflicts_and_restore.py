"""Two sites cut off from each other, and a site lost and rebuilt from the centre."""

from __future__ import annotations

import datetime as dt

import pytest

from borderplates.errors import ConflictError
from borderplates.registry.audit import ChainRefused
from borderplates.registry.tables import crossings, temporary_registrations
from borderplates.services import audit, registrations, sync
from borderplates.sync.protocol import Batch, WireRecord
from borderplates.vocabulary import Rejection
from tests.conftest import sqlite_database
from tests.sync.conftest import ADMIN, DAY, SUPERVISOR, InProcessCentre, chain, count

pytestmark = pytest.mark.usefixtures("test_rules")


def test_two_sites_issuing_to_one_car_while_cut_off_both_keep_theirs_and_the_centre_lists_the_conflict(centre, make_site):
    jarinje, merdare = make_site("jarinje"), make_site("merdare")
    jarinje.centre.cut = merdare.centre.cut = True
    first = jarinje.issue("NP 400-CF", DAY)
    second = merdare.issue("NP 400-CF", DAY + dt.timedelta(minutes=30))
    jarinje.centre.cut = merdare.centre.cut = False
    jarinje.sync()
    assert merdare.sync().conflicts == 1
    assert count(centre, temporary_registrations, status="active") == 2
    [found] = sync.list_conflicts(actor=SUPERVISOR, db=centre)
    shown = found.as_json()
    assert (shown["kind"], shown["open"], shown["vehicle"]) == ("two_active", True, {"issuer": "RS", "plate": "NP 400-CF"})
    assert (shown["first"]["number"], shown["first"]["origin"]) == (first.number, "jarinje")
    assert (shown["second"]["number"], shown["second"]["origin"]) == (second.number, "merdare")
    assert sync.sync_status(actor=SUPERVISOR, db=centre).open_conflicts == 1
    jarinje.sync()  # each site learns the other's registration; nothing is overwritten
    assert count(jarinje.db, temporary_registrations, status="active") == 2
    registrations.cancel(second.number, DAY + dt.timedelta(hours=2), reason="duplicate of " + first.number, actor=SUPERVISOR, db=centre)
    assert sync.list_conflicts(actor=SUPERVISOR, db=centre) == []
    [resolved] = sync.list_conflicts(actor=SUPERVISOR, db=centre, everything=True)
    assert not resolved.open and resolved.as_json()["second"]["status"] == "cancelled"
    merdare.sync()
    with merdare.db.reading() as uow:
        assert uow.registrations.by_number(second.number).status == "cancelled"


def test_a_registration_ended_at_a_site_after_the_centre_cancelled_it_stays_cancelled_and_is_listed(centre, make_site):
    jarinje = make_site("jarinje")
    number = jarinje.issue("NP 401-CF", DAY).number
    jarinje.sync()
    jarinje.centre.cut = True
    registrations.cancel(number, DAY + dt.timedelta(hours=1), reason="stolen plates", actor=SUPERVISOR, db=centre)
    registrations.return_on_exit(number, DAY + dt.timedelta(hours=2), point="jarinje", actor=SUPERVISOR, db=jarinje.db)
    jarinje.centre.cut = False
    jarinje.sync()
    with centre.reading() as uow:
        assert uow.registrations.by_number(number).status == "cancelled"
    [found] = sync.list_conflicts(actor=SUPERVISOR, db=centre, everything=True)
    assert found.conflict.kind == "ended_twice" and "cancelled already when jarinje returned" in found.conflict.detail
    assert [r.action for r in chain(centre, "jarinje")][-1] == "return"  # the site's record is kept in its chain


def lose_and_rebuild(site, tmp_path):
    """Rebuild ``site`` from the centre into a new data directory, as after its machine was destroyed."""
    folder = tmp_path / f"{site.name}-rebuilt"
    folder.mkdir()
    context = sqlite_database(folder / "borderplates.db")
    db = context.__enter__()
    restored = sync.restore_site(site.name, client=site.centre, site_key=site.centre.key, db=db, data_dir=folder, actor=ADMIN)
    return db, folder, restored


def test_a_lost_site_is_rebuilt_from_the_centre_and_carries_on_with_its_chain(centre, make_site, tmp_path):
    jarinje = make_site("jarinje")
    kept = jarinje.issue("NP 410-RS", DAY)
    jarinje.cross("NP 410-RS", DAY + dt.timedelta(minutes=3))
    cancelled = jarinje.issue("NP 411-RS", DAY + dt.timedelta(minutes=10))
    acknowledged = jarinje.sync().acknowledged
    registrations.cancel(cancelled.number, DAY + dt.timedelta(hours=1), reason="paid twice", actor=SUPERVISOR, db=centre)
    jarinje.issue("NP 412-RS", DAY + dt.timedelta(hours=2))  # written, reported at the next pull, never pushed
    sync.pull(db=jarinje.db, client=jarinje.centre, data_dir=jarinje.data_dir)
    head = chain(jarinje.db, "jarinje")[-1].seq
    assert head > acknowledged

    db, folder, restored = lose_and_rebuild(jarinje, tmp_path)
    try:
        assert restored.restored == acknowledged and restored.lost == (acknowledged + 1, head)
        assert restored.as_json()["lost"] == {"from": acknowledged + 1, "to": head}
        assert db.origin == "jarinje"
        with db.reading() as uow:
            assert uow.registrations.by_number(kept.number).status == "active"
            assert uow.registrations.by_number(cancelled.number).status == "cancelled"
        assert count(db, crossings, origin="jarinje") == 1
        rebuilt = chain(db, "jarinje")
        assert rebuilt[-1].action == "restore" and rebuilt[-1].seq == head + 1
        assert audit.verify_chains(actor=SUPERVISOR, db=db).intact

        carried_on = type(jarinje)("jarinje", db, folder, jarinje.centre)
        issued = carried_on.issue("NP 413-RS", DAY + dt.timedelta(hours=3))
        cycle = carried_on.sync()
        assert cycle.backlog == 0 and cycle.acknowledged == head + 3  # the restore record, the new vehicle, the issuance
        verified = audit.verify_chains(actor=SUPERVISOR, db=centre)
        assert verified.intact
        with centre.reading() as uow:
            assert uow.registrations.by_number(issued.number) is not None
        line = sync.sync_status(actor=SUPERVISOR, db=centre).as_json()["sites"][0]
        assert line["restored_at"] is not None and line["backlog"] == 0

        with jarinje.db.reading() as uow:  # the old machine comes back and sends what was declared lost
            lost = uow.audit.links("jarinje", acknowledged, limit=10)
        records = [WireRecord(seq=link.seq, hash=link.hash, record=link.record.decode()) for link in lost]
        with pytest.raises(ChainRefused, match="declared lost") as refused:
            jarinje.centre.push(Batch(site="jarinje", head=head, records=records))
        assert refused.value.kind == Rejection.FORK
    finally:
        db.engine.dispose()


def test_a_site_whose_records_the_centre_holds_is_restored_not_joined_again(centre, make_site, tmp_path):
    jarinje = make_site("jarinje")
    jarinje.issue("NP 420-RS", DAY)
    jarinje.sync()
    folder = tmp_path / "again"
    folder.mkdir()
    with sqlite_database(folder / "borderplates.db") as db, pytest.raises(ConflictError, match="sites restore jarinje"):
        sync.join_site("jarinje", client=InProcessCentre(centre, jarinje.centre.key), site_key=jarinje.centre.key, db=db, data_dir=folder, actor=ADMIN)


def test_a_site_with_nothing_lost_is_rebuilt_with_a_record_that_says_so(centre, make_site, tmp_path):
    jarinje = make_site("jarinje")
    jarinje.issue("NP 421-RS", DAY)
    acknowledged = jarinje.sync().acknowledged
    db, _, restored = lose_and_rebuild(jarinje, tmp_path)
    try:
        assert restored.lost is None and restored.as_json()["lost"] is None
        last = chain(db, "jarinje")[-1]
        assert (last.seq, last.action, last.after) == (acknowledged + 1, "restore", {"lost_from": None, "lost_to": None})
    finally:
        db.engine.dispose()
