"""Sites and the centre: admitting sites, pushing a site's chain exactly once, pulling what it must know, conflicts, rebuilding a lost site.

**Identity.** A registry that was never joined is the centre (origin ``centre``). An
admin at the centre admits a site (:func:`create_site`), which gets a key shown once
(kept at the centre as its SHA-256). :func:`join_site` makes a new registry that
site's: from then on everything it writes carries the site as its origin, a global id
(UUIDv7) and a place in the site's audit chain (:mod:`borderplates.registry.audit`).

**Push.** The site's audit chain is its outbox: every state change appends a record in
the transaction that makes it, holding before and after, the record's global id and
the global ids of what it refers to. :func:`push` sends the records after the last one
the centre acknowledged, in batches; the centre (:func:`receive_batch`) takes a batch
in one transaction, checking each record against the chain it holds (a gap, a fork,
bytes that do not hash to their hash, a record of another origin: the batch is refused,
reported, and nothing of it applied), applies it (:mod:`borderplates.registry.changes`)
and answers how far it now holds the chain. Records it holds already are recognised
by their hash and skipped: a batch sent twice, or cut off after the centre committed
it, changes nothing twice.

**Pull.** :func:`pull` reads, by a cursor (the last sequence number read of every
origin), the records of other origins a site must know: registrations issued and
ended elsewhere, stickers, warnings and fines, crossing status; with them the trusted
signing keys and, when it changed, the centre's rules and crossing status data. A new
or rebuilt site starts from a snapshot of the rows it must know (:func:`snapshot_for`),
taken with the cursor it stands at.

**Conflicts** found at the centre (two active registrations for one vehicle from two
sites, a registration number taken, a registration ended twice) are recorded and
listed for supervisors (:func:`list_conflicts`); a cancellation with a reason resolves
them. **A lost site** is rebuilt with :func:`restore_site`: its chain as the centre
holds it, what others did to its records, and one record that declares lost the
records it had reported but not sent, after which it carries on with the next number.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import re
import secrets
import shutil
import tempfile
import threading
import time
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any
from weakref import WeakKeyDictionary

from borderplates import law, reference
from borderplates.errors import BorderplatesError, ConflictError, ValidationError, quoted
from borderplates.model import AuditEntry
from borderplates.reference.datafiles import DATA
from borderplates.registry import Database, DuplicateRecord
from borderplates.registry.audit import RESTORE, Link, digest, parse_record
from borderplates.registry.audit import ChainRefused as ChainRefused  # what a refused batch raises, for the interfaces
from borderplates.registry.changes import PULLED, Applier, Change, snapshot
from borderplates.registry.sites import Conflict, Refusal, SiteState
from borderplates.registry.sites import Site as Site  # a site as the centre knows it, for the interfaces
from borderplates.registry.tables import CENTRE
from borderplates.services import inputs, status
from borderplates.services import law as law_services
from borderplates.services.accounts import NotAuthenticated, key_hash
from borderplates.services.actors import Actor, Permission, authorise
from borderplates.sync.client import Centre, CentreClient, CentreRefused
from borderplates.sync.protocol import Batch, BatchAnswer, ChainPage, OriginRecord, PullAnswer, PullRequest, RulesBundle, Snapshot, WireRecord
from borderplates.tokens import KeySet, KeyStore
from borderplates.vocabulary import SITE_LENGTH, ConflictKind, RegistrationStatus, Rejection

SITE_KEY_PREFIX = "bps_"
#: Records of one origin the centre looks through for one page of a pull.
SCAN = 50_000
#: Records of a site's own chain per page when it is rebuilt.
CHAIN_PAGE = 5000
#: Seconds a process trusts what it last read of its site's state (for the check's note on freshness).
REFRESH = 2.0
_SITE = re.compile(r"[a-z0-9][a-z0-9-]*")
#: The data root the operator set (BORDERPLATES_DATA_ROOT) when this process started: pulled rules never replace it.
_OPERATOR_DATA_ROOT = os.environ.get("BORDERPLATES_DATA_ROOT") or None


def site_id(value: object) -> str:
    """A site's id: lower-case letters, digits and '-', at most 40 characters, and not ``centre``.

    >>> site_id("Jarinje")
    'jarinje'
    """
    if not isinstance(value, str) or not value.strip():
        raise ValidationError("give the site's id, e.g. jarinje")
    name = value.strip().lower()
    if len(name) > SITE_LENGTH or not name.isascii() or not _SITE.fullmatch(name):
        raise ValidationError(f"the site id {quoted(value)} may hold only letters, digits and '-' (at most {SITE_LENGTH}), starting with a letter or digit")
    if name == CENTRE:
        raise ValidationError("'centre' is the centre's own origin, not a site")
    return name


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


# -------------------------------------------------------------------------------- at the centre


def create_site(site: str, *, actor: Actor, db: Database) -> tuple[Site, str]:
    """Admit a site; returns it and its key, shown once (the centre keeps only its SHA-256)."""
    authorise(actor, Permission.SITES)
    name = site_id(site)
    _at_centre(db, "sites are admitted by the centre")
    key = SITE_KEY_PREFIX + secrets.token_urlsafe(32)
    now = _now()
    with db.begin() as uow:
        if uow.sites.by_id(name) is not None:
            raise ConflictError(f"site {name} exists already; a lost site is rebuilt with: borderplates sites restore {name}")
        made = uow.sites.add(name, key_hash(key), now, actor.name)
        uow.audit.append(AuditEntry(now, actor.name, None, "create", "site", 0, None, {"site": name}))
        uow.commit()
    return made, key


def site_for_key(key: str, *, db: Database) -> Site:
    """The site whose key this is; :class:`NotAuthenticated` otherwise."""
    if not key.startswith(SITE_KEY_PREFIX):
        raise NotAuthenticated("the sync endpoints take a site key (bps_...), issued by: borderplates sites create")
    with db.reading() as uow:
        found = uow.sites.by_key_hash(key_hash(key))
    if found is None:
        raise NotAuthenticated("unknown site key")
    return found


@dataclass(frozen=True, slots=True)
class Pushed:
    """A batch as a site sent it: its records, its head and oldest unsent record, and its public signing keys."""

    links: tuple[Link, ...]
    head: int
    oldest_unsent_at: dt.datetime | None = None
    keys: dict[str, Any] | None = None

    @classmethod
    def of(cls, batch: Batch) -> Pushed:
        oldest = _sent_moment(batch.oldest_unsent_at, "oldest unsent record's moment") if batch.oldest_unsent_at else None
        return cls(tuple(Link(r.seq, r.hash, r.record.encode("utf-8")) for r in batch.records), batch.head, oldest, batch.keys)


def _sent_moment(text: str, what: str) -> dt.datetime:
    """A moment a site sent (ISO 8601 with its offset), among the moments borderplates handles."""
    try:
        value = dt.datetime.fromisoformat(text)
    except ValueError:
        raise ValidationError(f"the {what} {quoted(text[:40])} is not an ISO 8601 moment with its UTC offset") from None
    if value.utcoffset() is None:
        raise ValidationError(f"the {what} {quoted(text[:40])} has no UTC offset")
    return inputs.moment(value, what)


def receive_batch(site: Site, pushed: Pushed, *, db: Database, keys: KeyStore | None = None) -> BatchAnswer:
    """Take a batch of ``site``'s chain in one transaction, or refuse all of it (:class:`ChainRefused`, recorded)."""
    now = _now()
    applied = already = 0
    found: list[Conflict] = []
    try:
        with db.begin() as uow:
            applier = Applier(uow.connection, db.origin, detect=True, fresh=True)
            for link in pushed.links:
                head, _ = uow.audit.head(site.id)
                if link.seq <= head:
                    held = uow.audit.hash_at(site.id, link.seq)
                    if held == link.hash:
                        already += 1
                        continue
                    detail = "it was declared lost when the site was rebuilt" if held is None else f"it is not the record {link.seq} the centre acknowledged"
                    raise ChainRefused(Rejection.FORK, site.id, link.seq, detail)
                fields = uow.audit.accept(site.id, link)
                found += applier.apply(Change.of(fields, link.seq))
                applied += 1
                if fields["action"] == RESTORE:
                    uow.sites.restored(site.id, now)
            for conflict in found:
                uow.sites.add_conflict(conflict)
            acknowledged = uow.audit.last_seq(site.id)
            uow.sites.heard_from(site.id, now, pushed.head, pushed.oldest_unsent_at if pushed.head > acknowledged else None)
            uow.commit()
    except (ChainRefused, DuplicateRecord) as error:
        refused = error if isinstance(error, ChainRefused) else ChainRefused(Rejection.MALFORMED, site.id, 0, f"a record could not be written: {error.text}")
        with db.begin() as uow:
            uow.sites.add_rejection(Refusal(site.id, now, refused.seq, refused.kind, refused.text))
            uow.sites.heard_from(site.id, now)
            uow.commit()
        raise refused from None
    if pushed.keys and keys is not None:
        keys.import_keys(KeySet.from_jwks(pushed.keys))
    return BatchAnswer(site=site.id, acknowledged=acknowledged, applied=applied, already=already, conflicts=len(found))


