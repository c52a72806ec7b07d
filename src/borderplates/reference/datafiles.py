"""Reading the shipped TOML files: parse, validate, and name file and key on error."""

from __future__ import annotations

import re
import tomllib
from importlib import resources
from importlib.resources.abc import Traversable
from typing import Any, Literal, TypeVar

import pydantic

from borderplates.errors import DataError

DATA = resources.files("borderplates") / "data"

M = TypeVar("M", bound=pydantic.BaseModel)

_AT_LINE = re.compile(r"\(at line (\d+), column \d+\)")


class Strict(pydantic.BaseModel):
    """Base of every data-file schema: unknown fields are errors, values are frozen."""

    model_config = pydantic.ConfigDict(extra="forbid", frozen=True)


class Source(Strict):
    """Where a fact comes from, with its confidence (C2: two sources or more, C1: one)."""

    title: str = pydantic.Field(min_length=1)
    url: str = pydantic.Field(pattern=r"^https?://")
    confidence: Literal["C1", "C2"]
    also: tuple[str, ...] = ()
    note: str | None = None


def read_toml(path: Traversable | Any, file_error: type[DataError] = DataError) -> dict[str, Any]:
    """Parse one TOML file; a syntax error or duplicate key names the file, line and key."""
    text = path.read_text(encoding="utf-8")
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise file_error(display_name(path), _key_at(text, str(exc)), str(exc)) from None


def validate(model: type[M], data: Any, path: Traversable | Any, file_error: type[DataError] = DataError, prefix: str = "") -> M:
    """Validate ``data`` against ``model``; the first error names the file and key path."""
    try:
        return model.model_validate(data)
    except pydantic.ValidationError as exc:
        error = exc.errors()[0]
        parts = [part for part in error["loc"] if not _is_union_member(part)]
        key = ".".join(str(part) for part in (*([prefix] if prefix else []), *parts))
        raise file_error(display_name(path), key, _describe(error)) from None


def files(folder: str, root: Traversable | Any = DATA) -> list[Traversable]:
    """The TOML files of one folder under ``root`` (the shipped data by default), in name order."""
    return sorted((f for f in (root / folder).iterdir() if f.name.endswith(".toml")), key=lambda f: f.name)


def display_name(path: Traversable | Any) -> str:
    """How errors name a data file: ``data/...`` for shipped files, the full path otherwise."""
    name = str(path)
    marker = "/borderplates/data/"
    return "data/" + name.split(marker, 1)[1] if marker in name else name


def _is_union_member(part: object) -> bool:
    """Pydantic names the member of a union it tried (``RequirementSchema``, ``literal['none']``): not a key."""
    return isinstance(part, str) and (part.endswith("Schema") or "[" in part or part in ("str", "date", "datetime"))


def _key_at(text: str, message: str) -> str:
    match = _AT_LINE.search(message)
    if not match:
        return ""
    lines = text.splitlines()
    number = int(match.group(1))
    line = lines[number - 1] if 0 < number <= len(lines) else ""
    key = line.split("=", 1)[0].strip() if "=" in line else line.strip()
    return f"line {number}: {key}" if key else f"line {number}"


def _describe(error: Any) -> str:
    if error["type"] == "extra_forbidden":
        return "unknown field"
    if error["type"] == "missing":
        return "required field is missing"
    return str(error["msg"])
