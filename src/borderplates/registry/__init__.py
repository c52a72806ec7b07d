"""The registry: what was issued, recorded and changed at the border, on SQLite or PostgreSQL.

Use cases open a unit of work on a :class:`Database` (``with db.begin() as uow``) and
work through its repositories; the SQL lives here and nowhere else.
"""

from borderplates.registry.database import Database, create_engine, open_registry
from borderplates.registry.lookups import Lookups
from borderplates.registry.unit_of_work import DuplicateRecord, UnitOfWork

__all__ = ["Database", "DuplicateRecord", "Lookups", "UnitOfWork", "create_engine", "open_registry"]