def changes_for(site: Site, request: PullRequest, *, db: Database, keys: KeyStore | None = None) -> PullAnswer:
    """The records of other origins ``site`` must know after its cursor, a page at a time, with the cursor after them."""
    cursor = dict(request.cursor)
    records: list[OriginRecord] = []
    budget, more = request.limit, False
    with db.reading() as uow:
        origins = [CENTRE, *(known.id for known in uow.sites.all() if known.id != site.id)]
        for origin in origins:
            after = cursor.get(origin, 0)
            head = uow.audit.last_seq(origin)
            if head <= after:
                cursor[origin] = after
                continue
            if budget == 0:
                more = True
                break
            until = min(head, after + SCAN)
            links = uow.audit.links(origin, after, until, limit=budget, entities=PULLED)
            records += [OriginRecord(origin=origin, seq=link.seq, hash=link.hash, record=link.record.decode("utf-8")) for link in links]
            budget -= len(links)
            cursor[origin] = links[-1].seq if budget == 0 and links else until
            more = more or cursor[origin] < head
    oldest = _sent_moment(request.oldest_unsent_at, "oldest unsent record's moment") if request.oldest_unsent_at else None
    with db.begin() as uow:
        uow.sites.heard_from(site.id, _now(), request.head, oldest)
        uow.commit()
    version, jwks = _keys(keys)
    return PullAnswer(
        cursor=cursor,
        records=records,
        more=more,
        rules_version=rules_bundle().version,
        keys_version=version,
        keys=jwks if version != request.keys_version else None,
        now=_now().isoformat(),
    )


