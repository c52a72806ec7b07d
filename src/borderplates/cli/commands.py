"""Importing this module registers every command group on the app."""

from borderplates.cli import law, registry, simulate, status, tokens, transfer  # noqa: F401
