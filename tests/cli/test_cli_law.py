"""The ``borderplates`` commands on plates and the law, as a user runs them.

Each test gets its own registry directory: ``check`` opens (and on first use
creates) the embedded registry, and tests never touch the user's own.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from tests.cli.conftest import Cli, Done

Run = Callable[..., Done]


@pytest.fixture
def run(cli: Cli) -> Run:
    """Run ``borderplates`` with a private registry directory and no data overrides."""
    return cli.run


@pytest.fixture
def run_json(cli: Cli) -> Callable[..., dict[str, Any]]:
    return cli.json


def test_check_a_serbian_plate_entering_kosovo_after_20_september_2021(run_json: Callable[..., dict[str, Any]]) -> None:
    result = run_json("check", "NP 123-AB", "--entering", "XK", "--on", "2021-09-27")
    assert result["plate"]["canonical"] == "NP 123-AB"
    assert result["plate"]["issuer"] == "RS"
    assert result["plate"]["area"] == {"code": "NP", "name": "Novi Pazar", "territory": "RS"}
    assert result["entering"] == "XK"
    assert result["leaving"] is None
    assert result["at"] == "2021-09-27T12:00:00+02:00"
    assert result["requirement"] == {"kind": "temporary_registration", "validity_days": 60, "fee": {"amount": "5.00", "currency": "EUR"}}
    assert result["rule"]["id"] == "xk_rs.rs_plates_entering_xk"
    assert result["rule"]["effective_from"] == "2021-09-20"
    assert "2021-09-20" in result["rule"]["source"]["title"]
    assert result["decision"] == "issue_temporary_registration"
    assert result["reasons"]


def test_check_at_a_moment_with_an_offset(run_json: Callable[..., dict[str, Any]]) -> None:
    before = run_json("check", "NP 123-AB", "--entering", "XK", "--at", "2021-10-04T07:59:00+02:00")
    assert (before["requirement"]["kind"], before["decision"]) == ("temporary_registration", "issue_temporary_registration")
    after = run_json("check", "np123ab", "--entering", "XK", "--at", "2021-10-04T06:00:00+00:00")
    assert (after["requirement"]["kind"], after["decision"]) == ("cover_symbols", "apply_sticker")
    assert after["rule"]["effective_from"] == "2021-10-04T08:00:00"
    assert after["at"] == "2021-10-04T06:00:00+00:00"


def test_check_leaving_kosovo(run_json: Callable[..., dict[str, Any]]) -> None:
    result = run_json("check", "NP 123-AB", "--leaving", "XK", "--on", "2021-09-27")
    assert (result["entering"], result["leaving"]) == (None, "XK")
    assert result["requirement"]["kind"] == "none"
    assert result["rule"]["id"] == "xk_rs.leaving_xk"
    assert result["decision"] == "admit"


def test_reciprocity_between_kosovo_and_serbia_in_june_2021(run_json: Callable[..., dict[str, Any]]) -> None:
    result = run_json("reciprocity", "XK", "RS", "--on", "2021-06-01")
    assert (result["a"], result["b"]) == ("XK", "RS")
    assert result["symmetric"] is False
    assert result["a_to_b"]["requirement"]["kind"] == "temporary_registration"
    assert result["b_to_a"]["requirement"]["kind"] == "none"
    assert result["asymmetric_periods"] == [
        {"from": "2011-11-01T00:00:00+01:00", "until": "2021-09-20T00:00:00+02:00"},
        {"from": "2024-01-01T00:00:00+01:00", "until": "2024-01-05T00:00:00+01:00"},
    ]


def test_plate_lists_the_best_reading_and_the_others(run_json: Callable[..., dict[str, Any]]) -> None:
    result = run_json("plate", "бг 123-аб")
    assert result["plate"]["canonical"] == "BG 123-AB"
    assert result["plate"]["issuer"] == "RS"
    assert result["ambiguous"] is False
    assert [c["issuer"] for c in result["candidates"]] == ["RS", "AL"]
    assert result["candidates"][0]["score"] > result["candidates"][1]["score"]


def test_rules_lists_every_rule_with_its_history_and_planned_versions(run_json: Callable[..., dict[str, Any]]) -> None:
    result = run_json("rules")
    rules = {rule["id"]: rule for rule in result["rules"]}
    assert "xk_rs.rs_plates_entering_xk" in rules
    assert "xk_rs.xk_plates_entering_rs" in rules
    history = rules["xk_rs.rs_plates_entering_xk"]["versions"]
    assert [v["effective_from"] for v in history] == ["2011-11-01", "2021-09-20", "2021-10-04T08:00:00", "2024-01-05"]
    planned = rules["xk_rs.xk_town_plates_re_registration"]["planned"]
    assert {v["status"] for v in planned} == {"postponed", "cancelled"}


def test_rules_entering_kosovo_for_serbian_plates_as_a_table(run: Run) -> None:
    done = run("rules", "--entering", "XK", "--issuer", "RS")
    assert done.returncode == 0, done.stderr
    assert done.stderr == ""
    assert "xk_rs.rs_plates_entering_xk" in done.stdout
    assert "xk_rs.xk_town_plates_re_registration" in done.stdout
    assert "xk_rs.xk_plates_entering_rs" not in done.stdout
    assert "xk_rs.xk_neutral_plates_in_xk" not in done.stdout
    assert "postponed" in done.stdout


def test_data_validate_reports_valid(run_json: Callable[..., dict[str, Any]]) -> None:
    result = run_json("data", "validate")
    assert result["valid"] is True
    assert result["problems"] == []
    assert result["rules"] >= 10


BAD_INPUTS = {
    "malformed plate": (["check", "BG 12", "--entering", "XK", "--on", "2022-01-01"], "BG 12"),
    "unknown jurisdiction": (["check", "NP 123-AB", "--entering", "ZZ", "--on", "2022-01-01"], "ZZ"),
    "date outside the rules": (["check", "NP 123-AB", "--entering", "XK", "--on", "2001-01-01"], "2011-11-01"),
    "--at without offset": (["check", "NP 123-AB", "--entering", "XK", "--at", "2022-01-01T10:00"], "offset"),
    "--on not a date": (["check", "NP 123-AB", "--entering", "XK", "--on", "2022-13-01"], "2022-13-01"),
    "both --on and --at": (["check", "NP 123-AB", "--entering", "XK", "--on", "2022-01-01", "--at", "2022-01-01T10:00+01:00"], "--on"),
    "neither --entering nor --leaving": (["check", "NP 123-AB", "--on", "2022-01-01", "--json"], "--entering"),
    "unknown option": (["check", "NP 123-AB", "--entering", "XK", "--colour", "red"], "--colour"),
    "missing argument": (["check", "--json"], "PLATE"),
    "ambiguous plate": (["check", "BC 123-AB", "--entering", "XK", "--on", "2022-06-01", "--json"], "ambiguous"),
    "reciprocity with itself": (["reciprocity", "XK", "xk", "--json"], "two different"),
    "unknown vehicle class": (["check", "NP 123-AB", "--entering", "XK", "--on", "2022-06-01", "--class", "spaceship"], "spaceship"),
}


@pytest.mark.parametrize(("args", "mentions"), BAD_INPUTS.values(), ids=BAD_INPUTS.keys())
def test_bad_input_prints_one_line_on_stderr_and_exits_with_2(run: Run, args: list[str], mentions: str) -> None:
    done = run(*args)
    assert done.returncode == 2
    assert done.stdout == ""
    assert "Traceback" not in done.stderr
    lines = done.stderr.splitlines()
    assert len(lines) == 1, done.stderr
    assert lines[0].startswith("borderplates: error: ")
    assert mentions in lines[0]
