"""Sites and the centre in the registry: who may push, how far each site has come, and what was found on the way.

At the centre, ``sites`` holds every site it has admitted (its key kept as a SHA-256,
never the key), what each last said of its own chain (its head, the oldest record it
had not yet sent) and when it was last heard from; ``sync_conflicts`` what contradicted
what when sites' records came in; ``sync_rejections`` every batch refused, and why. A
site's registry holds one row of ``site_state``: which site it is, its centre and key,
how far the centre acknowledged its chain, and how far it has read the centre's (a
cursor: the last sequence number read of every origin).

A registry without a ``site_state`` row is the centre: it writes as the origin
:data:`~borderplates.registry.tables.CENTRE`.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa

from borderplates.registry.tables import UTCDateTime, metadata
from borderplates.vocabulary import NAME_LENGTH, REASON_LENGTH, SITE_LENGTH, ConflictKind, Rejection

sites = sa.Table(
    "sites",
    metadata,
    sa.Column("id", sa.String(SITE_LENGTH), primary_key=True),
    sa.Column("key_hash", sa.String(64), nullable=False, unique=True),
    sa.Column("created_at", UTCDateTime, nullable=False),
    sa.Column("created_by", sa.String(NAME_LENGTH), nullable=False),
    sa.Column("reported_head", sa.BigInteger, nullable=False),
    sa.Column("oldest_unsent_at", UTCDateTime),
    sa.Column("last_seen_at", UTCDateTime),
    sa.Column("restored_at", UTCDateTime),
)

site_state = sa.Table(
    "site_state",
    metadata,
    sa.Column("site", sa.String(SITE_LENGTH), primary_key=True),
    sa.Column("centre_url", sa.String(300), nullable=False),
    sa.Column("site_key", sa.String(100), nullable=False),
    sa.Column("joined_at", UTCDateTime, nullable=False),
    sa.Column("acknowledged", sa.BigInteger, nullable=False),
    sa.Column("cursor", sa.JSON, nullable=False),
    sa.Column("rules_version", sa.String(64)),
    sa.Column("keys_version", sa.String(64)),
    sa.Column("last_push_at", UTCDateTime),
    sa.Column("last_pull_at", UTCDateTime),
    sa.Column("last_error", sa.String(REASON_LENGTH)),
    sa.Column("last_error_at", UTCDateTime),
)

sync_conflicts = sa.Table(
    "sync_conflicts",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("kind", sa.String(20), nullable=False),
    sa.Column("detected_at", UTCDateTime, nullable=False),
    sa.Column("issuer", sa.String(2)),
    sa.Column("plate", sa.String(20)),
    sa.Column("jurisdiction", sa.String(2)),
    sa.Column("first_uid", sa.String(36), nullable=False),
    sa.Column("second_uid", sa.String(36), nullable=False),
    sa.Column("origin", sa.String(NAME_LENGTH), nullable=False),
    sa.Column("seq", sa.BigInteger),
    sa.Column("detail", sa.String(500), nullable=False),
    sa.UniqueConstraint("kind", "first_uid", "second_uid"),
)

sync_rejections = sa.Table(
    "sync_rejections",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("site", sa.String(SITE_LENGTH), nullable=False),
    sa.Column("at", UTCDateTime, nullable=False),
    sa.Column("seq", sa.BigInteger, nullable=False),
    sa.Column("kind", sa.String(20), nullable=False),
    sa.Column("detail", sa.String(500), nullable=False),
    sa.Index("ix_sync_rejections_site", "site", "at"),
)

SITES, STATE, CONFLICTS, REJECTIONS = sites, site_state, sync_conflicts, sync_rejections


@dataclass(frozen=True, slots=True)
class Site:
    """A site as the centre knows it: when it was admitted, what it last reported of its chain, when it was last heard from."""

    id: str
    created_at: dt.datetime
    created_by: str
    reported_head: int
    oldest_unsent_at: dt.datetime | None
    last_seen_at: dt.datetime | None
    restored_at: dt.datetime | None


@dataclass(frozen=True, slots=True)
class SiteState:
    """A site's own view: who it is, its centre, and how far pushing and pulling have come."""

    site: str
    centre_url: str
    site_key: str = field(repr=False)
    joined_at: dt.datetime
    acknowledged: int
    cursor: dict[str, int]
    rules_version: str | None
    keys_version: str | None
    last_push_at: dt.datetime | None
    last_pull_at: dt.datetime | None
    last_error: str | None
    last_error_at: dt.datetime | None

    @property
    def centre_last_reached(self) -> dt.datetime | None:
        """The last time the centre answered a push or a pull."""
        known = [moment for moment in (self.last_push_at, self.last_pull_at) if moment is not None]
        return max(known) if known else None


@dataclass(frozen=True, slots=True)
class Conflict:
    """Two records from different origins that contradict each other, as found when the second came in."""

    id: int
    kind: ConflictKind
    detected_at: dt.datetime
    issuer: str | None
    plate: str | None
    jurisdiction: str | None
    first_uid: str
    second_uid: str
    origin: str
    seq: int | None
    detail: str


@dataclass(frozen=True, slots=True)
class Refusal:
    """A batch the centre refused: from which site, at which record, why."""

    site: str
    at: dt.datetime
    seq: int
    kind: Rejection
    detail: str

    def as_json(self) -> dict[str, Any]:
        return {"site": self.site, "at": self.at.isoformat(), "seq": self.seq, "kind": str(self.kind), "detail": self.detail}


