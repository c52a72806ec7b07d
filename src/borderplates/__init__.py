"""borderplates: the cross-border vehicle registration regime as data and services."""

__version__ = "0.1.0"
