"""Plate reads from camera images: read, keep every read, confirm or correct it, erase images after their retention.

A camera or an officer sends an image; borderplates reads it (:mod:`borderplates.reading`),
keeps the read (raw text, the plate as read, confidence, reader and version, camera
and point, time, the image by reference in the data directory) and, when the
crossing is given, answers the check for the best candidate. A read that needs
confirmation is never the ground of a decision: a crossing recorded from a read
takes the plate an officer confirmed or corrected, or the read's own plate when it
needed no confirmation, and links the read to the crossing. Images are erased when
their retention period has passed; each erasure is audited.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from borderplates import reference
from borderplates.errors import ConflictError, NotFound, ValidationError
from borderplates.model import AuditEntry, StoredRead
from borderplates.reference import Plate
from borderplates.registry import Database
from borderplates.services import checks, inputs, pages
from borderplates.services.actors import Actor, Permission, authorise
from borderplates.services.presentation import Presentation
from borderplates.vocabulary import MAX_RETENTION_DAYS, NAME_LENGTH, REASON_LENGTH, Direction

ENTITY = "plate_read"


class ImageStore:
    """Where the images of reads are kept: one file per image, named by the SHA-256 of its bytes."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder

    def keep(self, sha256: str, image_format: str, data: bytes) -> str:
        """Write the image (once) and return its reference."""
        reference_name = f"{sha256}.{'jpg' if image_format.upper() == 'JPEG' else 'png'}"
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            path = self.folder / reference_name
            if not path.exists():
                partial = path.with_suffix(".part")
                partial.write_bytes(data)
                partial.replace(path)
        except OSError as error:
            raise ConflictError(f"the image cannot be kept in {self.folder}: {error.strerror or error}") from None
        return reference_name

    def load(self, reference_name: str) -> bytes:
        try:
            return (self.folder / reference_name).read_bytes()
        except OSError:
            raise NotFound("the image of this read is no longer kept") from None

    def erase(self, reference_name: str) -> None:
        (self.folder / reference_name).unlink(missing_ok=True)


@dataclass(frozen=True)
class ReadAnswer:
    """A read as kept, with the check of its best candidate when a crossing was given (provisional until confirmed)."""

    read: StoredRead
    check: checks.Check | None

    def as_json(self) -> dict[str, Any]:
        return {**self.read.as_json(), "check": self.check.as_json() if self.check else None}


def read_image(
    data: bytes,
    *,
    at: dt.datetime,
    point: str | None = None,
    camera: str | None = None,
    crossing: tuple[str, Direction] | None = None,
    actor: Actor,
    db: Database,
    store: ImageStore,
    reader: Any = None,
) -> ReadAnswer:
    """Read the plate on an image, keep the read and the image, and check the best candidate at the crossing given."""
    moment = inputs.moment(at)
    where = inputs.any_place(point, centres=False) if point is not None else None
    authorise(actor, Permission.CHECK, where)
    name = inputs.optional_text(camera, "camera's name", NAME_LENGTH)
    from borderplates import reading  # the image and OCR libraries load slowly; only reads need them

    read = reading.read_image(data, reader)
    image_ref = store.keep(read.image.sha256, read.image.format, data)
    best = read.best
    kept = StoredRead(
        id=0,
        at=moment,
        point=where,
        camera=name,
        submitted_by=actor.name,
        reader=read.reader_name[:40],
        reader_version=read.reader_version[:40],
        raw_text=read.raw_text[:REASON_LENGTH],
        plate=best.canonical if best else None,
        issuer=best.issuer if best else None,
        confidence=read.confidence,
        needs_confirmation=read.needs_confirmation,
        candidates=tuple(candidate.as_json() for candidate in read.candidates),
        image_sha256=read.image.sha256,
        image_ref=image_ref,
    )
    with db.begin() as uow:
        stored = uow.reads.add(kept)
        uow.audit.append(AuditEntry(moment, actor.name, where, "read", ENTITY, stored.id, None, _facts(stored)))
        uow.commit()
    check = None
    if crossing is not None and best is not None:
        jurisdiction, direction = crossing
        presentation = Presentation(_plate(best.issuer, best.canonical), jurisdiction, moment, direction, point=where)
        check = checks.check_vehicle(presentation, actor=actor, db=db)
    return ReadAnswer(stored, check)


