"""The audit trail becomes a hash chain per origin, append-only; the records written before are chained here.

Every existing record, in the order it was written, becomes a link of the local
origin's chain: its canonical bytes (the previous hash, the origin, what it says, and
when it was written, taken as its own moment since no other was kept) are stored and
hashed. Triggers then refuse UPDATE and DELETE on the table, on SQLite and PostgreSQL.
A later migration that rebuilds the table on SQLite (batch mode) must create the
triggers again.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-28
"""

import datetime as dt
import hashlib
import json

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

ORIGIN = "centre"
GENESIS = "0" * 64
FIELDS = ("at", "actor", "point", "action", "entity", "entity_id", "before", "after", "reason")
REFUSAL = "the audit log is append-only"


def _moment(value: dt.datetime | str) -> str:
    moment = dt.datetime.fromisoformat(value) if isinstance(value, str) else value
    moment = moment.replace(tzinfo=dt.UTC) if moment.tzinfo is None else moment
    return moment.astimezone(dt.UTC).isoformat()


def _decoded(value: object) -> object:
    return json.loads(value) if isinstance(value, str) else value


def upgrade() -> None:
    with op.batch_alter_table("audit_log") as batch:
        batch.add_column(sa.Column("origin", sa.String(60)))
        batch.add_column(sa.Column("seq", sa.BigInteger))
        batch.add_column(sa.Column("recorded_at", sa.DateTime(timezone=True)))
        batch.add_column(sa.Column("prev_hash", sa.String(64)))
        batch.add_column(sa.Column("hash", sa.String(64)))
        batch.add_column(sa.Column("record", sa.LargeBinary))
    connection = op.get_bind()
    table = sa.table(
        "audit_log",
        *(sa.column(name) for name in ("id", "at", "actor", "point", "action", "entity", "entity_id", "reason")),
        sa.column("before", sa.JSON),
        sa.column("after", sa.JSON),
    )
    rows = connection.execute(sa.select(table).order_by(table.c.id)).fetchall()
    update = sa.text("UPDATE audit_log SET origin = :origin, seq = :seq, recorded_at = at, prev_hash = :prev, hash = :hash, record = :record WHERE id = :id")
    prev = GENESIS
    links = []
    for seq, row in enumerate(rows, start=1):
        values = {name: getattr(row, name) for name in FIELDS}
        values["at"] = _moment(row.at)
        values["before"], values["after"] = _decoded(row.before), _decoded(row.after)
        fields = {**values, "v": 1, "origin": ORIGIN, "prev": prev, "recorded_at": values["at"]}
        record = json.dumps(fields, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False).encode("utf-8")
        digest = hashlib.sha256(record).hexdigest()
        links.append({"origin": ORIGIN, "seq": seq, "prev": prev, "hash": digest, "record": record, "id": row.id})
        prev = digest
    for start in range(0, len(links), 1000):
        connection.execute(update, links[start : start + 1000])
    with op.batch_alter_table("audit_log") as batch:
        for name in ("origin", "seq", "recorded_at", "prev_hash", "hash", "record"):
            batch.alter_column(name, nullable=False)
        batch.create_unique_constraint("uq_audit_log_origin_seq", ["origin", "seq"])
    if connection.dialect.name == "postgresql":
        op.execute(f"CREATE FUNCTION audit_log_append_only() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION '{REFUSAL}'; END $$")
        op.execute("CREATE TRIGGER audit_log_append_only BEFORE UPDATE OR DELETE ON audit_log FOR EACH ROW EXECUTE FUNCTION audit_log_append_only()")
    else:
        for event in ("UPDATE", "DELETE"):
            op.execute(f"CREATE TRIGGER audit_log_no_{event.lower()} BEFORE {event} ON audit_log BEGIN SELECT RAISE(ABORT, '{REFUSAL}'); END")


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER audit_log_append_only ON audit_log")
        op.execute("DROP FUNCTION audit_log_append_only()")
    else:
        for event in ("update", "delete"):
            op.execute(f"DROP TRIGGER audit_log_no_{event}")
    with op.batch_alter_table("audit_log") as batch:
        batch.drop_constraint("uq_audit_log_origin_seq", type_="unique")
        for name in ("record", "hash", "prev_hash", "recorded_at", "seq", "origin"):
            batch.drop_column(name)
