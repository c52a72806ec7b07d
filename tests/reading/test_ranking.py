"""Assembling and ranking plates from raw text detections, without any OCR engine."""

from __future__ import annotations

from borderplates.reading import CharDetection, TextDetection, needs_confirmation, rank
from borderplates.reading.model import Box
from borderplates.reading.ranking import CONFIRM_BELOW


def run(text: str, left: int, top: int = 20, height: int = 70, confidence: float = 0.99, width: int | None = None) -> TextDetection:
    """A text run as an OCR engine returns it, characters spread evenly."""
    return TextDetection(text, confidence, Box(left, top, left + (width or 40 * len(text)), top + height))


def chars(
    text: str, left: int, confidences: list[float], top: int = 20, height: int = 70, width: int = 40, gaps: dict[int, int] | None = None
) -> TextDetection:
    """A text run with per-character boxes and confidences; ``gaps`` adds pixels before the character at an index."""
    found = []
    x = left
    for i, (ch, confidence) in enumerate(zip(text.replace(" ", ""), confidences, strict=True)):
        x += (gaps or {}).get(i, 0)
        found.append(CharDetection(ch, confidence, Box(x, top, x + width, top + height)))
        x += width
    return TextDetection(text, min(confidences), Box(left, top, x, top + height), tuple(found))


def best(detections: list[TextDetection]) -> tuple[str, str] | None:
    found = rank(detections)
    return (found[0].canonical, found[0].issuer) if found else None


def test_the_text_runs_of_a_serbian_plate_are_put_in_order_and_the_band_sign_set_aside() -> None:
    detections = [run("123-AB", 200), run("SRB", 5, top=70, height=20, width=40), run("NP", 80)]
    found = rank(detections)
    assert (found[0].canonical, found[0].issuer) == ("NP 123-AB", "RS")
    assert not needs_confirmation(found)
    assert "the band reads SRB" in found[0].reasons


def test_the_cyrillic_area_code_under_the_coat_of_arms_does_not_disturb_the_read() -> None:
    detections = [run("NP", 80), run("НП", 170, top=65, height=22, width=30), run("123-AB", 220), run("SRB", 5, top=70, height=20, width=40)]
    assert best(detections) == ("NP 123-AB", "RS")


def test_a_plate_read_in_cyrillic_is_transliterated() -> None:
    assert best([run("НП", 80), run("123-АБ", 200)]) == ("NP 123-AB", "RS")


def test_the_coat_of_arms_read_as_a_character_after_the_area_code_is_dropped() -> None:
    detection = chars("PG0AB 123", 80, [0.99, 0.99, 0.95, 0.99, 0.99, 0.99, 0.99, 0.99], gaps={5: 30})
    found = rank([detection, run("MNE", 5, top=70, height=20, width=40)])
    assert (found[0].canonical, found[0].issuer) == ("PG AB 123", "ME")
    assert any("coat of arms" in reason for reason in found[0].reasons)


def test_a_coat_of_arms_read_as_0_before_three_digits_leaves_a_person_to_choose_between_three_and_four_digits() -> None:
    found = rank([chars("NP0123-AB", 80, [0.99, 0.99, 0.95, 0.99, 0.99, 0.99, 0.99, 0.99, 0.99])])
    assert {c.canonical for c in found[:2]} == {"NP 123-AB", "NP 0123-AB"}
    assert needs_confirmation(found)


def test_a_character_over_the_cyrillic_area_code_is_the_coat_of_arms() -> None:
    detection = chars("NP0123-AB", 80, [0.99, 0.99, 0.95, 0.99, 0.99, 0.99, 0.99, 0.99, 0.99])
    found = rank([detection, run("НП", 165, top=70, height=20, width=30)])
    assert found[0].canonical == "NP 123-AB"
    assert not needs_confirmation(found)
    assert any("over the Cyrillic area code" in reason for reason in found[0].reasons)


def test_a_digit_after_a_wide_gap_is_not_taken_for_the_coat_of_arms() -> None:
    # "BG [coat of arms] 1234-AB" where the coat of arms was not read: the 1 is a digit.
    detection = chars("BG1234-AB", 80, [0.99] * 9, gaps={2: 120})
    found = rank([detection])
    assert found[0].canonical == "BG 1234-AB"
    assert all(c.canonical != "BG 234-AB" for c in found)


