"""Reading plates against the shipped reference data.

The data tests itself (python-phonenumbers' examplenumberstest): every example of
every shipped format reads as that format, every counterexample is rejected by it.
"""

from __future__ import annotations

import tomllib
from collections.abc import Callable

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from borderplates import reference
from borderplates.errors import AmbiguousPlate, BorderplatesError, InvalidPlate, ValidationError
from borderplates.reference import plates
from borderplates.reference.datafiles import DATA as DATA_DIR
from borderplates.vocabulary import PlateKind

DATA = reference.load()
FORMATS = [fmt for jurisdiction in DATA.jurisdictions.values() for fmt in jurisdiction.formats]
EXAMPLES = [pytest.param(fmt, example, id=f"{fmt.id}:{example}") for fmt in FORMATS for example in fmt.examples]
COUNTEREXAMPLES = [pytest.param(fmt, text, id=f"{fmt.id}:{text}") for fmt in FORMATS for text in fmt.counterexamples]


def accepts(fmt: reference.PlateFormat, text: str) -> bool:
    """Whether one of the format's compiled patterns (and its area list) accepts ``text``."""
    normal = reference.normalise(text)
    for regex, _tokens, _separators in fmt.regexes:
        match = regex.match(normal)
        if match is not None and (not fmt.area_codes or match.group("t0") in fmt.area_codes):
            return True
    return False


def test_the_shipped_data_has_examples_and_counterexamples_to_check() -> None:
    assert len(EXAMPLES) >= 15
    assert len(COUNTEREXAMPLES) >= 15


# ------------------------------------------------------------------ examples and counterexamples


@pytest.mark.parametrize(("fmt", "example"), EXAMPLES)
def test_every_example_reads_as_its_own_format(fmt: reference.PlateFormat, example: str) -> None:
    plate = reference.parse_plate(example)
    assert plate.format_id == fmt.id
    assert plate.issuer == fmt.issuer
    assert plate.kind == fmt.kind
    assert plate.canonical == reference.normalise(example)


@pytest.mark.parametrize(("fmt", "counterexample"), COUNTEREXAMPLES)
def test_every_counterexample_is_rejected_by_its_own_format(fmt: reference.PlateFormat, counterexample: str) -> None:
    assert not accepts(fmt, counterexample)
    try:
        reading = reference.read_plate(counterexample)
    except InvalidPlate:
        return
    assert fmt.id not in {c.plate.format_id for c in reading.candidates}


# ------------------------------------------------------------------ normalisation


@pytest.mark.parametrize(
    ("typed", "normal"),
    [
        ("NP 123-AB", "NP 123-AB"),
        ("  np   123 - ab  ", "NP 123-AB"),
        ("np\t123\t-\tab", "NP 123-AB"),
        ("NP 123–AB", "NP 123-AB"),
        ("NP 123—AB", "NP 123-AB"),
        ("NP 123‐AB", "NP 123-AB"),
        ("NP\u00a0123\u2011AB", "NP 123-AB"),
        ("бг 123-аб", "BG 123-AB"),
        ("ЧА 123-АБ", "ČA 123-AB"),
        ("ђа 123-шж", "ĐA 123-ŠŽ"),
        ("", ""),
    ],
)
def test_normalise_upper_cases_collapses_spaces_and_unifies_hyphens_and_scripts(typed: str, normal: str) -> None:
    assert reference.normalise(typed) == normal


@pytest.mark.parametrize(
    ("typed", "canonical", "area"),
    [
        ("бг 123-аб", "BG 123-AB", "Beograd"),
        ("ча 123-аб", "ČA 123-AB", "Čačak"),
        ("np 123 – ab", "NP 123-AB", "Novi Pazar"),
        ("np\t123—ab", "NP 123-AB", "Novi Pazar"),
        ("Bg 123 ab", "BG 123-AB", "Beograd"),
        ("BG123AB", "BG 123-AB", "Beograd"),
        ("01 123 ab", "01-123-AB", "Prishtinë"),
    ],
)
def test_typed_variants_read_as_the_canonical_plate(typed: str, canonical: str, area: str) -> None:
    plate = reference.parse_plate(typed)
    assert plate.canonical == canonical
    assert plate.area is not None
    assert plate.area.name == area


