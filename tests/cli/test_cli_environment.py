"""Bad input and broken environments: one line on stderr, exit code 2, nothing written, never a traceback."""

from __future__ import annotations

import os
import socket
import sqlite3
import subprocess
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.cli.conftest import COMMAND, Cli, base_env

PLATE = "NP 123-AB"
AT = ("--at", "2021-09-27T10:00:00+02:00")
ISSUE = ("issue", PLATE, "--point", "jarinje", "--entering", "XK", *AT)


def test_text_that_looks_like_markup_is_stored_and_shown_as_it_was_typed(cli: Cli) -> None:
    issued = cli.json(*ISSUE, "--clerk", "[/b]clerk [bold]7")
    assert issued["clerk"] == "[/b]clerk [bold]7"
    shown = cli.run("registrations", "show", issued["number"])
    assert shown.returncode == 0 and "[/b]clerk [bold]7" in shown.stdout
    listed = cli.run("registrations", "list")
    assert listed.returncode == 0 and issued["number"] in listed.stdout


@pytest.mark.parametrize(
    ("args", "says"),
    [
        ((*ISSUE, "--clerk", ""), "say who"),
        (("check", PLATE, "--entering", "XK", "--at", ""), "--at '' is not an ISO 8601 date-time"),
        (("check", PLATE, "--entering", "XK", "--on", ""), "--on '' is not a date"),
        (("cross", PLATE, "--point", "jarinje", "--entering", "XK", *AT, "--officer", ""), "say who"),
        ((*ISSUE, "--clerk", "Ana\udcff"), "control characters"),
        ((*ISSUE, "--clerk", "Ana\x00"), "control characters"),
        (("check", PLATE, "--entering", "XK", "--at", "9999-12-31T23:59:59-05:00"), "outside the moments"),
        (("check", PLATE, "--entering", "XK", "--at", "0001-01-01T00:00:00+02:00"), "outside the moments"),
        (("check", PLATE, "--entering", "XK", "--at", "2021-09-27T10:00:00+23:59"), "UTC offset no place uses"),
        (("check", PLATE, "--entering", "XK", "--at", "2021-09-27T10:00:00+02:00:30"), "UTC offset no place uses"),
        (("check", PLATE, "--entering", "XK", "--on", "9999-12-31"), "outside the years"),
        (("export", "crossings", "--from", "9999-12-31"), "outside the years"),
        (("export", "crossings", "--until", "0001-01-01"), "outside the years"),
        (("registrations", "list", "--point", "atlantis"), "unknown crossing point 'atlantis'"),
        (("check", "x" * 10_000, "--entering", "XK"), "is too long"),
    ],
    ids=lambda value: value if isinstance(value, str) else None,
)
def test_bad_values_are_refused_in_one_line_and_change_nothing(cli: Cli, args: tuple[str, ...], says: str) -> None:
    issued = cli.json(*ISSUE)
    line = cli.fails(*args)
    assert says in line
    assert len(line) < 300
    assert [r["number"] for r in cli.json("registrations", "list")["registrations"]] == [issued["number"]]


def test_a_state_change_before_the_registration_existed_is_refused(cli: Cli) -> None:
    issued = cli.json(*ISSUE)
    assert "nothing can happen to it before that" in cli.fails(
        "registrations", "cancel", issued["number"], "--reason", "typo", "--at", "1900-06-01T10:00:00+01:00"
    )
    assert "longer than 200 characters" in cli.fails("registrations", "cancel", issued["number"], "--reason", "x" * 10_000, *AT)
    assert cli.json("registrations", "show", issued["number"])["status"] == "active"


def test_a_point_is_found_however_it_is_written(cli: Cli) -> None:
    issued = cli.json(*ISSUE)
    assert [r["number"] for r in cli.json("registrations", "list", "--point", "JARINJE")["registrations"]] == [issued["number"]]


def test_a_full_disk_on_export_is_one_line(cli: Cli) -> None:
    cli.json(*ISSUE)
    assert "No space left on device" in cli.fails("export", "registrations", "--output", "/dev/full")
    assert Path("/dev/full").exists()


def test_a_data_directory_that_is_a_file_is_one_line(tmp_path: Path) -> None:
    (tmp_path / "data").write_text("not a directory", encoding="utf-8")
    assert "is a file, not a directory" in Cli(base_env(tmp_path / "data")).fails("check", PLATE, "--entering", "XK")


