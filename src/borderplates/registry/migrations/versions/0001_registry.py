"""The registry: vehicles, temporary registrations, stickers, enforcement, crossings, audit.

Revision ID: 0001
Revises:
Create Date: 2026-11-25
"""

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

TS = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "vehicles",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("issuer", sa.String(2), nullable=False),
        sa.Column("plate", sa.String(20), nullable=False),
        sa.Column("plate_kind", sa.String(20), nullable=False),
        sa.Column("area_code", sa.String(3)),
        sa.Column("vin", sa.String(17)),
        sa.Column("vehicle_class", sa.String(20), nullable=False),
        sa.Column("created_at", TS, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_vehicles"),
        sa.UniqueConstraint("issuer", "plate", name="uq_vehicles_issuer_plate"),
    )
    op.create_table(
        "temporary_registrations",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("number", sa.String(11), nullable=False),
        sa.Column("vehicle_id", sa.Integer, nullable=False),
        sa.Column("jurisdiction", sa.String(2), nullable=False),
        sa.Column("valid_from", sa.Date, nullable=False),
        sa.Column("valid_until", sa.Date, nullable=False),
        sa.Column("fee_minor", sa.Integer, nullable=False),
        sa.Column("fee_currency", sa.String(3), nullable=False),
        sa.Column("rule_id", sa.String(100), nullable=False),
        sa.Column("rule_version", sa.String(25), nullable=False),
        sa.Column("issued_at", TS, nullable=False),
        sa.Column("issuing_point", sa.String(60), nullable=False),
        sa.Column("clerk", sa.String(60), nullable=False),
        sa.Column("status", sa.String(10), nullable=False),
        sa.Column("status_changed_at", TS, nullable=False),
        sa.Column("status_reason", sa.String(200)),
        sa.Column("renews_id", sa.Integer),
        sa.Column("request_key", sa.String(100)),
        sa.PrimaryKeyConstraint("id", name="pk_temporary_registrations"),
        sa.UniqueConstraint("number", name="uq_temporary_registrations_number"),
        sa.UniqueConstraint("request_key", name="uq_temporary_registrations_request_key"),
        sa.ForeignKeyConstraint(["vehicle_id"], ["vehicles.id"], name="fk_temporary_registrations_vehicle_id_vehicles"),
        sa.ForeignKeyConstraint(["renews_id"], ["temporary_registrations.id"], name="fk_temporary_registrations_renews_id_temporary_registrations"),
        sa.CheckConstraint("status in ('active', 'returned', 'cancelled', 'expired')", name="ck_temporary_registrations_status"),
        sa.CheckConstraint("valid_until >= valid_from", name="ck_temporary_registrations_validity"),
    )
    op.create_index("ix_temporary_registrations_vehicle", "temporary_registrations", ["vehicle_id", "jurisdiction", "valid_until"])
    op.create_index(
        "uq_temporary_registrations_one_active",
        "temporary_registrations",
        ["vehicle_id", "jurisdiction"],
        unique=True,
        sqlite_where=sa.text("status = 'active'"),
        postgresql_where=sa.text("status = 'active'"),
    )
    op.create_index("ix_temporary_registrations_due", "temporary_registrations", ["status", "valid_until"])
    op.create_table(
        "sticker_issuances",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("vehicle_id", sa.Integer, nullable=False),
        sa.Column("jurisdiction", sa.String(2), nullable=False),
        sa.Column("rule_id", sa.String(100), nullable=False),
        sa.Column("rule_version", sa.String(25), nullable=False),
        sa.Column("issued_at", TS, nullable=False),
        sa.Column("point", sa.String(60), nullable=False),
        sa.Column("officer", sa.String(60), nullable=False),
        sa.Column("request_key", sa.String(100)),
        sa.PrimaryKeyConstraint("id", name="pk_sticker_issuances"),
        sa.UniqueConstraint("request_key", name="uq_sticker_issuances_request_key"),
        sa.UniqueConstraint("vehicle_id", "jurisdiction", "rule_id", "rule_version", name="uq_sticker_issuances_once_per_rule"),
        sa.ForeignKeyConstraint(["vehicle_id"], ["vehicles.id"], name="fk_sticker_issuances_vehicle_id_vehicles"),
    )
    op.create_table(
        "enforcement_actions",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("vehicle_id", sa.Integer, nullable=False),
        sa.Column("jurisdiction", sa.String(2), nullable=False),
        sa.Column("kind", sa.String(10), nullable=False),
        sa.Column("phase", sa.String(20), nullable=False),
        sa.Column("amount_minor", sa.Integer),
        sa.Column("currency", sa.String(3)),
        sa.Column("rule_id", sa.String(100), nullable=False),
        sa.Column("rule_version", sa.String(25), nullable=False),
        sa.Column("at", TS, nullable=False),
        sa.Column("point", sa.String(60), nullable=False),
        sa.Column("officer", sa.String(60), nullable=False),
        sa.Column("note", sa.String(200)),
        sa.Column("request_key", sa.String(100)),
        sa.PrimaryKeyConstraint("id", name="pk_enforcement_actions"),
        sa.UniqueConstraint("request_key", name="uq_enforcement_actions_request_key"),
        sa.ForeignKeyConstraint(["vehicle_id"], ["vehicles.id"], name="fk_enforcement_actions_vehicle_id_vehicles"),
        sa.CheckConstraint("kind in ('warning', 'fine')", name="ck_enforcement_actions_kind"),
    )
    op.create_index("ix_enforcement_actions_vehicle", "enforcement_actions", ["vehicle_id", "at"])
    op.create_table(
        "crossings",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("vehicle_id", sa.Integer, nullable=False),
        sa.Column("point", sa.String(20), nullable=False),
        sa.Column("direction", sa.String(5), nullable=False),
        sa.Column("jurisdiction", sa.String(2), nullable=False),
        sa.Column("mode", sa.String(12), nullable=False),
        sa.Column("lane", sa.String(20)),
        sa.Column("at", TS, nullable=False),
        sa.Column("decision", sa.String(40), nullable=False),
        sa.Column("rule_id", sa.String(100)),
        sa.Column("rule_version", sa.String(25)),
        sa.Column("registration_id", sa.Integer),
        sa.Column("officer", sa.String(60), nullable=False),
        sa.Column("request_key", sa.String(100)),
        sa.PrimaryKeyConstraint("id", name="pk_crossings"),
        sa.UniqueConstraint("request_key", name="uq_crossings_request_key"),
        sa.ForeignKeyConstraint(["vehicle_id"], ["vehicles.id"], name="fk_crossings_vehicle_id_vehicles"),
        sa.ForeignKeyConstraint(["registration_id"], ["temporary_registrations.id"], name="fk_crossings_registration_id_temporary_registrations"),
        sa.CheckConstraint("direction in ('entry', 'exit')", name="ck_crossings_direction"),
    )
    op.create_index("ix_crossings_vehicle", "crossings", ["vehicle_id", "at"])
    op.create_index("ix_crossings_point", "crossings", ["point", "at"])
    op.create_table(
        "audit_log",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("at", TS, nullable=False),
        sa.Column("actor", sa.String(60), nullable=False),
        sa.Column("point", sa.String(60)),
        sa.Column("action", sa.String(40), nullable=False),
        sa.Column("entity", sa.String(40), nullable=False),
        sa.Column("entity_id", sa.Integer, nullable=False),
        sa.Column("before", sa.JSON),
        sa.Column("after", sa.JSON),
        sa.Column("reason", sa.String(200)),
        sa.PrimaryKeyConstraint("id", name="pk_audit_log"),
    )
    op.create_index("ix_audit_log_entity", "audit_log", ["entity", "entity_id"])


def downgrade() -> None:
    for table in ("audit_log", "crossings", "enforcement_actions", "sticker_issuances", "temporary_registrations", "vehicles"):
        op.drop_table(table)
