"""Reading the shipped TOML files: parse, validate, and name file and key on error."""

from __future__ import annotations

import re
import tomllib
from importlib import resources
from importlib.resources.abc import Traversable
from typing import Any, Literal, TypeVar

import pydantic

from borderplates.errors import DataError, quoted

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
    """Parse one TOML file; a syntax error, a duplicate key or text that is not UTF-8 names the file, line and key."""
    raw = path.read_bytes()
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw.count(b"\n", 0, exc.start) + 1
        raise file_error(display_name(path), f"line {line}", f"the file is not UTF-8 text (byte 0x{raw[exc.start]:02x}); save it as UTF-8") from None
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise file_error(display_name(path), _key_at(text, str(exc)), str(exc)) from None


def validate(model: type[M], data: Any, path: Traversable | Any, file_error: type[DataError] = DataError, prefix: str = "") -> M:
    """Validate ``data`` against ``model``; the first error names the file and key path."""
    try:
        return model.model_validate(data)
    except pydantic.ValidationError as exc:
        errors = exc.errors()
        parts = _key_parts(errors[0])
        key = ".".join(str(part) for part in (*([prefix] if prefix else []), *parts))
        raise file_error(display_name(path), key, _describe([error for error in errors if _key_parts(error) == parts])) from None


def files(folder: str, root: Traversable | Any = DATA) -> list[Traversable]:
    """The TOML files of one folder under ``root`` (the shipped data by default), in name order."""
    return sorted((f for f in (root / folder).iterdir() if f.name.endswith(".toml")), key=lambda f: f.name)


def display_name(path: Traversable | Any) -> str:
    """How errors name a data file: ``data/...`` for shipped files, the full path otherwise."""
    name = str(path)
    marker = "/borderplates/data/"
    return "data/" + name.split(marker, 1)[1] if marker in name else name


def _key_parts(error: Any) -> list[Any]:
    return [part for part in error["loc"] if not _is_union_member(part)]


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


def _describe(errors: list[Any]) -> str:
    """What is wrong at one key: the first error, or every word the key may take when the value is none of them."""
    error = errors[0]
    expected = [e["ctx"]["expected"] for e in errors if e["type"] in ("enum", "literal_error")]
    if expected and not isinstance(error["input"], dict):
        return f"unknown value {quoted(error['input'])}: write {' or '.join(expected)}"
    if error["type"] == "extra_forbidden":
        return "unknown field"
    if error["type"] == "missing":
        return "required field is missing"
    return str(error["msg"])
