"""The registry's tables (SQLAlchemy Core). Every change to them is an Alembic migration."""

from __future__ import annotations

import datetime as dt
from enum import StrEnum
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Dialect

from borderplates.vocabulary import (
    HOLDER_LENGTH,
    LANE_LENGTH,
    NAME_LENGTH,
    REASON_LENGTH,
    REQUEST_KEY_LENGTH,
    CrossingState,
    Direction,
    Mode,
    RegistrationStatus,
)

metadata = sa.MetaData(
    naming_convention={
        "ix": "ix_%(table_name)s_%(column_0_N_name)s",
        "uq": "uq_%(table_name)s_%(column_0_N_name)s",
        "ck": "ck_%(table_name)s_%(constraint_name)s",
        "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
        "pk": "pk_%(table_name)s",
    }
)


class UTCDateTime(sa.TypeDecorator[dt.datetime]):
    """Aware datetimes stored in UTC, returned aware on every database."""

    impl = sa.DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: dt.datetime | None, dialect: Dialect) -> Any:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetimes are not stored")
        value = value.astimezone(dt.UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: Any, dialect: Dialect) -> dt.datetime | None:
        if value is None:
            return None
        moment: dt.datetime = value
        return moment.replace(tzinfo=dt.UTC) if moment.tzinfo is None else moment.astimezone(dt.UTC)


def _one_of(column: str, vocabulary: type[StrEnum]) -> str:
    return f"{column} in ({', '.join(repr(member.value) for member in vocabulary)})"


#: The origin of the records written before sites existed, and of every record the centre writes.
CENTRE = "centre"


def _identity(table: str) -> tuple[sa.Column[Any], sa.Column[Any], sa.Index]:
    """A synchronised record's global id (UUIDv7, unique) and its origin (the site that wrote it).

    The id is left nullable in the schema only because SQLite cannot add a NOT NULL column without a
    constant default; every row gets one when written (:mod:`borderplates.registry.ids`) and migration
    0006 gave one to every row before it.
    """
    return (
        sa.Column("uid", sa.String(36)),
        sa.Column("origin", sa.String(NAME_LENGTH), nullable=False, server_default=CENTRE),
        sa.Index(f"uq_{table}_uid", "uid", unique=True),
    )


vehicles = sa.Table(
    "vehicles",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    *_identity("vehicles"),
    sa.Column("issuer", sa.String(2), nullable=False),
    sa.Column("plate", sa.String(20), nullable=False),
    sa.Column("plate_kind", sa.String(20), nullable=False),
    sa.Column("area_code", sa.String(3)),
    sa.Column("vin", sa.String(17)),
    sa.Column("vehicle_class", sa.String(20), nullable=False),
    sa.Column("resident", sa.String(2)),
    sa.Column("created_at", UTCDateTime, nullable=False),
    sa.UniqueConstraint("issuer", "plate"),
)

temporary_registrations = sa.Table(
    "temporary_registrations",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    *_identity("temporary_registrations"),
    sa.Column("number", sa.String(11), nullable=False, unique=True),
    sa.Column("vehicle_id", sa.Integer, sa.ForeignKey("vehicles.id"), nullable=False),
    sa.Column("jurisdiction", sa.String(2), nullable=False),
    sa.Column("valid_from", sa.Date, nullable=False),
    sa.Column("valid_until", sa.Date, nullable=False),
    sa.Column("fee_minor", sa.Integer, nullable=False),
    sa.Column("fee_currency", sa.String(3), nullable=False),
    sa.Column("rule_id", sa.String(100), nullable=False),
    sa.Column("rule_version", sa.String(25), nullable=False),
    sa.Column("issued_at", UTCDateTime, nullable=False),
    sa.Column("issuing_point", sa.String(NAME_LENGTH), nullable=False),
    sa.Column("clerk", sa.String(NAME_LENGTH), nullable=False),
    sa.Column("status", sa.String(10), nullable=False),
    sa.Column("status_changed_at", UTCDateTime, nullable=False),
    sa.Column("status_reason", sa.String(REASON_LENGTH)),
    sa.Column("renews_id", sa.Integer, sa.ForeignKey("temporary_registrations.id")),
    sa.Column("holder", sa.String(HOLDER_LENGTH)),
    sa.Column("request_key", sa.String(REQUEST_KEY_LENGTH), unique=True),
    sa.Column("end_request_key", sa.String(REQUEST_KEY_LENGTH)),
    sa.CheckConstraint(_one_of("status", RegistrationStatus), name="status"),
    sa.CheckConstraint("valid_until >= valid_from", name="validity"),
    # The request key of the return or cancellation that ended it: a retried request finds its first answer.
    sa.Index("uq_temporary_registrations_end_request_key", "end_request_key", unique=True),
    sa.Index("ix_temporary_registrations_vehicle", "vehicle_id", "jurisdiction", "valid_until"),
    # One active registration per vehicle and jurisdiction at each origin; two origins that issued while cut off
    # from each other both keep theirs, and the centre records the conflict (borderplates.registry.changes).
    sa.Index(
        "uq_temporary_registrations_one_active",
        "vehicle_id",
        "jurisdiction",
        "origin",
        unique=True,
        sqlite_where=sa.text("status = 'active'"),
        postgresql_where=sa.text("status = 'active'"),
    ),
    sa.Index("ix_temporary_registrations_due", "status", "valid_until"),
)