@pytest.mark.parametrize(
    ("typed", "code", "town"),
    [
        ("CA 123-AB", "ČA", "Čačak"),
        ("SA 123-AB", "ŠA", "Šabac"),
        ("DJA 123-AB", "ĐA", "Đakovica"),
        ("DA 123-AB", "ĐA", "Đakovica"),
        ("DJ 123-AB", "ĐA", "Đakovica"),
        ("KS 123-AB", "KŠ", "Kruševac"),
    ],
)
def test_missing_diacritics_are_restored_when_only_one_area_fits(typed: str, code: str, town: str) -> None:
    reading = reference.read_plate(typed)
    plate = reading.best
    assert plate.issuer == "RS"
    assert plate.area is not None
    assert (plate.area.code, plate.area.name) == (code, town)
    assert plate.canonical == f"{code} 123-AB"
    assert any("read as" in reason for reason in reading.candidates[0].reasons)


def test_a_restored_area_ranks_below_an_area_typed_exactly() -> None:
    exact = reference.read_plate("ČA 123-AB").candidates[0]
    restored = reference.read_plate("CA 123-AB").candidates[0]
    assert exact.plate == restored.plate
    assert restored.score < exact.score


def test_ambiguous_diacritics_raise_ambiguous_plate_naming_both_areas() -> None:
    with pytest.raises(AmbiguousPlate) as caught:
        reference.parse_plate("BC 123-AB")
    assert {c.plate.area.code for c in caught.value.candidates} == {"BČ", "BĆ"}
    assert {c.plate.area.name for c in caught.value.candidates} == {"Bečej", "Bogatić"}
    assert "BČ 123-AB" in str(caught.value)
    assert "BĆ 123-AB" in str(caught.value)
    assert isinstance(caught.value, ValidationError)


def test_an_exact_area_code_wins_over_a_restored_one() -> None:
    plate = reference.parse_plate("PZ 123-AB")
    assert plate.area is not None
    assert (plate.area.code, plate.area.name) == ("PZ", "Prizren")
    candidates = reference.read_plate("PZ 123-AB").candidates
    assert "PŽ" not in {c.plate.area.code for c in candidates if c.plate.area}


# ------------------------------------------------------------------ ranking


def test_a_serbian_plate_ranks_serbia_first_and_albania_lower() -> None:
    candidates = reference.read_plate("NP 123-AB").candidates
    assert candidates[0].plate.issuer == "RS"
    assert candidates[0].plate.area.name == "Novi Pazar"
    lower = [c for c in candidates[1:] if c.plate.issuer == "AL"]
    assert lower
    assert lower[0].score < candidates[0].score
    assert reference.parse_plate("NP 123-AB").issuer == "RS"


def test_an_albanian_plate_reads_as_albanian_only() -> None:
    candidates = reference.read_plate("AA 123 AA").candidates
    assert [c.plate.issuer for c in candidates] == ["AL"]
    assert reference.parse_plate("AA 123 AA").format_id == "al.standard"


@pytest.mark.parametrize(("typed", "best", "other"), [("BT 1234 AB", "MK", "RS"), ("BT 1234-AB", "RS", "MK")])
def test_the_separators_typed_decide_between_serbia_and_north_macedonia(typed: str, best: str, other: str) -> None:
    candidates = reference.read_plate(typed).candidates
    assert candidates[0].plate.issuer == best
    assert candidates[1].plate.issuer == other
    assert candidates[0].score > candidates[1].score
    assert reference.parse_plate(typed).issuer == best


def test_a_plate_without_separators_that_fits_two_jurisdictions_equally_is_ambiguous() -> None:
    with pytest.raises(AmbiguousPlate) as caught:
        reference.parse_plate("BT1234AB")
    assert {c.plate.issuer for c in caught.value.candidates} == {"RS", "MK"}


def test_cyrillic_input_ranks_the_jurisdictions_that_write_cyrillic_up() -> None:
    latin = {c.plate.issuer: c.score for c in reference.read_plate("BG 123-AB").candidates}
    cyrillic = {c.plate.issuer: c.score for c in reference.read_plate("бг 123-аб").candidates}
    assert cyrillic["RS"] == latin["RS"] + plates.SCORE_SCRIPT
    assert cyrillic["AL"] == latin["AL"]


def test_cyrillic_input_settles_a_tie_that_latin_input_leaves_open() -> None:
    with pytest.raises(AmbiguousPlate):
        reference.parse_plate("ca 123 ab")
    plate = reference.parse_plate("ца 123 аб")
    assert (plate.issuer, plate.canonical) == ("RS", "ČA 123-AB")


