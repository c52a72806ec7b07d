"""The registry commands as a user runs them, on SQLite and on PostgreSQL.

Most run in this process; the first scenario runs the installed console script, one
real process per call, to prove the installation end to end. They use the shipped
rules: Kosovo required temporary registrations of Serbian cars from 2021-09-20 until
2021-10-04 08:00, then stickers.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa

from borderplates.registry.numbers import is_valid_number
from tests.cli.conftest import Cli, base_env
from tests.conftest import postgres_server_url

PLATE = "NP 123-AB"


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def script(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Cli]:
    """The console script on the embedded SQLite default, or on a fresh PostgreSQL database."""
    env = base_env(tmp_path / "data")
    if request.param == "sqlite":
        yield Cli(env, process=True)
        return
    server = sa.engine.make_url(postgres_server_url())
    name = f"borderplates_cli_{uuid.uuid4().hex[:12]}"
    admin = sa.create_engine(server, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.exec_driver_sql(f'CREATE DATABASE "{name}"')
    env["BORDERPLATES_DATABASE_URL"] = server.set(database=name).render_as_string(hide_password=False)
    try:
        yield Cli(env, process=True)
    finally:
        with admin.connect() as conn:
            conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.dispose()


def test_issue_check_list_and_retry_through_the_console_script(script):
    cli = script
    upgraded = cli.json("db", "upgrade")
    assert upgraded["revision"] == "0004"
    if "BORDERPLATES_DATABASE_URL" not in cli.env:
        assert upgraded["database"].endswith("borderplates.db")

    issue = ("issue", PLATE, "--point", "jarinje", "--entering", "XK", "--at", "2021-09-27T10:00:00+02:00")
    issued = cli.json(*issue, "--request-key", "KEY")
    assert (issued["plate"], issued["valid_from"], issued["valid_until"], issued["status"]) == (PLATE, "2021-09-27", "2021-11-25", "active")
    assert (issued["clerk"], issued["issuing_point"], issued["fee"]) == ("clerk-cli", "jarinje", {"amount": "5.00", "currency": "EUR"})
    assert is_valid_number(issued["number"])

    again = cli.run(*issue, "--request-key", "KEY")  # a retry, shown as text this time
    assert again.returncode == 0 and issued["number"] in again.stdout

    refused = cli.fails(*issue)
    assert f"already holds temporary registration {issued['number']}" in refused

    check = cli.json("check", PLATE, "--point", "jarinje", "--entering", "XK", "--at", "2021-09-28T10:00:00+02:00")
    assert check["decision"] == "admit"
    assert check["registration"]["number"] == issued["number"]

    listed = cli.json("registrations", "list", "--plate", PLATE)
    assert [item["number"] for item in listed["registrations"]] == [issued["number"]]


def test_under_a_lasting_temporary_registration_regime_the_car_is_admitted_the_next_day_and_needs_a_new_one_after_60_days(tmp_path):
    cli = Cli(base_env(tmp_path / "data", BORDERPLATES_DATA_ROOT=str(Path(__file__).parents[1] / "fixtures" / "test_regime")))
    issued = cli.json("issue", PLATE, "--point", "jarinje", "--entering", "XK", "--at", "2021-09-27T10:00:00+02:00")
    check = ("check", PLATE, "--point", "jarinje", "--entering", "XK", "--at")
    assert cli.json(*check, "2021-09-28T10:00:00+02:00")["decision"] == "admit"
    assert cli.json(*check, f"{issued['valid_until']}T23:59:00+01:00")["decision"] == "admit"
    after = cli.json(*check, "2021-11-26T10:00:00+01:00")
    assert after["decision"] == "issue_temporary_registration"
    assert any(issued["number"] in reason and "expired" in reason for reason in after["reasons"])


def test_every_registry_command_works(cli):
    at = ("--at", "2021-09-27T10:00:00+02:00")
    first = cli.json("issue", PLATE, "--point", "jarinje", "--entering", "XK", *at)

    crossed = cli.json("cross", PLATE, "--point", "jarinje", "--entering", "XK", "--at", "2021-09-27T10:05:00+02:00", "--lane", "2", "--officer", "o-1")
    assert (crossed["decision"], crossed["direction"], crossed["officer"], crossed["lane"]) == ("admit", "entry", "o-1", "2")

    renewed = cli.json("registrations", "renew", first["number"], "--point", "centre:Mitrovicë", "--at", "2021-10-01T09:00:00+02:00")
    assert renewed["number"] != first["number"] and renewed["valid_from"] == "2021-10-01" and renewed["issuing_point"] == "centre:Mitrovicë"

    shown = cli.json("registrations", "show", first["number"].replace("-", "").lower())
    assert (shown["number"], shown["status"], shown["status_reason"]) == (first["number"], "expired", "renewed")
    assert [entry["action"] for entry in shown["audit"]] == ["issue", "expire"]
    assert shown["audit"][1]["before"] == {"status": "active"} and shown["audit"][1]["after"] == {"status": "expired"}

    returned = cli.json("registrations", "return", renewed["number"], "--point", "brnjak", "--at", "2021-10-02T18:00:00+02:00", "--officer", "o-2")
    assert (returned["status"], returned["status_reason"]) == ("returned", "returned on exit")

    other = cli.json("issue", "BG 999-ZZ", "--point", "merdare", "--entering", "XK", "--at", "2021-10-02T10:00:00+02:00", "--clerk", "c-9")
    cancelled = cli.json("registrations", "cancel", other["number"], "--reason", "plates lost", "--at", "2021-10-02T11:00:00+02:00")
    assert (cancelled["status"], cancelled["status_reason"], cancelled["clerk"]) == ("cancelled", "plates lost", "c-9")

    # From 2021-10-04 08:00 Serbia requires stickers over the state symbols of Kosovo plates.
    sticker = cli.json("sticker", "01-123-AB", "--point", "jarinje", "--entering", "RS", "--at", "2021-10-05T09:00:00+02:00", "--request-key", "S1")
    assert (sticker["kind"], sticker["plate"], sticker["jurisdiction"]) == ("sticker", "01-123-AB", "RS")

    late = cli.json("issue", "KG 100-AA", "--point", "jarinje", "--entering", "XK", "--at", "2021-10-03T10:00:00+02:00")
    # KG 100-AA is valid through 2021-12-01 (60 days from 2021-10-03).
    assert cli.json("expire", "--at", "2021-12-02T00:30:00+01:00") == {"expired": 1}
    assert cli.json("expire", "--at", "2021-12-02T00:30:00+01:00") == {"expired": 0}
    assert cli.json("registrations", "list", "--status", "expired", "--plate", "KG 100-AA")["registrations"][0]["number"] == late["number"]
    statuses = {item["number"]: item["status"] for item in cli.json("registrations", "list")["registrations"]}
    assert statuses == {first["number"]: "expired", renewed["number"]: "returned", other["number"]: "cancelled", late["number"]: "expired"}


def test_bad_input_exits_with_code_2_and_one_line_on_stderr(cli):
    assert "--at" in cli.fails("issue", PLATE, "--point", "jarinje", "--entering", "XK", "--at", "2021-09-27T10:00:00")
    assert "not 'cargo'" in cli.fails("cross", PLATE, "--point", "mutivode", "--entering", "XK", "--mode", "cargo", "--at", "2021-09-27T10:00:00+02:00")
    assert "--reason" in cli.fails("registrations", "cancel", "K7QM-4TXR-M")  # a missing option is bad input too
