"""Opening camera images safely: JPEG and PNG only, limited in bytes and pixels.

An image comes from a camera or an upload, so it is untrusted: it is checked by its
first bytes (never its file name), its size is checked before any pixel is decoded,
Pillow may only use its JPEG and PNG decoders, and every failure becomes a
:class:`~borderplates.errors.BadImage` with a one-line reason.

>>> load_image(b"")
Traceback (most recent call last):
...
borderplates.errors.BadImage: the image is empty
"""

from __future__ import annotations

import hashlib
import io
import threading
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from PIL import Image, ImageFile, ImageOps

from borderplates.errors import BadImage
from borderplates.reading.model import Box

#: Largest file accepted, in bytes (a 12-megapixel camera JPEG is 3–8 MB).
MAX_IMAGE_BYTES = 20 * 1024 * 1024
#: Most pixels accepted; larger images are refused before they are decoded (decompression bombs).
MAX_IMAGE_PIXELS = 40_000_000
#: Longest side accepted, in pixels.
MAX_IMAGE_SIDE = 12_000
#: Shortest side accepted: below this no plate can be read.
MIN_IMAGE_SIDE = 16

JPEG_MAGIC = b"\xff\xd8\xff"
PNG_MAGIC = b"\x89PNG\r\n\x1a\n"
FORMATS = ("JPEG", "PNG")

# Pillow's own decompression-bomb guard, lowered (never raised) to the limit above, for every image this process opens.
Image.MAX_IMAGE_PIXELS = min(Image.MAX_IMAGE_PIXELS or MAX_IMAGE_PIXELS, MAX_IMAGE_PIXELS)


@dataclass(frozen=True)
class LoadedImage:
    """A decoded image (RGB, upright), its format, size and the SHA-256 of the bytes it came from."""

    image: Image.Image
    format: str
    byte_size: int
    sha256: str

    @property
    def width(self) -> int:
        return self.image.width

    @property
    def height(self) -> int:
        return self.image.height

    def crop_png(self, box: Box, margin: float = 0.6) -> bytes:
        """The region ``box`` grown by ``margin`` of its height on every side, as PNG bytes."""
        pad = round(box.height * margin)
        region = (max(0, box.left - pad), max(0, box.top - pad), min(self.width, box.right + pad), min(self.height, box.bottom + pad))
        out = io.BytesIO()
        self.image.crop(region).save(out, "PNG")
        return out.getvalue()


def load_image(data: bytes) -> LoadedImage:
    """Decode a JPEG or PNG image from ``data``; :class:`BadImage` for anything else."""
    if not isinstance(data, bytes | bytearray | memoryview):
        raise BadImage(f"an image is bytes, not {type(data).__name__}")
    data = bytes(data)
    if not data:
        raise BadImage("the image is empty")
    if len(data) > MAX_IMAGE_BYTES:
        raise BadImage(f"the image is {len(data) / 1024 / 1024:.1f} MB; at most {MAX_IMAGE_BYTES // 1024 // 1024} MB are accepted")
    if not (data.startswith(JPEG_MAGIC) or data.startswith(PNG_MAGIC)):
        raise BadImage("the file is not a JPEG or PNG image")
    try:
        with warnings.catch_warnings(), _whole_images_only():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            opened = Image.open(io.BytesIO(data), formats=FORMATS)
            _check_size(opened.width, opened.height)
            opened.load()
            image = _upright_rgb(opened)
    except BadImage:
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise BadImage(f"the image has too many pixels; at most {MAX_IMAGE_PIXELS:,} are accepted") from None
    except (OSError, SyntaxError, ValueError, EOFError) as error:
        raise BadImage(f"the image is damaged or truncated ({_reason(error)})") from None
    return LoadedImage(image, str(opened.format), len(data), hashlib.sha256(data).hexdigest())


_truncation = threading.Lock()


@contextmanager
def _whole_images_only() -> Iterator[None]:
    """Refuse truncated images while decoding, whatever another library set Pillow to (the PDF renderer accepts them)."""
    with _truncation:
        before = ImageFile.LOAD_TRUNCATED_IMAGES
        ImageFile.LOAD_TRUNCATED_IMAGES = False
        try:
            yield
        finally:
            ImageFile.LOAD_TRUNCATED_IMAGES = before


def _check_size(width: int, height: int) -> None:
    if width * height > MAX_IMAGE_PIXELS or max(width, height) > MAX_IMAGE_SIDE:
        raise BadImage(f"the image is {width}×{height} pixels; at most {MAX_IMAGE_PIXELS:,} pixels and {MAX_IMAGE_SIDE} on a side are accepted")
    if min(width, height) < MIN_IMAGE_SIDE:
        raise BadImage(f"the image is {width}×{height} pixels; too small to show a plate")


def _upright_rgb(image: Image.Image) -> Image.Image:
    """RGB, turned as the camera's EXIF orientation says, transparency flattened onto white."""
    image = ImageOps.exif_transpose(image) or image
    if image.mode in ("RGBA", "LA", "PA") or (image.mode == "P" and "transparency" in image.info):
        rgba = image.convert("RGBA")
        flat = Image.new("RGB", rgba.size, (255, 255, 255))
        flat.paste(rgba, mask=rgba.getchannel("A"))
        return flat
    return image.convert("RGB")


def _reason(error: BaseException) -> str:
    text = str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
    return text[:120]
