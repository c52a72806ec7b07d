"""``python -m borderplates`` runs the command line."""

from borderplates.cli import main

main()
