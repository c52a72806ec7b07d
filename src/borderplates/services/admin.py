"""Looking after the registry itself."""

from __future__ import annotations

from borderplates.registry.database import Database, create_engine, data_dir, database_url, forget


def upgrade_registry() -> tuple[str, str]:
    """Create or migrate the registry in use; returns where it is (password hidden) and its revision."""
    url = database_url()
    forget(url)
    if url.startswith("sqlite"):
        data_dir().mkdir(parents=True, exist_ok=True)
    database = Database(url, create_engine(url))
    try:
        revision = database.upgrade()
    finally:
        database.engine.dispose()
    return database.engine.url.render_as_string(hide_password=True), revision
