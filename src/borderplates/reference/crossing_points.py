"""Crossing points, from data/crossing_points/."""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass
from importlib.resources.abc import Traversable
from typing import Any, Literal

import pydantic

from borderplates.errors import DataError
from borderplates.reference.datafiles import DATA, Source, Strict, display_name, files, read_toml, validate
from borderplates.vocabulary import Mode

#: Every mode of traffic, in the order crossing points list them.
MODES: tuple[Mode, ...] = tuple(Mode)


class CoordinatesSchema(Strict):
    latitude: float = pydantic.Field(ge=-90, le=90)
    longitude: float = pydantic.Field(ge=-180, le=180)
    source: Source


class CrossingPointSchema(Strict):
    between: tuple[str, str]
    name: Mapping[Literal["sq", "sr"], str]
    other_names: tuple[str, ...] = ()
    kfor_name: str | None = None
    location: str
    modes: tuple[Mode, ...] = pydantic.Field(min_length=1)
    source: Source
    coordinates: CoordinatesSchema | None = None


@dataclass(frozen=True)
class Coordinates:
    """Where a crossing point lies (WGS 84 degrees), with the source of the figures."""

    latitude: float
    longitude: float
    source: Source


@dataclass(frozen=True)
class CrossingPoint:
    id: str
    between: tuple[str, str]
    names: Mapping[str, str]
    other_names: tuple[str, ...]
    kfor_name: str | None
    location: str
    modes: tuple[Mode, ...]
    source: Source
    coordinates: Coordinates | None = None

    @property
    def name(self) -> str:
        """Both names, Albanian and Serbian, as signposted: ``Jarinjë / Jarinje``."""
        return " / ".join(dict.fromkeys(self.names.values()))


def load_crossing_points(jurisdictions: Collection[str], root: Traversable | Any = DATA) -> dict[str, CrossingPoint]:
    result: dict[str, CrossingPoint] = {}
    for path in files("crossing_points", root):
        data = read_toml(path)
        for point_id, spec in data.items():
            schema = validate(CrossingPointSchema, spec, path, prefix=point_id)
            if point_id in result:
                raise DataError(display_name(path), point_id, "crossing point is defined twice")
            for code in schema.between:
                if code not in jurisdictions:
                    raise DataError(display_name(path), f"{point_id}.between", f"unknown jurisdiction {code}")
            where = schema.coordinates
            coordinates = Coordinates(where.latitude, where.longitude, where.source) if where else None
            names: dict[str, str] = dict(schema.name.items())
            result[point_id] = CrossingPoint(
                point_id, schema.between, names, schema.other_names, schema.kfor_name, schema.location, schema.modes, schema.source, coordinates
            )
    return result
