"""The migrations build exactly the schema the code declares, on SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
import sqlalchemy as sa
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.config import Config
from alembic.runtime.migration import MigrationContext

from borderplates.errors import RegistryUnavailable
from borderplates.registry import Database, open_registry
from borderplates.registry.database import MIGRATIONS, create_engine, head_revision
from borderplates.registry.tables import metadata, temporary_registrations, vehicles
from borderplates.settings import Settings
from tests.conftest import local

TABLES = {
    *("vehicles", "temporary_registrations", "sticker_issuances", "enforcement_actions", "crossings", "audit_log"),
    *("accounts", "api_keys", "login_sessions", "login_failures"),
    *("crossing_status_changes", "queue_observations", "plate_reads"),
    *("sites", "site_state", "sync_conflicts", "sync_rejections"),
}


def differences(db: Database) -> list[object]:
    with db.engine.connect() as conn:
        return compare_metadata(MigrationContext.configure(conn, opts={"compare_type": True, "compare_server_default": True}), metadata)


def downgrade_to_base(db: Database) -> None:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    with db.engine.connect() as conn, conn.begin():
        config.attributes["connection"] = conn
        command.downgrade(config, "base")


def table_names(db: Database) -> set[str]:
    with db.engine.connect() as conn:
        return set(sa.inspect(conn).get_table_names()) - {"alembic_version"}


def test_the_migrated_schema_matches_the_declared_tables(db):
    assert differences(db) == []
    assert table_names(db) == TABLES


def test_the_migrated_registry_is_current(db):
    assert db.is_current()
    assert db.revision() == head_revision()
    assert db.upgrade() == head_revision()  # upgrading again changes nothing
    assert differences(db) == []


def test_downgrade_to_base_and_upgrade_again_rebuilds_the_schema(db):
    try:
        downgrade_to_base(db)
        assert table_names(db) == set()
        assert db.revision() is None
        assert not db.is_current()
    finally:
        db.upgrade()
    assert db.is_current()
    assert differences(db) == []


def test_a_fresh_sqlite_file_downgrades_and_upgrades(tmp_path):
    url = f"sqlite:///{tmp_path / 'fresh.db'}"
    db = Database(url, create_engine(url))
    try:
        assert not db.is_current()
        assert db.upgrade() == head_revision()
        downgrade_to_base(db)
        assert table_names(db) == set()
        assert db.upgrade() == head_revision()
        assert db.is_current() and differences(db) == []
    finally:
        db.engine.dispose()


def test_times_are_stored_in_utc_and_read_back_aware(db):
    moment = local(2021, 9, 27, 10, 14)
    with db.engine.begin() as conn:
        conn.execute(vehicles.insert().values(issuer="RS", plate="NP 123-AB", plate_kind="standard", vehicle_class="car", created_at=moment))
    with db.read() as conn:
        stored = conn.execute(sa.select(vehicles.c.created_at)).scalar_one()
    assert stored == moment
    assert stored.utcoffset() == dt.timedelta(0)
    with pytest.raises(sa.exc.StatementError, match="naive"), db.engine.begin() as conn:
        conn.execute(vehicles.insert().values(issuer="RS", plate="BG 1-AA", plate_kind="standard", vehicle_class="car", created_at=dt.datetime(2021, 9, 27)))


def _registration(vehicle_id: int, number: str, status: str, **values: object) -> dict[str, object]:
    at = local(2021, 9, 20, 10)
    return {
        "number": number,
        "vehicle_id": vehicle_id,
        "jurisdiction": "XK",
        "valid_from": dt.date(2021, 9, 20),
        "valid_until": dt.date(2021, 11, 18),
        "fee_minor": 500,
        "fee_currency": "EUR",
        "rule_id": "r",
        "rule_version": "2021-09-20",
        "issued_at": at,
        "issuing_point": "jarinje",
        "clerk": "c",
        "status": status,
        "status_changed_at": at,
        **values,
    }


def test_the_schema_allows_one_active_registration_per_vehicle_and_jurisdiction(db):
    with db.engine.begin() as conn:
        vehicle = conn.execute(
            vehicles.insert().values(issuer="RS", plate="NP 123-AB", plate_kind="standard", vehicle_class="car", created_at=local(2021, 9, 20, 10))
        ).inserted_primary_key[0]
        conn.execute(temporary_registrations.insert().values(_registration(vehicle, "A", "active")))
        conn.execute(temporary_registrations.insert().values(_registration(vehicle, "B", "expired")))
        conn.execute(temporary_registrations.insert().values(_registration(vehicle, "C", "cancelled")))
        conn.execute(temporary_registrations.insert().values(_registration(vehicle, "D", "active", jurisdiction="RS")))
    with pytest.raises(sa.exc.IntegrityError), db.engine.begin() as conn:
        conn.execute(temporary_registrations.insert().values(_registration(vehicle, "E", "active")))
    with pytest.raises(sa.exc.IntegrityError), db.engine.begin() as conn:
        conn.execute(temporary_registrations.insert().values(_registration(vehicle, "F", "lost")))
    with pytest.raises(sa.exc.IntegrityError), db.engine.begin() as conn:
        conn.execute(temporary_registrations.insert().values(_registration(vehicle, "G", "expired", valid_until=dt.date(2021, 9, 19))))
    with pytest.raises(sa.exc.IntegrityError), db.engine.begin() as conn:
        conn.execute(temporary_registrations.insert().values(_registration(vehicle + 1000, "H", "expired")))  # no such vehicle
    with db.read() as conn:
        assert conn.execute(sa.select(temporary_registrations.c.number).order_by(temporary_registrations.c.number)).scalars().all() == ["A", "B", "C", "D"]


def test_the_embedded_registry_is_created_and_migrated_when_the_caller_asks(tmp_path):
    settings = Settings(data_dir=tmp_path / "data")
    assert settings.registry_url == f"sqlite:///{tmp_path / 'data' / 'borderplates.db'}"
    opened = open_registry(settings, migrate=True)
    try:
        assert opened.is_current()
        assert Path(tmp_path / "data" / "borderplates.db").is_file()
    finally:
        opened.close()


def test_opening_a_registry_never_migrates_it_as_a_side_effect(tmp_path):
    with pytest.raises(RegistryUnavailable, match="run: borderplates db upgrade"):
        open_registry(Settings(data_dir=tmp_path / "data"))
    url = f"sqlite:///{tmp_path / 'elsewhere.db'}"
    with pytest.raises(RegistryUnavailable, match="run: borderplates db upgrade"):
        open_registry(Settings(database_url=url))
    for probe_url in (url, f"sqlite:///{tmp_path / 'data' / 'borderplates.db'}"):
        probe = Database(probe_url, create_engine(probe_url))
        try:
            assert table_names(probe) == set()
            assert probe.revision() is None
        finally:
            probe.close()