def snapshot_for(site: Site, *, own: bool, db: Database, keys: KeyStore | None = None) -> Snapshot:
    """The rows ``site`` must know as they stand, the cursor they stand at, and how far the centre holds the site's own chain."""
    with db.reading(consistent=True) as uow:
        origins = [CENTRE, *(known.id for known in uow.sites.all() if known.id != site.id)]
        cursor = {origin: uow.audit.last_seq(origin) for origin in origins}
        changes = [change.as_json() for change in snapshot(uow.connection, site.id, own=own)]
        acknowledged = uow.audit.last_seq(site.id)
        known = uow.sites.by_id(site.id)
    _, jwks = _keys(keys)
    last_seen = known.last_seen_at if known is not None else None
    return Snapshot(
        site=site.id,
        cursor=cursor,
        changes=changes,
        acknowledged=acknowledged,
        reported_head=max(known.reported_head if known else 0, acknowledged),
        last_seen_at=last_seen.isoformat() if last_seen else None,
        rules_version=rules_bundle().version,
        keys=jwks,
        now=_now().isoformat(),
    )


def chain_for(site: Site, after: int, limit: int, *, db: Database) -> ChainPage:
    """Records of ``site``'s own chain after ``after``, as the centre holds them (to rebuild the site)."""
    if after < 0 or not 1 <= limit <= CHAIN_PAGE:
        raise ValidationError(f"after is 0 or more and limit 1 to {CHAIN_PAGE}")
    with db.reading() as uow:
        links = uow.audit.links(site.id, after, limit=limit)
        head = uow.audit.last_seq(site.id)
    return ChainPage(records=[WireRecord(seq=link.seq, hash=link.hash, record=link.record.decode("utf-8")) for link in links], head=head)


def rules_bundle() -> RulesBundle:
    """The rules and crossing status data this process runs with (the shipped files, or those of the data root), and their version."""
    return _bundle(law_services.data_root())


@cache
def _bundle(root: str | None) -> RulesBundle:
    files: dict[str, str] = {}
    for folder in ("rules", "crossing_status"):
        base: Any = Path(root) / folder if root is not None and (Path(root) / folder).is_dir() else DATA / folder
        for path in sorted(base.iterdir(), key=lambda p: p.name):
            if path.name.endswith(".toml"):
                files[f"{folder}/{path.name}"] = path.read_text(encoding="utf-8")
    return RulesBundle(version=_version(files.items()), files=files)


