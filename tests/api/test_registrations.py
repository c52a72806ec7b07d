"""The main job over HTTP: an admin makes a clerk at Jarinje, the clerk's machine issues, a stranger verifies; the JSON is the command line's."""

from __future__ import annotations

from pathlib import Path

import httpx

from borderplates.vocabulary import Role
from tests.api.conftest import Running
from tests.cli.conftest import Cli, base_env

AT = "2021-09-27T10:05:00+02:00"


def cli_on(server: Running, tmp_path: Path) -> Cli:
    """The command line on the server's registry."""
    return Cli(base_env(tmp_path / "cli", BORDERPLATES_DATABASE_URL=str(server.settings.database_url)))


def test_an_admin_makes_a_clerk_whose_machine_issues_a_registration_that_a_stranger_verifies(server: Running) -> None:
    with httpx.Client(base_url=server.url) as browser:
        session = browser.post("/api/v1/session", json={"name": "admin-2", "password": server.passwords["admin-2"]}).json()
        csrf = {"X-CSRF-Token": session["csrf_token"]}
        assert (
            browser.put("/api/v1/session/password", json={"current": server.passwords["admin-2"], "new": "the admin's own password"}, headers=csrf).status_code
            == 204
        )
        clerk = browser.post("/api/v1/users", json={"name": "clerk-07", "role": "clerk", "point": "jarinje"}, headers=csrf)
        assert clerk.status_code == 201 and clerk.json()["point"] == "jarinje"
        key = browser.post("/api/v1/keys", json={"user": "clerk-07"}, headers=csrf).json()["key"]
    request = {"plate": "NP 123-AB", "entering": "XK", "point": "jarinje", "at": AT}
    with httpx.Client(base_url=server.url, headers={"Authorization": f"Bearer {key}"}) as machine:
        first = machine.post("/api/v1/registrations", json=request, headers={"Idempotency-Key": "booth-3-0001"})
        retried = machine.post("/api/v1/registrations", json=request, headers={"Idempotency-Key": "booth-3-0001"})
        again = machine.post("/api/v1/registrations", json=request)
    assert first.status_code == 201, first.text
    issued = first.json()
    assert retried.status_code == 201 and retried.json() == issued
    assert again.status_code == 409 and issued["number"] in again.json()["detail"]
    assert issued["clerk"] == "clerk-07" and issued["issuing_point"] == "jarinje" and issued["valid_until"] == "2021-11-25"
    with httpx.Client(base_url=server.url) as stranger:
        shown = stranger.get(f"/api/v1/verify/{issued['number']}").json()
    assert shown == {"number": issued["number"], "plate": "NP 123-AB", "valid_from": "2021-09-27", "valid_until": "2021-11-25", "status": "expired"}
    with server.as_role(Role.OFFICER) as officer:
        refused = officer.post("/api/v1/registrations", json={**request, "plate": "NP 124-AB"})
    assert refused.status_code == 403


def test_the_api_answers_with_the_json_of_the_command_line(server: Running, tmp_path: Path) -> None:
    cli = cli_on(server, tmp_path)
    with server.as_role(Role.CLERK) as clerk:
        issued = clerk.post("/api/v1/registrations", json={"plate": "NP 900-AB", "entering": "XK", "point": "jarinje", "at": AT}).json()
        check = clerk.get("/api/v1/check", params={"plate": "np 900 ab", "entering": "XK", "point": "jarinje", "at": "2021-10-03T10:00:00+02:00"}).json()
        plate = clerk.get("/api/v1/plate", params={"text": "NP 900-AB"}).json()
        reciprocity = clerk.get("/api/v1/reciprocity", params={"a": "XK", "b": "RS", "at": "2021-06-01T12:00:00+02:00"}).json()
    with server.as_role(Role.SUPERVISOR) as supervisor:
        shown = supervisor.get(f"/api/v1/registrations/{issued['number']}").json()
    assert check == cli.json("check", "np 900 ab", "--entering", "XK", "--point", "jarinje", "--at", "2021-10-03T10:00:00+02:00")
    assert check["decision"] == "admit" and check["registration"] == {key: value for key, value in shown.items() if key != "audit"}
    assert shown == cli.json("registrations", "show", issued["number"])
    assert plate == cli.json("plate", "NP 900-AB")
    assert reciprocity == cli.json("reciprocity", "XK", "RS", "--at", "2021-06-01T12:00:00+02:00")
    with server.client() as anyone:
        assert anyone.get("/api/v1/rules", params={"issuer": "RS"}).json() == cli.json("rules", "--issuer", "RS")
    made = cli.json("issue", "NP 901-AB", "--point", "jarinje", "--entering", "XK", "--at", AT, "--clerk", "clerk-jarinje", "--holder", "Ana Marković")
    assert set(made) == set(issued) and made["holder"] == "Ana Marković" and issued["holder"] is None
    with server.as_role(Role.CLERK) as clerk:
        named = clerk.post("/api/v1/registrations", json={"plate": "NP 902-AB", "entering": "XK", "point": "jarinje", "at": AT, "holder": "Arta Krasniqi"})
        empty = clerk.post("/api/v1/registrations", json={"plate": "NP 903-AB", "entering": "XK", "point": "jarinje", "at": AT, "holder": ""})
    assert named.status_code == 201 and named.json()["holder"] == "Arta Krasniqi"
    assert empty.status_code == 422


