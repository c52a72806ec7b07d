"""Opening untrusted images: every bad one is a clear BadImage, never a traceback."""

from __future__ import annotations

import io
import struct
import zlib

import pytest
from PIL import Image

from borderplates.errors import BadImage, ValidationError
from borderplates.reading import Box, load_image
from borderplates.reading.images import MAX_IMAGE_BYTES, MAX_IMAGE_PIXELS
from tests.reading.synth import encode, make_sample


def png_header_only(width: int, height: int) -> bytes:
    """A PNG that declares ``width`` × ``height`` pixels and holds one tiny compressed row: a decompression bomb's header."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(b"\x00" * 64)) + chunk(b"IEND", b"")


@pytest.fixture(scope="module")
def plate_jpeg() -> bytes:
    return make_sample(3, "rs.standard").encoded("JPEG")


def reason(data: bytes) -> str:
    with pytest.raises(BadImage) as raised:
        load_image(data)
    assert isinstance(raised.value, ValidationError)
    assert "\n" not in raised.value.text
    return raised.value.text


def test_an_empty_file_is_refused() -> None:
    assert reason(b"") == "the image is empty"


def test_a_truncated_jpeg_is_refused(plate_jpeg: bytes) -> None:
    assert "damaged or truncated" in reason(plate_jpeg[: len(plate_jpeg) // 2])


def test_a_truncated_png_is_refused() -> None:
    png = make_sample(3, "rs.standard").encoded()
    assert "damaged or truncated" in reason(png[: len(png) // 2])


def test_a_file_with_the_png_signature_and_garbage_after_it_is_refused() -> None:
    assert "damaged or truncated" in reason(b"\x89PNG\r\n\x1a\n" + b"garbage" * 20)


def test_a_decompression_bomb_is_refused_before_it_is_decoded() -> None:
    assert MAX_IMAGE_PIXELS < 8_000 * 6_000
    assert "too many pixels" in reason(png_header_only(8_000, 6_000))
    assert "too many pixels" in reason(png_header_only(30_000, 30_000))
    assert "on a side" in reason(png_header_only(20_000, 100))


def test_a_file_larger_than_the_byte_limit_is_refused_unread() -> None:
    assert "MB" in reason(b"\xff\xd8\xff" + bytes(MAX_IMAGE_BYTES))


@pytest.mark.parametrize(
    "data",
    [b"hello, this is text", b"%PDF-1.7\n", b"GIF89a" + bytes(40), b"\x00" * 100, b"BM" + bytes(60)],
    ids=["text", "pdf", "gif", "zeros", "bmp"],
)
def test_anything_but_jpeg_or_png_is_refused_by_its_content(data: bytes) -> None:
    assert reason(data) == "the file is not a JPEG or PNG image"


def test_a_real_gif_or_webp_image_is_refused() -> None:
    image = Image.new("RGB", (64, 64), "white")
    for image_format in ("GIF", "WEBP", "BMP", "TIFF"):
        out = io.BytesIO()
        image.save(out, image_format)
        assert reason(out.getvalue()) == "the file is not a JPEG or PNG image"


def test_an_image_too_small_to_show_a_plate_is_refused() -> None:
    assert "too small" in reason(encode(Image.new("RGB", (8, 8), "white")))


def test_text_instead_of_bytes_is_refused() -> None:
    with pytest.raises(BadImage):
        load_image("not bytes")  # type: ignore[arg-type]  # a caller passing text must get a clear error


def test_a_jpeg_and_a_png_open_as_upright_rgb_with_format_and_digest(plate_jpeg: bytes) -> None:
    jpeg = load_image(plate_jpeg)
    assert (jpeg.format, jpeg.image.mode, jpeg.byte_size) == ("JPEG", "RGB", len(plate_jpeg))
    assert len(jpeg.sha256) == 64
    transparent = Image.new("RGBA", (80, 40), (0, 0, 0, 0))
    png = load_image(encode(transparent))
    assert png.format == "PNG"
    assert png.image.getpixel((5, 5)) == (255, 255, 255)


def test_the_camera_orientation_is_applied() -> None:
    image = Image.new("RGB", (120, 40), "white")
    exif = image.getexif()
    exif[0x0112] = 6  # rotated 90° clockwise
    out = io.BytesIO()
    image.save(out, "JPEG", exif=exif.tobytes())
    assert load_image(out.getvalue()).image.size == (40, 120)


def test_a_region_crops_to_png_bytes_within_the_image() -> None:
    loaded = load_image(make_sample(3, "rs.standard").encoded())
    crop = Image.open(io.BytesIO(loaded.crop_png(Box(10, 10, 110, 60), margin=0.2)))
    assert crop.format == "PNG"
    assert crop.size == (120, 70)
    edge = Image.open(io.BytesIO(loaded.crop_png(Box(0, 0, 50, 50), margin=1.0)))
    assert edge.size == (100, 100)


def test_a_truncated_image_is_refused_even_when_another_library_told_pillow_to_accept_them(plate_jpeg: bytes, monkeypatch: pytest.MonkeyPatch) -> None:
    from PIL import ImageFile

    monkeypatch.setattr(ImageFile, "LOAD_TRUNCATED_IMAGES", True)  # what the PDF renderer does when it is imported
    assert "damaged or truncated" in reason(plate_jpeg[: len(plate_jpeg) // 2])
    assert ImageFile.LOAD_TRUNCATED_IMAGES is True
