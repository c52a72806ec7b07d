"""What else travels and how: registration numbers taken twice, signing keys, the centre's rules, the worker, the commands."""

from __future__ import annotations

import itertools
import os
import threading
import time

import pytest

from borderplates.errors import BorderplatesError
from borderplates.registry.tables import temporary_registrations
from borderplates.services import law as law_services
from borderplates.services import registrations, sync
from borderplates.sync.client import CentreRefused
from borderplates.sync.protocol import RulesBundle
from borderplates.sync.worker import SyncWorker
from borderplates.tokens import KeyStore
from tests.cli.conftest import Cli
from tests.sync.conftest import DAY, SUPERVISOR, count

pytestmark = pytest.mark.usefixtures("test_rules")


def test_a_registration_number_another_site_took_is_found_not_overwritten(centre, make_site, monkeypatch):
    jarinje, merdare = make_site("jarinje"), make_site("merdare")
    monkeypatch.setattr(registrations, "new_number", lambda: "K7QM-4TXR-M")
    first = jarinje.issue("NP 430-NU", DAY)
    merdare.issue("NP 431-NU", DAY, point="merdare")
    jarinje.sync()
    assert merdare.sync().conflicts == 1
    with centre.reading() as uow:
        kept = uow.registrations.by_number("K7QM-4TXR-M")
    assert (kept.plate, kept.issuing_point) == ("NP 430-NU", "jarinje") and count(centre, temporary_registrations) == 1
    [found] = sync.list_conflicts(actor=SUPERVISOR, db=centre)
    assert found.conflict.kind == "number_taken" and found.open and "carries the number" in found.conflict.detail
    registrations.cancel(first.number, DAY, reason="number taken twice; reissued", actor=SUPERVISOR, db=centre)
    assert sync.list_conflicts(actor=SUPERVISOR, db=centre) == []


def test_a_site_s_signing_keys_reach_the_centre_and_the_other_sites(centre, make_site, tmp_path):
    jarinje, merdare = make_site("jarinje"), make_site("merdare")
    key = KeyStore(jarinje.data_dir / "keys").signing_key()
    jarinje.sync()
    assert key.kid in KeyStore(tmp_path / "centre-keys").key_set()
    merdare.sync()
    assert key.kid in KeyStore(merdare.data_dir / "keys").key_set()


def test_the_centre_s_rules_are_stored_checked_and_put_in_force_at_a_site(tmp_path, monkeypatch):
    bundle = sync.rules_bundle()  # the frozen test regime, at the "centre"
    monkeypatch.delenv("BORDERPLATES_DATA_ROOT")
    shipped = sync.rules_bundle()
    assert bundle.version != shipped.version
    folder = sync.store_rules(bundle, tmp_path)
    assert sorted(path.relative_to(folder).as_posix() for path in folder.rglob("*.toml")) == sorted(bundle.files)
    sync.activate_rules(bundle.version, tmp_path)
    assert os.environ["BORDERPLATES_DATA_ROOT"] == str(folder)
    assert law_services.current_law() is not None and sync.rules_bundle().version == bundle.version
    sync.activate_rules(shipped.version, tmp_path)
    assert "BORDERPLATES_DATA_ROOT" not in os.environ
    broken = RulesBundle(version="0" * 64, files={"rules/broken.toml": "jurisdictions = ["})
    with pytest.raises(CentreRefused, match="does not load"):
        sync.store_rules(broken, tmp_path)
    with pytest.raises(CentreRefused, match="not a rules or crossing status file"):
        sync.store_rules(RulesBundle(version="1" * 64, files={"../escape.toml": ""}), tmp_path)
    assert not sync.pulled_rules_folder(tmp_path, "0" * 64).exists()


def test_the_worker_runs_cycle_after_cycle_backs_off_and_leaves_them_to_one_process(tmp_path):
    calls: list[float] = []
    fail = threading.Event()
    fail.set()

    def cycle() -> None:
        calls.append(time.monotonic())
        if fail.is_set() and len(calls) <= 2:
            raise BorderplatesError("the centre cannot be reached")

    lock = tmp_path / "sync.lock"
    worker = SyncWorker(cycle, interval=0.02, max_backoff=0.5, lock_path=lock)
    other = SyncWorker(lambda: calls.append(-1.0), interval=0.02, max_backoff=0.5, lock_path=lock)
    worker.start()
    deadline = time.monotonic() + 10
    while not calls and time.monotonic() < deadline:  # the first process holds the lock once it has run a cycle
        time.sleep(0.005)
    other.start()
    try:
        while len([c for c in calls if c >= 0]) < 8 and time.monotonic() < deadline:
            time.sleep(0.01)
    finally:
        worker.stop()
        other.stop()
    mine = [c for c in calls if c >= 0]
    assert len(mine) >= 8 and -1.0 not in calls  # the second process never ran a cycle while the first held the lock
    assert mine[1] - mine[0] >= 0.5 * 0.75 and mine[2] - mine[1] >= 0.5 * 0.75  # waits of 1 s and 2 s, capped at max_backoff
    assert min(b - a for a, b in itertools.pairwise(mine[2:])) < 0.5 * 0.75  # after a success, the interval again
    assert worker.failures == 0


def test_the_commands_of_sites_and_sync(tmp_path):
    centre = Cli({"BORDERPLATES_DATA_DIR": str(tmp_path / "centre"), "BORDERPLATES_USER": "op"})
    made = centre.json("sites", "create", "jarinje")
    assert made["site"] == "jarinje" and made["key"].startswith("bps_")
    assert centre.json("sync", "status")["sites"][0]["site"] == "jarinje"
    assert centre.json("sync", "conflicts", "--all") == {"conflicts": []}
    refused = centre.run("sites", "create", "centre")
    assert (refused.returncode, refused.stderr) == (2, "borderplates: error: 'centre' is the centre's own origin, not a site\n")
    site = Cli({"BORDERPLATES_DATA_DIR": str(tmp_path / "site"), "BORDERPLATES_USER": "op"})
    no_key = site.run("sites", "join", "jarinje", "--centre", "http://127.0.0.1:9")
    assert no_key.returncode == 2 and "BORDERPLATES_SITE_KEY" in no_key.stderr
    keyed = Cli({"BORDERPLATES_DATA_DIR": str(tmp_path / "site"), "BORDERPLATES_USER": "op", "BORDERPLATES_SITE_KEY": made["key"]})
    unreachable = keyed.run("sites", "join", "jarinje", "--centre", "http://127.0.0.1:9")
    assert unreachable.returncode == 2 and "cannot be reached" in unreachable.stderr
    not_a_site = site.run("sync", "now")
    assert not_a_site.returncode == 2 and "join it first" in not_a_site.stderr
    assert site.json("sync", "status")["role"] == "centre"
    wrong = Cli({"BORDERPLATES_DATA_DIR": str(tmp_path / "site"), "BORDERPLATES_SITE": "jarinje"}).run("serve", "--port", "9")
    assert wrong.returncode == 2 and "sites join jarinje" in wrong.stderr