def test_reading_can_be_restricted_to_some_issuers() -> None:
    assert reference.parse_plate("BT1234AB", among=("MK",)).issuer == "MK"
    with pytest.raises(InvalidPlate):
        reference.parse_plate("AA 123 AA", among=("RS", "XK"))


# ------------------------------------------------------------------ area, issuer and kind


def test_a_serbian_plate_for_a_kosovo_town_is_issued_by_serbia_for_an_area_in_kosovo() -> None:
    plate = reference.parse_plate("KM 123-AB")
    assert plate.issuer == "RS"
    assert plate.area is not None
    assert (plate.area.code, plate.area.territory, plate.area.issuer) == ("KM", "XK", "RS")
    assert plate.area.names["sq"] == "Mitrovicë"


def test_a_serbian_plate_for_a_serbian_town_has_its_area_in_serbia() -> None:
    plate = reference.parse_plate("NP 123-AB")
    assert (plate.area.territory, plate.kind) == ("RS", "standard")


def test_a_kosovo_plate_reads_with_its_district() -> None:
    plate = reference.parse_plate("01-123-AB")
    assert (plate.issuer, plate.kind, plate.format_id) == ("XK", "standard", "xk.standard")
    assert plate.area is not None
    assert (plate.area.code, plate.area.name, plate.area.territory) == ("01", "Prishtinë", "XK")


@pytest.mark.parametrize(
    ("text", "issuer", "kind"),
    [("123-KS-456", "XK", "neutral"), ("BG 123-TX", "RS", "taxi"), ("bg 1234 tx", "RS", "taxi"), ("12 CD 345", "XK", "diplomatic")],
)
def test_special_plates_read_with_their_kind(text: str, issuer: str, kind: str) -> None:
    plate = reference.parse_plate(text)
    assert (plate.issuer, plate.kind) == (issuer, kind)


def test_plates_without_an_area_have_none() -> None:
    assert reference.parse_plate("123-KS-456").area is None
    assert reference.parse_plate("AA 123 AA").area is None


def test_the_compact_form_drops_the_separators() -> None:
    assert reference.parse_plate("ČA 1234-AB").compact == "ČA1234AB"


# ------------------------------------------------------------------ errors


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("", ["empty"]),
        ("   ", ["empty"]),
        ("BG 123-AB" * 3, ["too long", "20"]),
        ("BG $123-AB", ["not on plates", "$"]),
        ("BG 12-AB", ["Beograd", "XX 999-AA", "XX 9999-AA"]),
        ("NP 12345-AB", ["Novi Pazar", "XX 999-AA"]),
        ("01-12-AB", ["Prishtinë", "XX-999-AA"]),
        ("QQ 1 Q", ["fits no plate format"]),
    ],
)
def test_errors_say_what_is_wrong(text: str, words: list[str]) -> None:
    with pytest.raises(InvalidPlate) as caught:
        reference.parse_plate(text)
    for word in words:
        assert word in str(caught.value)


@pytest.mark.parametrize("junk", [None, 5, 1.5, b"NP 123-AB", object(), ["NP 123-AB"]], ids=["None", "int", "float", "bytes", "object", "list"])
def test_input_that_is_not_text_raises_invalid_plate(junk: object) -> None:
    with pytest.raises(InvalidPlate) as caught:
        reference.parse_plate(junk)  # type: ignore[arg-type]
    assert isinstance(caught.value, ValidationError)
    assert "text" in str(caught.value)


@pytest.mark.parametrize(
    "junk",
    [None, "", "€", object(), " ", "-", "---", "A" * 100, "BC 123-AB", "BT1234AB"],
    ids=["None", "empty", "euro", "object", "space", "hyphen", "hyphens", "100-letters", "ambiguous-area", "ambiguous-issuer"],
)
def test_is_valid_is_false_for_junk_and_never_raises(junk: object) -> None:
    assert plates.is_valid(junk, DATA.jurisdictions) is False  # type: ignore[arg-type]


@pytest.mark.parametrize("text", ["NP 123-AB", "01-123-AB", "AA 123 AA", "бг 123-аб"])
def test_is_valid_is_true_for_plates(text: str) -> None:
    assert plates.is_valid(text, DATA.jurisdictions) is True


# ------------------------------------------------------------------ properties

