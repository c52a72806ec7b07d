"""The HTTP API (FastAPI): every use case of the services under ``/api/v1``, documented at ``/docs``.

Build it with :func:`create_app`; nothing is connected or read at import.
"""

from borderplates.api.app import app_from_environment, create_app

__all__ = ["app_from_environment", "create_app"]
