"""The board and its feed over HTTP, public; status and queues reported by staff."""

from __future__ import annotations

from pathlib import Path

from borderplates.vocabulary import Role
from tests.api.conftest import Running
from tests.cli.conftest import Cli, base_env

AT = "2021-09-25T12:00:00+02:00"


def test_the_feed_on_25_september_2021_shows_jarinje_and_brnjak_blocked_for_cars_with_merdare_among_the_open_crossings(server: Running) -> None:
    with server.client() as anyone:
        feed = anyone.get("/board.json", params={"at": AT})
        same = anyone.get("/api/v1/board", params={"at": AT})
    assert feed.status_code == 200 and feed.headers["content-type"].startswith("application/json")
    board = feed.json()
    assert same.json() == board
    lines = {(line["point"], line["entering"], line["mode"]): line for line in board["crossings"]}
    for point in ("jarinje", "brnjak"):
        line = lines[(point, "XK", "passenger")]
        assert (line["status"], line["since"], line["until"]) == ("blocked", "2021-09-20T00:00:00+02:00", "2021-10-02T08:00:00+02:00")
        assert "merdare" in [a["point"] for a in line["alternatives"]]
        assert all(isinstance(a["distance_km"], float | None) for a in line["alternatives"])
    merdare = lines[("merdare", "XK", "passenger")]
    assert (merdare["status"], merdare["delay_minutes"], merdare["method"], merdare["stale"], merdare["alternatives"]) == ("open", None, None, False, [])
    for key in ("status", "since", "reason", "delay_minutes", "lanes_open", "max_lanes", "method", "updated_at", "stale", "alternatives"):
        assert key in merdare


def test_the_feed_is_what_the_command_line_shows(server: Running, tmp_path: Path) -> None:
    with server.client() as anyone:
        board = anyone.get("/board.json", params={"at": AT}).json()
    cli = Cli(base_env(tmp_path / "data", BORDERPLATES_DATABASE_URL=server.db.url))
    assert cli.json("board", "--at", AT)["crossings"] == board["crossings"]


def test_a_supervisor_closes_a_crossing_over_http_and_the_feed_and_the_check_follow(server: Running) -> None:
    change = {"point": "mucibaba", "entering": "XK", "modes": ["passenger"], "status": "closed", "reason": "Flood", "since": "2031-01-01T08:00:00+01:00"}
    with server.as_role(Role.SUPERVISOR) as supervisor:
        made = supervisor.post("/api/v1/crossing-status", json=change)
        assert made.status_code == 201, made.text
        assert made.json()[0]["set_by"] == "supervisor"
        check = supervisor.get("/api/v1/check", params={"plate": "01-123-AB", "entering": "XK", "point": "mucibaba", "at": "2031-01-01T09:00:00+01:00"})
    assert check.json()["decision"] == "refuse"
    with server.client() as anyone:
        lines = anyone.get("/board.json", params={"at": "2031-01-01T09:00:00+01:00"}).json()["crossings"]
    assert next(line for line in lines if (line["point"], line["entering"], line["mode"]) == ("mucibaba", "XK", "passenger"))["status"] == "closed"


def test_bad_status_and_queue_reports_are_problems_and_change_nothing(server: Running) -> None:
    with server.as_role(Role.SUPERVISOR) as supervisor:
        for body, status_code in (
            ({"point": "merdare", "entering": "XK", "modes": [], "status": "closed", "reason": "x"}, 422),
            ({"point": "merdare", "entering": "XK", "modes": ["passenger"], "status": "shut", "reason": "x"}, 422),
            ({"point": "atlantis", "entering": "XK", "modes": ["passenger"], "status": "closed", "reason": "x"}, 422),
            ({"point": "merdare", "entering": "AL", "modes": ["passenger"], "status": "closed", "reason": "x"}, 422),
        ):
            answer = supervisor.post("/api/v1/crossing-status", json=body)
            assert answer.status_code == status_code and answer.headers["content-type"] == "application/problem+json", answer.text
        queue = supervisor.post("/api/v1/queues", json={"point": "merdare", "entering": "XK", "mode": "passenger", "lanes_open": 2})
        assert queue.status_code == 422
    with server.client() as anyone:
        assert anyone.get("/board.json", params={"at": "9999-12-31T00:00:00+00:00"}).status_code == 422
