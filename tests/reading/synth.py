"""Synthetic plate images for the reading tests and the benchmark.

Draws plates of every shipped plate format (the text drawn from the format's own
pattern, registration areas and serial letters) in the style of the issuer: the
blue band with the distinguishing sign, the Serbian coat-of-arms stand-in with the
Cyrillic area code under it, the Montenegrin shield, the plain white KS plate. A
plate can be distorted (blur, noise, rotation up to 5°, perspective, shadow, JPEG)
and placed on a car in a street scene. Everything is deterministic per seed.

>>> sample = make_sample(7, "rs.standard")
>>> sample.format_id, sample.image.size == (sample.box[2] - sample.box[0], sample.box[3] - sample.box[1])
('rs.standard', True)
"""

from __future__ import annotations

import io
import random
import tomllib
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw, ImageFilter, ImageFont

from borderplates import reference
from borderplates.reference.datafiles import DATA

FONT_DIR = Path("/usr/share/fonts/truetype/dejavu")
FONT_NAMES = ("DejaVuSans-Bold.ttf", "DejaVuSansCondensed-Bold.ttf", "DejaVuSansMono-Bold.ttf", "DejaVuSans.ttf")

#: Every shipped plate format, in a fixed order.
FORMATS = ("rs.standard", "rs.taxi", "xk.standard", "xk.neutral", "xk.diplomatic", "al.standard", "me.standard", "mk.standard")
#: The distortions a sample can carry; "clean" is none.
DISTORTIONS = ("clean", "blur", "noise", "rotation", "perspective", "shadow", "jpeg", "small")
#: The distortions that apply to a whole street scene (the camera's), the others being the plate's own.
SCENE_DISTORTIONS = ("clean", "blur", "noise", "jpeg", "shadow")

BLUE = (0, 51, 153)
WHITE = (250, 250, 247)
INK = (18, 18, 22)
# The band and its sign per issuer; None draws a plate without a band (the KS plate, diplomatic plates).
BANDS = {"rs": "SRB", "xk": "RKS", "al": "AL", "me": "MNE", "mk": "NMK"}
NO_BAND = {"xk.neutral", "xk.diplomatic"}
# Where an emblem sits between the area code and the rest: the Serbian shield carries the Cyrillic area code under it.
EMBLEM_AFTER_AREA = {"rs.standard", "rs.taxi", "me.standard"}
_LATIN_TO_CYRILLIC = dict(zip("ABVGDĐEŽZIJKLMNOPRSTĆUFHCČŠ", "АБВГДЂЕЖЗИЈКЛМНОПРСТЋУФХЦЧШ", strict=True))


@dataclass(frozen=True)
class Sample:
    """One synthetic image with the plate it shows."""

    image: Image.Image
    text: str
    issuer: str
    format_id: str
    box: tuple[int, int, int, int]
    distortions: tuple[str, ...] = ()
    scene: bool = False
    seed: int = 0
    notes: dict[str, str] = field(default_factory=dict)

    def encoded(self, image_format: str = "PNG") -> bytes:
        return encode(self.image, image_format)


def encode(image: Image.Image, image_format: str = "PNG", quality: int = 90) -> bytes:
    """The image as PNG or JPEG bytes."""
    out = io.BytesIO()
    if image_format == "JPEG":
        image.convert("RGB").save(out, "JPEG", quality=quality)
    else:
        image.save(out, image_format)
    return out.getvalue()


@cache
def fonts() -> tuple[Path, ...]:
    found = tuple(FONT_DIR / name for name in FONT_NAMES if (FONT_DIR / name).exists())
    if not found:
        raise RuntimeError(f"the synthetic plates need the DejaVu fonts in {FONT_DIR} (Debian package fonts-dejavu-core)")
    return found


@cache
def _font(path: Path, size: int) -> ImageFont.FreeTypeFont:
    return ImageFont.truetype(str(path), size)


@cache
def serial_letters(format_id: str) -> str:
    """The serial letters of a shipped format, as its data file gives them."""
    country, name = format_id.split(".")
    data = tomllib.loads((DATA / "jurisdictions" / f"{country}.toml").read_text(encoding="utf-8"))
    return str(next(spec["letters"] for spec in data["formats"] if spec["id"] == name))


def plate_text(format_id: str, rng: random.Random) -> str:
    """A random plate of the shipped format ``format_id``, as printed."""
    ref = reference.load()
    fmt = ref.format(format_id)
    areas = sorted(ref.jurisdictions[fmt.issuer].areas)
    letters = serial_letters(format_id)
    pattern = rng.choice(fmt.patterns)
    out = []
    for symbol in pattern:
        if symbol == "@":
            out.append(rng.choice(areas))
        elif symbol == "n":
            out.append(rng.choice("0123456789"))
        elif symbol == "l":
            out.append(rng.choice(letters))
        else:
            out.append(symbol)
    return "".join(out)


