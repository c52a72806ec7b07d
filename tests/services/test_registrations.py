"""Issuing, checking and expiring temporary registrations, on SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt

import pytest

from borderplates.errors import ConflictError
from borderplates.services import checks, registrations
from tests.conftest import local

pytestmark = pytest.mark.usefixtures("test_rules")


def test_valid_sixty_days_means_through_the_fifty_ninth_day_after_issue(db):
    issued = registrations.issue_temporary_registration("NP 123-AB", "XK", local(2021, 9, 20, 10), point="jarinje", clerk="c1", db=db)
    assert (issued.valid_from, issued.valid_until) == (dt.date(2021, 9, 20), dt.date(2021, 11, 18))
    assert checks.check_vehicle("NP 123-AB", "XK", local(2021, 11, 18, 23, 59), point="jarinje", db=db).decision == "admit"
    assert checks.check_vehicle("NP 123-AB", "XK", local(2021, 11, 19, 0, 0), point="jarinje", db=db).decision == "issue_temporary_registration"


def test_second_issuance_while_one_is_valid_is_refused(db):
    registrations.issue_temporary_registration("NP 123-AB", "XK", local(2021, 9, 20, 10), point="jarinje", clerk="c1", db=db)
    with pytest.raises(ConflictError, match="already holds"):
        registrations.issue_temporary_registration("NP 123-AB", "XK", local(2021, 9, 21, 10), point="merdare", clerk="c2", db=db)
