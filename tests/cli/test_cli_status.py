"""``borderplates status``, ``board`` and ``queue``, as a supervisor and a driver use them."""

from __future__ import annotations

from tests.cli.conftest import Cli

AT = ("--at", "2021-09-21T10:00:00+02:00")


def test_a_supervisor_closes_merdare_to_cars_entering_kosovo_and_the_check_there_is_refused(cli: Cli) -> None:
    changed = cli.json(
        "status",
        "set",
        "merdare",
        "--entering",
        "XK",
        "--mode",
        "passenger",
        "--mode",
        "bus",
        "--status",
        "closed",
        "--reason",
        "[/b] works",
        "--since",
        "2021-09-21T08:00:00+02:00",
    )
    assert [(e["mode"], e["status"], e["set_by"]) for e in changed["set"]] == [("passenger", "closed", "clerk-cli"), ("bus", "closed", "clerk-cli")]
    check = cli.json("check", "NP 123-AB", "--entering", "XK", "--point", "merdare", *AT)
    assert check["decision"] == "refuse"
    assert any("[/b] works" in reason for reason in check["reasons"])
    shown = cli.run("status", "show", "--point", "merdare", *AT)
    assert shown.returncode == 0 and "closed" in shown.stdout


def test_leaving_a_jurisdiction_names_the_traffic_entering_the_other(cli: Cli) -> None:
    changed = cli.json("status", "set", "jarinje", "--leaving", "XK", "--mode", "cargo", "--status", "restricted", "--reason", "one lane")
    assert changed["set"][0]["entering"] == "RS"


def test_the_board_as_json_has_one_line_per_crossing_direction_and_mode_with_numbers_and_nulls(cli: Cli) -> None:
    cli.json(
        "queue", "observe", "merdare", "--entering", "XK", "--mode", "passenger", "--lanes", "3", "--wait-minutes", "25", "--at", "2021-09-21T09:55:00+02:00"
    )
    board = cli.json("board", *AT)["crossings"]
    merdare = next(line for line in board if (line["point"], line["entering"], line["mode"]) == ("merdare", "XK", "passenger"))
    assert (merdare["delay_minutes"], merdare["method"], merdare["lanes_open"], merdare["stale"]) == (25.0, "manual", 3, False)
    assert merdare["updated_at"].endswith("+00:00") or merdare["updated_at"].endswith("+02:00")
    jarinje = next(line for line in board if (line["point"], line["entering"], line["mode"]) == ("jarinje", "XK", "passenger"))
    assert (jarinje["status"], jarinje["delay_minutes"], jarinje["method"]) == ("blocked", None, None)
    assert jarinje["alternatives"][0] == {"point": "merdare", "name": "Merdarë / Merdare", "distance_km": 54.2}


def test_bad_status_commands_are_one_line(cli: Cli) -> None:
    assert "exactly one of --entering or --leaving" in cli.fails("status", "set", "merdare", "--mode", "bus", "--status", "closed", "--reason", "x")
    assert "unknown state 'shut'" in cli.fails("status", "set", "merdare", "--entering", "XK", "--mode", "bus", "--status", "shut", "--reason", "x")
    assert "say how long" in cli.fails("queue", "observe", "merdare", "--entering", "XK", "--mode", "bus", "--lanes", "2")
    huge = cli.fails("queue", "observe", "merdare", "--entering", "XK", "--mode", "bus", "--lanes", "2", "--vehicles", "99999999999999999999")
    assert "vehicles must be a whole number from 0 to 100,000" in huge
    assert "from 1 to 3650" in cli.fails("reads", "erase", "--older-than", "99999999999999999999")
