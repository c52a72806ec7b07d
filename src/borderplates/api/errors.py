"""Every error as an RFC 9457 ``application/problem+json`` body, mapped here and nowhere else.

A project error keeps its message as ``detail``; its ``type`` is a stable URN named
after its class (``urn:borderplates:problem:invalid-plate``), so clients can tell
errors apart without reading sentences. Bad input is always a 4xx; a 500 means a
fault in borderplates and says nothing about its inner workings.
"""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Mapping
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from starlette.exceptions import HTTPException
from starlette.responses import Response

from borderplates.api.schemas import Problem
from borderplates.errors import (
    BorderplatesError,
    ConfigurationError,
    ConflictError,
    DataError,
    Forbidden,
    MissingFact,
    NoRuleData,
    NotFound,
    RegistryUnavailable,
    TryLater,
    ValidationError,
)
from borderplates.services.accounts import NotAuthenticated
from borderplates.services.sync import ChainRefused
from borderplates.services.transfer import ImportRejected

PROBLEM = "application/problem+json"
TYPE_PREFIX = "urn:borderplates:problem:"
log = logging.getLogger("borderplates.api")

# The most specific class first: the first that an error is an instance of decides its status.
STATUS: tuple[tuple[type[BorderplatesError], int], ...] = (
    (NotAuthenticated, 401),
    (TryLater, 429),
    (Forbidden, 403),
    (ValidationError, 422),
    (NoRuleData, 422),
    (NotFound, 404),
    (ConflictError, 409),
    (RegistryUnavailable, 503),
    (ConfigurationError, 503),
    (DataError, 500),
)
TITLES = {
    400: "Bad request",
    401: "Not authenticated",
    403: "Forbidden",
    404: "Not found",
    405: "Method not allowed",
    406: "Not acceptable",
    409: "Conflict",
    413: "Request body too large",
    415: "Unsupported media type",
    422: "Unprocessable content",
    429: "Too many requests",
    500: "Internal server error",
    503: "Service unavailable",
}

#: Responses every route may give, for the OpenAPI document.
PROBLEM_RESPONSES: dict[int | str, dict[str, Any]] = {
    status: {"model": Problem, "description": TITLES[status], "content": {PROBLEM: {}}} for status in (400, 401, 403, 404, 409, 413, 422, 429, 503)
}


def slug(kind: type[BaseException]) -> str:
    """``InvalidPlate`` → ``invalid-plate``."""
    return re.sub(r"(?<!^)(?=[A-Z])", "-", kind.__name__).lower()


def problem(status: int, problem_type: str, detail: str, headers: Mapping[str, str] | None = None, **extra: Any) -> Response:
    """A problem document (RFC 9457) of type ``problem_type``; ``extra`` members go with it (a refused chain's ``kind`` and ``seq``)."""
    body = {"type": TYPE_PREFIX + problem_type, "title": TITLES.get(status, "Error"), "status": status, "detail": detail, **extra}
    return Response(json.dumps(body, ensure_ascii=False, default=str).encode("utf-8"), status, headers=dict(headers or {}), media_type=PROBLEM)


def status_of(error: BorderplatesError) -> int:
    return next((status for kind, status in STATUS if isinstance(error, kind)), 400)


def project_error(_request: Request, error: Exception) -> Response:
    assert isinstance(error, BorderplatesError)
    status = status_of(error)
    headers: dict[str, str] = {}
    extra: dict[str, Any] = {}
    if isinstance(error, NotAuthenticated):
        headers["WWW-Authenticate"] = 'Bearer realm="borderplates"'
    if isinstance(error, TryLater):
        headers["Retry-After"] = str(error.retry_after)
    if isinstance(error, MissingFact):
        extra["fact"] = error.fact
    if isinstance(error, ImportRejected) and error.problems:
        extra["problems"] = [{"line": line, "reason": reason} for line, reason in error.problems]
    if isinstance(error, ChainRefused):
        extra["kind"], extra["seq"] = str(error.kind), error.seq
    if status >= 500:
        log.error("%s: %s", type(error).__name__, error.text)
    return problem(status, slug(type(error)), error.text, headers, **extra)


def request_invalid(_request: Request, error: Exception) -> Response:
    assert isinstance(error, RequestValidationError)
    errors = [
        {"where": ".".join(str(part) for part in item.get("loc", ())), "problem": item.get("msg", "invalid"), "kind": item.get("type", "invalid")}
        for item in error.errors()
    ]
    detail = "; ".join(f"{item['where']}: {item['problem']}" for item in errors[:5]) or "the request is not valid"
    return problem(422, "request-invalid", detail, errors=errors)


def http_error(request: Request, error: Exception) -> Response:
    assert isinstance(error, HTTPException)
    status = error.status_code
    detail = error.detail if isinstance(error.detail, str) else TITLES.get(status, "Error")
    headers = dict(error.headers or {})
    if status == 405 and (methods := allowed_methods(request)):
        headers["Allow"] = ", ".join(methods)
    return problem(status, slug_for_status(status), detail, headers)


def allowed_methods(request: Request) -> list[str]:
    """Every documented method at the request's path (Starlette names only those of the first route that matches)."""
    for template, operations in request.app.openapi().get("paths", {}).items():
        if re.fullmatch(re.sub(r"\{[^/]+\}", "[^/]+", template), request.url.path):
            return sorted(method.upper() for method in operations)
    return []


def slug_for_status(status: int) -> str:
    return re.sub(r"[^a-z0-9]+", "-", TITLES.get(status, f"http {status}").lower()).strip("-")


def unexpected(_request: Request, error: Exception) -> Response:
    log.exception("unexpected error", exc_info=error)
    return problem(500, "internal", "borderplates met an unexpected fault; it was logged")


def install(app: FastAPI) -> None:
    """Route every error of ``app`` through these handlers."""
    app.add_exception_handler(BorderplatesError, project_error)
    app.add_exception_handler(RequestValidationError, request_invalid)
    app.add_exception_handler(HTTPException, http_error)
    app.add_exception_handler(Exception, unexpected)
