"""Commands on sites: ``sites create`` at the centre; ``sites join`` and ``sites restore`` to make a registry a site's.

The person at this machine acts as an admin (BORDERPLATES_USER or the login name).
A site's key is printed once by ``sites create``; ``join`` and ``restore`` read it from
BORDERPLATES_SITE_KEY and keep it in the site's registry.
"""

from __future__ import annotations

from typing import Annotated

import typer

from borderplates.cli import JsonOption, app, emit_json, say, session
from borderplates.errors import ValidationError
from borderplates.services import sync
from borderplates.services.actors import Actor
from borderplates.sync.client import CentreClient
from borderplates.vocabulary import Role

sites_app = typer.Typer(help="Sites (crossing points and registration centres with their own registry) and the centre.", no_args_is_help=True)
app.add_typer(sites_app, name="sites")

SiteId = Annotated[str, typer.Argument(metavar="ID", help="The site's id: lower-case letters, digits and '-', e.g. jarinje.")]
CentreUrl = Annotated[str, typer.Option("--centre", help="The centre's address, e.g. https://centre.example.org.")]


def _admin() -> Actor:
    return session().operator(None, Role.ADMIN)


def _site_key() -> str:
    key = session().settings.site_key
    if key is None:
        raise ValidationError("give the site's key (from borderplates sites create at the centre) in BORDERPLATES_SITE_KEY")
    return key.get_secret_value()


@sites_app.command("create")
def create(site: SiteId, as_json: bool = JsonOption) -> None:
    """At the centre: admit a site and print its key, once (the centre keeps only its SHA-256)."""
    made, key = sync.create_site(site, actor=_admin(), db=session().db)
    if as_json:
        emit_json({"site": made.id, "key": key})
        return
    say(f"site {made.id} admitted; its key (shown once): ", (key, "bold"))
    say(f"on the site: BORDERPLATES_SITE_KEY=... borderplates sites join {made.id} --centre URL")


@sites_app.command("join")
def join(site: SiteId, centre: CentreUrl, as_json: bool = JsonOption) -> None:
    """Make this new registry the site's (BORDERPLATES_SITE_KEY): from now on every command and the server here act as that site."""
    key = _site_key()
    with CentreClient(centre, key) as client:
        joined = sync.join_site(site, client=client, site_key=key, db=session().db, data_dir=session().settings.data_dir, actor=_admin())
    if as_json:
        emit_json(joined.as_json())
        return
    say(f"this registry is site {joined.site}'s now (centre {joined.centre}); took {joined.rows} record(s) it must know")
    say(f"serve it with: borderplates serve --site {joined.site} --centre {joined.centre}")


@sites_app.command("restore")
def restore(site: SiteId, centre: CentreUrl, as_json: bool = JsonOption) -> None:
    """Rebuild a lost site's registry from the centre (BORDERPLATES_SITE_KEY); what it had not sent is reported lost, with its range."""
    key = _site_key()
    with CentreClient(centre, key) as client:
        rebuilt = sync.restore_site(site, client=client, site_key=key, db=session().db, data_dir=session().settings.data_dir, actor=_admin())
    if as_json:
        emit_json(rebuilt.as_json())
        return
    say(f"site {rebuilt.site} rebuilt from {rebuilt.centre}: {rebuilt.restored} record(s) of its chain, {rebuilt.rows} it must know")
    if rebuilt.lost is not None:
        say(("lost", "bold"), f": records {rebuilt.lost[0]} to {rebuilt.lost[1]}, written at the site but never sent to the centre")
    say("anything written after the site last reached the centre is lost too; its chain carries on from here")
