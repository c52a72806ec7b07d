"""Vehicles keep where their keeper resides, so a renewal judges the vehicle as it was first judged.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-28
"""

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("vehicles") as batch:
        batch.add_column(sa.Column("resident", sa.String(2)))


def downgrade() -> None:
    with op.batch_alter_table("vehicles") as batch:
        batch.drop_column("resident")
