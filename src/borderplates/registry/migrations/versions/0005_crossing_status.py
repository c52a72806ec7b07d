"""Crossing status set by supervisors, and queue observations entered by staff.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-28
"""

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

TS = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "crossing_status_changes",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("point", sa.String(20), nullable=False),
        sa.Column("entering", sa.String(2), nullable=False),
        sa.Column("mode", sa.String(12), nullable=False),
        sa.Column("state", sa.String(12), nullable=False),
        sa.Column("since", TS, nullable=False),
        sa.Column("until", TS),
        sa.Column("reason", sa.String(200), nullable=False),
        sa.Column("source", sa.String(200)),
        sa.Column("set_by", sa.String(60), nullable=False),
        sa.Column("recorded_at", TS, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_crossing_status_changes"),
        sa.CheckConstraint("state in ('open', 'restricted', 'blocked', 'closed')", name="ck_crossing_status_changes_state"),
        sa.CheckConstraint("mode in ('passenger', 'cargo', 'bus', 'pedestrian')", name="ck_crossing_status_changes_mode"),
        sa.CheckConstraint("until IS NULL OR until > since", name="ck_crossing_status_changes_period"),
    )
    op.create_index("ix_crossing_status_changes_flow", "crossing_status_changes", ["point", "entering", "mode", "since"])
    op.create_table(
        "queue_observations",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("point", sa.String(20), nullable=False),
        sa.Column("entering", sa.String(2), nullable=False),
        sa.Column("mode", sa.String(12), nullable=False),
        sa.Column("at", TS, nullable=False),
        sa.Column("lanes_open", sa.Integer, nullable=False),
        sa.Column("vehicles", sa.Integer),
        sa.Column("metres", sa.Float),
        sa.Column("wait_minutes", sa.Float),
        sa.Column("served_per_lane_per_hour", sa.Float),
        sa.Column("observed_by", sa.String(60), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_queue_observations"),
        sa.CheckConstraint("mode in ('passenger', 'cargo', 'bus', 'pedestrian')", name="ck_queue_observations_mode"),
        sa.CheckConstraint("lanes_open >= 0", name="ck_queue_observations_lanes"),
    )
    op.create_index("ix_queue_observations_flow", "queue_observations", ["point", "entering", "mode", "at"])


def downgrade() -> None:
    op.drop_index("ix_queue_observations_flow", "queue_observations")
    op.drop_table("queue_observations")
    op.drop_index("ix_crossing_status_changes_flow", "crossing_status_changes")
    op.drop_table("crossing_status_changes")
