"""What each person chose for themselves: the language of the pages and of the certificates they print.

The choice is kept per account, so that it follows the person from one booth to
the next; a change is audited as every change to accounts is.
"""

from __future__ import annotations

import datetime as dt

from borderplates.errors import ValidationError, quoted
from borderplates.model import AuditEntry
from borderplates.registry import Database
from borderplates.registry.accounts import Account

#: The languages the pages are written in (BCP 47 tags).
LANGUAGES = ("en", "sq", "sr-Latn", "sr-Cyrl")
ENTITY = "account"


def language_of(account: Account, *, db: Database) -> str | None:
    """The language ``account`` chose, or None when it never chose one."""
    with db.reading() as uow:
        return uow.accounts.language(account.id)


def choose_language(account: Account, language: str, *, db: Database) -> str:
    """Keep ``language`` as the account's choice; returns it. Choosing the same again changes nothing."""
    if language not in LANGUAGES:
        raise ValidationError(f"unknown language {quoted(language)}: {', '.join(LANGUAGES)}")
    with db.begin() as uow:
        before = uow.accounts.language(account.id)
        if before == language:
            return language
        uow.accounts.set_language(account.id, language)
        uow.audit.append(
            AuditEntry(
                dt.datetime.now(dt.UTC), account.name, account.point, "choose_language", ENTITY, account.id, {"language": before}, {"language": language}
            )
        )
        uow.commit()
    return language