def test_a_doubtful_character_dropped_does_not_outrank_keeping_it() -> None:
    detection = chars("VA2701-TX", 80, [0.99, 0.99, 0.55, 0.99, 0.99, 0.99, 0.99, 0.99, 0.99], gaps={2: 120})
    found = rank([detection])
    assert found[0].canonical == "VA 2701-TX"
    assert needs_confirmation(found)


def test_the_band_sign_decides_between_two_jurisdictions_that_share_an_area_code() -> None:
    text_only = [run("BT 1234 AB", 80)]
    assert {c.issuer for c in rank(text_only)} >= {"MK", "RS"}
    with_sign = [*text_only, run("NMK", 5, top=70, height=20, width=40)]
    found = rank(with_sign)
    assert (found[0].issuer, found[0].canonical) == ("MK", "BT 1234 AB")
    assert found[1].confidence < found[0].confidence - 0.2


def test_a_plate_that_fits_two_jurisdictions_without_evidence_needs_confirmation() -> None:
    found = rank([run("KO 6033 MX", 80)])
    assert {c.issuer for c in found[:2]} == {"MK", "RS"}
    assert needs_confirmation(found)


def test_o_and_0_are_told_apart_by_the_plate_format() -> None:
    assert best([run("O1-152-XZ", 80)]) == ("01-152-XZ", "XK")
    assert best([run("123-K5-456", 80, confidence=0.7)]) == ("123-KS-456", "XK")


def test_other_text_in_a_street_scene_is_ignored() -> None:
    scene = [run("APOTEKA", 700, top=40, height=40), run("STOP", 40, top=300, height=40), run("01-152-XZ", 400, top=600, height=40, width=220)]
    assert best(scene) == ("01-152-XZ", "XK")


def test_text_that_is_no_plate_gives_no_candidate() -> None:
    assert rank([run("PEKARA", 40), run("OTVORENO 0-24", 40, top=200)]) == ()
    assert rank([]) == ()


def test_a_plate_of_an_unknown_format_gives_no_candidate() -> None:
    assert rank([run("B-MW 1234", 80)]) == ()
    assert rank([run("AB12 CDE", 80)]) == ()


def test_two_plates_in_one_image_need_a_person_to_choose() -> None:
    found = rank([run("NP 123-AB", 40, top=500, width=240), run("01-152-XZ", 800, top=520, width=240)])
    assert {c.canonical for c in found[:2]} == {"NP 123-AB", "01-152-XZ"}
    assert needs_confirmation(found)


def test_a_read_of_low_confidence_needs_confirmation() -> None:
    found = rank([run("NP 123-AB", 80, confidence=0.6)])
    assert found[0].canonical == "NP 123-AB"
    assert found[0].confidence < CONFIRM_BELOW
    assert needs_confirmation(found)


def test_candidates_are_best_first_and_confidences_lie_between_0_and_1() -> None:
    found = rank([chars("NP 123-A8", 80, [0.99, 0.99, 0.99, 0.99, 0.99, 0.99, 0.99, 0.6])])
    assert found
    assert [c.confidence for c in found] == sorted((c.confidence for c in found), reverse=True)
    assert all(0.0 <= c.confidence <= 1.0 for c in found)
    assert found[0].canonical == "NP 123-AB"
    assert needs_confirmation(found)


def test_a_d_read_without_full_confidence_may_be_a_serbian_dj_and_a_person_chooses() -> None:
    found = rank([chars("UE 926-DA", 80, [0.99, 0.99, 0.99, 0.99, 0.99, 0.99, 0.89, 0.99], gaps={2: 30})])
    assert {c.canonical for c in found[:2]} == {"UE 926-DA", "UE 926-ĐA"}
    assert needs_confirmation(found)
    sure = rank([chars("UE 926-DA", 80, [0.99, 0.99, 0.99, 0.99, 0.99, 0.99, 0.999, 0.99], gaps={2: 30})])
    assert sure[0].canonical == "UE 926-DA"
    assert not needs_confirmation(sure)


def test_no_candidates_means_nothing_to_confirm() -> None:
    assert not needs_confirmation(())
