"""What travels between a site and its centre, as JSON: strict models, read the same way on both ends.

A site pushes its audit chain (every record with its number, hash and exact canonical
bytes, as UTF-8 text) in :class:`Batch`\\ es and is answered with how far the centre
has acknowledged it (:class:`BatchAnswer`). It pulls what it must know by a cursor,
the last sequence number it has read of every origin (:class:`PullRequest`,
:class:`PullAnswer`). A site being joined or rebuilt reads a :class:`Snapshot` of the
rows it must know, and, when rebuilt, its own chain as the centre holds it
(:class:`ChainPage`). Every request carries the site's key: ``Authorization: Bearer
bps_...``.

>>> Batch.model_validate({"site": "jarinje", "head": 0, "records": []}).records
[]
"""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field

from borderplates.vocabulary import SITE_LENGTH

#: The most records one batch or one page carries.
MOST_RECORDS = 20_000
#: The longest record (its canonical bytes as text) that travels.
LONGEST_RECORD = 100_000

Seq = Annotated[int, Field(ge=0, le=2**62)]
SiteId = Annotated[str, Field(min_length=1, max_length=SITE_LENGTH)]
Hash = Annotated[str, Field(pattern=r"^[0-9a-f]{64}$")]
Moment = Annotated[str, Field(max_length=40, json_schema_extra={"format": "date-time"})]


class Wire(BaseModel):
    model_config = ConfigDict(strict=True, extra="forbid")


class WireRecord(Wire):
    """One record of a chain: its number, its SHA-256 and the exact bytes that were hashed (UTF-8 JSON, as text)."""

    seq: Annotated[int, Field(ge=1, le=2**62)]
    hash: Hash
    record: Annotated[str, Field(min_length=2, max_length=LONGEST_RECORD)]


class OriginRecord(WireRecord):
    """A record of some origin's chain, as the centre hands it to a site."""

    origin: Annotated[str, Field(min_length=1, max_length=60)]


class Batch(Wire):
    """Records of a site's chain, oldest first, with what the site says of its chain: its head and its oldest record not sent."""

    site: SiteId
    head: Seq
    oldest_unsent_at: Moment | None = None
    keys: dict[str, Any] | None = Field(None, description="The site's public signing keys (a JSON Web Key Set).")
    records: Annotated[list[WireRecord], Field(max_length=MOST_RECORDS)]


class BatchAnswer(Wire):
    """How far the centre holds the site's chain now, and what it did with the batch."""

    site: SiteId
    acknowledged: Seq
    applied: Seq
    already: Seq
    conflicts: Seq


class PullRequest(Wire):
    """What a site asks the centre: everything it must know after its cursor."""

    cursor: dict[str, Seq]
    keys_version: str | None = None
    head: Seq | None = None
    oldest_unsent_at: Moment | None = None
    limit: Annotated[int, Field(ge=1, le=MOST_RECORDS)] = 5000


class PullAnswer(Wire):
    """Records of other origins a site must know (registrations, stickers, warnings and fines, crossing status), and the cursor after them."""

    cursor: dict[str, Seq]
    records: list[OriginRecord]
    more: bool
    rules_version: str
    keys_version: str
    keys: dict[str, Any] | None
    now: Moment


class Snapshot(Wire):
    """The rows a site must know, as they stand, with the cursor they stand at; and what the centre holds of the site's own chain."""

    site: SiteId
    cursor: dict[str, Seq]
    changes: list[dict[str, Any]]
    acknowledged: Seq
    reported_head: Seq
    last_seen_at: Moment | None
    rules_version: str
    keys: dict[str, Any]
    now: Moment


class ChainPage(Wire):
    """Records of a site's own chain as the centre holds them, oldest first."""

    records: list[WireRecord]
    head: Seq


class RulesBundle(Wire):
    """The centre's rules and crossing status data files, by path (``rules/xk_rs.toml``), and their version."""

    version: str
    files: dict[str, str]
