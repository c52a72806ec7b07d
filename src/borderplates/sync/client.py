"""How a site reaches its centre: the sync endpoints over HTTP, with the site's key, each failure one clear error.

A centre that does not answer (a cut link, a stopped server) is
:class:`CentreUnreachable`: the site goes on working and tries again later. A centre
that answers but refuses (a wrong key, a batch that does not continue the chain it
holds) says why, and the site reports it.
"""

from __future__ import annotations

from types import TracebackType
from typing import Any, Protocol, Self, TypeVar

import httpx
import pydantic

from borderplates.errors import BorderplatesError, ConflictError, Forbidden
from borderplates.sync.protocol import Batch, BatchAnswer, ChainPage, PullAnswer, PullRequest, RulesBundle, Snapshot

PREFIX = "/api/v1/sync"
M = TypeVar("M", bound=pydantic.BaseModel)


class CentreUnreachable(BorderplatesError):
    """The centre did not answer: the link is cut or the centre is down. Work goes on; the site tries again later."""


class CentreRefused(ConflictError):
    """The centre answered and refused: the site's key, or what the site sent."""


class SiteKeyRefused(Forbidden):
    """The centre does not know the site's key (never issued, or for another site)."""


class Centre(Protocol):
    """What a site asks of its centre (:class:`CentreClient` asks over HTTP)."""

    centre_url: str

    def push(self, batch: Batch) -> BatchAnswer: ...

    def pull(self, request: PullRequest) -> PullAnswer: ...

    def snapshot(self, *, own: bool) -> Snapshot: ...

    def chain(self, after: int, limit: int) -> ChainPage: ...

    def rules(self) -> RulesBundle: ...


class CentreClient:
    """The sync endpoints of one centre, called with one site's key."""

    def __init__(self, centre_url: str, site_key: str, *, timeout: float = 30.0, transport: httpx.BaseTransport | None = None) -> None:
        self.centre_url = centre_url.rstrip("/")
        headers = {"Authorization": f"Bearer {site_key}", "User-Agent": "borderplates-site"}
        self._http = httpx.Client(base_url=self.centre_url, headers=headers, timeout=timeout, transport=transport)

    def __enter__(self) -> Self:
        return self

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None, traceback: TracebackType | None) -> None:
        self.close()

    def close(self) -> None:
        self._http.close()

    def push(self, batch: Batch) -> BatchAnswer:
        return self._call("POST", "/batches", BatchAnswer, json=batch.model_dump())

    def pull(self, request: PullRequest) -> PullAnswer:
        return self._call("POST", "/changes", PullAnswer, json=request.model_dump())

    def snapshot(self, *, own: bool) -> Snapshot:
        return self._call("GET", "/snapshot", Snapshot, params={"own": "true" if own else "false"})

    def chain(self, after: int, limit: int) -> ChainPage:
        return self._call("GET", "/chain", ChainPage, params={"after": str(after), "limit": str(limit)})

    def rules(self) -> RulesBundle:
        return self._call("GET", "/rules", RulesBundle)

    def _call(self, method: str, path: str, model: type[M], **options: Any) -> M:
        try:
            answer = self._http.request(method, PREFIX + path, **options)
        except httpx.HTTPError as error:
            raise CentreUnreachable(f"the centre at {self.centre_url} cannot be reached: {str(error) or type(error).__name__}") from None
        if answer.status_code in (401, 403):
            raise SiteKeyRefused(f"the centre at {self.centre_url} refused the site key: {_detail(answer)}")
        if answer.status_code in (502, 503, 504):
            raise CentreUnreachable(f"the centre at {self.centre_url} is not available ({answer.status_code}): {_detail(answer)}")
        if answer.status_code >= 400:
            raise CentreRefused(f"the centre at {self.centre_url} refused: {_detail(answer)}")
        try:
            return model.model_validate_json(answer.content)
        except pydantic.ValidationError:
            raise CentreRefused(f"the centre at {self.centre_url} answered {method} {path} with something that is not a borderplates answer") from None


def _detail(answer: httpx.Response) -> str:
    try:
        body = answer.json()
    except ValueError:
        return f"HTTP {answer.status_code}"
    return str(body.get("detail", f"HTTP {answer.status_code}"))[:300] if isinstance(body, dict) else f"HTTP {answer.status_code}"
