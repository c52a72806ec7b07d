"""The sites page: supervisors at the centre see each site's backlog and the conflicts with both records; a site shows its own line."""

from __future__ import annotations

import datetime as dt
import re
from contextlib import closing
from pathlib import Path

import pytest

from borderplates.registry import Database
from borderplates.services import registrations
from borderplates.settings import Settings
from tests.api.conftest import serving
from tests.sync.conftest import DAY, SUPERVISOR
from tests.web.conftest import DEMO_CLOCK, make_accounts
from tests.web.conftest import Site as Served

pytestmark = pytest.mark.usefixtures("test_rules")


def served(db: Database, folder: Path) -> Served:
    return Served("", db, Settings(data_dir=folder, database_url=db.url, demo_clock=DEMO_CLOCK))


def test_the_centre_lists_each_sites_backlog_and_the_conflict_with_both_registrations(centre, make_site, tmp_path):
    jarinje, merdare = make_site("jarinje"), make_site("merdare")
    jarinje.centre.cut = merdare.centre.cut = True
    first = jarinje.issue("NP 410-CF", DAY)
    second = merdare.issue("NP 410-CF", DAY + dt.timedelta(minutes=30))
    merdare.cross("NP 411-CF", DAY + dt.timedelta(minutes=40))
    jarinje.centre.cut = merdare.centre.cut = False
    jarinje.sync()
    merdare.sync()
    make_accounts(centre)
    site = served(centre, tmp_path)
    with serving(site.settings, centre) as url:
        site.url = url
        with closing(site.logged_in("supervisor")) as supervisor:
            page = supervisor.get("/sync")
            assert page.status_code == 200, page.text[:500]
            assert re.search(r'<tr data-site="jarinje">\s*<th scope="row">jarinje</th>\s*<td>\d+</td>\s*<td data-backlog="0">', page.text)
            assert re.search(r'<tr data-site="merdare">\s*<th scope="row">merdare</th>\s*<td>\d+</td>\s*<td data-backlog="0">', page.text)
            conflict = re.search(r'<section class="conflict open"[^>]*>(.*?)</section>', page.text, re.S)
            assert conflict is not None
            assert "NP 410-CF" in conflict.group(1)
            assert f'href="/registrations/{first.number}"' in conflict.group(1) and f'href="/registrations/{second.number}"' in conflict.group(1)
            assert ">jarinje<" in conflict.group(1) and ">merdare<" in conflict.group(1)
            assert "<strong>Two sites issued a temporary registration to one vehicle.</strong>" in conflict.group(1)
            assert "Dve lokacije su izdale privremenu registraciju istom vozilu." in supervisor.get("/sync?lang=sr-Latn").text
            supervisor.get("/account?lang=en")
            registrations.cancel(second.number, DAY + dt.timedelta(hours=2), reason="duplicate of " + first.number, actor=SUPERVISOR, db=centre)
            assert 'class="conflict' not in supervisor.get("/sync").text
            everything = supervisor.get("/sync?all=1").text
            assert re.search(r'<section class="conflict"[^>]*>', everything) and "resolved" in everything
            assert 'href="/sync"' in supervisor.get("/board").text  # the menu leads there
        for name in ("officer", "clerk"):
            with closing(site.logged_in(name)) as person:
                assert person.get("/sync").status_code == 403
                assert 'href="/sync"' not in person.get("/board").text


def test_a_site_shows_its_own_backlog_and_when_it_last_reached_the_centre(make_site, tmp_path):
    jarinje = make_site("jarinje")
    jarinje.sync()
    jarinje.centre.cut = True
    jarinje.issue("NP 412-CF", DAY)
    make_accounts(jarinje.db)
    site = served(jarinje.db, tmp_path / "jarinje")
    with serving(site.settings, jarinje.db) as url:
        site.url = url
        with closing(site.logged_in("supervisor")) as supervisor:
            page = supervisor.get("/sync").text
    assert "This is site jarinje; its centre is http://centre.test." in page
    assert "Centre last reached:" in page
    backlog = re.search(r'<td data-backlog="(\d+)">', page)
    assert backlog is not None and int(backlog.group(1)) > 0
    assert 'id="conflicts"' not in page
