"""``borderplates import``, ``export`` and ``demo load``, as a user runs them."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.cli.conftest import Cli, Done

Run = Callable[..., Done]


@pytest.fixture
def run(cli: Cli) -> Run:
    """``borderplates`` with a private registry directory."""
    return cli.run


def ok_json(done: Done) -> dict[str, object]:
    assert done.returncode == 0, done.stderr
    assert done.stderr == ""
    [line] = done.stdout.splitlines()
    payload = json.loads(line)
    assert isinstance(payload, dict)
    return payload


def test_demo_load_if_empty_loads_once_and_then_does_nothing(run: Run) -> None:
    first = ok_json(run("demo", "load", "--if-empty", "--json"))
    assert (first["loaded"], first["registrations"], first["first_24h"]) == (True, 10_110, 1_455)
    second = ok_json(run("demo", "load", "--if-empty", "--json"))
    assert second["loaded"] is False
    again = run("demo", "load")
    assert again.returncode == 2
    assert again.stderr.splitlines() == ["borderplates: error: the registry is not empty; the demo week loads only into an empty registry"]


def test_export_crossings_writes_csv_that_imports_into_another_registry(run: Run, cli_in: Callable[..., Cli], tmp_path: Path) -> None:
    summary = ok_json(run("demo", "load", "--json"))
    everything = run("export", "crossings")
    assert everything.returncode == 0, everything.stderr
    rows = list(csv.DictReader(io.StringIO(everything.stdout)))
    assert len(rows) == summary["crossings"]
    jarinje = run("export", "crossings", "--point", "jarinje", "--from", "2021-09-20", "--until", "2021-09-26")
    assert len(jarinje.stdout.splitlines()) == 1 + 13
    day = list(csv.DictReader(io.StringIO(run("export", "crossings", "--from", "2021-09-21", "--until", "2021-09-21").stdout)))
    assert day and all(r["at"].startswith("2021-09-21T") for r in day)
    file = tmp_path / "week.csv"
    written = run("export", "crossings", "--output", str(file))
    assert written.returncode == 0, written.stderr
    assert file.read_text(encoding="utf-8") == everything.stdout
    imported = ok_json(cli_in("elsewhere").run("import", "crossings", str(file), "--json"))
    assert imported["imported"] == summary["crossings"]


def test_export_registrations_filters_by_status(run: Run) -> None:
    run("demo", "load")
    active = run("export", "registrations", "--status", "active")
    assert active.returncode == 0, active.stderr
    assert len(active.stdout.splitlines()) == 1 + 10_110
    bad = run("export", "registrations", "--status", "lost")
    assert bad.returncode == 2
    assert bad.stderr.startswith("borderplates: error: unknown status 'lost'")


def test_importing_a_file_with_bad_rows_fails_with_one_line_naming_them_and_imports_nothing(run: Run, tmp_path: Path) -> None:
    file = tmp_path / "bad.csv"
    file.write_text(
        "plate,point,direction,jurisdiction,at,mode,lane,decision,officer,request_key\n"
        "NP 123-AB,merdare,entry,XK,2021-09-20T10:00:00+02:00,passenger,,admit,o1,\n"
        "NP 123-AB,merdare,entry,XK,yesterday,passenger,,admit,o1,\n"
        "NP 123-AB,atlantis,entry,XK,2021-09-20T10:00:00+02:00,passenger,,admit,o1,\n",
        encoding="utf-8",
    )
    done = run("import", "crossings", str(file), "--json")
    assert done.returncode == 2
    assert done.stdout == ""
    lines = done.stderr.splitlines()
    assert len(lines) == 1
    assert lines[0].startswith("borderplates: error: 2 bad rows: line 3: at 'yesterday' is not an ISO 8601 date-time; line 4: unknown crossing point")
    assert ok_json(run("demo", "load", "--json"))["loaded"] is True  # the registry stayed empty


def test_importing_a_file_that_does_not_exist_fails_with_one_line(run: Run, tmp_path: Path) -> None:
    done = run("import", "crossings", str(tmp_path / "missing.csv"))
    assert done.returncode == 2
    assert len(done.stderr.splitlines()) == 1
    assert "cannot read" in done.stderr