class Sites:
    """The sites a centre admitted, their conflicts and the batches it refused; and, on a site, its own state."""

    def __init__(self, conn: sa.Connection) -> None:
        self._conn = conn

    # ------------------------------------------------------------------ at the centre

    def add(self, site: str, key_hash: str, at: dt.datetime, by: str) -> Site:
        self._conn.execute(SITES.insert().values(id=site, key_hash=key_hash, created_at=at, created_by=by, reported_head=0))
        return Site(site, at, by, 0, None, None, None)

    def by_id(self, site: str) -> Site | None:
        row = self._conn.execute(sa.select(SITES).where(SITES.c.id == site)).first()
        return _site(row) if row is not None else None

    def by_key_hash(self, key_hash: str) -> Site | None:
        row = self._conn.execute(sa.select(SITES).where(SITES.c.key_hash == key_hash)).first()
        return _site(row) if row is not None else None

    def all(self) -> list[Site]:
        return [_site(row) for row in self._conn.execute(sa.select(SITES).order_by(SITES.c.id))]

    def heard_from(self, site: str, at: dt.datetime, head: int | None = None, oldest_unsent_at: dt.datetime | None = None) -> None:
        """Note that ``site`` reached the centre, and what it said of its own chain (its head, its oldest record not yet sent)."""
        values: dict[str, Any] = {"last_seen_at": at}
        if head is not None:
            larger = sa.func.max if self._conn.dialect.name == "sqlite" else sa.func.greatest
            values["reported_head"] = larger(SITES.c.reported_head, head)
            values["oldest_unsent_at"] = oldest_unsent_at
        self._conn.execute(SITES.update().where(SITES.c.id == site).values(**values))

    def restored(self, site: str, at: dt.datetime) -> None:
        self._conn.execute(SITES.update().where(SITES.c.id == site).values(restored_at=at))

    def add_conflict(self, conflict: Conflict) -> None:
        """Record a conflict once (a batch applied again finds it recorded already)."""
        exists = sa.select(CONFLICTS.c.id).where(
            CONFLICTS.c.kind == str(conflict.kind), CONFLICTS.c.first_uid == conflict.first_uid, CONFLICTS.c.second_uid == conflict.second_uid
        )
        if self._conn.execute(exists).first() is not None:
            return
        values = {
            "kind": str(conflict.kind),
            "detected_at": conflict.detected_at,
            "issuer": conflict.issuer,
            "plate": conflict.plate,
            "jurisdiction": conflict.jurisdiction,
            "first_uid": conflict.first_uid,
            "second_uid": conflict.second_uid,
            "origin": conflict.origin,
            "seq": conflict.seq,
            "detail": conflict.detail[:500],
        }
        self._conn.execute(CONFLICTS.insert().values(**values))

    def conflicts(self) -> list[Conflict]:
        """Every conflict recorded, newest first."""
        rows = self._conn.execute(sa.select(CONFLICTS).order_by(CONFLICTS.c.id.desc()))
        return [
            Conflict(
                row.id,
                ConflictKind(row.kind),
                row.detected_at,
                row.issuer,
                row.plate,
                row.jurisdiction,
                row.first_uid,
                row.second_uid,
                row.origin,
                row.seq,
                row.detail,
            )
            for row in rows
        ]

    def add_rejection(self, refusal: Refusal) -> None:
        values = {"site": refusal.site, "at": refusal.at, "seq": refusal.seq, "kind": str(refusal.kind), "detail": refusal.detail[:500]}
        self._conn.execute(REJECTIONS.insert().values(**values))

    def rejections(self, site: str | None = None, limit: int = 20) -> list[Refusal]:
        """The batches refused, newest first."""
        query = sa.select(REJECTIONS).order_by(REJECTIONS.c.id.desc()).limit(limit)
        if site is not None:
            query = query.where(REJECTIONS.c.site == site)
        return [Refusal(row.site, row.at, row.seq, Rejection(row.kind), row.detail) for row in self._conn.execute(query)]

    def rejection_counts(self) -> dict[str, int]:
        query = sa.select(REJECTIONS.c.site, sa.func.count()).group_by(REJECTIONS.c.site)
        return {str(row[0]): int(row[1]) for row in self._conn.execute(query)}

    # ------------------------------------------------------------------ on a site

    def state(self) -> SiteState | None:
        """This registry's site state, or None on the centre."""
        row = self._conn.execute(sa.select(STATE)).first()
        if row is None:
            return None
        return SiteState(
            row.site,
            row.centre_url,
            row.site_key,
            row.joined_at,
            int(row.acknowledged),
            {str(origin): int(seq) for origin, seq in (row.cursor or {}).items()},
            row.rules_version,
            row.keys_version,
            row.last_push_at,
            row.last_pull_at,
            row.last_error,
            row.last_error_at,
        )

    def become(self, site: str, centre_url: str, site_key: str, at: dt.datetime, acknowledged: int, cursor: dict[str, int]) -> None:
        """Make this registry ``site``'s."""
        values = {"site": site, "centre_url": centre_url, "site_key": site_key, "joined_at": at, "acknowledged": acknowledged, "cursor": cursor}
        self._conn.execute(STATE.insert().values(**values))

    def update_state(self, **values: Any) -> None:
        """Change some of this site's state (acknowledged, cursor, versions, moments, the last error)."""
        self._conn.execute(STATE.update().values(**values))


def _site(row: Any) -> Site:
    return Site(row.id, row.created_at, row.created_by, int(row.reported_head), row.oldest_unsent_at, row.last_seen_at, row.restored_at)
