"""Answers built without a second pass: JSON bytes straight from the services' ``as_json`` shapes, for the hottest routes."""

from __future__ import annotations

import datetime as dt
from typing import Any

import orjson
from starlette.responses import Response


def prebuilt(payload: Any, status: int = 200) -> Response:
    """``payload`` as compact UTF-8 JSON (by orjson); the route declares the model it conforms to for the OpenAPI document."""
    return Response(orjson.dumps(payload), status, media_type="application/json")


def moment_or_now(at: dt.datetime | None) -> dt.datetime:
    """The moment a request names, or now."""
    return at if at is not None else dt.datetime.now(dt.UTC)
