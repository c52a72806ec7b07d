"""Sites and the centre: a global id and an origin on every synchronised record, and the tables of synchronisation.

Every row of vehicles, temporary registrations, stickers, warnings and fines,
crossings, crossing status changes and queue observations gets a UUIDv7 (``uid``) and
the site that wrote it (``origin``; ``centre`` for everything written before). Audit
records name the record they are about by its uid (``entity_uid``); those written
before keep it empty, as their hashed bytes do. One active registration per vehicle
and jurisdiction now holds per origin, and stickers once per rule per origin: two
sites cut off from each other both keep what they issued, and the centre records the
conflict. Then the tables of sites, a site's own state, conflicts and refused batches.

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-28
"""

import secrets
import time
import uuid

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None

TS = sa.DateTime(timezone=True)
SYNCED = ("vehicles", "temporary_registrations", "sticker_issuances", "enforcement_actions", "crossings", "crossing_status_changes", "queue_observations")
ONCE_PER_RULE = ("vehicle_id", "jurisdiction", "rule_id", "rule_version")


def _uuid7(ms: int, counter: int) -> str:
    """A UUIDv7 (as borderplates.registry.ids makes them), ordered by ``counter`` within the millisecond ``ms``."""
    value = ms << 80 | 0x7 << 76 | (counter & 0xFFF) << 64 | 0b10 << 62 | secrets.randbits(62)
    return str(uuid.UUID(int=value))


def _give_ids(table: str) -> None:
    connection = op.get_bind()
    ids = [row[0] for row in connection.execute(sa.text(f"SELECT id FROM {table} ORDER BY id"))]
    start = time.time_ns() // 1_000_000
    update = sa.text(f"UPDATE {table} SET uid = :uid WHERE id = :id")
    for first in range(0, len(ids), 5000):
        chunk = ids[first : first + 5000]
        connection.execute(update, [{"uid": _uuid7(start + (first + n) // 4096, first + n), "id": row_id} for n, row_id in enumerate(chunk)])


def upgrade() -> None:
    for table in SYNCED:
        op.add_column(table, sa.Column("uid", sa.String(36)))
        op.add_column(table, sa.Column("origin", sa.String(60), nullable=False, server_default="centre"))
        _give_ids(table)
    with op.batch_alter_table("sticker_issuances") as batch:
        batch.drop_constraint("uq_sticker_issuances_once_per_rule", type_="unique")
        batch.create_unique_constraint("uq_sticker_issuances_once_per_rule", [*ONCE_PER_RULE, "origin"])
    for table in SYNCED:
        op.create_index(f"uq_{table}_uid", table, ["uid"], unique=True)
    op.drop_index("uq_temporary_registrations_one_active", "temporary_registrations")
    op.create_index(
        "uq_temporary_registrations_one_active",
        "temporary_registrations",
        ["vehicle_id", "jurisdiction", "origin"],
        unique=True,
        sqlite_where=sa.text("status = 'active'"),
        postgresql_where=sa.text("status = 'active'"),
    )
    op.add_column("audit_log", sa.Column("entity_uid", sa.String(36)))
    op.create_index("ix_audit_log_entity_uid", "audit_log", ["entity_uid"])
    op.create_table(
        "sites",
        sa.Column("id", sa.String(40), nullable=False),
        sa.Column("key_hash", sa.String(64), nullable=False),
        sa.Column("created_at", TS, nullable=False),
        sa.Column("created_by", sa.String(60), nullable=False),
        sa.Column("reported_head", sa.BigInteger, nullable=False),
        sa.Column("oldest_unsent_at", TS),
        sa.Column("last_seen_at", TS),
        sa.Column("restored_at", TS),
        sa.PrimaryKeyConstraint("id", name="pk_sites"),
        sa.UniqueConstraint("key_hash", name="uq_sites_key_hash"),
    )
    op.create_table(
        "site_state",
        sa.Column("site", sa.String(40), nullable=False),
        sa.Column("centre_url", sa.String(300), nullable=False),
        sa.Column("site_key", sa.String(100), nullable=False),
        sa.Column("joined_at", TS, nullable=False),
        sa.Column("acknowledged", sa.BigInteger, nullable=False),
        sa.Column("cursor", sa.JSON, nullable=False),
        sa.Column("rules_version", sa.String(64)),
        sa.Column("keys_version", sa.String(64)),
        sa.Column("last_push_at", TS),
        sa.Column("last_pull_at", TS),
        sa.Column("last_error", sa.String(200)),
        sa.Column("last_error_at", TS),
        sa.PrimaryKeyConstraint("site", name="pk_site_state"),
    )
    op.create_table(
        "sync_conflicts",
        sa.Column("id", sa.Integer, nullable=False),
        sa.Column("kind", sa.String(20), nullable=False),
        sa.Column("detected_at", TS, nullable=False),
        sa.Column("issuer", sa.String(2)),
        sa.Column("plate", sa.String(20)),
        sa.Column("jurisdiction", sa.String(2)),
        sa.Column("first_uid", sa.String(36), nullable=False),
        sa.Column("second_uid", sa.String(36), nullable=False),
        sa.Column("origin", sa.String(60), nullable=False),
        sa.Column("seq", sa.BigInteger),
        sa.Column("detail", sa.String(500), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_sync_conflicts"),
        sa.UniqueConstraint("kind", "first_uid", "second_uid", name="uq_sync_conflicts_kind_first_uid_second_uid"),
    )
    op.create_table(
        "sync_rejections",
        sa.Column("id", sa.Integer, nullable=False),
        sa.Column("site", sa.String(40), nullable=False),
        sa.Column("at", TS, nullable=False),
        sa.Column("seq", sa.BigInteger, nullable=False),
        sa.Column("kind", sa.String(20), nullable=False),
        sa.Column("detail", sa.String(500), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_sync_rejections"),
    )
    op.create_index("ix_sync_rejections_site", "sync_rejections", ["site", "at"])


def downgrade() -> None:
    op.drop_index("ix_sync_rejections_site", "sync_rejections")
    for table in ("sync_rejections", "sync_conflicts", "site_state", "sites"):
        op.drop_table(table)
    op.drop_index("ix_audit_log_entity_uid", "audit_log")
    op.drop_column("audit_log", "entity_uid")
    op.drop_index("uq_temporary_registrations_one_active", "temporary_registrations")
    op.create_index(
        "uq_temporary_registrations_one_active",
        "temporary_registrations",
        ["vehicle_id", "jurisdiction"],
        unique=True,
        sqlite_where=sa.text("status = 'active'"),
        postgresql_where=sa.text("status = 'active'"),
    )
    for table in SYNCED:
        op.drop_index(f"uq_{table}_uid", table)
    with op.batch_alter_table("sticker_issuances") as batch:
        batch.drop_constraint("uq_sticker_issuances_once_per_rule", type_="unique")
        batch.create_unique_constraint("uq_sticker_issuances_once_per_rule", list(ONCE_PER_RULE))
    for table in SYNCED:
        op.drop_column(table, "origin")
        op.drop_column(table, "uid")