def test_renew_return_cancel_list_and_expire_over_http(server: Running) -> None:
    with server.as_role(Role.CLERK) as clerk, server.as_role(Role.SUPERVISOR) as supervisor:
        numbers = [
            clerk.post("/api/v1/registrations", json={"plate": f"NP {n}-CD", "entering": "XK", "point": "jarinje", "at": AT}).json()["number"]
            for n in (311, 312, 313)
        ]
        renewed = clerk.post(f"/api/v1/registrations/{numbers[0]}/renewal", json={"point": "jarinje", "at": "2021-10-01T09:00:00+02:00"})
        returned = clerk.post(f"/api/v1/registrations/{numbers[1]}/return", json={"point": "jarinje", "at": "2021-10-01T09:00:00+02:00"})
        cancelled = supervisor.post(f"/api/v1/registrations/{numbers[2]}/cancellation", json={"reason": "plates lost", "at": "2021-10-01T09:00:00+02:00"})
        assert renewed.status_code == 201 and renewed.json()["valid_from"] == "2021-10-01"
        assert returned.json()["status"] == "returned" and cancelled.json()["status"] == "cancelled"
        retried = supervisor.post(
            f"/api/v1/registrations/{numbers[2]}/cancellation",
            json={"reason": "plates lost", "at": "2021-10-01T09:00:00+02:00"},
            headers={"Idempotency-Key": "c-1"},
        )
        assert retried.status_code == 409  # the first cancellation carried no key: a repeat is refused
        fresh = clerk.post("/api/v1/registrations", json={"plate": "NP 314-CD", "entering": "XK", "point": "jarinje", "at": AT}).json()["number"]
        first = clerk.post(
            f"/api/v1/registrations/{fresh}/return", json={"point": "jarinje", "at": "2021-10-01T09:00:00+02:00"}, headers={"Idempotency-Key": "r-2"}
        )
        repeat = clerk.post(
            f"/api/v1/registrations/{fresh}/return", json={"point": "jarinje", "at": "2021-10-01T09:05:00+02:00"}, headers={"Idempotency-Key": "r-2"}
        )
        assert first.status_code == repeat.status_code == 200 and repeat.json() == first.json()
        page = clerk.get("/api/v1/registrations", params={"plate": "NP 313-CD"}).json()
        assert [r["status"] for r in page["registrations"]] == ["cancelled"] and page["next_cursor"] is None
        first = clerk.get("/api/v1/registrations", params={"limit": 2}).json()
        following = clerk.get("/api/v1/registrations", params={"limit": 2, "cursor": first["next_cursor"]}).json()
        assert len(first["registrations"]) == 2 and not {r["number"] for r in first["registrations"]} & {r["number"] for r in following["registrations"]}
        expired = supervisor.post("/api/v1/expiry", json={"at": "2022-06-01T12:00:00+02:00"})
        assert expired.status_code == 200 and expired.json()["expired"] >= 1
        trail = supervisor.get("/api/v1/audit", params={"entity": "temporary_registration", "action": "cancel"}).json()["records"]
        assert any(record["reason"] == "plates lost" and record["actor"] == "supervisor" for record in trail)
        assert supervisor.get("/api/v1/audit/verification").json()["intact"] is True


def test_stickers_warnings_fines_and_crossings_over_http(server: Running) -> None:
    with server.as_role(Role.CLERK) as clerk, server.as_role(Role.SUPERVISOR) as supervisor:
        sticker = clerk.post("/api/v1/stickers", json={"plate": "NP 555-EF", "entering": "XK", "point": "jarinje", "at": "2022-06-01T10:00:00+02:00"})
        assert sticker.status_code == 201, sticker.text
        assert sticker.json()["kind"] == "sticker"
        wrong_phase = clerk.post("/api/v1/fines", json={"plate": "NP 555-EF", "entering": "XK", "point": "jarinje", "at": "2022-06-01T10:00:00+02:00"})
        assert wrong_phase.status_code == 409
        crossing = {"plate": "NP 555-EF", "entering": "XK", "point": "jarinje", "at": "2022-06-01T10:05:00+02:00", "lane": "2"}
        recorded = clerk.post("/api/v1/crossings", json=crossing, headers={"Idempotency-Key": "x-555"})
        assert recorded.status_code == 201 and recorded.json()["decision"] == "admit" and recorded.json()["reasons"]
        assert clerk.post("/api/v1/crossings", json=crossing, headers={"Idempotency-Key": "x-555"}).json()["id"] == recorded.json()["id"]
        log = supervisor.get("/api/v1/crossings", params={"plate": "NP 555-EF"}).json()
        assert [c["id"] for c in log["crossings"]] == [recorded.json()["id"]]


