"""Reading what people typed into the pages' forms, and saying what is wrong next to the field it concerns.

Forms are read as text and handed to the services, which decide what is valid;
what a form alone can say (a missing field, a stale CSRF token, a moment typed
without its date) is said here, in the person's language, before anything is
saved. A project error from a service is shown next to the field it concerns
(the plate, the VIN...) or above the form.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from borderplates import errors
from borderplates.errors import BorderplatesError
from borderplates.services import accounts
from borderplates.web.i18n import BORDER_TIME
from borderplates.web.pages import Page

#: The longest text any form field holds.
FIELD_LENGTH = 200


class FieldProblems(dict[str, str]):
    """The problems per field; a field without one reads as empty (templates ask for every field)."""

    def __missing__(self, name: str) -> str:
        return ""


@dataclass
class Problems:
    """What is wrong with a form: per field, and for the form as a whole."""

    fields: FieldProblems = field(default_factory=FieldProblems)
    form: list[str] = field(default_factory=list)
    details: list[str] = field(default_factory=list)
    """The services' own words, shown under the translated message."""

    def __bool__(self) -> bool:
        return bool(self.fields or self.form)

    def add(self, name: str | None, message: str) -> None:
        if name is None:
            self.form.append(message)
        else:
            if name not in self.fields:
                self.fields[name] = message


def value(form: dict[str, str], name: str) -> str:
    """A field's text, stripped and cut to :data:`FIELD_LENGTH` (the services check the real limits)."""
    return form.get(name, "").strip()[:FIELD_LENGTH]


def csrf_fresh(page: Page, token: str | None) -> bool:
    """Whether a form carries its session's CSRF token (a form from an ended session, or from elsewhere, does not)."""
    return page.session is not None and accounts.csrf_matches(page.session, token)


def stale_form(page: Page) -> str:
    return page._("This form had expired (you logged in again, or the page is old). It was reloaded with what you typed; submit it again.")


def moment(page: Page, text: str, problems: Problems, name: str = "at") -> dt.datetime | None:
    """A moment typed as ``2021-09-27T10:00`` in the border's local time (None when empty: now)."""
    if not text:
        return None
    try:
        parsed = dt.datetime.fromisoformat(text)
    except ValueError:
        problems.add(name, page._("Give the date and time as on the form: day, month, year, hours and minutes."))
        return None
    return parsed if parsed.tzinfo is not None else parsed.replace(tzinfo=BORDER_TIME)


def day(page: Page, text: str, problems: Problems, name: str) -> dt.date | None:
    if not text:
        return None
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        problems.add(name, page._("Give a date: day, month and year."))
        return None


def explain(page: Page, error: BorderplatesError, problems: Problems) -> None:
    """Say what a service refused, in the person's language, next to the field it concerns; its own words go with it."""
    text = error.text
    if isinstance(error, (errors.InvalidPlate, errors.AmbiguousPlate)):
        problems.add("plate", page._("This is not a plate borderplates can read: check what you typed."))
    elif isinstance(error, errors.MissingFact):
        problems.add(None, page._("A fact about the vehicle is needed for this check."))
    elif "VIN" in text:
        problems.add("vin", page._("A VIN has 17 letters and digits, without I, O or Q."))
    elif "holder's name" in text:
        problems.add("holder", page._("Write the holder's name as on the identity document, in at most 100 letters."))
    elif isinstance(error, errors.Forbidden):
        problems.add(None, page._("Your account may not do this here."))
    elif isinstance(error, errors.ConflictError) and "already holds" in text:
        problems.add(None, page._("This vehicle already holds a valid temporary registration: nothing was issued."))
    elif isinstance(error, errors.ConflictError):
        problems.add(None, page._("This was not done: the registry does not allow it as things stand."))
    elif isinstance(error, (errors.UnknownCrossingPoint, errors.UnknownJurisdiction)):
        problems.add("point", page._("Choose a crossing point from the list."))
    else:
        problems.add(None, page._("This was not done: something in the form is not right."))
    problems.details.append(text)
