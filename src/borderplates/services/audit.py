"""Reading the audit trail and proving it whole: every state change, who made it, and whether any record was touched.

Every use case that changes the registry appends an audit record in its own
transaction; each record is a link of its origin's hash chain
(:mod:`borderplates.registry.audit`). :func:`verify_chains` walks every chain and
names the first record that was altered, inserted or deleted; :func:`list_audit`
pages through the records, newest first. Both are for supervisors.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from borderplates.errors import ValidationError, quoted
from borderplates.model import AuditEntry
from borderplates.registry import Database
from borderplates.registry.audit import Break, ChainState, verify_rows
from borderplates.services import inputs, pages
from borderplates.services.actors import Actor, Permission, authorise

__all__ = ["AuditPage", "AuditRecord", "Break", "ChainState", "Verification", "list_audit", "verify_chains"]


@dataclass(frozen=True, slots=True)
class Verification:
    """The chains as verified: per origin, how many records and the first break, if any."""

    chains: tuple[ChainState, ...]

    @property
    def intact(self) -> bool:
        return all(chain.first_break is None for chain in self.chains)

    @property
    def checked(self) -> int:
        return sum(chain.records for chain in self.chains)

    @property
    def breaks(self) -> tuple[Break, ...]:
        return tuple(chain.first_break for chain in self.chains if chain.first_break is not None)

    def as_json(self) -> dict[str, Any]:
        return {
            "intact": self.intact,
            "checked": self.checked,
            "chains": [
                {
                    "origin": chain.origin,
                    "records": chain.records,
                    "head": {"seq": chain.head_seq, "hash": chain.head_hash},
                    "first_break": chain.first_break.as_json() if chain.first_break else None,
                }
                for chain in self.chains
            ],
        }


def verify_chains(*, actor: Actor, db: Database) -> Verification:
    """Walk every origin's chain and find, in each, the first record altered, inserted or deleted."""
    authorise(actor, Permission.AUDIT)
    with db.reading(replica=True) as uow:
        return Verification(tuple(verify_rows(uow.audit.chain_rows())))


@dataclass(frozen=True, slots=True)
class AuditRecord:
    """One audit record with its place in its chain."""

    id: int
    origin: str
    seq: int
    entry: AuditEntry

    def as_json(self) -> dict[str, Any]:
        return {"id": self.id, "origin": self.origin, "seq": self.seq, "entity": self.entry.entity, "entity_id": self.entry.entity_id, **self.entry.as_json()}


@dataclass(frozen=True, slots=True)
class AuditPage:
    """One page of audit records, newest first, and where the next page starts."""

    records: tuple[AuditRecord, ...]
    next_cursor: str | None


def list_audit(
    *,
    actor: Actor,
    entity: str | None = None,
    entity_id: int | None = None,
    by: str | None = None,
    action: str | None = None,
    limit: int = 100,
    cursor: str | None = None,
    db: Database,
) -> AuditPage:
    """Audit records newest first, filtered by entity (and its id), by who acted and by action; ``cursor`` continues a list."""
    authorise(actor, Permission.AUDIT)
    size = pages.limit(limit)
    kind = inputs.optional_text(entity, "entity", 40)
    who = inputs.optional_text(by, "actor", 60)
    what = inputs.optional_text(action, "action", 40)
    if entity_id is not None and (isinstance(entity_id, bool) or not isinstance(entity_id, int) or entity_id < 0):
        raise ValidationError("the entity id is a whole number, 0 or more")
    before = _parse_cursor(cursor) if cursor is not None else None
    with db.reading(replica=True) as uow:
        found = uow.audit.search(entity=kind, entity_id=entity_id, actor=who, action=what, limit=size + 1, before=before)
    page = tuple(AuditRecord(*row) for row in found[:size])
    return AuditPage(page, str(page[-1].id) if len(found) > size else None)


def _parse_cursor(value: object) -> int:
    text = inputs.text(value, "cursor", 20)
    if not text.isascii() or not text.isdigit():
        raise ValidationError(f"the cursor {quoted(value)} is not one a list gave")
    return int(text)