def _split(text: str, format_id: str) -> tuple[str, str]:
    """The area code and the rest, for plates that print an emblem between them."""
    if format_id in EMBLEM_AFTER_AREA:
        head, _, tail = text.partition(" ")
        return head, tail
    return "", text


def draw_plate(text: str, format_id: str, *, height: int = 110, font: Path | None = None) -> Image.Image:
    """The plate ``text`` of ``format_id`` drawn face-on, ``height`` pixels high (EU size, 520 × 110 mm)."""
    font = font or fonts()[0]
    width = round(height * 520 / 110)
    plate = Image.new("RGB", (width, height), WHITE)
    draw = ImageDraw.Draw(plate)
    border = max(2, height // 40)
    draw.rounded_rectangle((0, 0, width - 1, height - 1), radius=height // 10, outline=INK, width=border)
    left = border + 2
    country = format_id.split(".")[0]
    if format_id not in NO_BAND:
        band = round(height * 0.4)
        draw.rectangle((border, border, border + band, height - border - 1), fill=BLUE)
        sign = BANDS[country]
        sign_font = _font(fonts()[0], 100)
        sign_font = _font(fonts()[0], max(6, min(round(height * 0.22), int(100 * band * 0.85 / draw.textlength(sign, font=sign_font)))))
        draw.text((border + band / 2, height * 0.78), sign, font=sign_font, fill=WHITE, anchor="mm")
        if country != "rs":
            draw.ellipse(
                (border + band * 0.25, height * 0.14, border + band * 0.75, height * 0.14 + band * 0.5), outline=(255, 204, 0), width=max(1, height // 40)
            )
        left = border + band + height // 12
    area, rest = _split(text, format_id)
    size = round(height * 0.68)
    big = _font(font, size)
    if area:
        rest_width = draw.textlength(rest, font=big)
        area_width = draw.textlength(area, font=big)
        emblem = height * 0.34
        free = width - left - border - 4
        scale = min(1.0, free / (area_width + rest_width + emblem + height * 0.4))
        if scale < 1.0:
            big = _font(font, max(8, int(size * scale)))
            area_width, rest_width, emblem = draw.textlength(area, font=big), draw.textlength(rest, font=big), emblem * scale
        gap = (free - area_width - rest_width - emblem) / 4
        x = left + gap
        draw.text((x, height / 2), area, font=big, fill=INK, anchor="lm")
        x += area_width + gap
        _draw_emblem(draw, x, height, emblem, area if country == "rs" else None)
        x += emblem + gap
        draw.text((x, height / 2), rest, font=big, fill=INK, anchor="lm")
    else:
        free = width - left - border - 4
        text_width = draw.textlength(text, font=big)
        if text_width > free * 0.94:
            big = _font(font, max(8, int(size * free * 0.94 / text_width)))
        draw.text((left + free / 2, height / 2), text, font=big, fill=INK, anchor="mm")
    return plate


def _draw_emblem(draw: ImageDraw.ImageDraw, x: float, height: int, width: float, area: str | None) -> None:
    """A red shield stand-in; on Serbian plates the area code in Cyrillic below it."""
    top, bottom = height * 0.14, height * (0.58 if area else 0.72)
    draw.rounded_rectangle((x, top, x + width, bottom), radius=width / 4, fill=(190, 30, 45))
    mid = x + width / 2
    draw.line((mid, top + 3, mid, bottom - 3), fill=WHITE, width=max(1, height // 40))
    draw.line((x + 3, (top + bottom) / 2, x + width - 3, (top + bottom) / 2), fill=WHITE, width=max(1, height // 40))
    if area:
        cyrillic = "".join(_LATIN_TO_CYRILLIC.get(ch, ch) for ch in area)
        small = _font(fonts()[0], max(6, round(height * 0.2)))
        draw.text((mid, height * 0.77), cyrillic, font=small, fill=INK, anchor="mm")


def distort(image: Image.Image, kind: str, rng: random.Random, plate_height: int | None = None) -> Image.Image:
    """``image`` with one distortion applied (see :data:`DISTORTIONS`); blur scales with the plate's height in pixels."""
    if kind == "clean":
        return image
    if kind == "blur":
        return image.filter(ImageFilter.GaussianBlur(rng.uniform(1.0, 1.8) * (plate_height or image.height) / 110))
    if kind == "noise":
        pixels = np.asarray(image, dtype=np.float32)
        noise = np.random.default_rng(rng.randrange(2**32)).normal(0.0, rng.uniform(14, 24), pixels.shape)
        return Image.fromarray(np.clip(pixels + noise, 0, 255).astype(np.uint8))
    if kind == "rotation":
        return image.rotate(rng.choice((-1, 1)) * rng.uniform(2.5, 5.0), resample=Image.Resampling.BICUBIC, expand=True, fillcolor=(120, 120, 120))
    if kind == "perspective":
        return _perspective(image, rng)
    if kind == "shadow":
        return _shadow(image, rng)
    if kind == "jpeg":
        return Image.open(io.BytesIO(encode(image, "JPEG", quality=rng.randint(12, 22)))).convert("RGB")
    if kind == "small":
        scale = rng.uniform(0.3, 0.4)
        return image.resize((round(image.width * scale), round(image.height * scale)), Image.Resampling.LANCZOS)
    raise ValueError(f"unknown distortion {kind!r}")


def _perspective(image: Image.Image, rng: random.Random) -> Image.Image:
    """The plate seen from up to about 25° to one side: one vertical edge shorter than the other."""
    w, h = image.size
    pad = round(h * 0.3)
    canvas = Image.new("RGB", (w + 2 * pad, h + 2 * pad), (120, 120, 120))
    canvas.paste(image, (pad, pad))
    squeeze = rng.uniform(0.07, 0.14) * h
    near_left = rng.random() < 0.5
    # Corners of the plate in the output, then solve the homography that maps output to input.
    x0, x1, y0, y1 = pad, pad + w, pad, pad + h
    dst = [
        (x0, y0 + (0 if near_left else squeeze)),
        (x1, y0 + (squeeze if near_left else 0)),
        (x1, y1 - (squeeze if near_left else 0)),
        (x0, y1 - (0 if near_left else squeeze)),
    ]
    src = [(x0, y0), (x1, y0), (x1, y1), (x0, y1)]
    return canvas.transform(canvas.size, Image.Transform.PERSPECTIVE, _homography(dst, src), Image.Resampling.BICUBIC, fillcolor=(120, 120, 120))


def _homography(dst: Sequence[tuple[float, float]], src: Sequence[tuple[float, float]]) -> tuple[float, ...]:
    rows = []
    for (x, y), (u, v) in zip(dst, src, strict=True):
        rows.append([x, y, 1, 0, 0, 0, -u * x, -u * y])
        rows.append([0, 0, 0, x, y, 1, -v * x, -v * y])
    solution = np.linalg.solve(np.array(rows, dtype=float), np.array([c for point in src for c in point], dtype=float))
    return tuple(float(c) for c in solution)


def _shadow(image: Image.Image, rng: random.Random) -> Image.Image:
    """A soft diagonal shadow over part of the plate (a post or the car's own body)."""
    w, h = image.size
    mask = Image.new("L", (w, h), 0)
    edge = rng.uniform(0.3, 0.6) * w
    slant = rng.uniform(-0.3, 0.3) * h
    ImageDraw.Draw(mask).polygon([(0, 0), (edge + slant, 0), (edge - slant, h), (0, h)], fill=rng.randint(110, 150))
    mask = mask.filter(ImageFilter.GaussianBlur(h / 12))
    dark = Image.new("RGB", (w, h), (10, 10, 20))
    return Image.composite(dark, image, mask)


def street_scene(plate: Image.Image, rng: random.Random, size: tuple[int, int] = (1100, 760)) -> tuple[Image.Image, tuple[int, int, int, int]]:
    """``plate`` on the back of a car in a street, and the plate's box in the scene."""
    w, h = size
    scene = Image.new("RGB", size)
    draw = ImageDraw.Draw(scene)
    horizon = round(h * rng.uniform(0.32, 0.42))
    for y in range(horizon):
        shade = round(150 + 90 * y / horizon)
        draw.line((0, y, w, y), fill=(shade - 40, shade - 10, min(255, shade + 20)))
    draw.rectangle((0, horizon, w, h), fill=(88, 88, 92))
    for _ in range(rng.randint(3, 6)):
        bx = rng.randrange(-50, w)
        bw, bh = rng.randint(120, 260), rng.randint(80, horizon)
        grey = rng.randint(110, 200)
        draw.rectangle((bx, horizon - bh, bx + bw, horizon), fill=(grey, grey - 10, grey - 25))
        for wy in range(horizon - bh + 12, horizon - 20, 30):
            for wx in range(bx + 10, bx + bw - 20, 34):
                draw.rectangle((wx, wy, wx + 16, wy + 14), fill=(60, 70, 90))
    if rng.random() < 0.5:
        sx, sy = rng.randrange(20, w - 260), rng.randrange(10, max(11, horizon - 80))
        draw.rectangle((sx, sy, sx + 220, sy + 56), fill=(240, 240, 230), outline=INK, width=3)
        draw.text(
            (sx + 110, sy + 28), rng.choice(("PEKARA", "APOTEKA", "STOP", "CARINA", "DOGANA")), font=_font(fonts()[0], 34), fill=(160, 20, 20), anchor="mm"
        )
    for x in range(0, w, 120):
        draw.rectangle((x, round(h * 0.9), x + 60, round(h * 0.92)), fill=(220, 220, 210))
    car_w = round(w * rng.uniform(0.5, 0.62))
    car_h = round(car_w * 0.62)
    cx = rng.randrange(round(w * 0.08), w - car_w - round(w * 0.08))
    cy = h - car_h - rng.randrange(round(h * 0.04), round(h * 0.1))
    colour = rng.choice(((170, 20, 30), (30, 60, 140), (200, 200, 205), (30, 30, 32), (230, 230, 228), (90, 100, 60)))
    draw.rounded_rectangle((cx + car_w * 0.12, cy, cx + car_w * 0.88, cy + car_h * 0.5), radius=car_h // 6, fill=colour)
    draw.polygon(
        [
            (cx + car_w * 0.2, cy + car_h * 0.08),
            (cx + car_w * 0.8, cy + car_h * 0.08),
            (cx + car_w * 0.86, cy + car_h * 0.42),
            (cx + car_w * 0.14, cy + car_h * 0.42),
        ],
        fill=(45, 55, 70),
    )
    draw.rounded_rectangle((cx, cy + car_h * 0.4, cx + car_w, cy + car_h * 0.92), radius=car_h // 8, fill=colour)
    for wheel in (cx + car_w * 0.06, cx + car_w * 0.78):
        draw.rectangle((wheel, cy + car_h * 0.86, wheel + car_w * 0.16, cy + car_h), fill=(20, 20, 20))
    for lx in (cx + car_w * 0.04, cx + car_w * 0.82):
        draw.rectangle((lx, cy + car_h * 0.5, lx + car_w * 0.14, cy + car_h * 0.6), fill=(200, 30, 30))
    plate_w = round(car_w * rng.uniform(0.3, 0.38))
    plate = plate.resize((plate_w, round(plate.height * plate_w / plate.width)), Image.Resampling.LANCZOS)
    px = round(cx + car_w / 2 - plate.width / 2)
    py = round(cy + car_h * 0.66)
    scene.paste(plate, (px, py))
    return scene, (px, py, px + plate.width, py + plate.height)


def make_sample(seed: int, format_id: str | None = None, distortion: str | None = None, *, scene: bool = False, text: str | None = None) -> Sample:
    """One sample, the same for the same arguments: a plate crop, or a street scene with ``scene``."""
    rng = random.Random(seed)
    format_id = format_id or rng.choice(FORMATS)
    text = text or plate_text(format_id, rng)
    distortion = distortion or "clean"
    font = rng.choice(fonts())
    height = rng.randint(90, 150)
    plate = draw_plate(text, format_id, height=height, font=font)
    if scene:
        image, box = street_scene(plate, rng, (rng.randint(1000, 1280), rng.randint(700, 860)))
        image = distort(image, distortion, rng, box[3] - box[1]) if distortion in SCENE_DISTORTIONS else image
    else:
        image = distort(plate, distortion, rng)
        box = (0, 0, image.width, image.height)
    issuer = reference.load().format(format_id).issuer
    return Sample(image, text, issuer, format_id, box, (distortion,), scene, seed, {"font": font.name})


def fixed_sample(count: int, *, scene_every: int = 4, seed: int = 1000) -> list[Sample]:
    """``count`` samples cycling through every format and distortion; every ``scene_every``-th a street scene."""
    samples = []
    for index in range(count):
        format_id = FORMATS[index % len(FORMATS)]
        distortion = DISTORTIONS[(index // len(FORMATS) + index) % len(DISTORTIONS)]
        scene = scene_every > 0 and index % scene_every == scene_every - 1
        if scene and distortion not in SCENE_DISTORTIONS:
            distortion = "clean"
        samples.append(make_sample(seed + index, format_id, distortion, scene=scene))
    return samples
