"""Who does a use case, and what each role may do: decided here, once, for every interface.

An :class:`Actor` is the person or machine behind a request: a name, a role, and the
crossing point or registration centre the account is bound to (then it acts only
there). Every use case takes the actor and calls :func:`authorise` before it acts,
so the command line, the API and the web pages cannot disagree.

>>> clerk = Actor("clerk-07", Role.CLERK, point="jarinje")
>>> may(clerk, Permission.ISSUE), may(clerk, Permission.CANCEL)
(True, False)
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from borderplates.errors import Forbidden, quoted
from borderplates.services import inputs
from borderplates.vocabulary import Role


class Permission(StrEnum):
    """What a use case needs the actor to be allowed."""

    CHECK = "check"
    RECORD_CROSSING = "record_crossing"
    WARN = "warn"
    VIEW_REGISTRATION = "view_registration"
    ISSUE = "issue"
    RENEW = "renew"
    RETURN = "return"
    STICKER = "sticker"
    FINE = "fine"
    SEARCH_REGISTRATIONS = "search_registrations"
    CANCEL = "cancel"
    LIST_CROSSINGS = "list_crossings"
    EXPIRE = "expire"
    AUDIT = "audit"
    IMPORT = "import"
    EXPORT = "export"
    SET_STATUS = "set_status"
    PLAN = "plan"
    ACCOUNTS = "accounts"
    KEYS = "keys"
    SITES = "sites"
    SYNC = "sync"


_OFFICER = {Permission.CHECK, Permission.RECORD_CROSSING, Permission.WARN, Permission.VIEW_REGISTRATION}
_CLERK = _OFFICER | {Permission.ISSUE, Permission.RENEW, Permission.RETURN, Permission.STICKER, Permission.FINE, Permission.SEARCH_REGISTRATIONS}
_SUPERVISOR = _CLERK | {
    Permission.CANCEL,
    Permission.LIST_CROSSINGS,
    Permission.EXPIRE,
    Permission.AUDIT,
    Permission.IMPORT,
    Permission.EXPORT,
    Permission.SET_STATUS,
    Permission.PLAN,
    Permission.SYNC,
}

#: What each role may do: each of officer, clerk, supervisor may do what the one before it may; an admin looks after accounts and keys only.
PERMISSIONS: dict[Role, frozenset[Permission]] = {
    Role.OFFICER: frozenset(_OFFICER),
    Role.CLERK: frozenset(_CLERK),
    Role.SUPERVISOR: frozenset(_SUPERVISOR),
    Role.ADMIN: frozenset({Permission.ACCOUNTS, Permission.KEYS, Permission.SITES}),
}


@dataclass(frozen=True, slots=True)
class Actor:
    """The authenticated person or machine doing a use case: a checked name, a role, and the place the account is bound to."""

    name: str
    role: Role
    point: str | None = None

    def __post_init__(self) -> None:
        object.__setattr__(self, "name", inputs.name(self.name, "operator"))
        if not isinstance(self.role, Role):
            raise Forbidden(f"unknown role {quoted(self.role)}")
        if self.point is not None:
            object.__setattr__(self, "point", inputs.any_place(self.point))


def may(actor: Actor, permission: Permission) -> bool:
    return permission in PERMISSIONS[actor.role]


def authorise(actor: Actor, permission: Permission, where: str | None = None) -> None:
    """Raise :class:`Forbidden` unless ``actor`` may do ``permission`` (at ``where``, for an account bound to a place)."""
    if not isinstance(actor, Actor):
        raise Forbidden("no one is acting: a use case needs an actor")
    if not may(actor, permission):
        raise Forbidden(f"{actor.name} ({actor.role}) may not {permission.replace('_', ' ')}")
    if actor.point is not None and where is not None and where != actor.point:
        raise Forbidden(f"{actor.name} acts only at {actor.point}, not at {where}")
