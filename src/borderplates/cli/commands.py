"""Importing this module registers every command group on the app."""

from borderplates.cli import accounts, audit, law, reading, registry, server, simulate, sites, status, sync, tokens, transfer  # noqa: F401
