"""``borderplates simulate`` in-process: JSON for a single queue and for scenarios, and one line with exit code 2 for bad input."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

import borderplates.cli.commands  # noqa: F401  (registers the commands)
from borderplates.cli import app, main

runner = CliRunner()


@pytest.fixture(autouse=True)
def registry(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    """A private embedded registry: scenarios run on the crossings it recorded, when it recorded some."""
    folder = tmp_path / "registry"
    monkeypatch.setenv("BORDERPLATES_DATA_DIR", str(folder))
    monkeypatch.setenv("BORDERPLATES_USER", "planner")
    return folder


def run_json(*args: str) -> dict[str, Any]:
    result = runner.invoke(app, ["simulate", *args, "--json"])
    assert result.exit_code == 0, result.output
    payload = json.loads(result.stdout)
    assert isinstance(payload, dict)
    return payload


def run_main(monkeypatch: pytest.MonkeyPatch, *args: str) -> tuple[int, str, str]:
    """Run the real entry point, which maps the project's errors to one line and exit code 2."""
    monkeypatch.setattr(sys, "argv", ["borderplates", "simulate", *args])
    with runner.isolation() as (out, err, _):
        try:
            main()
        except SystemExit as done:
            code = int(done.code or 0)
        else:
            code = 0
        sys.stdout.flush()
        sys.stderr.flush()
        return code, out.getvalue().decode(), err.getvalue().decode()


def test_a_single_queue_prints_the_simulation_beside_erlang_c() -> None:
    shown = run_json("--lanes", "4", "--arrivals-per-hour", "100", "--service-minutes", "2", "--distribution", "exponential", "--hours", "100", "--seed", "5")
    assert {"mean_wait_minutes", "p95_wait_minutes", "max_queue", "utilisation", "erlang_c"} <= shown.keys()
    assert shown["stable"] is True
    assert shown["erlang_c"]["probability_of_wait"] == pytest.approx(0.6577, abs=1e-4)
    assert shown["erlang_c"]["mean_wait_minutes"] == pytest.approx(1.973, abs=1e-3)
    assert 1.0 < shown["mean_wait_minutes"] < 3.0
    assert shown["p95_wait_minutes"] > shown["mean_wait_minutes"]
    assert shown["max_queue"] > 0
    assert shown["utilisation"] == pytest.approx(0.833333)


def test_a_single_queue_at_full_utilisation_is_reported_unstable() -> None:
    shown = run_json("--lanes", "2", "--arrivals-per-hour", "60", "--service-minutes", "2", "--hours", "10")
    assert shown["stable"] is False
    assert shown["erlang_c"] is None
    assert "grows without bound" in shown["unstable_reason"]


def test_the_same_seed_prints_the_same_figures() -> None:
    args = ("--lanes", "2", "--arrivals-per-hour", "40", "--service-minutes", "2.5", "--distribution", "gamma", "--cv", "0.5", "--hours", "30", "--seed", "9")
    first, again = run_json(*args), run_json(*args)
    assert first == again
    assert first["approximation"]["method"] == "Allen–Cunneen"


def test_scenarios_compare_in_one_plot_and_json(tmp_path: Path) -> None:
    out = tmp_path / "merdare.png"
    shown = run_json("--scenario", "temporary-plates", "--scenario", "stickers", "--scenario", "law", "--on", "2022-06-01", "--out", str(out))
    assert out.read_bytes().startswith(b"\x89PNG")
    assert shown["plot"] == str(out)
    assert shown["point"] == "merdare"
    names = {s["name"]: s for s in shown["scenarios"]}
    assert names.keys() == {"temporary-plates", "stickers", "law"}
    assert names["law"]["title"] == "the law on 2022-06-01"
    assert names["law"]["overall"] == names["stickers"]["overall"]
    assert names["temporary-plates"]["overall"]["mean_wait_minutes"] > names["stickers"]["overall"]["mean_wait_minutes"]


