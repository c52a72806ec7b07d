"""Reference data: jurisdictions, plate formats, registration areas, crossing points.

Pure: the shipped data is read once, on first use; nothing here touches a
database or the clock.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from functools import cache
from importlib.resources.abc import Traversable
from typing import Any

from borderplates.errors import UnknownCrossingPoint, UnknownJurisdiction, quoted
from borderplates.reference import plates as _plates
from borderplates.reference.crossing_points import MODES, CrossingPoint, load_crossing_points
from borderplates.reference.crossing_status import (
    Alternative,
    Flow,
    StatusEntry,
    StatusHistory,
    board_at,
    entering_for,
    load_crossing_status,
    open_alternatives,
    status_at,
)
from borderplates.reference.datafiles import DATA
from borderplates.reference.jurisdictions import Area, Jurisdiction, PlateFormat, load_jurisdictions
from borderplates.reference.plates import Candidate, Plate, PlateReader, PlateReading
from borderplates.reference.text import normalise

__all__ = [
    "MODES",
    "Alternative",
    "Area",
    "Candidate",
    "CrossingPoint",
    "Flow",
    "Jurisdiction",
    "Plate",
    "PlateFormat",
    "PlateReader",
    "PlateReading",
    "Reference",
    "StatusEntry",
    "StatusHistory",
    "board_at",
    "crossing_point",
    "entering_for",
    "jurisdiction",
    "load",
    "load_crossing_status",
    "load_from",
    "normalise",
    "open_alternatives",
    "parse_plate",
    "read_plate",
    "status_at",
]


@dataclass(frozen=True)
class Reference:
    """The reference data: jurisdictions with their formats and areas, crossing points, and a reader for plates."""

    jurisdictions: dict[str, Jurisdiction]
    crossing_points: dict[str, CrossingPoint]
    formats: dict[str, PlateFormat]
    reader: PlateReader

    def format(self, format_id: str) -> PlateFormat:
        return self.formats[format_id]


@cache
def load() -> Reference:
    """The shipped reference data, read and validated once."""
    return load_from(DATA)


def load_from(root: Traversable | Any) -> Reference:
    """Reference data read from the ``jurisdictions/`` and ``crossing_points/`` folders under ``root``."""
    jurisdictions = load_jurisdictions(root)
    formats = {fmt.id: fmt for jurisdiction in jurisdictions.values() for fmt in jurisdiction.formats}
    return Reference(jurisdictions, load_crossing_points(jurisdictions, root), formats, _plates.reader(jurisdictions))


def jurisdiction(code: str) -> Jurisdiction:
    """The jurisdiction with ISO code ``code`` (case-insensitive)."""
    found = load().jurisdictions.get(code.strip().upper()) if isinstance(code, str) else None
    if found is None:
        known = ", ".join(load().jurisdictions)
        raise UnknownJurisdiction(f"unknown jurisdiction {quoted(code)}; known: {known}")
    return found


def crossing_point(point_id: str) -> CrossingPoint:
    """The crossing point with id ``point_id`` (case-insensitive)."""
    found = load().crossing_points.get(point_id.strip().lower()) if isinstance(point_id, str) else None
    if found is None:
        known = ", ".join(load().crossing_points)
        raise UnknownCrossingPoint(f"unknown crossing point {quoted(point_id)}; known: {known}")
    return found


def read_plate(text: str, among: Collection[str] | None = None) -> PlateReading:
    """Every reading of ``text`` as a plate, best first; ``among`` restricts the issuers."""
    return load().reader.read(text, among)


def parse_plate(text: str, among: Collection[str] | None = None) -> Plate:
    """The best reading of ``text``, without building the others; raises ``InvalidPlate`` or ``AmbiguousPlate``.

    >>> plate = parse_plate("NP 123-AB")
    >>> plate.issuer, plate.area.name, f"{plate.kind}"
    ('RS', 'Novi Pazar', 'standard')
    """
    return load().reader.parse(text, among)
