"""The ``read-image`` command: read the plate on a camera image, and check it at a crossing."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.table import Table

from borderplates import reference
from borderplates.cli import JsonOption, app, console, emit_json, moment, say, session
from borderplates.errors import ValidationError
from borderplates.services import reads
from borderplates.vocabulary import MAX_RETENTION_DAYS, Direction

if TYPE_CHECKING:
    from borderplates import reading

READERS = ("rapidocr", "tesseract", "alpr")


@app.command("read-image")
def read_image(
    file: Annotated[Path, typer.Argument(metavar="FILE", help="A JPEG or PNG image: a camera frame or a cropped plate.")],
    entering: Annotated[str | None, typer.Option("--entering", help="Check the plate read as entering this jurisdiction, e.g. XK.")] = None,
    leaving: Annotated[str | None, typer.Option("--leaving", help="Check the plate read as leaving this jurisdiction.")] = None,
    point: Annotated[str | None, typer.Option("--point", help="Crossing point id, e.g. jarinje.")] = None,
    on: Annotated[str | None, typer.Option("--on", help="Local date of the crossing; means noon of that day.")] = None,
    at: Annotated[str | None, typer.Option("--at", help="ISO 8601 date-time of the crossing, with offset; default now.")] = None,
    reader: Annotated[str, typer.Option("--reader", help="rapidocr (default, any image), tesseract (cropped plates) or alpr (your model files).")] = "rapidocr",
    alpr_models: Annotated[
        Path | None,
        typer.Option("--alpr-models", envvar="BORDERPLATES_ALPR_MODELS", help="Folder with the ALPR model files: detector.onnx, ocr.onnx, ocr_config.yaml."),
    ] = None,
    as_json: bool = JsonOption,
) -> None:
    """Read the plate on an image: candidates best first, whether to confirm, and the check at a crossing."""
    # Imported here: the image and OCR libraries take a while to load, and no other command needs them.
    from borderplates import reading

    crossing = _crossing(entering, leaving, point, on, at)
    data = reading.image_bytes(file)
    answer = reads.read_image(
        data,
        at=crossing[1] if crossing else dt.datetime.now(dt.UTC),
        point=point,
        crossing=(crossing[0], Direction(crossing[2])) if crossing else None,
        actor=session().operator(None),
        db=session().db,
        store=reads.ImageStore(session().settings.reads_dir),
        reader=_reader(reader, alpr_models),
    )
    shown = answer.as_json()
    if as_json:
        emit_json({"read_id": shown["id"], "candidates": shown["candidates"], "needs_confirmation": shown["needs_confirmation"], "check": shown["check"]})
        return
    _show(answer)


def _crossing(entering: str | None, leaving: str | None, point: str | None, on: str | None, at: str | None) -> tuple[str, dt.datetime, str] | None:
    """Jurisdiction, moment and direction of the crossing to check, checked before the (slow) read; None without one."""
    if entering and leaving:
        raise ValidationError("give --entering or --leaving, not both")
    jurisdiction = entering or leaving
    if jurisdiction is None:
        if point or on or at:
            raise ValidationError("--point, --on and --at describe a crossing: give --entering or --leaving too")
        return None
    code = reference.jurisdiction(jurisdiction).code
    if point is not None:
        reference.crossing_point(point)
    return code, moment(on, at, code), "entry" if entering else "exit"


def _reader(name: str, alpr_models: Path | None) -> reading.PlateReader:
    from borderplates import reading

    if name == "rapidocr":
        return reading.default_reader()
    if name == "tesseract":
        return reading.TesseractReader()
    if name == "alpr":
        if alpr_models is None:
            raise ValidationError("the alpr reader needs its model folder: --alpr-models DIR or BORDERPLATES_ALPR_MODELS")
        return reading.AlprReader.from_folder(alpr_models)
    raise ValidationError(f"unknown reader {name!r}; known: {', '.join(READERS)}")


def _show(answer: reads.ReadAnswer) -> None:
    read, check = answer.read, answer.check.as_json() if answer.check else None
    if not read.candidates:
        say(("No plate found", "bold"), f" on the image (read {read.id}): type the plate.")
        return
    if read.needs_confirmation:
        say(
            (" NEEDS CONFIRMATION ", "bold reverse"),
            f" the read is not sure: confirm or correct the plate before acting on it (borderplates reads confirm {read.id} PLATE).",
        )
    table = Table("", "plate", "issuer", "confidence", "box (left, top, right, bottom)", title=f"read {read.id} by {read.reader} {read.reader_version}")
    for rank, candidate in enumerate(read.candidates, 1):
        table.add_row(str(rank), candidate["canonical"], candidate["issuer"], f"{candidate['confidence']:.0%}", ", ".join(map(str, candidate["box"])))
    console.print(table)
    if check is None:
        return
    title = f"Check of {check['plate']['canonical']}" + (" (PROVISIONAL until the plate is confirmed)" if read.needs_confirmation else "")
    say((title, "bold"), f": {check['decision']}")
    for reason in check["reasons"]:
        say(f"  • {reason}")


reads_app = typer.Typer(help="Plate reads from camera images: every read is kept.", no_args_is_help=True)
app.add_typer(reads_app, name="reads")


@reads_app.command("show")
def reads_show(read_id: Annotated[int, typer.Argument(metavar="ID")], as_json: bool = JsonOption) -> None:
    """A read as kept: what was read, by which reader, who confirmed or corrected it, the crossing it led to."""
    found = reads.show_read(read_id, actor=session().operator(None), db=session().db)
    if as_json:
        emit_json(found.as_json())
    else:
        confirmed = f"; confirmed as {found.confirmed_plate} by {found.confirmed_by}" if found.confirmed_by else ""
        say(f"read {found.id} at {found.at.isoformat()}: {found.plate or 'no plate'} ({found.confidence:.0%}){confirmed}")


@reads_app.command("confirm")
def reads_confirm(
    read_id: Annotated[int, typer.Argument(metavar="ID")],
    plate: Annotated[str, typer.Argument(metavar="PLATE", help="The plate as you see it: the read's, or the correct one.")],
    officer: Annotated[str | None, typer.Option("--officer", help="Who confirms (default: BORDERPLATES_USER or the login name).")] = None,
    as_json: bool = JsonOption,
) -> None:
    """Confirm a read's plate, or correct it: only then may a crossing be recorded from it."""
    found = reads.confirm_read(read_id, plate, actor=session().operator(officer), db=session().db)
    if as_json:
        emit_json(found.as_json())
    else:
        say(f"read {found.id} is {found.confirmed_plate} ({found.confirmed_issuer}), confirmed by {found.confirmed_by}")


@reads_app.command("erase")
def reads_erase(
    older_than: Annotated[int | None, typer.Option("--older-than", help="Days; default BORDERPLATES_READ_RETENTION_DAYS.")] = None,
    at: Annotated[str | None, typer.Option("--at", help="ISO 8601 date-time with offset; default now.")] = None,
    as_json: bool = JsonOption,
) -> None:
    """Erase the images of reads past their retention period (each erasure audited; safe to run again)."""
    days = older_than if older_than is not None else session().settings.read_retention_days
    if not 1 <= days <= MAX_RETENTION_DAYS:
        raise ValidationError(f"--older-than is a number of days from 1 to {MAX_RETENTION_DAYS}")
    count = reads.erase_old_images(
        moment(None, at, None), dt.timedelta(days=days), actor=session().operator(None), db=session().db, store=reads.ImageStore(session().settings.reads_dir)
    )
    if as_json:
        emit_json({"erased": count})
    else:
        say(f"{count} image(s) erased")
