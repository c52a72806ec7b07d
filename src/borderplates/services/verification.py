"""The public view of a temporary registration: what a stranger holding the paper may learn, and nothing more.

Anyone (a police patrol abroad, a car rental, the driver) may ask whether a
registration number is real and valid: the answer gives its number, plate, validity
and status only, never who issued it, where, or anything about the keeper. A
registration still marked active after its last valid day is shown as expired.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from borderplates.errors import NotFound
from borderplates.registry import Database
from borderplates.registry.numbers import compact_number
from borderplates.services import inputs
from borderplates.vocabulary import RegistrationStatus


@dataclass(frozen=True, slots=True)
class PublicRegistration:
    """A registration's number, plate, validity and status."""

    number: str
    plate: str
    valid_from: dt.date
    valid_until: dt.date
    status: RegistrationStatus

    def as_json(self) -> dict[str, Any]:
        return {
            "number": self.number,
            "plate": self.plate,
            "valid_from": self.valid_from.isoformat(),
            "valid_until": self.valid_until.isoformat(),
            "status": str(self.status),
        }


def verify_registration(number: str, at: dt.datetime, *, db: Database) -> PublicRegistration:
    """The public view of the registration ``number`` at the moment ``at``; :class:`NotFound` when there is none."""
    compact = compact_number(number)
    with db.reading(replica=True) as uow:
        found = uow.registrations.by_number(compact)
    if found is None:
        raise NotFound(f"no temporary registration {compact}")
    status = found.status
    if status == RegistrationStatus.ACTIVE and found.valid_until < inputs.local_day(inputs.moment(at), found.jurisdiction):
        status = RegistrationStatus.EXPIRED
    return PublicRegistration(found.number, found.plate, found.valid_from, found.valid_until, status)