def _version(items: Iterable[tuple[str, str]]) -> str:
    digest_ = hashlib.sha256()
    for name, text in sorted(items):
        digest_.update(f"{len(name)}:{name}{len(text.encode())}:".encode())
        digest_.update(text.encode("utf-8"))
    return digest_.hexdigest()


def _keys(keys: KeyStore | None) -> tuple[str, dict[str, Any]]:
    """The version (a hash of the key ids) and the JSON Web Key Set of the signing keys a registry trusts."""
    found = keys.key_set() if keys is not None else KeySet()
    return _version((key.key_id, "") for key in found), found.as_jwks()


def _at_centre(db: Database, what: str) -> None:
    if db.is_site:
        raise ConflictError(f"{what}; this registry is site {db.origin}'s")


# -------------------------------------------------------------------------------- at a site


@dataclass(frozen=True, slots=True)
class Joined:
    """A registry made a site's: which, its centre, and what it took from the snapshot."""

    site: str
    centre: str
    rows: int
    cursor: dict[str, int]
    rules_version: str
    lost: tuple[int, int] | None = None
    restored: int = 0

    def as_json(self) -> dict[str, Any]:
        lost = {"from": self.lost[0], "to": self.lost[1]} if self.lost else None
        return {
            "site": self.site,
            "centre": self.centre,
            "rows": self.rows,
            "cursor": self.cursor,
            "rules_version": self.rules_version,
            "restored": self.restored,
            "lost": lost,
        }


def join_site(site: str, *, client: Centre, site_key: str, db: Database, data_dir: Path, actor: Actor) -> Joined:
    """Make this new registry ``site``'s: take the snapshot of what it must know, the trusted keys and the centre's rules."""
    name, shot = _first_snapshot(site, client=client, db=db, actor=actor, own=False)
    if shot.acknowledged > 0:
        raise ConflictError(f"the centre holds {shot.acknowledged} records of {name} already: rebuild the site with borderplates sites restore {name}")
    now = _now()
    db.origin = name
    try:
        with db.begin() as uow:
            applier = Applier(uow.connection, name, detect=False)
            for change in shot.changes:
                applier.apply(Change.from_json(change))
            uow.sites.become(name, client.centre_url, site_key, now, 0, shot.cursor)
            uow.sites.update_state(last_pull_at=now)
            uow.audit.append(AuditEntry(now, actor.name, None, "join", "site", 0, None, {"site": name, "centre": client.centre_url}, None))
            uow.commit()
    except BaseException:
        db.origin = CENTRE
        raise
    rules = _take_the_rest(shot, client=client, data_dir=data_dir, db=db)
    return Joined(name, client.centre_url, len(shot.changes), dict(shot.cursor), rules)


def restore_site(site: str, *, client: Centre, site_key: str, db: Database, data_dir: Path, actor: Actor) -> Joined:
    """Rebuild a lost site's registry from the centre; its chain continues after what the centre holds, the rest declared lost."""
    name, shot = _first_snapshot(site, client=client, db=db, actor=actor, own=True)
    now = _now()
    acknowledged = shot.acknowledged
    lost = (acknowledged + 1, shot.reported_head) if shot.reported_head > acknowledged else None
    db.origin = name
    try:
        with db.begin() as uow:
            # The rows as they stand first (what others did to the site's records, and what its records refer to), then the
            # site's chain, taken verbatim and applied: what the snapshot holds already is recognised by its global id.
            applier = Applier(uow.connection, name, detect=False)
            for change in shot.changes:
                applier.apply(Change.from_json(change))
            after = 0
            while after < acknowledged:
                page = client.chain(after, min(CHAIN_PAGE, acknowledged - after))
                if not page.records:
                    raise CentreRefused(f"the centre holds records of {name} up to {acknowledged} but sent none after {after}")
                for record in page.records:
                    link = Link(record.seq, record.hash, record.record.encode("utf-8"))
                    applier.apply(Change.of(uow.audit.accept(name, link), link.seq))
                after = page.records[-1].seq
            uow.audit.declare_lost(acknowledged + 1, lost[1] if lost else acknowledged, now, actor.name)
            uow.sites.become(name, client.centre_url, site_key, now, acknowledged, shot.cursor)
            uow.sites.update_state(last_pull_at=now)
            uow.commit()
    except BaseException:
        db.origin = CENTRE
        raise
    rules = _take_the_rest(shot, client=client, data_dir=data_dir, db=db)
    return Joined(name, client.centre_url, len(shot.changes), dict(shot.cursor), rules, lost, acknowledged)


