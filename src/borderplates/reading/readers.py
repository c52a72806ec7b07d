"""Plate readers: RapidOCR (the default, offline on CPU), Tesseract on cropped plates, and ALPR models.

Every reader implements :class:`~borderplates.reading.model.PlateReader` and
returns raw text detections; none downloads anything. RapidOCR's ONNX models ship
inside its wheel and the engine is loaded once per process (it takes seconds to
start). Tesseract runs only when its ``tesseract`` program is installed, and the
ALPR reader only with model files the user put in a folder; otherwise each raises
:class:`~borderplates.errors.ReaderUnavailable` with what is missing.
"""

from __future__ import annotations

import functools
import importlib
import importlib.metadata
import io
import shutil
import subprocess
import threading
from pathlib import Path
from typing import Any

import numpy as np
from PIL import Image

from borderplates.errors import ReaderUnavailable
from borderplates.reading.model import Box, CharDetection, TextDetection

#: RapidOCR's detection and recognition models, as its wheel ships them.
RAPIDOCR_MODELS = {"Det": "PP-OCRv6_det_small.onnx", "Rec": "PP-OCRv6_rec_small.onnx"}
#: The detector sees images scaled down to this longest side; larger costs time and gains nothing on plates.
RAPIDOCR_SIDE = 960
#: Text runs RapidOCR is less sure of than this are not returned at all.
RAPIDOCR_MIN_SCORE = 0.3

#: Seconds Tesseract may take on one crop.
TESSERACT_TIMEOUT = 30
#: Tesseract reads small crops badly; they are scaled up to at least this height first.
TESSERACT_MIN_HEIGHT = 100

#: The files an ALPR model folder must hold: a YOLOv9 plate detector and a fast-plate-ocr model with its plate config.
ALPR_FILES = ("detector.onnx", "ocr.onnx", "ocr_config.yaml")


class RapidOcrReader:
    """Text detection and recognition with RapidOCR (PP-OCRv6 small, ONNX Runtime on CPU)."""

    name = "rapidocr"

    def __init__(self) -> None:
        self._engine, self._lock = _rapidocr_engine()

    @property
    def version(self) -> str:
        return _rapidocr_version()

    def read(self, image: Image.Image) -> list[TextDetection]:
        """Every text run RapidOCR finds, with one box and confidence per character."""
        bgr = np.ascontiguousarray(np.asarray(image.convert("RGB"))[:, :, ::-1])
        with self._lock:
            output = self._engine(bgr)
        if not output.txts:
            return []
        words = output.word_results if len(output.word_results) == len(output.txts) else [()] * len(output.txts)
        return [
            _rapidocr_detection(str(text), float(score), points, chars)
            for text, score, points, chars in zip(output.txts, output.scores, output.boxes, words, strict=True)
        ]


def _rapidocr_detection(text: str, score: float, points: Any, chars: Any) -> TextDetection:
    # RapidOCR's per-run character lists can drift when a run is empty; the ranking uses them only when they spell the text.
    found = tuple(CharDetection(str(c), float(conf), Box.around(box)) for c, conf, box in chars if box is not None)
    return TextDetection(text, score, Box.around(points), found)


@functools.cache
def _rapidocr_engine() -> tuple[Any, threading.Lock]:
    """The one RapidOCR engine of this process, with the lock that serialises calls to it."""
    try:
        rapidocr = importlib.import_module("rapidocr")
    except ImportError:
        raise ReaderUnavailable("the rapidocr package is not installed; reinstall borderplates") from None
    models = Path(str(rapidocr.__file__)).parent / "models"
    missing = [name for name in RAPIDOCR_MODELS.values() if not (models / name).is_file()]
    if missing:
        raise ReaderUnavailable(f"RapidOCR's models are missing from its package ({', '.join(missing)}); reinstall rapidocr")
    params: dict[str, Any] = {
        "Global.log_level": "error",
        "Global.use_cls": False,
        "Global.text_score": RAPIDOCR_MIN_SCORE,
        "Global.return_word_box": True,
        "Global.return_single_char_box": True,
        "Det.limit_type": "max",
        "Det.limit_side_len": RAPIDOCR_SIDE,
        **{f"{task}.model_path": str(models / name) for task, name in RAPIDOCR_MODELS.items()},
    }
    return rapidocr.RapidOCR(params=params), threading.Lock()


@functools.cache
def _rapidocr_version() -> str:
    return f"{importlib.metadata.version('rapidocr')} PP-OCRv6 small, onnxruntime {importlib.metadata.version('onnxruntime')}"


