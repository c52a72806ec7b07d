"""What plate reading deals in: boxes, raw text detections, readers, candidates and the read.

A :class:`PlateReader` turns an image into raw text detections (what an OCR engine
saw, with boxes and confidences); borderplates then assembles, validates and ranks
them into :class:`PlateCandidate` values, best first, and a :class:`PlateRead` keeps
all of it for the officer, the registry and the booth screen.

>>> Box(10, 20, 110, 50).union(Box(100, 15, 160, 45)).as_json()
[10, 15, 160, 50]
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Protocol, runtime_checkable

if TYPE_CHECKING:
    from PIL import Image

    from borderplates.reading.images import LoadedImage


@dataclass(frozen=True, slots=True)
class Box:
    """An axis-aligned box in image pixels: left and top inclusive, right and bottom exclusive."""

    left: int
    top: int
    right: int
    bottom: int

    @property
    def width(self) -> int:
        return self.right - self.left

    @property
    def height(self) -> int:
        return self.bottom - self.top

    @property
    def centre_x(self) -> float:
        return (self.left + self.right) / 2

    def union(self, other: Box) -> Box:
        return Box(min(self.left, other.left), min(self.top, other.top), max(self.right, other.right), max(self.bottom, other.bottom))

    def grown(self, dx: float, dy: float) -> tuple[float, float, float, float]:
        return (self.left - dx, self.top - dy, self.right + dx, self.bottom + dy)

    def as_json(self) -> list[int]:
        """``[left, top, right, bottom]``."""
        return [self.left, self.top, self.right, self.bottom]

    @classmethod
    def around(cls, points: Any) -> Box:
        """The box around a sequence of ``(x, y)`` points (a quadrilateral from a text detector)."""
        xs = [float(p[0]) for p in points]
        ys = [float(p[1]) for p in points]
        return cls(int(min(xs)), int(min(ys)), round(max(xs)), round(max(ys)))


@dataclass(frozen=True, slots=True)
class CharDetection:
    """One character as the reader saw it, where it saw it, and how sure it was."""

    char: str
    confidence: float
    box: Box


@dataclass(frozen=True, slots=True)
class TextDetection:
    """One run of text as a reader returned it: raw text, confidence in 0..1, box, and characters when known.

    ``chars``, when given, spell ``text`` without its spaces, one per character;
    otherwise the characters are taken as spread evenly over the box.
    """

    text: str
    confidence: float
    box: Box
    chars: tuple[CharDetection, ...] = ()

    def as_json(self) -> dict[str, Any]:
        return {"text": self.text, "confidence": round(self.confidence, 3), "box": self.box.as_json()}


@runtime_checkable
class PlateReader(Protocol):
    """Turns an image into raw text detections; borderplates validates and ranks them."""

    @property
    def name(self) -> str: ...

    @property
    def version(self) -> str: ...

    def read(self, image: Image.Image) -> list[TextDetection]:
        """Every run of text in ``image`` (RGB), in any order."""
        ...


@dataclass(frozen=True, slots=True)
class PlateCandidate:
    """One plate the image may show: the plate as borderplates reads it, and how sure the read is."""

    canonical: str
    issuer: str
    kind: str
    format_id: str
    confidence: float
    box: Box
    raw_text: str
    reasons: tuple[str, ...] = ()

    def as_json(self) -> dict[str, Any]:
        return {"canonical": self.canonical, "issuer": self.issuer, "confidence": round(self.confidence, 3), "box": self.box.as_json()}


@dataclass(frozen=True)
class PlateRead:
    """One read of one image: the candidates best first, whether a person must confirm, and what was seen.

    ``needs_confirmation`` is set when the best candidate is below the confidence
    threshold or another candidate comes close to it; a read that needs
    confirmation must not become a decision before a person has confirmed or
    corrected it. An empty ``candidates`` means no plate was found.
    """

    candidates: tuple[PlateCandidate, ...]
    needs_confirmation: bool
    reader_name: str
    reader_version: str
    detections: tuple[TextDetection, ...]
    image: LoadedImage = field(repr=False, compare=False)

    @property
    def best(self) -> PlateCandidate | None:
        return self.candidates[0] if self.candidates else None

    @property
    def plate(self) -> str | None:
        """The normalised plate of the best candidate, or None when no plate was found."""
        return self.best.canonical if self.best else None

    @property
    def confidence(self) -> float:
        return self.best.confidence if self.best else 0.0

    @property
    def raw_text(self) -> str:
        """The text the reader saw for the best candidate, or everything it saw when no plate was found."""
        if self.best:
            return self.best.raw_text
        return " | ".join(d.text for d in self.detections)

    def crop_png(self, candidate: PlateCandidate | None = None, margin: float = 0.6) -> bytes | None:
        """The region of ``candidate`` (the best by default) as PNG bytes, grown by ``margin`` of its height; None without a plate."""
        chosen = candidate or self.best
        return self.image.crop_png(chosen.box, margin) if chosen else None

    def as_json(self) -> dict[str, Any]:
        return {"candidates": [c.as_json() for c in self.candidates], "needs_confirmation": self.needs_confirmation}
