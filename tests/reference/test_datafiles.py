"""Data files are validated on load, with a message naming the file and the key.

One malformed fixture per failure mode under ``tests/fixtures/bad_data/<case>/``
(OpenFisca's ``tests/core/parameter_validation``); each is a small copy of
``tests/fixtures/minimal_data`` with one thing wrong.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

from borderplates import law, reference
from borderplates.cli import main
from borderplates.errors import DataError, RuleDataError
from borderplates.law.rules import load_regimes

FIXTURES = Path(__file__).parent.parent / "fixtures"
MINIMAL = FIXTURES / "minimal_data"
BAD = FIXTURES / "bad_data"

# case, the error class, the file, words the message must contain (the offending key first)
REFERENCE_CASES = [
    ("duplicate_key", DataError, "xk.toml", ["line 5", "sign"]),
    ("malformed_issued_from", DataError, "xk.toml", ["formats.0.issued_from", "date"]),
    ("unknown_field", DataError, "xk.toml", ["formats.0.colour", "unknown field"]),
    ("missing_source", DataError, "xk.toml", ["formats.0.source", "missing"]),
    ("uncertain_source", DataError, "xk.toml", ["source.confidence", "C1"]),
    ("unknown_pattern_symbol", DataError, "xk.toml", ["formats.0.patterns", "unknown symbol", "'?'"]),
    ("crossing_point_unknown_jurisdiction", DataError, "xk_rs.toml", ["jarinje.between", "ZZ"]),
    ("unknown_plate_kind", DataError, "xk.toml", ["formats.0.kind", "limousine", "'standard'", "'taxi'"]),
    ("also_written_as_another_area", DataError, "xk.toml", ["areas.02.also_written", "01", "Prishtinë"]),
    ("jurisdiction_not_utf8", DataError, "xk.toml", ["line 10", "not UTF-8", "0xeb"]),
]
RULE_CASES = [
    ("malformed_from", "line 19", ["from"]),
    ("duplicate_version_date", "rules.rs_plates_entering_xk.versions.1.from", ["duplicate date", "2011-11-01"]),
    ("versions_out_of_order", "rules.rs_plates_entering_xk.versions.1.from", ["date order", "2010-09-20"]),
    ("unknown_issuer", "rules.rs_plates_entering_xk.when.issuer", ["unknown jurisdiction ZZ"]),
    ("unknown_area", "rules.rs_plates_entering_xk.when.area", ["XX", "registration area"]),
    ("fine_without_amount", "rules.rs_plates_entering_xk.versions.2.enforcement", ["fine", "amount"]),
    ("amount_as_number", "rules.rs_plates_entering_xk.versions.1.requirement", ["fee.amount", "as text"]),
    ("none_with_enforcement", "rules.rs_plates_entering_xk.versions.0.enforcement", ["nothing is required"]),
    ("missing_enforcement", "rules.rs_plates_entering_xk.versions.1.enforcement", ["missing"]),
    ("offset_on_from", "rules.rs_plates_entering_xk.versions.2.from", ["offset"]),
    ("starts_with_end", "rules.rs_plates_entering_xk.versions.0.requirement", ["cannot start with its end"]),
    ("unknown_requirement_kind", "rules.rs_plates_entering_xk.versions.2.requirement", ["cover_plates", "'cover_symbols'", "'end'"]),
    ("unknown_vehicle_class", "rules.rs_plates_entering_xk.when.vehicle_class", ["tractor", "'trailer'"]),
    ("unknown_territory", "rules.rs_plates_entering_xk.when.territory", ["unknown jurisdiction ZZ"]),
    ("territory_without_areas", "rules.rs_plates_entering_xk.when.territory", ["no registration area of XK lies in RS"]),
    ("from_out_of_range", "rules.rs_plates_entering_xk.versions.0.from", ["0001-01-01", "outside", "1900-01-01"]),
    ("rules_not_utf8", "line 4", ["not UTF-8", "0x9a"]),
    ("overlapping_rules", "rules.rs_plates_entering_xk.precedes", ["town_plates", "both decide", "2022-09-01", 'precedes = ["town_plates"]']),
    ("precedes_unknown_rule", "rules.town_plates.precedes", ["no rule rs_plates_entering_kosovo"]),
    ("precedes_itself", "rules.town_plates.precedes", ["cannot precede itself"]),
    ("precedence_cycle", "rules.rs_plates_entering_xk.precedes", ["circle", "rs_plates_entering_xk", "town_plates"]),
    ("precedes_a_rule_it_never_meets", "rules.town_plates.precedes", ["rs_plates_entering_xk", "never decides", "nothing to precede"]),
]


def minimal_reference() -> reference.Reference:
    return reference.load_from(MINIMAL)


def test_every_bad_data_fixture_is_checked_by_a_case() -> None:
    cases = {case for case, *_ in REFERENCE_CASES} | {case for case, *_ in RULE_CASES}
    assert {path.name for path in BAD.iterdir() if path.is_dir()} == cases


def test_the_minimal_data_the_fixtures_are_copied_from_loads() -> None:
    data = minimal_reference()
    assert set(data.jurisdictions) == {"RS", "XK"}
    assert set(data.crossing_points) == {"jarinje"}
    (regime,) = load_regimes(data, root=MINIMAL)
    assert [rule.id for rule in regime.rules] == ["xk_rs.rs_plates_entering_xk"]
    assert [version.id for version in regime.rules[0].versions] == ["2011-11-01", "2021-09-20", "2021-10-04T08:00:00", "2024-01-05"]


@pytest.mark.parametrize(("case", "error", "file", "words"), REFERENCE_CASES, ids=[c[0] for c in REFERENCE_CASES])
def test_malformed_reference_data_fails_naming_the_file_and_the_key(case: str, error: type[DataError], file: str, words: list[str]) -> None:
    with pytest.raises(error) as caught:
        reference.load_from(BAD / case)
    message = str(caught.value)
    assert file in message
    assert file in caught.value.file
    for word in words:
        assert word in message
    assert words[0] in caught.value.key


@pytest.mark.parametrize(("case", "key", "words"), RULE_CASES, ids=[c[0] for c in RULE_CASES])
def test_malformed_rule_data_fails_naming_the_file_and_the_key(case: str, key: str, words: list[str]) -> None:
    with pytest.raises(RuleDataError) as caught:
        load_regimes(minimal_reference(), root=BAD / case)
    message = str(caught.value)
    assert "xk_rs.toml" in message
    assert caught.value.file.endswith("xk_rs.toml")
    assert key in caught.value.key
    for word in words:
        assert word in message


def test_the_shipped_data_loads() -> None:
    data = reference.load()
    assert {"AL", "ME", "MK", "RS", "XK"} <= set(data.jurisdictions)
    assert "jarinje" in data.crossing_points
    the_law = law.load()
    assert len(the_law.rules) >= 10
    assert all(rule.versions for rule in the_law.rules)


def test_data_validate_reports_the_shipped_data_valid(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setattr(sys, "argv", ["borderplates", "data", "validate", "--json"])
    with pytest.raises(SystemExit) as done:
        main()
    assert done.value.code == 0
    out, err = capsys.readouterr()
    summary = json.loads(out)
    assert summary["valid"] is True
    assert summary["problems"] == []
    assert summary["jurisdictions"] == len(reference.load().jurisdictions)
    assert summary["rules"] == len(law.load().rules)
    assert err == ""
