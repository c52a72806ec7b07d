"""The request key of the return or cancellation that ended a temporary registration, unique: a retried request finds its first answer.

Revision ID: 0010
Revises: 0009
Create Date: 2026-11-28
"""

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("temporary_registrations") as batch:
        batch.add_column(sa.Column("end_request_key", sa.String(100)))
    op.create_index("uq_temporary_registrations_end_request_key", "temporary_registrations", ["end_request_key"], unique=True)


def downgrade() -> None:
    op.drop_index("uq_temporary_registrations_end_request_key", "temporary_registrations")
    with op.batch_alter_table("temporary_registrations") as batch:
        batch.drop_column("end_request_key")
