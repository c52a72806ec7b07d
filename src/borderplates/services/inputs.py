"""Checking what people type before anything is done with it: text, names, keys, moments, places.

Every use case passes its input through these, so one rule holds everywhere: empty
is an error (never "now" or a default in disguise), text is length-limited and free
of control characters (it is data, never markup), too long is an error (never cut
without a word), and moments lie in a sane range with a real UTC offset.

>>> text("  Jarinje lane 2 ", "lane", 20)
'Jarinje lane 2'
>>> text("a\\x00b", "lane", 20)
Traceback (most recent call last):
...
borderplates.errors.ValidationError: the lane contains control characters
"""

from __future__ import annotations

import datetime as dt
import unicodedata
from enum import StrEnum
from typing import TypeVar
from zoneinfo import ZoneInfo

from borderplates import reference
from borderplates.errors import UnknownCrossingPoint, ValidationError, quoted
from borderplates.vocabulary import CENTRE_NAME_LENGTH, MOMENTS_FROM, MOMENTS_UNTIL_EXCLUSIVE, NAME_LENGTH, REQUEST_KEY_LENGTH, utc_moment, words

CENTRE_PREFIX = "centre:"
#: The calendar years of the moments borderplates handles (:data:`borderplates.vocabulary.MOMENTS_FROM` and after).
FIRST_YEAR, LAST_YEAR = MOMENTS_FROM.year, MOMENTS_UNTIL_EXCLUSIVE.year - 1
#: Real UTC offsets lie within ±14 hours and are whole minutes.
MAX_OFFSET = dt.timedelta(hours=14)

_REFUSED_CATEGORIES = frozenset({"Cc", "Cf", "Cs", "Co", "Cn"})


def text(value: object, what: str, limit: int, *, missing: str | None = None) -> str:
    """``value`` stripped, or a ValidationError: missing or empty (``missing`` says what to give), not text,
    longer than ``limit``, or with control characters."""
    if value is None or (isinstance(value, str) and not value.strip()):
        raise ValidationError(missing or f"the {what} is empty")
    if not isinstance(value, str):
        raise ValidationError(f"the {what} must be text")
    stripped = value.strip()
    if not (stripped.isascii() and stripped.isprintable()) and any(unicodedata.category(ch) in _REFUSED_CATEGORIES for ch in stripped):
        raise ValidationError(f"the {what} contains control characters")
    if len(stripped) > limit:
        raise ValidationError(f"the {what} is longer than {limit} characters ({len(stripped)})")
    return stripped


def optional_text(value: object, what: str, limit: int) -> str | None:
    """Like :func:`text`, but None stays None (an empty value is still an error)."""
    return None if value is None else text(value, what, limit)


def name(value: object, role: str) -> str:
    """A person's name or badge number."""
    return text(value, f"{role}'s name", NAME_LENGTH, missing=f"say who: the {role}'s name or badge number")


def request_key(value: object) -> str | None:
    """A request (idempotency) key, or None."""
    return optional_text(value, "request key", REQUEST_KEY_LENGTH)


def moment(value: object, what: str = "moment") -> dt.datetime:
    """An aware moment with a real UTC offset, among the moments borderplates handles (:func:`borderplates.vocabulary.utc_moment`)."""
    if not isinstance(value, dt.datetime):
        raise ValidationError(f"the {what} needs a date, a time and a UTC offset")
    offset = value.utcoffset()
    if offset is not None and (abs(offset) > MAX_OFFSET or offset.seconds % 60 or offset.microseconds):
        raise ValidationError(f"the {what} {value.isoformat()} has a UTC offset no place uses (whole minutes, at most ±14:00)")
    utc_moment(value, f"the {what}")
    return value


def day(value: object, what: str = "date") -> dt.date:
    """A calendar date among the years borderplates handles."""
    if not isinstance(value, dt.date) or isinstance(value, dt.datetime):
        raise ValidationError(f"the {what} needs a date (YYYY-MM-DD)")
    if not FIRST_YEAR <= value.year <= LAST_YEAR:
        raise ValidationError(f"the {what} {value.isoformat()} is outside the years {FIRST_YEAR}–{LAST_YEAR}")
    return value


W = TypeVar("W", bound=StrEnum)


def word(vocabulary: type[W], value: object, what: str) -> W:
    """``value`` as a word of ``vocabulary``, or a ValidationError listing the words."""
    if isinstance(value, str) and value in vocabulary._value2member_map_:
        return vocabulary(value)
    raise ValidationError(f"unknown {what} {quoted(value)}: {words(vocabulary)}")


def local_day(at: dt.datetime, jurisdiction: str) -> dt.date:
    """The calendar day of ``at`` in the jurisdiction's time zone."""
    return at.astimezone(ZoneInfo(reference.jurisdiction(jurisdiction).timezone)).date()


def place(point: object, jurisdiction: str, *, centres: bool = False) -> str:
    """A crossing point id on ``jurisdiction``'s border, or (where allowed) ``centre:<name>``."""
    resolved = any_place(point, centres=centres)
    if resolved.startswith(CENTRE_PREFIX):
        return resolved
    crossing = reference.crossing_point(resolved)
    if jurisdiction not in crossing.between:
        raise ValidationError(f"{crossing.id} ({crossing.name}) is not on the border of {jurisdiction}")
    return crossing.id


def any_place(point: object, *, centres: bool = True) -> str:
    """A known crossing point's id (any case), or ``centre:<name>``; unknown places are an error."""
    kinds = "a crossing point id" + (" or centre:<name>" if centres else "")
    where = text(point, f"place ({kinds})", NAME_LENGTH, missing=f"say where: {kinds}")
    if where.lower().startswith(CENTRE_PREFIX):
        if not centres:
            raise ValidationError(f"{quoted(where)} is a registration centre; this must happen at a crossing point")
        if not where[len(CENTRE_PREFIX) :].strip():
            raise ValidationError("a registration centre needs a name: centre:<name>")
        return CENTRE_PREFIX + text(where[len(CENTRE_PREFIX) :], "registration centre's name", CENTRE_NAME_LENGTH)
    try:
        return reference.crossing_point(where).id
    except UnknownCrossingPoint:
        known = ", ".join(reference.load().crossing_points)
        raise UnknownCrossingPoint(f"unknown crossing point {quoted(where)}; known: {known}" + (", or centre:<name>" if centres else "")) from None


def is_centre(where: str | None) -> bool:
    return where is not None and where.startswith(CENTRE_PREFIX)
