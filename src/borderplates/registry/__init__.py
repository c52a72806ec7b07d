"""The registry: what was issued, recorded and changed at the border, on SQLite or PostgreSQL."""

from borderplates.registry.database import Database, database_url, open_database

__all__ = ["Database", "database_url", "open_database"]
