"""The readers behind the PlateReader interface: RapidOCR, Tesseract and ALPR models; none downloads anything."""

from __future__ import annotations

import stat
import sys
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
from PIL import Image

from borderplates.errors import ReaderUnavailable
from borderplates.reading import AlprReader, PlateReader, RapidOcrReader, TesseractReader, default_reader, read_image
from borderplates.reading.readers import ALPR_FILES
from tests.reading.synth import make_sample

FAKE_TSV = (
    "level\tpage_num\tblock_num\tpar_num\tline_num\tword_num\tleft\ttop\twidth\theight\tconf\ttext\n"
    "1\t1\t0\t0\t0\t0\t0\t0\t700\t150\t-1\t\n"
    "5\t1\t1\t1\t1\t1\t120\t30\t120\t90\t96.5\tNP\n"
    "5\t1\t1\t1\t1\t2\t280\t30\t360\t90\t93.0\t123-AB\n"
)


def fake_tesseract(folder: Path, body: str) -> Path:
    """An executable named ``tesseract`` in ``folder`` that runs the shell ``body``."""
    script = folder / "tesseract"
    script.write_text(f"#!/bin/sh\nif [ \"$1\" = --version ]; then echo 'tesseract 5.3.0'; exit 0; fi\ncat >/dev/null\n{body}\n", encoding="utf-8")
    script.chmod(script.stat().st_mode | stat.S_IEXEC)
    return script


def test_the_rapidocr_engine_is_loaded_once_per_process() -> None:
    reader = default_reader()
    assert reader is default_reader()
    assert RapidOcrReader()._engine is reader._engine
    assert isinstance(reader, PlateReader)
    assert reader.name == "rapidocr"
    assert reader.version.startswith("3.")


def test_rapidocr_returns_text_runs_with_a_box_and_a_confidence_per_character() -> None:
    sample = make_sample(11, "xk.standard")
    detections = default_reader().read(sample.image)
    plate = next(d for d in detections if d.text.replace("-", "") == sample.text.replace("-", ""))
    assert 0.0 < plate.confidence <= 1.0
    assert "".join(c.char for c in plate.chars) == plate.text
    assert all(0 <= c.box.left < c.box.right <= sample.image.width for c in plate.chars)
    assert [c.box.left for c in plate.chars] == sorted(c.box.left for c in plate.chars)


def test_tesseract_without_its_program_is_a_clear_error(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))
    with pytest.raises(ReaderUnavailable, match="apt-get install tesseract-ocr"):
        TesseractReader()


def test_tesseract_words_become_a_plate(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    fake_tesseract(tmp_path, f"printf '{FAKE_TSV}'")
    monkeypatch.setenv("PATH", str(tmp_path))
    reader = TesseractReader()
    assert (reader.name, reader.version) == ("tesseract", "5.3.0")
    read = read_image(make_sample(2, "rs.standard", text="NP 123-AB").encoded(), reader)
    assert read.plate == "NP 123-AB"
    assert read.reader_name == "tesseract"
    assert [d.text for d in read.detections] == ["NP", "123-AB"]
    assert read.detections[0].confidence == pytest.approx(0.965)


def test_small_crops_are_scaled_up_for_tesseract_and_its_boxes_scaled_back(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    fake_tesseract(tmp_path, f"printf '{FAKE_TSV}'")
    monkeypatch.setenv("PATH", str(tmp_path))
    detections = TesseractReader().read(Image.new("RGB", (350, 50), "white"))
    assert detections[0].box.as_json() == [60, 15, 120, 60]


def test_a_failing_tesseract_is_a_clear_error(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    fake_tesseract(tmp_path, "echo 'Error: no language data' >&2; exit 1")
    monkeypatch.setenv("PATH", str(tmp_path))
    with pytest.raises(ReaderUnavailable, match="Tesseract failed: Error: no language data"):
        TesseractReader().read(Image.new("RGB", (350, 80), "white"))


def test_the_alpr_reader_needs_its_model_folder(tmp_path: Path) -> None:
    with pytest.raises(ReaderUnavailable, match="does not exist"):
        AlprReader.from_folder(tmp_path / "nowhere")


def test_the_alpr_reader_names_the_model_files_that_are_missing(tmp_path: Path) -> None:
    (tmp_path / "detector.onnx").write_bytes(b"model")
    with pytest.raises(ReaderUnavailable, match=r"lacks ocr\.onnx, ocr_config\.yaml; put the model files there \(nothing is downloaded\)"):
        AlprReader.from_folder(tmp_path)


def test_the_alpr_reader_names_the_package_it_needs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ALPR_FILES:
        (tmp_path / name).write_bytes(b"model")
    monkeypatch.setitem(sys.modules, "fast_alpr", None)
    with pytest.raises(ReaderUnavailable, match=r"pip install 'borderplates\[alpr\]'"):
        AlprReader.from_folder(tmp_path)


class FakeAlpr:
    """What fast-alpr's ALPR.predict returns, for one plate."""

    def __init__(self, text: str, confidences: list[float]) -> None:
        self.result = SimpleNamespace(
            detection=SimpleNamespace(bounding_box=SimpleNamespace(x1=40, y1=30, x2=400, y2=110), confidence=0.9),
            ocr=SimpleNamespace(text=text, confidence=confidences),
        )

    def predict(self, frame: Any) -> list[Any]:
        assert frame.ndim == 3
        return [self.result]


def test_an_alpr_model_reading_goes_through_the_same_validation_and_ranking() -> None:
    reader = AlprReader(FakeAlpr("NP123AB__", [0.99] * 7 + [0.2, 0.2]), "test models")
    read = read_image(make_sample(2, "rs.standard").encoded(), reader)
    assert (read.plate, read.best.issuer if read.best else None) == ("NP 123-AB", "RS")
    assert read.best is not None and read.best.box.as_json() == [40, 30, 400, 110]
    assert (read.reader_name, read.reader_version) == ("alpr", "test models")


def test_an_alpr_reading_with_a_doubtful_character_needs_confirmation() -> None:
    reader = AlprReader(FakeAlpr("NP123A8", [0.99] * 6 + [0.45]), "test models")
    read = read_image(make_sample(2, "rs.standard").encoded(), reader)
    assert read.plate == "NP 123-AB"
    assert read.needs_confirmation


class BrokenReader:
    name = "broken"
    version = "1"

    def read(self, image: Image.Image) -> list[Any]:
        raise RuntimeError("onnxruntime: bad allocation")


def test_a_reader_failing_on_an_image_is_a_clear_error_not_a_crash() -> None:
    with pytest.raises(ReaderUnavailable, match="the broken reader failed on this image: RuntimeError: onnxruntime: bad allocation"):
        read_image(make_sample(2, "rs.standard").encoded(), BrokenReader())
