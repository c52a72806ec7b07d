"""The language each account chose, kept and audited, on SQLite and PostgreSQL."""

from __future__ import annotations

import pytest

from borderplates.errors import ValidationError
from borderplates.registry import Database
from borderplates.services import accounts, preferences
from borderplates.vocabulary import Role
from tests.conftest import operator

ADMIN = operator("root", Role.ADMIN)


def test_the_chosen_language_is_kept_per_account_and_each_change_audited(db: Database) -> None:
    account, _ = accounts.create_user("arta", Role.CLERK, actor=ADMIN, db=db)
    other, _ = accounts.create_user("marko", Role.CLERK, actor=ADMIN, db=db)
    assert preferences.language_of(account, db=db) is None
    preferences.choose_language(account, "sq", db=db)
    preferences.choose_language(account, "sq", db=db)
    preferences.choose_language(account, "sr-Cyrl", db=db)
    assert (preferences.language_of(account, db=db), preferences.language_of(other, db=db)) == ("sr-Cyrl", None)
    with db.reading() as uow:
        changes = [entry.after for entry in uow.audit.trail("account", account.id) if entry.action == "choose_language"]
    assert changes == [{"language": "sq"}, {"language": "sr-Cyrl"}]  # choosing sq again changed nothing


def test_an_unknown_language_is_refused_and_nothing_changes(db: Database) -> None:
    account, _ = accounts.create_user("arta", Role.CLERK, actor=ADMIN, db=db)
    with pytest.raises(ValidationError):
        preferences.choose_language(account, "de", db=db)
    assert preferences.language_of(account, db=db) is None
