"""The sites page (supervisors): how far each site's records have reached the centre, and the conflicts found between sites.

At the centre it lists every site (acknowledged, backlog, the oldest record not sent,
when it was last heard from, refused batches) and the conflicts with both records,
each linking to the registration where a cancellation with a reason resolves it. At a
site it shows the site's own line and when it last reached its centre.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request
from starlette.responses import Response

from borderplates.services import sync
from borderplates.vocabulary import RegistrationStatus
from borderplates.web.pages import WebRoute, open_page

router = APIRouter(route_class=WebRoute, include_in_schema=False)


@router.get("/sync")
def sites(request: Request, shown: Annotated[str, Query(alias="all")] = "") -> Response:
    """Sync status per site and the conflicts: the open ones, or every one with ``?all=1`` (as in the API)."""
    page = open_page(request)
    state = sync.sync_status(actor=page.actor, db=page.served.db)
    everything = shown in {"1", "true", "yes"}
    conflicts = sync.list_conflicts(actor=page.actor, db=page.served.db, everything=everything) if state.centre is None else []
    statuses = {status.value: status for status in RegistrationStatus}
    return page.render("sync.html", state=state, conflicts=conflicts, everything=everything, statuses=statuses)