def _first_snapshot(site: str, *, client: Centre, db: Database, actor: Actor, own: bool) -> tuple[str, Snapshot]:
    """The site's id and the centre's snapshot for a new registry of it (``own``: with the site's own records)."""
    authorise(actor, Permission.SITES)
    name = site_id(site)
    _new_registry(db, name)
    shot = client.snapshot(own=own)
    if shot.site != name:
        raise ConflictError(f"the key given is site {shot.site}'s, not {name}'s")
    return name, shot


def _take_the_rest(shot: Snapshot, *, client: Centre, data_dir: Path, db: Database) -> str:
    """After a snapshot is stored: trust the keys it carries, take the centre's rules; returns the rules' version."""
    _take_keys(shot.keys, data_dir)
    rules = _take_rules(client, shot.rules_version, data_dir, db)
    status.forget_cached(db)
    return rules


def _new_registry(db: Database, name: str) -> None:
    """Refuse a registry that is a site's already or holds records: a site starts from a new one."""
    if db.is_site:
        raise ConflictError(f"this registry is site {db.origin}'s already")
    with db.reading() as uow:
        if uow.audit.origins() or uow.sites.all():
            raise ConflictError(f"this registry holds records already; make site {name}'s registry in a new data directory (BORDERPLATES_DATA_DIR)")


@dataclass(frozen=True, slots=True)
class Cycle:
    """One push-and-pull cycle: what was sent and acknowledged, what was pulled."""

    site: str
    pushed: int
    acknowledged: int
    backlog: int
    pulled: int
    conflicts: int
    rules_version: str | None

    def as_json(self) -> dict[str, Any]:
        return {
            "site": self.site,
            "pushed": self.pushed,
            "acknowledged": self.acknowledged,
            "backlog": self.backlog,
            "pulled": self.pulled,
            "conflicts": self.conflicts,
            "rules_version": self.rules_version,
        }


def client_for(db: Database, centre_url: str | None = None, timeout: float = 30.0) -> CentreClient:
    """A client of this site's centre (``centre_url`` when given, else the one it joined), with its key."""
    state = site_state(db)
    return CentreClient(centre_url or state.centre_url, state.site_key, timeout=timeout)


def sync_now(*, db: Database, client: Centre, batch: int = 1000, data_dir: Path) -> Cycle:
    """One cycle: push every record the centre has not acknowledged, then pull everything after the cursor."""
    try:
        pushed, conflicts, acknowledged = push(db=db, client=client, batch=batch, data_dir=data_dir)
        pulled, rules = pull(db=db, client=client, data_dir=data_dir)
    except BorderplatesError as error:
        with db.begin() as uow:
            uow.sites.update_state(last_error=error.text[:200], last_error_at=_now())
            uow.commit()
        raise
    with db.reading() as uow:
        backlog = uow.audit.last_seq(db.origin) - acknowledged
    return Cycle(db.origin, pushed, acknowledged, backlog, pulled, conflicts, rules)


def push(*, db: Database, client: Centre, batch: int, data_dir: Path) -> tuple[int, int, int]:
    """Send the records the centre has not acknowledged, a batch at a time; returns (sent, conflicts found, acknowledged)."""
    sent = conflicts = 0
    jwks = _own_keys(data_dir)
    while True:
        with db.reading() as uow:
            state = _state_in(uow.sites.state(), db)
            head = uow.audit.last_seq(db.origin)
            links = uow.audit.links(db.origin, state.acknowledged, limit=batch)
            oldest = uow.audit.recorded_at(db.origin, state.acknowledged + 1) if head > state.acknowledged else None
        records = [WireRecord(seq=link.seq, hash=link.hash, record=link.record.decode("utf-8")) for link in links]
        answer = client.push(Batch(site=db.origin, head=head, oldest_unsent_at=oldest.isoformat() if oldest else None, keys=jwks, records=records))
        with db.begin() as uow:
            uow.sites.update_state(acknowledged=answer.acknowledged, last_push_at=_now(), last_error=None, last_error_at=None)
            uow.commit()
        sent += answer.applied
        conflicts += answer.conflicts
        if answer.acknowledged >= head or not links:
            return sent, conflicts, answer.acknowledged
        if answer.acknowledged < links[-1].seq:
            raise CentreRefused(f"the centre acknowledged {db.origin}'s chain up to {answer.acknowledged} only, after {links[-1].seq} were sent")