sticker_issuances = sa.Table(
    "sticker_issuances",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    *_identity("sticker_issuances"),
    sa.Column("vehicle_id", sa.Integer, sa.ForeignKey("vehicles.id"), nullable=False),
    sa.Column("jurisdiction", sa.String(2), nullable=False),
    sa.Column("rule_id", sa.String(100), nullable=False),
    sa.Column("rule_version", sa.String(25), nullable=False),
    sa.Column("issued_at", UTCDateTime, nullable=False),
    sa.Column("point", sa.String(NAME_LENGTH), nullable=False),
    sa.Column("officer", sa.String(NAME_LENGTH), nullable=False),
    sa.Column("request_key", sa.String(REQUEST_KEY_LENGTH), unique=True),
    sa.UniqueConstraint("vehicle_id", "jurisdiction", "rule_id", "rule_version", "origin", name="uq_sticker_issuances_once_per_rule"),
)

enforcement_actions = sa.Table(
    "enforcement_actions",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    *_identity("enforcement_actions"),
    sa.Column("vehicle_id", sa.Integer, sa.ForeignKey("vehicles.id"), nullable=False),
    sa.Column("jurisdiction", sa.String(2), nullable=False),
    sa.Column("kind", sa.String(10), nullable=False),
    sa.Column("phase", sa.String(20), nullable=False),
    sa.Column("amount_minor", sa.Integer),
    sa.Column("currency", sa.String(3)),
    sa.Column("rule_id", sa.String(100), nullable=False),
    sa.Column("rule_version", sa.String(25), nullable=False),
    sa.Column("at", UTCDateTime, nullable=False),
    sa.Column("point", sa.String(NAME_LENGTH), nullable=False),
    sa.Column("officer", sa.String(NAME_LENGTH), nullable=False),
    sa.Column("note", sa.String(REASON_LENGTH)),
    sa.Column("request_key", sa.String(REQUEST_KEY_LENGTH), unique=True),
    sa.CheckConstraint("kind in ('warning', 'fine')", name="kind"),
    sa.Index("ix_enforcement_actions_vehicle", "vehicle_id", "at"),
)

crossings = sa.Table(
    "crossings",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    *_identity("crossings"),
    sa.Column("vehicle_id", sa.Integer, sa.ForeignKey("vehicles.id"), nullable=False),
    sa.Column("point", sa.String(20), nullable=False),
    sa.Column("direction", sa.String(5), nullable=False),
    sa.Column("jurisdiction", sa.String(2), nullable=False),
    sa.Column("mode", sa.String(12), nullable=False),
    sa.Column("lane", sa.String(LANE_LENGTH)),
    sa.Column("at", UTCDateTime, nullable=False),
    sa.Column("decision", sa.String(40), nullable=False),
    sa.Column("rule_id", sa.String(100)),
    sa.Column("rule_version", sa.String(25)),
    sa.Column("registration_id", sa.Integer, sa.ForeignKey("temporary_registrations.id")),
    sa.Column("officer", sa.String(NAME_LENGTH), nullable=False),
    sa.Column("request_key", sa.String(REQUEST_KEY_LENGTH), unique=True),
    sa.CheckConstraint(_one_of("direction", Direction), name="direction"),
    sa.Index("ix_crossings_vehicle", "vehicle_id", "at"),
    sa.Index("ix_crossings_point", "point", "at"),
)

