"""The name of the person a temporary registration is issued to, as the clerk wrote it (empty for the registrations before).

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-28
"""

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("temporary_registrations") as batch:
        batch.add_column(sa.Column("holder", sa.String(100)))


def downgrade() -> None:
    with op.batch_alter_table("temporary_registrations") as batch:
        batch.drop_column("holder")