def pull(*, db: Database, client: Centre, data_dir: Path) -> tuple[int, str | None]:
    """Read the records of other origins after the cursor and apply them, a page at a time; returns (records, rules version)."""
    pulled = 0
    statuses = False
    while True:
        with db.reading() as uow:
            state = _state_in(uow.sites.state(), db)
            head = uow.audit.last_seq(db.origin)
            oldest = uow.audit.recorded_at(db.origin, state.acknowledged + 1) if head > state.acknowledged else None
        request = PullRequest(cursor=state.cursor, keys_version=state.keys_version, head=head, oldest_unsent_at=oldest.isoformat() if oldest else None)
        answer = client.pull(request)
        with db.begin() as uow:
            applier = Applier(uow.connection, db.origin, detect=False)
            for record in answer.records:
                if record.origin == db.origin:
                    continue
                link = Link(record.seq, record.hash, record.record.encode("utf-8"))
                if digest(link.record) != link.hash:
                    raise CentreRefused(f"record {record.seq} of {record.origin} from the centre does not hash to its hash; nothing of the page was taken")
                change = Change.of(parse_record(record.origin, link), record.seq)
                applier.apply(change)
                statuses = statuses or change.entity == "crossing_status"
            uow.sites.update_state(cursor=dict(answer.cursor), keys_version=answer.keys_version, last_pull_at=_now(), last_error=None, last_error_at=None)
            uow.commit()
        pulled += len(answer.records)
        if answer.keys is not None:
            _take_keys(answer.keys, data_dir)
        if not answer.more:
            break
    if statuses:
        status.forget_cached(db)
    rules = answer.rules_version if answer.rules_version == state.rules_version else _take_rules(client, answer.rules_version, data_dir, db)
    return pulled, rules


def _own_keys(data_dir: Path) -> dict[str, Any] | None:
    found = KeyStore(data_dir / "keys").key_set()
    return found.as_jwks() if len(found) else None


def _take_keys(jwks: dict[str, Any], data_dir: Path) -> None:
    keys = KeySet.from_jwks(jwks)
    if len(keys):
        KeyStore(data_dir / "keys").import_keys(keys)


def _take_rules(client: Centre, version: str, data_dir: Path, db: Database) -> str:
    """Run with the centre's rules and crossing status data from now on, when they differ from this site's (unless the operator set a data root)."""
    if version != _bundle(None).version and version != rules_bundle().version:
        bundle = client.rules()
        if bundle.version != version or _version(bundle.files.items()) != version:
            raise CentreRefused("the centre's rules data does not match its version")
        store_rules(bundle, data_dir)
    with db.begin() as uow:
        uow.sites.update_state(rules_version=version)
        uow.commit()
    activate_rules(version, data_dir)
    return version


def pulled_rules_folder(data_dir: Path, version: str) -> Path:
    return data_dir / "from-centre" / version


def store_rules(bundle: RulesBundle, data_dir: Path) -> Path:
    """Write the centre's data files under the data directory, checked to load, and return their folder."""
    folder = pulled_rules_folder(data_dir, bundle.version)
    if folder.is_dir():
        return folder
    folder.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=".incoming-", dir=folder.parent))
    try:
        for name, text in bundle.files.items():
            kind, _, file = name.partition("/")
            if kind not in ("rules", "crossing_status") or not file.endswith(".toml") or "/" in file or file.startswith("."):
                raise CentreRefused(f"the centre's rules data names a file {quoted(name)} that is not a rules or crossing status file")
            (staging / kind).mkdir(exist_ok=True)
            (staging / kind / file).write_text(text, encoding="utf-8")
        try:
            law.load_regimes(reference.load(), staging)
        except BorderplatesError as error:
            raise CentreRefused(f"the centre's rules data does not load: {error.text}") from None
        staging.rename(folder)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return folder


def activate_rules(version: str | None, data_dir: Path) -> None:
    """Make this process judge by the rules pulled from the centre (``version``), unless the operator chose a data root."""
    if _OPERATOR_DATA_ROOT is not None or version is None or version == rules_bundle().version:
        return
    folder = pulled_rules_folder(data_dir, version)
    if version == _bundle(None).version:
        os.environ.pop("BORDERPLATES_DATA_ROOT", None)
    elif folder.is_dir():
        os.environ["BORDERPLATES_DATA_ROOT"] = str(folder)