def test_a_damaged_registry_is_one_line(tmp_path: Path) -> None:
    (tmp_path / "data").mkdir()
    (tmp_path / "data" / "borderplates.db").write_bytes(b"this is not a database" * 100)
    assert "damaged or is not a borderplates registry" in Cli(base_env(tmp_path / "data")).fails("check", PLATE, "--entering", "XK")


def test_a_registry_at_a_revision_this_version_does_not_know_is_refused(cli: Cli, tmp_path: Path) -> None:
    cli.json("db", "upgrade")
    with sqlite3.connect(tmp_path / "registry" / "borderplates.db") as conn:
        conn.execute("UPDATE alembic_version SET version_num = '9999'")
    assert "revision 9999, which this version of borderplates does not know" in cli.fails("check", PLATE, "--entering", "XK")


def test_a_database_named_by_url_is_never_migrated_behind_the_administrators_back(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'elsewhere.db'}"
    cli = Cli(base_env(tmp_path / "data", BORDERPLATES_DATABASE_URL=url))
    assert "run: borderplates db upgrade" in cli.fails("check", PLATE, "--entering", "XK")
    assert cli.json("db", "upgrade")["revision"]
    assert cli.json("check", PLATE, "--entering", "XK", *AT)["decision"] == "issue_temporary_registration"


@pytest.mark.parametrize(
    ("url", "says"),
    [
        ("garbage", "is not valid"),
        ("mysql://user@host/db", "driver that is not installed"),
        ("postgresql+psycopg://u@[::1/x", "is not valid"),
        ("postgresql+psycopg://u@127.0.0.1:1/db", "cannot be used"),
    ],
)
def test_a_database_url_that_cannot_work_is_one_line(tmp_path: Path, url: str, says: str) -> None:
    assert says in Cli(base_env(tmp_path / "data", BORDERPLATES_DATABASE_URL=url)).fails("check", PLATE, "--entering", "XK")


@pytest.mark.parametrize(("name", "value"), [("BORDERPLATES_CONNECT_TIMEOUT", "soon"), ("BORDERPLATES_CONNECT_TIMEOUT", "-1")])
def test_a_bad_setting_names_the_variable(tmp_path: Path, name: str, value: str) -> None:
    assert name in Cli(base_env(tmp_path / "data", **{name: value})).fails("check", PLATE, "--entering", "XK")


@pytest.fixture
def silent_server() -> Iterator[int]:
    """A server that accepts connections and never says a word (a database behind a broken link)."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen()
    held: list[socket.socket] = []
    stop = threading.Event()

    def accept() -> None:
        listener.settimeout(0.2)
        while not stop.is_set():
            try:
                held.append(listener.accept()[0])
            except TimeoutError:
                continue

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    try:
        yield listener.getsockname()[1]
    finally:
        stop.set()
        thread.join(timeout=5)
        for connection in held:
            connection.close()
        listener.close()


def test_a_database_server_that_never_answers_gives_up_after_the_connect_timeout(tmp_path: Path, silent_server: int) -> None:
    url = f"postgresql+psycopg://user@127.0.0.1:{silent_server}/db"
    cli = Cli(base_env(tmp_path / "data", BORDERPLATES_DATABASE_URL=url, BORDERPLATES_CONNECT_TIMEOUT="1"))
    started = time.monotonic()
    line = cli.fails("check", PLATE, "--entering", "XK")
    assert time.monotonic() - started < 15
    assert "did not answer in time" in line or "timeout" in line.lower()


def test_two_upgrades_of_one_fresh_registry_at_once_both_succeed(tmp_path: Path) -> None:
    env = base_env(tmp_path / "data")
    script = Cli(env, process=True)
    full = {**{k: v for k, v in os.environ.items() if not k.startswith("BORDERPLATES_")}, **script.env}
    runs = [subprocess.Popen([str(COMMAND), "db", "upgrade", "--json"], env=full, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) for _ in range(3)]
    results = [run.communicate(timeout=120) for run in runs]
    assert [run.returncode for run in runs] == [0, 0, 0], results
    assert script.json("check", PLATE, "--entering", "XK", *AT)["decision"] == "issue_temporary_registration"
