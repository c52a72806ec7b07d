"""Every command, every option, generated junk: one JSON object and exit 0, or one line on stderr, exit 2 and nothing changed.

Hypothesis drives the command line (in this process) with values people really
type by mistake and values an adversary would try: empty text, control characters
and NUL bytes, text that looks like markup, bytes that are not UTF-8, ten thousand
characters, moments at the edges of the calendar and offsets no place uses, numbers
too large for anything. Whatever comes, the command answers or refuses in one line,
and a refusal leaves the registry exactly as it was.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from tests.cli.conftest import Cli, base_env

JUNK = st.sampled_from(
    [
        "",
        "   ",
        "\x00",
        "a\x00b",
        "line\nbreak",
        "[/b]",
        "[bold red]x[/]",
        "<script>alert(1)</script>",
        "\udcff\udcfe",
        "x" * 10_000,
        "💥",
        "-1",
        "0",
        "99999999999999999999",
        "9999-12-31T23:59:59-05:00",
        "0001-01-01T00:00:00+02:00",
        "2021-09-27T10:00:00+23:59",
        "2021-09-27T10:00:00+02:00:30",
        "9999-12-31",
        "0001-01-01",
        "NaN",
        "null",
        "centre:",
        "centre:" + "x" * 200,
    ]
) | st.text(max_size=24)

PLATES = st.sampled_from(["NP 123-AB", "np123ab", "бг 123-аб", "01-123-AB", "KM 456-XY", "123-KS-456", "NР 123-AB", "AA 123 AA", "BC 123-AB"])
JURISDICTIONS = st.sampled_from(["XK", "XK", "RS", "xk", "AL", "ZZ"])
POINTS = st.sampled_from(["jarinje", "merdare", "JARINJE", "brnjak", "centre:Prishtinë", "atlantis"])
MOMENTS = st.sampled_from(["2021-09-27T10:00:00+02:00", "2021-10-05T09:00:00+02:00", "2024-02-01T12:00:00+01:00", "2021-09-27T10:00:00"])
DATES = st.sampled_from(["2021-09-27", "2022-06-01", "2023-02-01", "2021-02-30"])
NAMES = st.sampled_from(["clerk-7", "officer 12", "Ana Đurić", "[/b]"])
CLASSES = st.sampled_from(["car", "truck", "bus", "spaceship"])
STATUSES = st.sampled_from(["active", "expired", "cancelled", "returned", "lost"])
NUMBERS = st.sampled_from(["K7QM-4TXR-M", "k7qm4txrm", "23456789"])  # replaced by real numbers below, junk besides
MODES = st.sampled_from(["passenger", "cargo", "bus", "pedestrian", "boat"])
DIRECTIONS = st.sampled_from(["entry", "exit"])
SMALL = st.sampled_from(["1", "2", "10", "0", "-3", "1e9", "100000"])
OUTPUTS = st.sampled_from(["out.csv", "sub/out.csv", "/dev/full", "/nonexistent/dir/out.csv", ""])


def value(good: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
    """Mostly a sensible value, so that many calls get far; junk a fifth of the time."""
    return st.one_of(good, good, good, good, JUNK)


#: The options a command cannot do without: always given (their value may still be junk).
REQUIRED = {
    ("check",): ("--entering",),
    ("issue",): ("--point", "--entering"),
    ("cross",): ("--point", "--entering"),
    ("sticker",): ("--point", "--entering"),
    ("warning",): ("--point", "--entering"),
    ("fine",): ("--point", "--entering"),
    ("registrations", "renew"): ("--point",),
    ("registrations", "cancel"): ("--reason",),
    ("registrations", "return"): ("--point",),
    ("status", "set"): ("--entering", "--mode", "--status", "--reason"),
    ("queue", "observe"): ("--entering", "--mode", "--lanes"),
}


#: command words -> (positional arguments, options); each a strategy of text.
COMMANDS: dict[tuple[str, ...], tuple[list[st.SearchStrategy[str]], dict[str, st.SearchStrategy[str]]]] = {
    ("plate",): ([value(PLATES)], {}),
    ("check",): (
        [value(PLATES)],
        {
            "--entering": value(JURISDICTIONS),
            "--leaving": value(JURISDICTIONS),
            "--on": value(DATES),
            "--at": value(MOMENTS),
            "--point": value(POINTS),
            "--class": value(CLASSES),
            "--resident": value(JURISDICTIONS),
            "--registered-on": value(DATES),
        },
    ),
    ("rules",): ([], {"--entering": value(JURISDICTIONS), "--leaving": value(JURISDICTIONS), "--issuer": value(JURISDICTIONS)}),
    ("reciprocity",): ([value(JURISDICTIONS), value(JURISDICTIONS)], {"--on": value(DATES), "--at": value(MOMENTS)}),
    ("issue",): (
        [value(PLATES)],
        {
            "--point": value(POINTS),
            "--entering": value(JURISDICTIONS),
            "--at": value(MOMENTS),
            "--on": value(DATES),
            "--clerk": value(NAMES),
            "--request-key": value(NAMES),
            "--vin": value(st.sampled_from(["WVWZZZ1JZXW000001", "WVWZZZ1JZXW00000"])),
            "--class": value(CLASSES),
            "--resident": value(JURISDICTIONS),
            "--registered-on": value(DATES),
        },
    ),
    ("cross",): (
        [value(PLATES)],
        {
            "--point": value(POINTS),
            "--entering": value(JURISDICTIONS),
            "--leaving": value(JURISDICTIONS),
            "--at": value(MOMENTS),
            "--mode": value(MODES),
            "--lane": value(NAMES),
            "--officer": value(NAMES),
            "--request-key": value(NAMES),
            "--class": value(CLASSES),
        },
    ),
    **{
        (kind,): (
            [value(PLATES)],
            {"--point": value(POINTS), "--entering": value(JURISDICTIONS), "--at": value(MOMENTS), "--officer": value(NAMES), "--request-key": value(NAMES)},
        )
        for kind in ("sticker", "warning", "fine")
    },
    ("expire",): ([], {"--at": value(MOMENTS)}),
    ("registrations", "list"): (
        [],
        {"--plate": value(PLATES), "--status": value(STATUSES), "--point": value(POINTS), "--limit": value(SMALL), "--cursor": value(NAMES)},
    ),
    ("registrations", "show"): ([value(NUMBERS)], {}),
    ("registrations", "renew"): ([value(NUMBERS)], {"--point": value(POINTS), "--at": value(MOMENTS), "--clerk": value(NAMES)}),
    ("registrations", "cancel"): ([value(NUMBERS)], {"--reason": value(NAMES), "--at": value(MOMENTS), "--clerk": value(NAMES)}),
    ("registrations", "return"): ([value(NUMBERS)], {"--point": value(POINTS), "--at": value(MOMENTS), "--officer": value(NAMES)}),
    ("export", "crossings"): ([], {"--from": value(DATES), "--until": value(DATES), "--point": value(POINTS), "--output": OUTPUTS}),
    ("export", "registrations"): ([], {"--status": value(STATUSES), "--output": OUTPUTS}),
    ("import", "crossings"): ([st.sampled_from(["missing.csv", "good.csv", "bad.csv", "/etc/hostname", ""]) | JUNK], {}),
    ("demo", "load"): ([], {"--seed": value(SMALL)}),
    ("db", "upgrade"): ([], {}),
    ("status", "set"): (
        [value(POINTS)],
        {
            "--entering": value(JURISDICTIONS),
            "--leaving": value(JURISDICTIONS),
            "--mode": value(MODES),
            "--status": value(st.sampled_from(["open", "restricted", "blocked", "closed", "shut"])),
            "--reason": value(NAMES),
            "--since": value(MOMENTS),
            "--until": value(MOMENTS),
            "--source": value(NAMES),
        },
    ),
    ("status", "show"): ([], {"--at": value(MOMENTS), "--point": value(POINTS)}),
    ("board",): ([], {"--at": value(MOMENTS)}),
    ("queue", "observe"): (
        [value(POINTS)],
        {
            "--entering": value(JURISDICTIONS),
            "--mode": value(MODES),
            "--lanes": value(SMALL),
            "--vehicles": value(SMALL),
            "--metres": value(SMALL),
            "--wait-minutes": value(SMALL),
            "--at": value(MOMENTS),
        },
    ),
    ("data", "validate"): ([], {}),
    ("verify-token",): ([value(st.sampled_from(["BP1.AAAA", "https://x/verify/K7QM-4TXR-M?t=BP1.AAAA"]))], {"--at": value(MOMENTS)}),
    ("simulate",): (
        [],
        {"--lanes": value(SMALL), "--arrivals-per-hour": value(SMALL), "--service-minutes": value(SMALL), "--hours": value(SMALL), "--seed": value(SMALL)},
    ),
}


def snapshot(database: Path) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every table of the embedded registry."""
    with sqlite3.connect(database) as conn:
        tables = [name for (name,) in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")]
        return {table: sorted(conn.execute(f'SELECT * FROM "{table}"').fetchall(), key=repr) for table in tables}


@pytest.fixture(scope="module")
def workplace(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Cli, Path, list[str]]]:
    """A registry holding two registrations, a crossing and CSV files to import; the command line works in its folder."""
    folder = tmp_path_factory.mktemp("junk")
    cli = Cli(base_env(folder / "data"))
    numbers = [
        cli.json("issue", plate, "--point", "jarinje", "--entering", "XK", "--at", "2021-09-27T10:00:00+02:00")["number"]
        for plate in ("NP 123-AB", "BG 999-ZZ")
    ]
    cli.json("cross", "NP 123-AB", "--point", "jarinje", "--entering", "XK", "--at", "2021-09-27T10:05:00+02:00")
    header = "plate,point,direction,jurisdiction,at,mode,lane,decision,officer,request_key\n"
    (folder / "good.csv").write_text(header + "KG 100-AA,merdare,entry,XK,2021-09-20T10:00:00+02:00,passenger,,admit,o1,\n", encoding="utf-8")
    (folder / "bad.csv").write_bytes(header.encode() + b"KG 100-AA,merdare,entry,XK,\xff\xfe,passenger,,admit,o1,\n")
    yield cli, folder, numbers


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(data=st.data())
def test_any_command_with_any_values_answers_in_one_json_object_or_refuses_in_one_line_and_changes_nothing(data, workplace, monkeypatch):
    cli, folder, numbers = workplace
    monkeypatch.chdir(folder)
    words = data.draw(st.sampled_from(sorted(COMMANDS)), label="command")
    positional, options = COMMANDS[words]
    args = [*words]
    for strategy in positional:
        drawn = data.draw(strategy)
        args.append(data.draw(st.sampled_from(numbers)) if drawn in ("K7QM-4TXR-M",) else drawn)
    required = REQUIRED.get(words, ())
    for option in sorted(options):
        if option in required or data.draw(st.integers(0, 3), label=f"give {option}") == 0:
            args += [option, data.draw(options[option], label=option)]
    as_json = data.draw(st.booleans(), label="--json")
    if as_json:
        args.append("--json")
    before = snapshot(folder / "data" / "borderplates.db")
    done = cli.run(*args)
    event(f"{' '.join(words)}: exit {done.returncode}")
    assert "Traceback" not in done.stderr
    if done.returncode == 0:
        if as_json and words != ("export", "crossings") and words != ("export", "registrations"):
            [line] = done.stdout.splitlines()
            assert isinstance(json.loads(line), dict)
        return
    if done.returncode == 1 and words in (("verify-token",), ("data", "validate")):
        return  # an answer, not an error: the token is not valid
    assert done.returncode == 2, (args, done)
    [line] = done.stderr.splitlines()
    assert line.startswith("borderplates: error: ") and len(line) < 2000
    assert snapshot(folder / "data" / "borderplates.db") == before, args