def site_state(db: Database) -> SiteState:
    """This site's state: which site, its centre and key, how far pushing and pulling have come."""
    with db.reading() as uow:
        return _state_in(uow.sites.state(), db)


def _state_in(state: SiteState | None, db: Database) -> SiteState:
    if state is None:
        raise ConflictError("this registry is the centre's, not a site's: join it first with borderplates sites join ID --centre URL")
    return state


# -------------------------------------------------------------------------------- status and conflicts


@dataclass(frozen=True, slots=True)
class SiteLine:
    """How far one site has come: its chain as the centre holds it, what it reported, when it was last heard from."""

    site: str
    acknowledged: int
    head: int
    oldest_unsent_at: dt.datetime | None
    last_seen_at: dt.datetime | None
    restored_at: dt.datetime | None = None
    rejections: int = 0
    last_rejection: Refusal | None = None

    @property
    def backlog(self) -> int:
        return max(0, self.head - self.acknowledged)

    def as_json(self, now: dt.datetime) -> dict[str, Any]:
        age = (now - self.oldest_unsent_at).total_seconds() if self.oldest_unsent_at and self.backlog else None
        return {
            "site": self.site,
            "acknowledged": self.acknowledged,
            "head": self.head,
            "backlog": self.backlog,
            "oldest_unsent_at": self.oldest_unsent_at.isoformat() if self.oldest_unsent_at and self.backlog else None,
            "oldest_unsent_age_seconds": round(age) if age is not None else None,
            "last_seen_at": self.last_seen_at.isoformat() if self.last_seen_at else None,
            "restored_at": self.restored_at.isoformat() if self.restored_at else None,
            "rejections": self.rejections,
            "last_rejection": self.last_rejection.as_json() if self.last_rejection else None,
        }


@dataclass(frozen=True, slots=True)
class SyncStatus:
    """Synchronisation as this registry sees it: at a site, its own line and its centre; at the centre, a line per site."""

    origin: str
    at: dt.datetime
    lines: tuple[SiteLine, ...]
    centre: str | None = None
    last_pull_at: dt.datetime | None = None
    last_error: str | None = None
    last_error_at: dt.datetime | None = None
    open_conflicts: int = 0

    def as_json(self) -> dict[str, Any]:
        return {
            "origin": self.origin,
            "role": "site" if self.centre else "centre",
            "centre": self.centre,
            "at": self.at.isoformat(),
            "last_pull_at": self.last_pull_at.isoformat() if self.last_pull_at else None,
            "last_error": self.last_error,
            "last_error_at": self.last_error_at.isoformat() if self.last_error_at else None,
            "open_conflicts": self.open_conflicts,
            "sites": [line.as_json(self.at) for line in self.lines],
        }


def sync_status(*, actor: Actor, db: Database) -> SyncStatus:
    """Per site: the last sequence number acknowledged, the backlog and the age of the oldest record not yet sent."""
    authorise(actor, Permission.SYNC)
    now = _now()
    with db.reading() as uow:
        state = uow.sites.state()
        if state is not None:
            head = uow.audit.last_seq(db.origin)
            oldest = uow.audit.recorded_at(db.origin, state.acknowledged + 1) if head > state.acknowledged else None
            line = SiteLine(state.site, state.acknowledged, head, oldest, state.last_push_at)
            return SyncStatus(db.origin, now, (line,), state.centre_url, state.last_pull_at, state.last_error, state.last_error_at)
        counts = uow.sites.rejection_counts()
        lines = []
        for known in uow.sites.all():
            acknowledged = uow.audit.last_seq(known.id)
            last = uow.sites.rejections(known.id, 1)
            head = max(known.reported_head, acknowledged)
            lines.append(
                SiteLine(known.id, acknowledged, head, known.oldest_unsent_at, known.last_seen_at, known.restored_at, counts.get(known.id, 0), *last[:1])
            )
        conflicts = _conflict_views(uow, uow.sites.conflicts())
    return SyncStatus(db.origin, now, tuple(lines), open_conflicts=sum(view.open for view in conflicts))


