"""Looking after the registry itself: creating and migrating it."""

from __future__ import annotations

from borderplates.registry import Database, create_engine
from borderplates.registry.database import prepare_data_dir
from borderplates.settings import Settings


def upgrade_registry(settings: Settings) -> tuple[str, str]:
    """Create or migrate the registry the settings name; returns where it is (password hidden) and its revision."""
    if settings.embedded:
        prepare_data_dir(settings.data_dir)
    url = settings.registry_url
    database = Database(url, create_engine(url, connect_timeout=settings.connect_timeout), connect_timeout=settings.connect_timeout)
    try:
        return database.where, database.upgrade()
    finally:
        database.close()
