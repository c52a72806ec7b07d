"""Pushing a site's chain exactly once and pulling what it must know, with the centre on SQLite and PostgreSQL."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json

import pytest
import sqlalchemy as sa

from borderplates.errors import ConflictError
from borderplates.registry.audit import ChainRefused, canonical_bytes, digest
from borderplates.registry.tables import crossing_status_changes, crossings, temporary_registrations, vehicles
from borderplates.services import audit, checks, registrations, status, sync
from borderplates.services.presentation import Presentation
from borderplates.sync.client import CentreUnreachable
from borderplates.sync.protocol import Batch, WireRecord
from borderplates.vocabulary import Rejection, Role
from tests.conftest import local, operator
from tests.sync.conftest import ADMIN, DAY, SUPERVISOR, chain, count

pytestmark = pytest.mark.usefixtures("test_rules")


def work(site, n: int, start: dt.datetime = DAY) -> list[str]:
    """A site's day: ``n`` issuances, each followed by the car's entry."""
    numbers = []
    for i in range(n):
        plate = f"NP {100 + i}-{site.name[:2].upper()}"
        at = start + dt.timedelta(minutes=5 * i)
        numbers.append(site.issue(plate, at).number)
        site.cross(plate, at + dt.timedelta(minutes=2))
    return numbers


def test_a_joined_site_writes_as_its_own_origin_with_global_ids(make_site):
    jarinje = make_site("jarinje")
    assert jarinje.db.origin == "jarinje" and jarinje.db.is_site
    work(jarinje, 2)
    with jarinje.db.read() as conn:
        rows = conn.execute(sa.select(temporary_registrations.c.uid, temporary_registrations.c.origin)).all()
        crossing_origins = set(conn.execute(sa.select(crossings.c.origin)).scalars())
    assert {origin for _, origin in rows} == {"jarinje"} == crossing_origins
    assert all(len(uid) == 36 and uid[14] == "7" for uid, _ in rows)
    records = chain(jarinje.db, "jarinje")
    assert [r.seq for r in records] == list(range(1, len(records) + 1))
    issue = next(r for r in records if r.action == "issue")
    hashed = json.loads(bytes(issue.record))
    assert hashed["uid"] == issue.entity_uid and hashed["refs"]["vehicle"]["plate"] == "NP 100-JA"


def test_every_record_reaches_the_centre_once_and_a_batch_sent_again_changes_nothing(centre, make_site):
    jarinje = make_site("jarinje")
    work(jarinje, 5)
    first = jarinje.sync(batch=4)
    head = len(chain(jarinje.db, "jarinje"))
    assert (first.acknowledged, first.backlog, first.pushed) == (head, 0, head)
    assert len(jarinje.centre.batches) == -(-head // 4)
    assert count(centre, temporary_registrations, origin="jarinje") == 5 and count(centre, crossings, origin="jarinje") == 5
    for batch in list(jarinje.centre.batches):  # every batch again, as a site that never heard the answers would send them
        answer = jarinje.centre.push(batch)
        assert (answer.applied, answer.already, answer.acknowledged) == (0, len(batch.records), head)
    assert count(centre, temporary_registrations) == 5 and count(centre, crossings) == 5
    assert [r.hash for r in chain(centre, "jarinje")] == [r.hash for r in chain(jarinje.db, "jarinje")]
    assert audit.verify_chains(actor=SUPERVISOR, db=centre).intact
    again = jarinje.sync()
    assert (again.pushed, again.acknowledged) == (0, head)


def test_a_batch_cut_off_after_the_centre_took_it_is_not_applied_twice(centre, make_site):
    jarinje = make_site("jarinje")
    work(jarinje, 3)
    with jarinje.db.reading() as uow:
        links = uow.audit.links("jarinje", 0, limit=4)
    records = [WireRecord(seq=link.seq, hash=link.hash, record=link.record.decode()) for link in links]
    jarinje.centre.push(Batch(site="jarinje", head=4, records=records))  # the centre took it; the answer never reached the site
    cycle = jarinje.sync()
    assert cycle.acknowledged == len(chain(jarinje.db, "jarinje")) and cycle.pushed == cycle.acknowledged - 4
    assert count(centre, temporary_registrations) == 3 and count(centre, crossings) == 3


def test_while_the_centre_is_unreachable_the_site_works_and_catches_up_later(centre, make_site):
    jarinje = make_site("jarinje")
    jarinje.centre.cut = True
    work(jarinje, 3)
    with pytest.raises(CentreUnreachable):
        jarinje.sync()
    line = sync.sync_status(actor=SUPERVISOR, db=jarinje.db).as_json()
    assert line["sites"][0]["backlog"] == len(chain(jarinje.db, "jarinje")) and "cannot be reached" in line["last_error"]
    assert line["sites"][0]["oldest_unsent_age_seconds"] is not None
    jarinje.centre.cut = False
    assert jarinje.sync().backlog == 0
    line = sync.sync_status(actor=SUPERVISOR, db=jarinje.db).as_json()
    assert line["sites"][0]["backlog"] == 0 and line["last_error"] is None
    at_centre = sync.sync_status(actor=SUPERVISOR, db=centre).as_json()
    assert [(s["site"], s["acknowledged"], s["backlog"]) for s in at_centre["sites"]] == [("jarinje", len(chain(jarinje.db, "jarinje")), 0)]


def tampered(site, seq: int, change) -> Batch:
    """The site's records from 1, with record ``seq`` changed by ``change(fields)`` (rehashed, so only the chain shows it)."""
    with site.db.reading() as uow:
        links = uow.audit.links(site.name, 0, limit=100)
    records = []
    for link in links:
        text = link.record.decode()
        if link.seq == seq:
            fields = json.loads(text)
            change(fields)
            text = json.dumps(fields, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
            records.append(WireRecord(seq=link.seq, hash=digest(text.encode()), record=text))
        else:
            records.append(WireRecord(seq=link.seq, hash=link.hash, record=text))
    return Batch(site=site.name, head=links[-1].seq, records=records)


@pytest.mark.parametrize(
    ("how", "kind"),
    [
        ("altered", Rejection.ALTERED),
        ("rewritten", Rejection.FORK),
        ("gap", Rejection.GAP),
        ("other origin", Rejection.MALFORMED),
        ("moment not canonical", Rejection.MALFORMED),
    ],
)
def test_a_tampered_batch_is_refused_whole_reported_and_nothing_of_it_applied(centre, make_site, how, kind):
    jarinje = make_site("jarinje")
    work(jarinje, 2)
    if how == "altered":
        batch = tampered(jarinje, 3, lambda fields: None)
        batch.records[2] = batch.records[2].model_copy(update={"record": batch.records[2].record.replace("clerk-jarinje", "clerk-someone")})
    elif how == "rewritten":
        batch = tampered(jarinje, 3, lambda fields: fields.update(actor="someone else"))
    elif how == "gap":
        batch = tampered(jarinje, 0, lambda fields: None)
        del batch.records[1]
    elif how == "other origin":
        batch = tampered(jarinje, 1, lambda fields: fields.update(origin="merdare"))
    else:
        batch = tampered(jarinje, 1, lambda fields: fields.update(at="2021-09-27T10:00:00+02:00"))
    with pytest.raises(ChainRefused) as refused:
        jarinje.centre.push(batch)
    assert refused.value.kind == kind
    assert count(centre, temporary_registrations) == 0 and count(centre, vehicles) == 0 and chain(centre, "jarinje") == []
    line = sync.sync_status(actor=SUPERVISOR, db=centre).as_json()["sites"][0]
    assert line["rejections"] == 1 and line["last_rejection"]["kind"] == kind
    assert jarinje.sync().backlog == 0  # the true chain goes through afterwards
    assert audit.verify_chains(actor=SUPERVISOR, db=centre).intact


def test_a_well_chained_record_that_cannot_be_applied_is_refused_whole(centre, make_site):
    jarinje = make_site("jarinje")
    work(jarinje, 1)
    with jarinje.db.reading() as uow:
        issued = next(link.seq for link in uow.audit.links("jarinje", 0) if json.loads(link.record)["entity"] == "temporary_registration")
    batch = tampered(jarinje, issued, lambda fields: fields["after"].update(holder="M" * 101))
    batch.records[issued:] = []  # the tampered record is the last: its chain holds
    with pytest.raises(ChainRefused, match="at most 100") as refused:
        jarinje.centre.push(batch)
    assert refused.value.kind == Rejection.MALFORMED and refused.value.seq == issued
    assert count(centre, temporary_registrations) == 0 and chain(centre, "jarinje") == []


def test_a_record_acknowledged_cannot_be_replaced_by_another_with_its_number(centre, make_site):
    jarinje = make_site("jarinje")
    work(jarinje, 2)
    jarinje.sync()
    with pytest.raises(ChainRefused, match="not the record 2 the centre acknowledged") as refused:
        jarinje.centre.push(tampered(jarinje, 2, lambda fields: fields.update(reason="replayed")))
    assert refused.value.kind == Rejection.FORK
    assert count(centre, temporary_registrations) == 2


def test_a_cut_off_site_still_orders_its_records_by_its_own_sequence_whatever_its_clock_says(centre, make_site):
    jarinje = make_site("jarinje")
    times = [DAY, DAY - dt.timedelta(hours=6), DAY + dt.timedelta(hours=3), DAY - dt.timedelta(hours=9)]
    for i, at in enumerate(times):
        jarinje.issue(f"NP {200 + i}-CL", at)
    jarinje.sync()
    issued = [r for r in chain(centre, "jarinje") if r.action == "issue"]
    assert [r.at for r in issued] == [at.astimezone(dt.UTC) for at in times]
    assert [r.seq for r in issued] == sorted(r.seq for r in issued)


def test_a_registration_issued_at_one_site_admits_the_car_at_another_after_a_pull(centre, make_site):
    merdare, jarinje = make_site("merdare"), make_site("jarinje")
    issued = merdare.issue("NP 301-AA", DAY, point="merdare", holder="Dragan Petrović")
    presentation = Presentation("NP 301-AA", "XK", DAY + dt.timedelta(hours=2), point="jarinje")
    officer = operator("officer-jarinje", Role.OFFICER)
    before = checks.check_vehicle(presentation, actor=officer, db=jarinje.db)
    assert before.decision == "issue_temporary_registration"
    merdare.sync()
    assert jarinje.sync().pulled >= 1
    after = checks.check_vehicle(presentation, actor=officer, db=jarinje.db)
    assert after.decision == "admit" and after.registration.number == issued.number
    assert after.registration.holder == "Dragan Petrović"
    with centre.reading() as uow:
        assert uow.registrations.by_number(issued.number).holder == "Dragan Petrović"
    assert after.as_json()["freshness"]["site"] == "jarinje" and after.as_json()["freshness"]["age_seconds"] < 60
    assert after.reasons[-1] == "site jarinje: centre last reached just now"
    assert count(jarinje.db, temporary_registrations, origin="merdare") == 1


def test_the_check_says_how_long_ago_the_site_last_reached_the_centre(centre, make_site):
    jarinje = make_site("jarinje")
    with jarinje.db.begin() as uow:
        uow.sites.update_state(last_pull_at=dt.datetime.now(dt.UTC) - dt.timedelta(hours=3, minutes=5), last_push_at=None)
        uow.commit()
    sync.forget_freshness(jarinje.db)
    found = checks.check_vehicle(Presentation("NP 302-AA", "XK", DAY, point="jarinje"), actor=operator("o", Role.OFFICER), db=jarinje.db)
    assert found.reasons[-1] == "site jarinje: centre last reached 3 h ago"
    assert 3 * 3600 <= found.as_json()["freshness"]["age_seconds"] < 4 * 3600
    at_centre = checks.check_vehicle(Presentation("NP 302-AA", "XK", DAY, point="jarinje"), actor=operator("o", Role.OFFICER), db=centre)
    assert at_centre.as_json()["freshness"] is None and not any("centre last reached" in reason for reason in at_centre.reasons)


def test_a_cancellation_at_the_centre_is_enforced_at_the_site_after_the_next_pull(centre, make_site):
    jarinje = make_site("jarinje")
    number = jarinje.issue("NP 303-AA", DAY).number
    jarinje.sync()
    jarinje.centre.cut = True
    registrations.cancel(number, DAY + dt.timedelta(hours=1), reason="issued in error", actor=SUPERVISOR, db=centre)
    presentation = Presentation("NP 303-AA", "XK", DAY + dt.timedelta(hours=2), point="jarinje")
    officer = operator("officer-jarinje", Role.OFFICER)
    assert checks.check_vehicle(presentation, actor=officer, db=jarinje.db).decision == "admit"
    jarinje.centre.cut = False
    jarinje.sync()
    assert checks.check_vehicle(presentation, actor=officer, db=jarinje.db).decision == "issue_temporary_registration"
    with jarinje.db.reading() as uow:
        cancelled = uow.registrations.by_number(number)
    assert (cancelled.status, cancelled.status_reason) == ("cancelled", "issued in error")


def test_crossing_status_set_at_the_centre_refuses_traffic_at_the_site_after_a_pull(centre, make_site):
    jarinje = make_site("jarinje")
    since = DAY - dt.timedelta(hours=1)
    status.set_crossing_status("jarinje", "XK", ["passenger"], "closed", "barricades", since=since, actor=SUPERVISOR, db=centre)
    presentation = Presentation("NP 304-AA", "XK", DAY, point="jarinje")
    officer = operator("officer-jarinje", Role.OFFICER)
    assert checks.check_vehicle(presentation, actor=officer, db=jarinje.db).decision != "refuse"
    jarinje.sync()
    assert count(jarinje.db, crossing_status_changes, origin="centre") == 1
    refused = checks.check_vehicle(presentation, actor=officer, db=jarinje.db)
    assert refused.decision == "refuse" and any("closed" in reason and "barricades" in reason for reason in refused.reasons)


def test_records_pulled_twice_change_nothing(centre, make_site):
    merdare, jarinje = make_site("merdare"), make_site("jarinje")
    work(merdare, 2)
    merdare.sync()
    jarinje.sync()
    with jarinje.db.begin() as uow:
        uow.sites.update_state(cursor={})
        uow.commit()
    jarinje.sync()
    assert count(jarinje.db, temporary_registrations) == 2 and count(jarinje.db, crossings) == 0


def test_a_site_is_joined_once_and_only_with_its_own_key(centre, make_site, tmp_path):
    jarinje = make_site("jarinje")
    with pytest.raises(ConflictError, match="site jarinje's already"):
        sync.join_site("jarinje", client=jarinje.centre, site_key="k", db=jarinje.db, data_dir=jarinje.data_dir, actor=ADMIN)
    other = make_site("merdare", join=False)
    with pytest.raises(ConflictError, match="is site merdare's, not brnjak's"):
        sync.join_site("brnjak", client=other.centre, site_key="k", db=other.db, data_dir=other.data_dir, actor=ADMIN)
    with pytest.raises(ConflictError, match="exists already"):
        sync.create_site("jarinje", actor=ADMIN, db=centre)
    with pytest.raises(ConflictError, match="admitted by the centre"):
        sync.create_site("brnjak", actor=ADMIN, db=jarinje.db)


def test_imports_and_the_demo_week_go_to_the_centre(make_site, tmp_path):
    from borderplates.services import demo, transfer

    jarinje = make_site("jarinje")
    csv = tmp_path / "c.csv"
    csv.write_text("plate,point,direction,jurisdiction,at,mode,lane,decision,officer,request_key\n", encoding="utf-8")
    with pytest.raises(ConflictError, match="at the centre"):
        transfer.import_crossings(csv, actor=SUPERVISOR, db=jarinje.db)
    with pytest.raises(ConflictError, match="at the centre"):
        demo.load_demo_week(actor=SUPERVISOR, db=jarinje.db)


def test_a_hand_made_record_with_a_valid_hash_is_held_to_the_chain(centre, make_site):
    jarinje = make_site("jarinje")
    work(jarinje, 1)
    jarinje.sync()
    head = chain(centre, "jarinje")[-1]
    fields = {k: v for k, v in json.loads(bytes(head.record)).items() if k not in ("v", "origin", "prev", "recorded_at")}
    forged = canonical_bytes("f" * 64, "jarinje", fields, "2021-09-27T08:30:00+00:00")
    batch = Batch(site="jarinje", head=head.seq + 1, records=[WireRecord(seq=head.seq + 1, hash=digest(forged), record=forged.decode())])
    with pytest.raises(ChainRefused, match="does not chain") as refused:
        jarinje.centre.push(batch)
    assert refused.value.kind == Rejection.FORK
    assert dataclasses.asdict(sync.sync_status(actor=SUPERVISOR, db=centre).lines[0])["rejections"] == 1


def test_the_status_of_the_centre_lists_every_site(centre, make_site):
    make_site("jarinje")
    make_site("merdare")
    lines = sync.sync_status(actor=SUPERVISOR, db=centre).as_json()
    assert lines["role"] == "centre" and [s["site"] for s in lines["sites"]] == ["jarinje", "merdare"]
    assert local(2021, 9, 27, 8) == DAY