@dataclass(frozen=True, slots=True)
class ConflictView:
    """A conflict with both records as they stand now; open while both still hold (a cancellation with a reason resolves it)."""

    conflict: Conflict
    first: dict[str, Any] | None
    second: dict[str, Any] | None

    @property
    def open(self) -> bool:
        active = [record is not None and record["status"] == RegistrationStatus.ACTIVE for record in (self.first, self.second)]
        if self.conflict.kind == ConflictKind.TWO_ACTIVE:
            return all(active)
        return self.conflict.kind == ConflictKind.NUMBER_TAKEN and active[0]

    def as_json(self) -> dict[str, Any]:
        c = self.conflict
        return {
            "id": c.id,
            "kind": str(c.kind),
            "open": self.open,
            "detected_at": c.detected_at.isoformat(),
            "vehicle": {"issuer": c.issuer, "plate": c.plate} if c.plate else None,
            "jurisdiction": c.jurisdiction,
            "origin": c.origin,
            "seq": c.seq,
            "detail": c.detail,
            "first": self.first,
            "second": self.second,
        }


def list_conflicts(*, actor: Actor, db: Database, everything: bool = False) -> list[ConflictView]:
    """The conflicts the centre found, newest first: the open ones, or ``everything``."""
    authorise(actor, Permission.SYNC)
    with db.reading() as uow:
        views = _conflict_views(uow, uow.sites.conflicts())
    return [view for view in views if everything or view.open]


def _conflict_views(uow: Any, conflicts: list[Conflict]) -> list[ConflictView]:
    views = []
    for conflict in conflicts:
        first = _registration_json(uow, conflict.first_uid)
        second = _registration_json(uow, conflict.second_uid) if conflict.second_uid != conflict.first_uid else None
        views.append(ConflictView(conflict, first, second))
    return views


def _registration_json(uow: Any, uid: str) -> dict[str, Any] | None:
    found = uow.registrations.by_uid(uid)
    if found is None:
        return None
    registration, origin = found
    return {"uid": uid, "origin": origin, **registration.as_json()}


# -------------------------------------------------------------------------------- how fresh a site's knowledge is


@dataclass(frozen=True, slots=True)
class Freshness:
    """When a site last heard from its centre: what a check at the site tells the officer."""

    site: str
    centre_last_reached: dt.datetime | None

    def reason(self, now: dt.datetime) -> str:
        if self.centre_last_reached is None:
            return f"site {self.site}: the centre was never reached; registrations issued elsewhere may be unknown here"
        return f"site {self.site}: centre last reached {_ago(now - self.centre_last_reached)}"

    def as_json(self, now: dt.datetime) -> dict[str, Any]:
        reached = self.centre_last_reached
        return {
            "site": self.site,
            "centre_last_reached": reached.isoformat() if reached else None,
            "age_seconds": round((now - reached).total_seconds()) if reached else None,
        }


@dataclass
class _Known:
    freshness: Freshness | None
    checked: float


_known: WeakKeyDictionary[Database, _Known] = WeakKeyDictionary()
_lock = threading.Lock()


def freshness(db: Database) -> Freshness | None:
    """How fresh this site's knowledge is (None at the centre); read again at most every :data:`REFRESH` seconds."""
    if not db.is_site:
        return None
    kept = _known.get(db)
    now = time.monotonic()
    if kept is not None and now - kept.checked < REFRESH:
        return kept.freshness
    with db.reading() as uow:
        state = uow.sites.state()
    found = Freshness(state.site, state.centre_last_reached) if state is not None else None
    with _lock:
        _known[db] = _Known(found, now)
    return found


def forget_freshness(db: Database) -> None:
    with _lock:
        _known.pop(db, None)


def _ago(age: dt.timedelta) -> str:
    """``5 min ago``, ``3 h ago``, ``2 days ago``.

    >>> _ago(dt.timedelta(seconds=20)), _ago(dt.timedelta(hours=3, minutes=10)), _ago(dt.timedelta(days=2))
    ('just now', '3 h ago', '2 days ago')
    """
    seconds = age.total_seconds()
    if seconds < 60:
        return "just now"
    if seconds < 3600:
        return f"{seconds // 60:.0f} min ago"
    if seconds < 2 * 86400:
        return f"{seconds // 3600:.0f} h ago"
    return f"{seconds // 86400:.0f} days ago"


def refuse_at_site(db: Database, what: str) -> None:
    """Bulk writes (imports, the demo week) leave no record per row in the chain, so a site cannot push them: they go to the centre."""
    if db.is_site:
        raise ConflictError(f"{what} at the centre: this registry is site {db.origin}'s, and a site pushes only what its use cases record")
