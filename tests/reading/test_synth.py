"""The synthetic plate generator: valid plates of every shipped format, deterministic per seed."""

from __future__ import annotations

import random

import pytest

from borderplates import reference
from tests.reading.synth import DISTORTIONS, FORMATS, SCENE_DISTORTIONS, fixed_sample, make_sample, plate_text


def test_the_generator_covers_every_shipped_plate_format() -> None:
    assert set(FORMATS) == set(reference.load().formats)


@pytest.mark.parametrize("format_id", FORMATS)
def test_generated_plate_texts_are_valid_plates_of_their_format(format_id: str) -> None:
    rng = random.Random(format_id)
    for _ in range(30):
        text = plate_text(format_id, rng)
        readings = reference.read_plate(text).candidates
        assert any(c.plate.format_id == format_id and c.plate.canonical == text for c in readings), text


def test_the_same_seed_draws_the_same_image() -> None:
    first = make_sample(5, "me.standard", "perspective")
    again = make_sample(5, "me.standard", "perspective")
    assert (first.text, first.encoded()) == (again.text, again.encoded())
    assert make_sample(6, "me.standard", "perspective").encoded() != first.encoded()


@pytest.mark.parametrize("distortion", [d for d in DISTORTIONS if d != "clean"])
def test_every_distortion_changes_the_clean_plate(distortion: str) -> None:
    sample = make_sample(8, "al.standard", distortion)
    clean = make_sample(8, "al.standard", "clean")
    assert sample.text == clean.text
    assert (sample.image.size, sample.image.tobytes()) != (clean.image.size, clean.image.tobytes())


def test_a_street_scene_holds_the_plate_inside_the_picture() -> None:
    for distortion in SCENE_DISTORTIONS:
        sample = make_sample(12, "xk.standard", distortion, scene=True)
        left, top, right, bottom = sample.box
        assert 0 <= left < right <= sample.image.width
        assert 0 <= top < bottom <= sample.image.height
        assert sample.image.width >= 1000
        assert (right - left) * 3 < sample.image.width


def test_the_fixed_sample_mixes_formats_distortions_and_scenes() -> None:
    samples = fixed_sample(24)
    assert {s.format_id for s in samples} == set(FORMATS)
    assert len({s.distortions[0] for s in samples}) >= 6
    assert sum(s.scene for s in samples) == 6
