"""What several use cases share: where something happens, the local day, money in minor units."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from zoneinfo import ZoneInfo

from borderplates import reference
from borderplates.errors import ValidationError
from borderplates.law import Money
from borderplates.registry import Database, open_database

CENTRE_PREFIX = "centre:"


def database(db: Database | None) -> Database:
    return db if db is not None else open_database()


def place(point: str, jurisdiction: str, *, centres: bool = False) -> str:
    """A crossing point id on ``jurisdiction``'s border, or (where allowed) ``centre:<name>``."""
    if not isinstance(point, str) or not point.strip():
        raise ValidationError("say where: a crossing point id" + (" or centre:<name>" if centres else ""))
    point = point.strip()
    if point.lower().startswith(CENTRE_PREFIX):
        name = point[len(CENTRE_PREFIX) :].strip()
        if not centres:
            raise ValidationError(f"{point!r} is a registration centre; this must happen at a crossing point")
        if not name or len(name) > 50:
            raise ValidationError("a registration centre needs a name of at most 50 characters: centre:<name>")
        return CENTRE_PREFIX + name
    crossing = reference.crossing_point(point)
    if jurisdiction not in crossing.between:
        raise ValidationError(f"{crossing.id} ({crossing.name}) is not on the border of {jurisdiction}")
    return crossing.id


def person(name: str | None, role: str) -> str:
    if not isinstance(name, str) or not name.strip():
        raise ValidationError(f"say who: the {role}'s name or badge number")
    if len(name.strip()) > 60:
        raise ValidationError(f"the {role}'s name is longer than 60 characters")
    return name.strip()


def request_key(key: str | None) -> str | None:
    if key is None:
        return None
    if not isinstance(key, str) or not key.strip() or len(key) > 100:
        raise ValidationError("a request key is 1 to 100 characters")
    return key.strip()


def aware(at: dt.datetime) -> dt.datetime:
    if not isinstance(at, dt.datetime) or at.tzinfo is None or at.utcoffset() is None:
        raise ValidationError("a moment needs a date, a time and a UTC offset")
    return at


def local_day(at: dt.datetime, jurisdiction: str) -> dt.date:
    return at.astimezone(ZoneInfo(reference.jurisdiction(jurisdiction).timezone)).date()


def to_minor(money: Money) -> int:
    return int(money.amount * 100)


def from_minor(amount: int, currency: str) -> Money:
    return Money(Decimal(amount) / 100, currency)
