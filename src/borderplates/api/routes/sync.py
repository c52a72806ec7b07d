"""Synchronisation over HTTP: the centre's endpoints for its sites (site key), and the state of synchronisation for supervisors.

A site authenticates with its key (``Authorization: Bearer bps_...``, from ``borderplates
sites create``): it pushes batches of its audit chain, pulls what it must know by a
cursor, and, when joined or rebuilt, reads a snapshot and its own chain. Supervisors
see how far each site has come and the conflicts found (API key or session).
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request

from borderplates.api.deps import CurrentActor, ServedDep, bearer, served_by
from borderplates.api.schemas import Public
from borderplates.errors import Forbidden
from borderplates.services import sync
from borderplates.services.accounts import NotAuthenticated
from borderplates.services.sync import Site
from borderplates.sync.protocol import Batch, BatchAnswer, ChainPage, PullAnswer, PullRequest, RulesBundle, Snapshot
from borderplates.tokens import KeyStore


def current_site(request: Request) -> Site:
    """The site whose key the request carries."""
    key = bearer(request)
    if key is None:
        raise NotAuthenticated("the sync endpoints take a site key: Authorization: Bearer bps_...")
    return sync.site_for_key(key, db=served_by(request).db)


CurrentSite = Annotated[Site, Depends(current_site)]


def _keys(served: Any) -> KeyStore:
    return KeyStore(served.settings.data_dir / "keys")


def push(batch: Batch, site: CurrentSite, served: ServedDep) -> BatchAnswer:
    """Take a batch of the site's audit chain in one transaction (409 ``chain-refused`` with ``kind`` and ``seq``: nothing taken)."""
    if batch.site != site.id:
        raise Forbidden(f"the key is site {site.id}'s; it cannot push site {batch.site}'s records")
    return sync.receive_batch(site, sync.Pushed.of(batch), db=served.db, keys=_keys(served))


def pull(request: PullRequest, site: CurrentSite, served: ServedDep) -> PullAnswer:
    """Records of other origins the site must know after its cursor (a page; ``more`` says whether another follows)."""
    return sync.changes_for(site, request, db=served.db, keys=_keys(served))


def snapshot(site: CurrentSite, served: ServedDep, own: bool = False) -> Snapshot:
    """The rows the site must know, as they stand, with the cursor they stand at (``own``: also its own registrations, to rebuild it)."""
    return sync.snapshot_for(site, own=own, db=served.db, keys=_keys(served))


def chain(
    site: CurrentSite,
    served: ServedDep,
    after: Annotated[int, Query(ge=0, le=2**62)] = 0,
    limit: Annotated[int, Query(ge=1, le=sync.CHAIN_PAGE)] = sync.CHAIN_PAGE,
) -> ChainPage:
    """The site's own chain as the centre holds it, after ``after`` (to rebuild a lost site)."""
    return sync.chain_for(site, after, limit, db=served.db)


def rules(site: CurrentSite) -> RulesBundle:
    """The centre's rules and crossing status data files, and their version."""
    return sync.rules_bundle()


class SiteLinePublic(Public):
    site: str
    acknowledged: int
    head: int
    backlog: int
    oldest_unsent_at: str | None
    oldest_unsent_age_seconds: int | None
    last_seen_at: str | None
    restored_at: str | None
    rejections: int
    last_rejection: dict[str, Any] | None


class SyncStatusPublic(Public):
    origin: str
    role: str
    centre: str | None
    at: str
    last_pull_at: str | None
    last_error: str | None
    last_error_at: str | None
    open_conflicts: int
    sites: list[SiteLinePublic]


class ConflictsPublic(Public):
    conflicts: list[dict[str, Any]]


def status(actor: CurrentActor, served: ServedDep) -> SyncStatusPublic:
    """Per site, the last sequence number acknowledged, the backlog and the age of the oldest record not sent (as ``borderplates sync status``)."""
    return SyncStatusPublic.model_validate(sync.sync_status(actor=actor, db=served.db).as_json())


def conflicts(actor: CurrentActor, served: ServedDep, everything: Annotated[bool, Query(alias="all")] = False) -> ConflictsPublic:
    """Conflicts found when sites' records came in, with both records; the open ones, or ``all`` (as ``borderplates sync conflicts``)."""
    return ConflictsPublic(conflicts=[view.as_json() for view in sync.list_conflicts(actor=actor, db=served.db, everything=everything)])


def build(max_batch_bytes: int) -> APIRouter:
    """The router, with the largest batch a site may push."""
    router = APIRouter(prefix="/sync", tags=["sync"])
    router.add_api_route("/batches", push, methods=["POST"], max_body_size=max_batch_bytes)
    router.add_api_route("/changes", pull, methods=["POST"])
    router.add_api_route("/snapshot", snapshot, methods=["GET"])
    router.add_api_route("/chain", chain, methods=["GET"])
    router.add_api_route("/rules", rules, methods=["GET"])
    router.add_api_route("/status", status, methods=["GET"])
    router.add_api_route("/conflicts", conflicts, methods=["GET"])
    return router
