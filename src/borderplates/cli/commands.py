"""Importing this module registers every command group on the app."""

from borderplates.cli import law, reading, registry, transfer  # noqa: F401
