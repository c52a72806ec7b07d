"""The words of borderplates, defined once: every kind, phase, decision, status and role.

Each is a ``StrEnum``: its members compare equal to their text, so data files, the
database and JSON keep the plain words while the code never spells them loosely.
The limits on text that people type, and the range of moments borderplates
handles, live here too, so that every interface and the schema agree on them.

>>> Decision("admit") is Decision.ADMIT
True
>>> f"{RequirementKind.COVER_SYMBOLS}"
'cover_symbols'
"""

from __future__ import annotations

import datetime as dt
from enum import StrEnum
from zoneinfo import ZoneInfo

from borderplates.errors import ValidationError


class RequirementKind(StrEnum):
    """What an entry rule requires of a vehicle."""

    NONE = "none"
    TEMPORARY_REGISTRATION = "temporary_registration"
    COVER_SYMBOLS = "cover_symbols"
    RE_REGISTRATION = "re_registration"
    REFUSE = "refuse"


class Phase(StrEnum):
    """How a requirement is enforced on a date."""

    INFORM = "inform"
    WARN = "warn"
    FINE = "fine"
    TEMPORARY_PLATE = "temporary_plate"
    STICKER = "sticker"
    SEIZE = "seize"
    REFUSE_ENTRY = "refuse_entry"


class Decision(StrEnum):
    """What the officer must do now."""

    ADMIT = "admit"
    ISSUE_TEMPORARY_REGISTRATION = "issue_temporary_registration"
    APPLY_STICKER = "apply_sticker"
    WARN = "warn"
    FINE = "fine"
    REFUSE = "refuse"


class RegistrationStatus(StrEnum):
    """Where a temporary registration stands."""

    ACTIVE = "active"
    RETURNED = "returned"
    CANCELLED = "cancelled"
    EXPIRED = "expired"


class Direction(StrEnum):
    """Into a jurisdiction, or out of it."""

    ENTRY = "entry"
    EXIT = "exit"


class Mode(StrEnum):
    """The kind of traffic a crossing point serves."""

    PASSENGER = "passenger"
    CARGO = "cargo"
    BUS = "bus"
    PEDESTRIAN = "pedestrian"


class VehicleClass(StrEnum):
    """The classes of vehicle the registry knows."""

    CAR = "car"
    VAN = "van"
    TRUCK = "truck"
    BUS = "bus"
    MOTORCYCLE = "motorcycle"
    TRAILER = "trailer"


class PlateKind(StrEnum):
    """The kinds of plate a format describes."""

    STANDARD = "standard"
    TAXI = "taxi"
    NEUTRAL = "neutral"
    DIPLOMATIC = "diplomatic"
    TEMPORARY = "temporary"


class ActionKind(StrEnum):
    """What an officer records against a vehicle under a rule, besides a crossing."""

    STICKER = "sticker"
    WARNING = "warning"
    FINE = "fine"


class Role(StrEnum):
    """What an account may do (each role may do what the one before it may)."""

    OFFICER = "officer"
    CLERK = "clerk"
    SUPERVISOR = "supervisor"
    ADMIN = "admin"


class CrossingState(StrEnum):
    """Whether traffic of a mode passes a crossing point in a direction."""

    OPEN = "open"
    RESTRICTED = "restricted"
    BLOCKED = "blocked"
    CLOSED = "closed"


class WaitMethod(StrEnum):
    """How a wait estimate was made."""

    MANUAL = "manual"
    MEASURED = "measured"
    MODEL = "model"


class ConflictKind(StrEnum):
    """What the centre found when two sites' records contradict each other (sites keep working cut off from each other)."""

    TWO_ACTIVE = "two_active"
    """Two sites each issued a temporary registration to one vehicle for one jurisdiction."""
    NUMBER_TAKEN = "number_taken"
    """A registration number arrived that another site's registration already carries."""
    ENDED_TWICE = "ended_twice"
    """A registration was ended twice, differently (returned at a site, cancelled at the centre)."""


class Rejection(StrEnum):
    """Why the centre refused a site's batch (nothing of it is applied)."""

    GAP = "gap"
    """Records are missing between what the centre holds and the batch."""
    FORK = "fork"
    """A record does not continue the chain the centre holds, or replaces one it acknowledged."""
    ALTERED = "altered"
    """A record's bytes do not hash to its hash."""
    MALFORMED = "malformed"
    """A record is not a record of the site's chain (wrong origin, bad fields, a moment not in canonical form)."""


def words(vocabulary: type[StrEnum]) -> str:
    """The words of a vocabulary for a message: ``"entry or exit"``, ``"a, b or c"``."""
    values = [member.value for member in vocabulary]
    return values[0] if len(values) == 1 else f"{', '.join(values[:-1])} or {values[-1]}"


# Limits on text that people type: the schema, the services and every interface use these.
NAME_LENGTH = 60
"""A clerk's or officer's name or badge number, an account name, a registration centre with its prefix."""
REASON_LENGTH = 200
"""A reason for a cancellation, a note on a warning or fine, an audit reason."""
LANE_LENGTH = 20
"""A lane's name at a crossing point."""
REQUEST_KEY_LENGTH = 100
"""A request (idempotency) key."""
CENTRE_NAME_LENGTH = 50
"""A registration centre's name, after ``centre:``."""
SITE_LENGTH = 40
"""A site's id (``jarinje``, ``centre-prishtine``)."""
HOLDER_LENGTH = 100
"""The name of the person (or company) a temporary registration is issued to."""
MAX_RETENTION_DAYS = 3650
"""The longest the images of plate reads may be kept, in days."""

# The moments borderplates handles: wide enough for any registration, narrow enough that
# every moment converts to any time zone without leaving the calendar.
MOMENTS_FROM = dt.datetime(1900, 1, 1, tzinfo=dt.UTC)
"""The first moment borderplates handles (UTC)."""
MOMENTS_UNTIL_EXCLUSIVE = dt.datetime(2200, 1, 1, tzinfo=dt.UTC)
"""The end of the moments borderplates handles (UTC): the last is just before 2200."""


ZONES_WITH_OFFSETS: frozenset[type[dt.tzinfo]] = frozenset({dt.timezone, ZoneInfo})
"""Kinds of time zone that give every moment an offset, so that a check need not ask."""


def utc_moment(at: dt.datetime, what: str = "the moment") -> dt.datetime:
    """``at`` in UTC; a ``ValidationError`` when it has no UTC offset or lies outside the moments handled.

    >>> utc_moment(dt.datetime.fromisoformat("2021-09-27T10:14:00+02:00")).isoformat()
    '2021-09-27T08:14:00+00:00'
    """
    zone = at.tzinfo
    if zone is None or (zone.__class__ not in ZONES_WITH_OFFSETS and at.utcoffset() is None):
        raise ValidationError(f"{what} {at.isoformat()} needs a UTC offset")
    try:
        utc = at.astimezone(dt.UTC)
    except OverflowError:
        utc = None
    if utc is None or not MOMENTS_FROM <= utc < MOMENTS_UNTIL_EXCLUSIVE:
        raise ValidationError(f"{what} {at.isoformat()} is outside the moments borderplates handles (1900-01-01 to 2199-12-31 UTC)")
    return utc
