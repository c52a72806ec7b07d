"""Reading plates from camera images: offline OCR, then borderplates' own validation and ranking.

:func:`read_image` opens an image safely (JPEG or PNG, limited in bytes and
pixels), lets a :class:`PlateReader` find the text on it (RapidOCR by default: its
models ship in its wheel, it runs on the CPU, nothing is downloaded), and ranks the
plates that text can be: a :class:`PlateRead` with candidates best first and
``needs_confirmation`` when a person must confirm before anything is decided.
An image without a plate gives no candidates; a bad image a
:class:`~borderplates.errors.BadImage`.

>>> read_image(b"GIF89a...")
Traceback (most recent call last):
...
borderplates.errors.BadImage: the file is not a JPEG or PNG image
"""

from __future__ import annotations

from pathlib import Path

from borderplates.errors import BadImage, BorderplatesError, ReaderUnavailable, quoted
from borderplates.reading.images import MAX_IMAGE_BYTES, LoadedImage, load_image
from borderplates.reading.model import Box, CharDetection, PlateCandidate, PlateRead, PlateReader, TextDetection
from borderplates.reading.ranking import CLOSE_MARGIN, CONFIRM_BELOW, needs_confirmation, rank
from borderplates.reading.readers import AlprReader, RapidOcrReader, TesseractReader, default_reader

__all__ = [
    "CLOSE_MARGIN",
    "CONFIRM_BELOW",
    "AlprReader",
    "Box",
    "CharDetection",
    "LoadedImage",
    "PlateCandidate",
    "PlateRead",
    "PlateReader",
    "RapidOcrReader",
    "TesseractReader",
    "TextDetection",
    "default_reader",
    "load_image",
    "needs_confirmation",
    "rank",
    "read_file",
    "read_image",
]


def read_image(data: bytes, reader: PlateReader | None = None) -> PlateRead:
    """Read the plates on a JPEG or PNG image: candidates best first, and whether a person must confirm."""
    loaded = load_image(data)
    reader = reader or default_reader()
    try:
        detections = tuple(reader.read(loaded.image))
    except BorderplatesError:
        raise
    except Exception as error:  # an engine failing on one image must not take the caller down with it
        raise ReaderUnavailable(f"the {reader.name} reader failed on this image: {type(error).__name__}: {error}") from error
    candidates = rank(detections)
    return PlateRead(candidates, needs_confirmation(candidates), reader.name, reader.version, detections, loaded)


def read_file(path: Path | str, reader: PlateReader | None = None) -> PlateRead:
    """:func:`read_image` on the file at ``path``; its size is checked before it is read."""
    return read_image(image_bytes(path), reader)


def image_bytes(path: Path | str) -> bytes:
    """The bytes of the image file at ``path``, its size checked before it is read; :class:`BadImage` otherwise."""
    path = Path(path)
    shown = quoted(str(path), 200)
    try:
        size = path.stat().st_size
        if not path.is_file():
            raise BadImage(f"{shown} is not a file")
        if size > MAX_IMAGE_BYTES:
            raise BadImage(f"{shown} is {size / 1024 / 1024:.1f} MB; at most {MAX_IMAGE_BYTES // 1024 // 1024} MB are accepted")
        return path.read_bytes()
    except FileNotFoundError:
        raise BadImage(f"no such file: {shown}") from None
    except OSError as error:
        raise BadImage(f"cannot read {shown}: {error.strerror or error}") from None
