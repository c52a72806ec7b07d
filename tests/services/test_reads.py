"""Plate reads kept, confirmed, linked to the crossing they led to, and their images erased after retention; on SQLite and PostgreSQL.

The OCR engine is replaced by a reader that says what the test tells it (the real
engine is tested in tests/reading): the subject here is what borderplates does
with a read.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from PIL import Image

from borderplates.errors import BadImage, ConflictError, NotFound
from borderplates.reading.model import Box, TextDetection
from borderplates.registry import Database
from borderplates.registry.tables import audit_log, crossings, plate_reads
from borderplates.services import reads
from borderplates.services.crossings import record_crossing
from borderplates.services.presentation import Presentation
from borderplates.vocabulary import Decision, Direction, Role
from tests.conftest import local, operator
from tests.reading.synth import encode

pytestmark = pytest.mark.usefixtures("test_rules")
OFFICER = operator("officer-1", Role.OFFICER)
SUPERVISOR = operator("supervisor-1", Role.SUPERVISOR)
AT = local(2021, 9, 21, 10)


@dataclass
class SaysReader:
    """A reader that sees the text it is told, as sure as it is told."""

    text: str
    confidence: float
    name: str = "says"
    version: str = "1"

    def read(self, image: Image.Image) -> list[TextDetection]:
        return [TextDetection(self.text, self.confidence, Box(100, 200, 420, 280))] if self.text else []


@pytest.fixture
def store(tmp_path: Path) -> reads.ImageStore:
    return reads.ImageStore(tmp_path / "reads")


def image(seed: int = 1) -> bytes:
    return encode(Image.new("RGB", (640, 480), (seed * 20 % 255, 120, 130)))


def read(db: Database, store: reads.ImageStore, text: str, confidence: float, **options: Any) -> reads.ReadAnswer:
    options.setdefault("at", AT)
    options.setdefault("point", "merdare")
    return reads.read_image(options.pop("data", image()), actor=OFFICER, db=db, store=store, reader=SaysReader(text, confidence), **options)


def rows(db: Database, table: sa.Table) -> list[Any]:
    with db.read() as conn:
        return list(conn.execute(sa.select(table).order_by(table.c.id)))


def test_every_read_is_kept_with_its_reader_camera_point_time_and_image_and_audited(db, store):
    answer = read(db, store, "NP 123-AB", 0.99, camera="merdare-lane-2", crossing=("XK", Direction.ENTRY))
    kept = answer.read
    assert (kept.plate, kept.issuer, kept.needs_confirmation, kept.camera, kept.point, kept.submitted_by) == (
        "NP 123-AB",
        "RS",
        False,
        "merdare-lane-2",
        "merdare",
        "officer-1",
    )
    assert (kept.reader, kept.reader_version, kept.raw_text) == ("says", "1", "NP 123-AB")
    assert (store.folder / (kept.image_ref or "")).read_bytes() == image()
    assert answer.check is not None and answer.check.decision == Decision.ISSUE_TEMPORARY_REGISTRATION
    [audit] = [row for row in rows(db, audit_log) if row.entity == "plate_read"]
    assert (audit.action, audit.entity_id, audit.actor, audit.after["plate"]) == ("read", kept.id, "officer-1", "NP 123-AB")
    assert reads.show_read(kept.id, actor=OFFICER, db=db) == kept


def test_an_image_without_a_plate_is_kept_as_a_read_of_no_plate(db, store):
    answer = read(db, store, "", 0.0, crossing=("XK", Direction.ENTRY))
    assert (answer.read.plate, answer.read.candidates, answer.check) == (None, (), None)


def test_a_bad_image_is_refused_and_nothing_is_kept(db, store):
    with pytest.raises(BadImage):
        read(db, store, "NP 123-AB", 0.99, data=b"\x89PNG\r\n\x1a\n" + b"junk" * 10)
    assert rows(db, plate_reads) == [] and not store.folder.exists()


def test_a_crossing_is_never_recorded_from_a_read_that_needs_confirmation_until_an_officer_confirms_or_corrects_it(db, store):
    unsure = read(db, store, "NP 128-AB", 0.55).read
    assert unsure.needs_confirmation
    presentation = Presentation("NP 123-AB", "XK", AT, point="merdare")
    with pytest.raises(ConflictError, match="needs an officer to confirm"):
        record_crossing(presentation, actor=OFFICER, read_id=unsure.id, db=db)
    corrected = reads.confirm_read(unsure.id, "np 123 ab", actor=OFFICER, db=db)
    assert (corrected.confirmed_plate, corrected.confirmed_issuer, corrected.confirmed_by) == ("NP 123-AB", "RS", "officer-1")
    with pytest.raises(ConflictError, match="is of NP 123-AB"):
        record_crossing(Presentation("NP 999-ZZ", "XK", AT, point="merdare"), actor=OFFICER, read_id=unsure.id, db=db)
    recorded = record_crossing(presentation, actor=OFFICER, read_id=unsure.id, db=db)
    assert reads.show_read(unsure.id, actor=OFFICER, db=db).crossing_id == recorded.crossing.id
    with pytest.raises(ConflictError, match="already led to crossing"):
        record_crossing(presentation, actor=OFFICER, read_id=unsure.id, db=db)
    with pytest.raises(ConflictError, match="can no longer be changed"):
        reads.confirm_read(unsure.id, "NP 124-AB", actor=OFFICER, db=db)
    actions = [row.action for row in rows(db, audit_log) if row.entity == "plate_read"]
    assert actions == ["read", "correct"]
    assert len(rows(db, crossings)) == 1


def test_a_sure_read_may_be_the_ground_of_a_crossing_without_confirmation(db, store):
    sure = read(db, store, "NP 123-AB", 0.99).read
    recorded = record_crossing(Presentation("NP 123-AB", "XK", AT, point="merdare"), actor=OFFICER, read_id=sure.id, db=db)
    assert recorded.crossing.plate == "NP 123-AB"
    with pytest.raises(NotFound):
        record_crossing(Presentation("NP 123-AB", "XK", AT, point="merdare"), actor=OFFICER, read_id=9999, db=db)


def test_images_are_erased_after_their_retention_each_erasure_audited_and_the_reads_kept(db, store):
    old = read(db, store, "NP 123-AB", 0.99, at=local(2020, 1, 1, 10), data=image(1)).read
    new = read(db, store, "BG 999-ZZ", 0.99, at=local(2021, 9, 1, 10), data=image(2)).read
    assert reads.read_crop(old.id, actor=OFFICER, db=db, store=store).startswith(b"\x89PNG")
    with pytest.raises(Exception, match="may not expire"):
        reads.erase_old_images(local(2021, 9, 21, 10), dt.timedelta(days=365), actor=OFFICER, db=db, store=store)
    assert reads.erase_old_images(local(2021, 9, 21, 10), dt.timedelta(days=365), actor=SUPERVISOR, db=db, store=store) == 1
    assert reads.erase_old_images(local(2021, 9, 21, 10), dt.timedelta(days=365), actor=SUPERVISOR, db=db, store=store) == 0
    erased = reads.show_read(old.id, actor=OFFICER, db=db)
    assert (erased.image_ref, erased.plate) == (None, "NP 123-AB") and erased.image_erased_at is not None
    assert not (store.folder / (old.image_ref or "")).exists() and (store.folder / (new.image_ref or "")).exists()
    with pytest.raises(NotFound, match="erased"):
        reads.read_crop(old.id, actor=OFFICER, db=db, store=store)
    [erasure] = [row for row in rows(db, audit_log) if row.action == "erase_image"]
    assert (erasure.entity_id, erasure.before, erasure.after) == (old.id, {"image": old.image_ref}, {"image": None})