RS = DATA.jurisdictions["RS"]
RS_LETTERS = next(f["letters"] for f in tomllib.loads((DATA_DIR / "jurisdictions" / "rs.toml").read_text(encoding="utf-8"))["formats"] if f["id"] == "standard")
# The alphabet people type plates in: both scripts, both cases, digits, diacritics, separators.
TYPED = st.text(
    alphabet=st.sampled_from("ABCČĆDĐEFGHIJKLMNOPQRSŠTUVWXYZŽabcčćdđšžxyz0123456789 -\t–—‐\u00a0абвгдђежзијклљмнњопрстћуфхцчџшАБЧЋЂЏШЖ"),
    max_size=30,
)


@given(TYPED)
def test_normalise_is_idempotent(text: str) -> None:
    once = reference.normalise(text)
    assert reference.normalise(once) == once


@settings(deadline=None)
@given(st.one_of(st.text(), TYPED))
def test_reading_any_text_returns_candidates_or_raises_a_borderplates_error(text: str) -> None:
    try:
        reading = reference.read_plate(text)
    except BorderplatesError:
        return
    assert reading.candidates
    try:
        plate = reading.best
    except AmbiguousPlate:
        return
    assert plate == reading.candidates[0].plate


@settings(deadline=None)
@given(
    area=st.sampled_from(sorted(RS.areas)),
    digits=st.from_regex(r"[0-9]{3,4}", fullmatch=True),
    letters=st.text(alphabet=RS_LETTERS, min_size=2, max_size=2),
    lower=st.booleans(),
)
def test_generated_serbian_plates_read_as_serbian_and_round_trip(area: str, digits: str, letters: str, lower: bool) -> None:
    text = f"{area} {digits}-{letters}"
    plate = reference.parse_plate(text.lower() if lower else text)
    assert plate.issuer == "RS"
    assert plate.area is not None
    assert plate.area.code == area
    assert plate.kind == ("taxi" if letters == "TX" else "standard")
    assert plate.canonical == text
    assert reference.parse_plate(plate.canonical).canonical == plate.canonical


@pytest.mark.parametrize("text", ["\u1c80", "\u0390"], ids=["cyrillic-rounded-ve", "greek-iota-dialytika-tonos"])
def test_normalise_is_idempotent_for_characters_whose_upper_case_changes_script_or_composition(text: str) -> None:
    once = reference.normalise(text)
    assert reference.normalise(once) == once


# ------------------------------------------------------------------ DJ for ĐA


def test_dj_the_data_lists_is_read_as_the_serbian_area_of_djakovica_in_kosovo() -> None:
    area = DATA.jurisdictions["RS"].areas["ĐA"]
    assert "DJ" in area.also_written
    for typed in ("DJ 123-AB", "dj 1234-ab", "DJA 123-AB", "DA 123-AB", "ĐA 123-AB", "ђа 123-аб"):
        plate = reference.parse_plate(typed)
        assert (plate.issuer, plate.area, plate.kind) == ("RS", area, PlateKind.STANDARD), typed
        assert plate.area.territory == "XK"
    reasons = reference.read_plate("DJ 123-AB").candidates[0].reasons
    assert "registration area DJ read as ĐA (Đakovica)" in reasons


# ------------------------------------------------------------------ mixed scripts


@pytest.mark.parametrize(
    ("typed", "words"),
    [
        ("NР 123-AB", ["mixes Latin letters (N, B) and Cyrillic letters (Р)", "one script"]),
        ("NP 123-AВ", ["mixes Latin letters (N, P) and Cyrillic letters (В)"]),
        ("np 123-aв", ["mixes Latin letters (N, P) and Cyrillic letters (В)"]),
        ("ВG 123-AB", ["mixes Latin letters (G, B) and Cyrillic letters (В)"]),
        ("NP 123-AБ", ["mixes Latin letters (N, P) and Cyrillic letters (Б)"]),
        ("бг 123-AB", ["mixes Latin letters (B) and Cyrillic letters (Б, Г)"]),
        ("NP 123-AΒ", ["mixes scripts", "Β is Greek", "Latin or Serbian Cyrillic"]),
        ("ΝP 123-AB", ["mixes scripts", "Ν is Greek"]),
        ("NP 123-AЅ", ["mixes scripts", "Ѕ is Cyrillic but not Serbian"]),
        ("ΑΒ 123-ΓΔ", ["not in Latin or Serbian Cyrillic letters", "Α, Β, Γ, Δ are Greek"]),
    ],
)
def test_a_plate_that_mixes_scripts_is_refused_naming_the_letters(typed: str, words: list[str]) -> None:
    for read in (reference.parse_plate, lambda text: reference.read_plate(text).best):
        with pytest.raises(InvalidPlate) as caught:
            read(typed)
        for word in words:
            assert word in str(caught.value)