def test_scenarios_run_on_the_crossings_the_registry_recorded_and_on_the_demo_week_without_them() -> None:
    assert run_json("--scenario", "stickers")["volumes"]["source"] == "the demo week of 20–26 Sep 2021 (generated traffic)"
    for plate, hour in (("01-101-AA", "08"), ("01-102-AA", "09"), ("01-103-AA", "09")):
        done = runner.invoke(app, ["cross", plate, "--point", "merdare", "--entering", "XK", "--at", f"2021-09-22T{hour}:30:00+02:00"])
        assert done.exit_code == 0, done.output
    recorded = run_json("--scenario", "stickers")["volumes"]
    assert (recorded["source"], recorded["records"], recorded["from"], recorded["until"]) == ("recorded crossings", 3, "2021-09-22", "2021-09-22")
    [stream] = recorded["streams"]
    assert (stream["origin"], stream["towards"], stream["profile"][8], stream["profile"][9]) == ("XK", "XK", 1.0, 2.0)
    assert run_json("--scenario", "stickers", "--traffic", "demo")["volumes"]["records"] > 1000


def test_all_scenarios_without_a_date_leave_the_law_out() -> None:
    shown = run_json("--scenario", "all", "--point", "mutivode")
    assert [s["name"] for s in shown["scenarios"]] == ["temporary-plates", "stickers", "none", "one-side"]
    assert shown["plot"] is None


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("--lanes", "-1", "--arrivals-per-hour", "10", "--service-minutes", "2", "--hours", "5"), "lanes must be a whole number"),
        (("--lanes", "2", "--arrivals-per-hour", "10", "--service-minutes", "2", "--hours", "0"), "the horizon must be more than 0"),
        (("--lanes", "2", "--arrivals-per-hour", "50000", "--service-minutes", "2", "--hours", "8000"), "the limit is 1,000,000"),
        (("--lanes", "2", "--arrivals-per-hour", "10", "--service-minutes", "2", "--hours", "5", "--distribution", "weibull"), "unknown distribution"),
        (("--lanes", "2", "--arrivals-per-hour", "10"), "missing --service-minutes, --hours"),
        (("--scenario", "fast-lane"), "unknown scenario 'fast-lane'"),
        (("--scenario", "law"), "needs a date"),
        (("--scenario", "none", "--out", "/nonexistent/folder/plot.png"), "does not exist"),
        (("--scenario", "none", "--out", "plot.svg"), "name the file *.png"),
        (("--scenario", "none", "--days", "0"), "days must be"),
        (("--scenario", "none", "--blocked", "soon"), "not a span of hours"),
        (("--scenario", "none", "--hours", "5"), "describe a single queue"),
        (("--scenario", "none", "--service", "admit=gamma:-1:0.5"), "mean service time must be more than 0"),
        (("--scenario", "none", "--traffic", "recorded"), "no crossings recorded at Merdar"),
        (("--scenario", "none", "--traffic", "guessed"), "unknown traffic 'guessed'"),
        (("--scenario", "none", "--from", "2021-09-23", "--until", "2021-09-22"), "comes before the first"),
        (("--scenario", "none", "--until", "9999-12-31"), "outside the years"),
        (("--lanes", "2", "--arrivals-per-hour", "1", "--service-minutes", "1", "--hours", "1", "--from", "2021-09-22"), "--from is for --scenario only"),
    ],
)
def test_bad_input_is_one_line_and_exit_code_2(monkeypatch: pytest.MonkeyPatch, args: tuple[str, ...], message: str) -> None:
    code, out, err = run_main(monkeypatch, *args)
    assert code == 2
    assert out == ""
    assert err.count("\n") == 1
    assert err.startswith("borderplates: error: ")
    assert message in err


def test_an_unwritable_plot_path_is_refused_before_the_run(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    folder = tmp_path / "plot.png"
    folder.mkdir()
    code, _, err = run_main(monkeypatch, "--scenario", "none", "--out", str(folder))
    assert code == 2
    assert "cannot write there" in err
