"""Plate reads from camera images: every read kept, who confirmed or corrected it, the crossing it led to.

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-28
"""

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None

TS = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "plate_reads",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("at", TS, nullable=False),
        sa.Column("point", sa.String(20)),
        sa.Column("camera", sa.String(60)),
        sa.Column("submitted_by", sa.String(60), nullable=False),
        sa.Column("reader", sa.String(40), nullable=False),
        sa.Column("reader_version", sa.String(40), nullable=False),
        sa.Column("raw_text", sa.String(200), nullable=False),
        sa.Column("plate", sa.String(20)),
        sa.Column("issuer", sa.String(2)),
        sa.Column("confidence", sa.Float, nullable=False),
        sa.Column("needs_confirmation", sa.Boolean, nullable=False),
        sa.Column("candidates", sa.JSON, nullable=False),
        sa.Column("image_sha256", sa.String(64), nullable=False),
        sa.Column("image_ref", sa.String(80)),
        sa.Column("image_erased_at", TS),
        sa.Column("confirmed_plate", sa.String(20)),
        sa.Column("confirmed_issuer", sa.String(2)),
        sa.Column("confirmed_by", sa.String(60)),
        sa.Column("confirmed_at", TS),
        sa.Column("crossing_id", sa.Integer),
        sa.PrimaryKeyConstraint("id", name="pk_plate_reads"),
        sa.ForeignKeyConstraint(["crossing_id"], ["crossings.id"], name="fk_plate_reads_crossing_id_crossings"),
    )
    op.create_index("ix_plate_reads_at", "plate_reads", ["at"])


def downgrade() -> None:
    op.drop_index("ix_plate_reads_at", "plate_reads")
    op.drop_table("plate_reads")