@pytest.mark.parametrize(
    ("typed", "canonical", "cyrillic"),
    [
        ("KM 123-АА", "KM 123-AA", True),
        ("КМ 123-AA", "KM 123-AA", True),
        ("NP 123-АE", "NP 123-AE", False),
        ("NP 123-AЕ", "NP 123-AE", False),
        ("ТО 123-АЈ", "TO 123-AJ", True),
    ],
)
def test_letters_alike_in_both_scripts_may_be_typed_in_either(typed: str, canonical: str, cyrillic: bool) -> None:
    reading = reference.read_plate(typed)
    assert reading.best.canonical == canonical
    assert reading.best.issuer == "RS"
    assert reading.candidates[0].cyrillic is cyrillic
    assert reference.parse_plate(typed) == reading.best


def test_a_cyrillic_letter_among_latin_ones_is_never_read_as_an_albanian_plate() -> None:
    with pytest.raises(InvalidPlate, match="mixes"):
        reference.parse_plate("NР 123 AB")
    assert reference.parse_plate("NR 123 AB").issuer == "AL"


# ------------------------------------------------------------------ long input


@pytest.mark.parametrize(
    "junk",
    [
        "A" * 10_000,
        "NP 123-AB " * 1_000,
        "NР" + "x" * 10_000,
        "".join(map(chr, range(0x4E00, 0x4E00 + 10_000))),
        "ab" + "".join(map(chr, range(0x430, 0x44F))) * 300,
    ],
    ids=["letters", "plates", "mixed", "cjk", "latin-and-cyrillic"],
)
def test_errors_repeat_at_most_forty_characters_of_what_was_typed(junk: str) -> None:
    for read in (reference.parse_plate, reference.read_plate):
        with pytest.raises(InvalidPlate) as caught:
            read(junk)
        message = str(caught.value)
        assert len(message) < 200
        assert junk[:40] + "…" in message


# ------------------------------------------------------------------ the best reading alone is the best of all readings

PLATE_LIKE = st.builds(
    "{}{}{}{}{}".format,
    st.sampled_from(sorted({*RS.areas, "DJ", "DJA", "DA", "CA", "BC", "KS", "SA", "AA", "NR", "01", "07", "BT", "SK", "PG", "123"})),
    st.sampled_from(["", " ", "-", " - "]),
    st.from_regex(r"[0-9]{2,4}", fullmatch=True),
    st.sampled_from(["", " ", "-", "-KS-"]),
    st.text(alphabet="ABCČDĐKMSTXYZ0123456789", min_size=1, max_size=3),
)


# Serbian Latin to Cyrillic, for the letters that have a one-letter counterpart.
TO_CYRILLIC = str.maketrans(dict(zip("ABVGDĐEŽZIJKLMNOPRSTĆUFHCČŠ", "АБВГДЂЕЖЗИЈКЛМНОПРСТЋУФХЦЧШ", strict=True)))


def _outcome(read: Callable[[str], reference.Plate], text: str) -> object:
    """The plate read, or the error's kind and what it names."""
    try:
        return read(text)
    except AmbiguousPlate as ambiguous:
        return ("ambiguous", ambiguous.candidates)
    except InvalidPlate as invalid:
        return ("invalid", str(invalid))


@settings(deadline=None, max_examples=400)
@given(
    st.one_of(PLATE_LIKE, PLATE_LIKE.map(str.lower), PLATE_LIKE.map(lambda text: text.translate(TO_CYRILLIC)), TYPED),
    st.sampled_from([None, None, ("RS",), ("RS", "XK"), ("AL", "MK"), ()]),
)
def test_the_best_reading_built_alone_is_the_best_of_every_reading(text: str, among: tuple[str, ...] | None) -> None:
    fast = _outcome(lambda t: reference.parse_plate(t, among), text)
    full = _outcome(lambda t: reference.read_plate(t, among).best, text)
    assert fast == full