def confirm_read(read_id: int, plate_text: str, *, actor: Actor, db: Database) -> StoredRead:
    """An officer confirms the plate of a read, or corrects it: from now on a decision may go by it."""
    authorise(actor, Permission.CHECK)
    plate = reference.parse_plate(inputs.text(plate_text, "plate", 40))
    with db.begin() as uow:
        found = _found(uow.reads.by_id(checked_id(read_id)))
        authorise(actor, Permission.CHECK, found.point)
        if found.crossing_id is not None:
            raise ConflictError(f"read {read_id} already led to crossing {found.crossing_id}; it can no longer be changed")
        now = dt.datetime.now(dt.UTC)
        uow.reads.confirm(read_id, plate.issuer, plate.canonical, actor.name, now)
        action = "confirm" if (plate.issuer, plate.canonical) == (found.issuer, found.plate) else "correct"
        before = {"plate": found.confirmed_plate or found.plate, "issuer": found.confirmed_issuer or found.issuer}
        uow.audit.append(AuditEntry(now, actor.name, found.point, action, ENTITY, read_id, before, {"plate": plate.canonical, "issuer": plate.issuer}))
        confirmed = _found(uow.reads.by_id(read_id))
        uow.commit()
    return confirmed


def show_read(read_id: int, *, actor: Actor, db: Database) -> StoredRead:
    """A read as kept (an account bound to a place sees the reads of that place)."""
    authorise(actor, Permission.CHECK)
    with db.reading() as uow:
        found = _found(uow.reads.by_id(checked_id(read_id)))
    authorise(actor, Permission.CHECK, found.point)
    return found


def recent_reads(*, point: str | None = None, limit: int = 20, actor: Actor, db: Database) -> list[StoredRead]:
    """The newest reads, newest first: at ``point``, or at the account's own place when it is bound to one."""
    authorise(actor, Permission.CHECK)
    where = inputs.any_place(point, centres=False) if point is not None else actor.point
    authorise(actor, Permission.CHECK, where)
    with db.reading() as uow:
        return uow.reads.recent(where, pages.limit(limit))


def read_crop(read_id: int, *, actor: Actor, db: Database, store: ImageStore, margin: float = 0.6) -> bytes:
    """The plate's region of a read's image (the best candidate's box) as PNG, for the booth screen."""
    found = show_read(read_id, actor=actor, db=db)
    if found.image_ref is None:
        raise NotFound(f"the image of read {read_id} was erased after its retention period")
    from borderplates.reading.images import load_image
    from borderplates.reading.model import Box

    image = load_image(store.load(found.image_ref))
    if not found.candidates:
        return image.crop_png(Box(0, 0, image.width, image.height), 0)
    return image.crop_png(Box(*found.candidates[0]["box"]), margin)


def check_settled(found: StoredRead | None, presentation_plate: Plate) -> StoredRead:
    """The read a crossing is recorded from, after making sure a decision may go by it and that it names this plate."""
    found = _found(found)
    settled = found.settled
    if settled is None:
        raise ConflictError(f"read {found.id} needs an officer to confirm or correct the plate before any decision is recorded")
    if settled != (presentation_plate.issuer, presentation_plate.canonical):
        raise ConflictError(f"read {found.id} is of {settled[1]} ({settled[0]}), not {presentation_plate.canonical}")
    if found.crossing_id is not None:
        raise ConflictError(f"read {found.id} already led to crossing {found.crossing_id}")
    return found


def erase_old_images(now: dt.datetime, retention: dt.timedelta, *, actor: Actor, db: Database, store: ImageStore) -> int:
    """Erase the images of reads taken more than ``retention`` before ``now``; each erasure is audited. Safe to run again."""
    moment = inputs.moment(now)
    authorise(actor, Permission.EXPIRE)
    if not dt.timedelta(0) < retention <= dt.timedelta(days=MAX_RETENTION_DAYS):
        raise ValidationError(f"the retention period must be longer than nothing and at most {MAX_RETENTION_DAYS} days")
    erased: list[str] = []
    with db.begin() as uow:
        for found in uow.reads.with_images_taken_before(moment - retention):
            uow.reads.erase_image(found.id, moment)
            why = f"retention of {retention.days} days passed"
            uow.audit.append(AuditEntry(moment, actor.name, found.point, "erase_image", ENTITY, found.id, {"image": found.image_ref}, {"image": None}, why))
            erased.append(found.image_ref or "")
        uow.commit()
    for image_ref in erased:  # once the registry no longer refers to them
        store.erase(image_ref)
    return len(erased)


def _plate(issuer: str, canonical: str) -> Plate:
    return reference.read_plate(canonical, among=(issuer,)).best


def checked_id(read_id: object) -> int:
    """A read's number as the registry can hold it; NotFound for anything else."""
    if isinstance(read_id, bool) or not isinstance(read_id, int) or not 1 <= read_id < 2**31:
        raise NotFound("no such plate read")
    return read_id


def _found(read: StoredRead | None) -> StoredRead:
    if read is None:
        raise NotFound("no such plate read")
    return read


def _facts(read: StoredRead) -> dict[str, Any]:
    shown = read.as_json()
    return {key: shown[key] for key in ("at", "point", "camera", "reader", "raw_text", "plate", "issuer", "confidence", "needs_confirmation", "image")}
