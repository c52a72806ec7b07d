"""The ``read-image`` command: read the plate on a camera image, and check it at a crossing."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.table import Table

from borderplates import reference
from borderplates.cli import JsonOption, app, console, emit_json, moment, say, session
from borderplates.errors import ValidationError
from borderplates.services import checks
from borderplates.services.presentation import Presentation

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
    read = reading.read_file(file, _reader(reader, alpr_models))
    best = read.best
    check = _check(best.canonical, best.issuer, *crossing, point) if best is not None and crossing is not None else None
    if as_json:
        emit_json({**read.as_json(), "check": check})
        return
    _show(read, check)


def _check(canonical: str, issuer: str, jurisdiction: str, at: dt.datetime, direction: str, point: str | None) -> dict[str, Any]:
    """The check of the plate read at the crossing, as the reader read it (its issuer included)."""
    plate = reference.read_plate(canonical, among=(issuer,)).best
    presentation = Presentation(plate, jurisdiction, at, direction, point=point)
    return checks.check_vehicle(presentation, actor=session().operator(None), db=session().db).as_json()


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


def _show(read: reading.PlateRead, check: dict[str, Any] | None) -> None:
    if not read.candidates:
        say(("No plate found", "bold"), " on the image: type the plate.")
        return
    if read.needs_confirmation:
        say((" NEEDS CONFIRMATION ", "bold reverse"), " the read is not sure: confirm or correct the plate before acting on it.")
    table = Table("", "plate", "issuer", "confidence", "box (left, top, right, bottom)", title=f"read by {read.reader_name} {read.reader_version}")
    for rank, candidate in enumerate(read.candidates, 1):
        table.add_row(str(rank), candidate.canonical, candidate.issuer, f"{candidate.confidence:.0%}", ", ".join(map(str, candidate.box.as_json())))
    console.print(table)
    if check is None:
        return
    title = f"Check of {check['plate']['canonical']}" + (" (PROVISIONAL until the plate is confirmed)" if read.needs_confirmation else "")
    say((title, "bold"), f": {check['decision']}")
    for reason in check["reasons"]:
        say(f"  • {reason}")