class TesseractReader:
    """Tesseract OCR on an image that is already a level, cropped plate (one line of text)."""

    name = "tesseract"

    def __init__(self, command: str = "tesseract") -> None:
        found = shutil.which(command)
        if found is None:
            raise ReaderUnavailable(f"the Tesseract program {command!r} is not installed (Debian: apt-get install tesseract-ocr)")
        self.command = found

    @functools.cached_property
    def version(self) -> str:
        done = subprocess.run([self.command, "--version"], capture_output=True, text=True, timeout=TESSERACT_TIMEOUT, check=False)
        lines = (done.stdout or done.stderr).split()
        return lines[1] if len(lines) > 1 else "unknown"

    def read(self, image: Image.Image) -> list[TextDetection]:
        """The words Tesseract reads on the crop, as one line (page segmentation mode 7)."""
        grey = image.convert("L")
        scale = max(1.0, TESSERACT_MIN_HEIGHT / grey.height)
        if scale > 1.0:
            grey = grey.resize((round(grey.width * scale), round(grey.height * scale)), Image.Resampling.LANCZOS)
        png = _png(grey)
        try:
            done = subprocess.run(
                [self.command, "stdin", "stdout", "--psm", "7", "tsv"], input=png, capture_output=True, timeout=TESSERACT_TIMEOUT, check=False
            )
        except subprocess.TimeoutExpired:
            raise ReaderUnavailable(f"Tesseract took longer than {TESSERACT_TIMEOUT} s on the image") from None
        if done.returncode != 0:
            message = done.stderr.decode("utf-8", "replace").strip().splitlines()
            raise ReaderUnavailable(f"Tesseract failed: {message[-1] if message else f'exit code {done.returncode}'}")
        return _tesseract_words(done.stdout.decode("utf-8", "replace"), scale)


def _tesseract_words(tsv: str, scale: float) -> list[TextDetection]:
    """Word rows (level 5) of Tesseract's TSV output, boxes scaled back to the original image."""
    found = []
    for line in tsv.splitlines()[1:]:
        cells = line.split("\t")
        if len(cells) != 12 or cells[0] != "5" or not cells[11].strip():
            continue
        left, top, width, height = (round(int(v) / scale) for v in cells[6:10])
        found.append(TextDetection(cells[11].strip(), max(0.0, float(cells[10])) / 100, Box(left, top, left + width, top + height)))
    return found


class AlprReader:
    """A plate detector and plate OCR model (fast-alpr) whose files the user supplies; nothing is downloaded."""

    name = "alpr"

    def __init__(self, engine: Any, version: str) -> None:
        self._engine = engine
        self.version = version
        self._lock = threading.Lock()

    @classmethod
    def from_folder(cls, folder: Path | str) -> AlprReader:
        """The reader for the model files in ``folder`` (see :data:`ALPR_FILES`); one engine per folder and process."""
        return _alpr_reader(Path(folder).expanduser().resolve())

    def read(self, image: Image.Image) -> list[TextDetection]:
        """One detection per plate the detector finds, with the OCR model's text and per-character confidences."""
        bgr = np.ascontiguousarray(np.asarray(image.convert("RGB"))[:, :, ::-1])
        with self._lock:
            results = self._engine.predict(bgr)
        found = []
        for result in results:
            if result.ocr is None or not result.ocr.text:
                continue
            bounds = result.detection.bounding_box
            box = Box(int(bounds.x1), int(bounds.y1), int(bounds.x2), int(bounds.y2))
            text = str(result.ocr.text).strip("_ ")
            confidences = result.ocr.confidence if isinstance(result.ocr.confidence, list) else [result.ocr.confidence] * len(text)
            found.append(TextDetection(text, float(np.mean(confidences[: len(text)])) if text else 0.0, box, _spread(text, confidences, box)))
        return found


def _spread(text: str, confidences: list[float], box: Box) -> tuple[CharDetection, ...]:
    """Characters spaced evenly over the plate's box (the OCR model gives no positions)."""
    if len(confidences) < len(text):
        return ()
    width = box.width / max(1, len(text))
    return tuple(
        CharDetection(ch, float(conf), Box(round(box.left + i * width), box.top, round(box.left + (i + 1) * width), box.bottom))
        for i, (ch, conf) in enumerate(zip(text, confidences, strict=False))
    )


@functools.cache
def _alpr_reader(folder: Path) -> AlprReader:
    if not folder.is_dir():
        raise ReaderUnavailable(f"the ALPR model folder {folder} does not exist")
    missing = [name for name in ALPR_FILES if not (folder / name).is_file()]
    if missing:
        raise ReaderUnavailable(f"the ALPR model folder {folder} lacks {', '.join(missing)}; put the model files there (nothing is downloaded)")
    try:
        fast_alpr = importlib.import_module("fast_alpr")
        default_ocr = importlib.import_module("fast_alpr.default_ocr")
        detectors = importlib.import_module("open_image_models")
    except ImportError:
        raise ReaderUnavailable("the ALPR reader needs the fast-alpr package: pip install 'borderplates[alpr]'") from None
    detector = detectors.create_detector(folder / "detector.onnx", backend="yolo_v9", class_labels=["license_plate"], providers=["CPUExecutionProvider"])
    ocr = default_ocr.DefaultOCR(hub_ocr_model=None, device="cpu", model_path=folder / "ocr.onnx", config_path=folder / "ocr_config.yaml")
    engine = fast_alpr.ALPR(detector=detector, ocr=ocr)
    return AlprReader(engine, f"fast-alpr {importlib.metadata.version('fast-alpr')}, models from {folder}")


@functools.cache
def default_reader() -> RapidOcrReader:
    """The process's RapidOCR reader (loaded on first use)."""
    return RapidOcrReader()


def _png(image: Image.Image) -> bytes:
    out = io.BytesIO()
    image.save(out, "PNG")
    return out.getvalue()
