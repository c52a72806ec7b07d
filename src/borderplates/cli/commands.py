"""Importing this module registers every command group on the app."""

import borderplates.cli.simulate  # noqa: F401
from borderplates.cli import law, registry, transfer  # noqa: F401