audit_log = sa.Table(
    "audit_log",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("origin", sa.String(NAME_LENGTH), nullable=False),
    sa.Column("seq", sa.BigInteger, nullable=False),
    sa.Column("at", UTCDateTime, nullable=False),
    sa.Column("recorded_at", UTCDateTime, nullable=False),
    sa.Column("actor", sa.String(NAME_LENGTH), nullable=False),
    sa.Column("point", sa.String(NAME_LENGTH)),
    sa.Column("action", sa.String(40), nullable=False),
    sa.Column("entity", sa.String(40), nullable=False),
    sa.Column("entity_id", sa.Integer, nullable=False),
    sa.Column("entity_uid", sa.String(36)),
    sa.Column("before", sa.JSON),
    sa.Column("after", sa.JSON),
    sa.Column("reason", sa.String(REASON_LENGTH)),
    sa.Column("prev_hash", sa.String(64), nullable=False),
    sa.Column("hash", sa.String(64), nullable=False),
    sa.Column("record", sa.LargeBinary, nullable=False),
    sa.UniqueConstraint("origin", "seq"),
    sa.Index("ix_audit_log_entity", "entity", "entity_id"),
    sa.Index("ix_audit_log_entity_uid", "entity_uid"),
)


crossing_status_changes = sa.Table(
    "crossing_status_changes",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    *_identity("crossing_status_changes"),
    sa.Column("point", sa.String(20), nullable=False),
    sa.Column("entering", sa.String(2), nullable=False),
    sa.Column("mode", sa.String(12), nullable=False),
    sa.Column("state", sa.String(12), nullable=False),
    sa.Column("since", UTCDateTime, nullable=False),
    sa.Column("until", UTCDateTime),
    sa.Column("reason", sa.String(REASON_LENGTH), nullable=False),
    sa.Column("source", sa.String(REASON_LENGTH)),
    sa.Column("set_by", sa.String(NAME_LENGTH), nullable=False),
    sa.Column("recorded_at", UTCDateTime, nullable=False),
    sa.CheckConstraint(_one_of("state", CrossingState), name="state"),
    sa.CheckConstraint(_one_of("mode", Mode), name="mode"),
    sa.CheckConstraint("until IS NULL OR until > since", name="period"),
    sa.Index("ix_crossing_status_changes_flow", "point", "entering", "mode", "since"),
)

queue_observations = sa.Table(
    "queue_observations",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    *_identity("queue_observations"),
    sa.Column("point", sa.String(20), nullable=False),
    sa.Column("entering", sa.String(2), nullable=False),
    sa.Column("mode", sa.String(12), nullable=False),
    sa.Column("at", UTCDateTime, nullable=False),
    sa.Column("lanes_open", sa.Integer, nullable=False),
    sa.Column("vehicles", sa.Integer),
    sa.Column("metres", sa.Float),
    sa.Column("wait_minutes", sa.Float),
    sa.Column("served_per_lane_per_hour", sa.Float),
    sa.Column("observed_by", sa.String(NAME_LENGTH), nullable=False),
    sa.CheckConstraint(_one_of("mode", Mode), name="mode"),
    sa.CheckConstraint("lanes_open >= 0", name="lanes"),
    sa.Index("ix_queue_observations_flow", "point", "entering", "mode", "at"),
)
"""Append-only (triggers refuse UPDATE and DELETE), each row one link of its origin's hash chain (see :mod:`borderplates.registry.audit`)."""


plate_reads = sa.Table(
    "plate_reads",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("at", UTCDateTime, nullable=False),
    sa.Column("point", sa.String(20)),
    sa.Column("camera", sa.String(NAME_LENGTH)),
    sa.Column("submitted_by", sa.String(NAME_LENGTH), nullable=False),
    sa.Column("reader", sa.String(40), nullable=False),
    sa.Column("reader_version", sa.String(40), nullable=False),
    sa.Column("raw_text", sa.String(REASON_LENGTH), nullable=False),
    sa.Column("plate", sa.String(20)),
    sa.Column("issuer", sa.String(2)),
    sa.Column("confidence", sa.Float, nullable=False),
    sa.Column("needs_confirmation", sa.Boolean, nullable=False),
    sa.Column("candidates", sa.JSON, nullable=False),
    sa.Column("image_sha256", sa.String(64), nullable=False),
    sa.Column("image_ref", sa.String(80)),
    sa.Column("image_erased_at", UTCDateTime),
    sa.Column("confirmed_plate", sa.String(20)),
    sa.Column("confirmed_issuer", sa.String(2)),
    sa.Column("confirmed_by", sa.String(NAME_LENGTH)),
    sa.Column("confirmed_at", UTCDateTime),
    sa.Column("crossing_id", sa.Integer, sa.ForeignKey("crossings.id")),
    sa.Index("ix_plate_reads_at", "at"),
)