def test_crossings_go_out_and_come_back_in_as_csv(server: Running) -> None:
    with server.as_role(Role.CLERK) as clerk:
        clerk.post("/api/v1/crossings", json={"plate": "NP 556-EF", "entering": "XK", "point": "jarinje", "at": "2022-06-02T10:05:00+02:00"})
    with server.as_role(Role.SUPERVISOR) as supervisor:
        exported = supervisor.get("/api/v1/exports/crossings", params={"start": "2022-06-02T00:00:00+02:00", "end": "2022-06-03T00:00:00+02:00"})
        assert exported.status_code == 200 and exported.headers["content-type"].startswith("text/csv")
        lines = exported.text.splitlines()
        assert lines[0].startswith("plate,point,direction") and len(lines) == 2
        again = exported.text.replace("2022-06-02T10:05", "2022-06-03T10:05")
        imported = supervisor.post("/api/v1/imports/crossings", content=again, headers={"Content-Type": "text/csv"}, params={"file": "moved.csv"})
        assert imported.status_code == 200 and imported.json()["imported"] == 1 and imported.json()["file"] == "moved.csv"
        bad = supervisor.post("/api/v1/imports/crossings", content=again.replace("jarinje", "atlantis"), headers={"Content-Type": "text/csv"})
        assert bad.status_code == 422 and bad.json()["problems"][0]["line"] == 2
        registrations = supervisor.get("/api/v1/exports/registrations", params={"status": "cancelled"})
        assert registrations.status_code == 200 and registrations.text.startswith("number,plate")


def test_bad_input_is_a_4xx_problem_never_a_500(server: Running) -> None:
    vehicle = {"plate": "NP 123-AB", "entering": "XK", "point": "jarinje", "at": AT}
    with server.as_role(Role.SUPERVISOR) as client:
        answers = [
            client.get("/api/v1/registrations", params={"limit": "true"}),
            client.get("/api/v1/registrations", params={"limit": 0}),
            client.get("/api/v1/registrations", params={"cursor": "not a cursor"}),
            client.get("/api/v1/check", params={"plate": "NP 123-AB", "entering": "XK", "at": "2021-09-27T10:00:00"}),
            client.get("/api/v1/check", params={"plate": "???", "entering": "XK"}),
            client.get("/api/v1/check", params={"plate": "NP 123-AB", "entering": "XK", "leaving": "XK"}),
            client.get("/api/v1/check", params={"plate": "NP 123-AB", "entering": "QQ"}),
            client.post("/api/v1/crossings", json={**vehicle, "return_registration": 1}),
            client.post("/api/v1/registrations", json={**vehicle, "plate": 123}),
            client.post("/api/v1/registrations", json={**vehicle, "at": 1632729600}),
            client.post("/api/v1/registrations", json={**vehicle, "at": "2021-09-27T10:00:00"}),
            client.post("/api/v1/registrations", json={**vehicle, "colour": "red"}),
            client.post("/api/v1/registrations", json={**vehicle, "class": True}),
            client.post("/api/v1/registrations", content=b"{not json", headers={"Content-Type": "application/json"}),
            client.post("/api/v1/registrations", content=b"\xff\xfe", headers={"Content-Type": "application/json"}),
            client.post("/api/v1/registrations", json=vehicle, headers={"Idempotency-Key": "k" * 101}),
            client.post("/api/v1/imports/crossings", content="plate\n", headers={"Content-Type": "text/plain"}),
        ]
        too_large = client.post("/api/v1/registrations", content=b'{"plate": "' + b"x" * 2_000_000 + b'"}', headers={"Content-Type": "application/json"})
    for response in answers:
        assert 400 <= response.status_code < 500 and response.status_code != 404, (response.request.url, response.text)
        assert response.headers["content-type"] == "application/problem+json"
        problem = response.json()
        assert problem["type"].startswith("urn:borderplates:problem:") and problem["status"] == response.status_code and problem["detail"]
    assert too_large.status_code == 413
    assert too_large.headers["content-type"] == "application/problem+json" and too_large.headers["x-content-type-options"] == "nosniff"
    assert too_large.json()["type"] == "urn:borderplates:problem:content-too-large"
    with server.as_role(Role.SUPERVISOR) as client:
        large_file = client.post("/api/v1/imports/crossings", content="x" * 2_000_000, headers={"Content-Type": "text/csv"})
    assert large_file.status_code == 422  # read (imports may be larger than other bodies), then refused as a file


def test_an_unknown_route_and_a_wrong_method_are_problems_too(server: Running) -> None:
    with server.client() as client:
        missing, wrong = client.get("/api/v1/nowhere"), client.delete("/api/v1/crossing-points")
    assert missing.status_code == 404 and wrong.status_code == 405
    assert missing.json()["type"] == "urn:borderplates:problem:not-found"
    assert wrong.headers["content-type"] == "application/problem+json" and wrong.headers["allow"] == "GET"
    with server.as_role(Role.SUPERVISOR) as client:
        for path, methods in (("/api/v1/registrations", "GET, POST"), ("/api/v1/check", "GET"), ("/api/v1/session", "DELETE, GET, POST")):
            answer = client.request("PATCH", path)
            assert answer.status_code == 405 and answer.headers["allow"] == methods, path
