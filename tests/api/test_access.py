"""Who may call what: every role against every endpoint (allowed, or 403), 401 without credentials, the public endpoints.

The expected rights are written here from the roles as the project defines them
(officer: check, record crossings, warnings; clerk: also issue, renew, return,
stickers, fines; supervisor: also cancel, read everything, audit, import and export, plan;
admin: accounts and keys only), independently of the code that enforces them.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from PIL import Image

from borderplates.registry.numbers import check_symbol
from borderplates.services import registrations
from borderplates.services.actors import Actor
from borderplates.services.presentation import Presentation
from borderplates.vocabulary import Role
from tests.api.conftest import Running
from tests.conftest import local
from tests.reading.synth import encode

OFC, CLK, SUP, ADM = Role.OFFICER, Role.CLERK, Role.SUPERVISOR, Role.ADMIN
AT = "2021-09-27T10:00:00+02:00"
CSV_HEADER = "plate,point,direction,jurisdiction,at,mode,lane,decision,officer,request_key\n"
PLAIN_PNG = encode(Image.new("RGB", (320, 240), (200, 200, 200)))
#: What only a site, with the key the centre issued it, may call.
SITE_ENDPOINTS = {("POST", "/api/v1/sync/batches"), ("POST", "/api/v1/sync/changes")} | {
    ("GET", f"/api/v1/sync/{name}") for name in ("snapshot", "chain", "rules")
}


def unknown_number() -> str:
    body = "ABCDEFGH"
    return f"{body[:4]}-{body[4:]}-{check_symbol(body)}"


def issued(server: Running, plate: str) -> str:
    """A registration issued at Jarinje on 27 Sep 2021, for the endpoints that act on one."""
    clerk = Actor("clerk-jarinje", Role.CLERK, "jarinje")
    presentation = Presentation(plate, "XK", local(2021, 9, 27, 9), point="jarinje")
    return registrations.issue_temporary_registration(presentation, actor=clerk, db=server.db).number


def endpoints(server: Running) -> list[tuple[str, str, dict[str, Any], set[Role]]]:
    """(method, path, request, roles allowed) for every endpoint that needs credentials."""
    renewable, returnable, cancellable = (issued(server, plate) for plate in ("NP 201-AA", "NP 202-AA", "NP 203-AA"))
    vehicle = {"plate": "NP 301-AA", "entering": "XK", "point": "jarinje", "at": AT}
    return [
        ("GET", "/api/v1/plate", {"params": {"text": "NP 123-AB"}}, {OFC, CLK, SUP}),
        ("GET", "/api/v1/check", {"params": {"plate": "NP 123-AB", "entering": "XK", "point": "jarinje", "at": AT}}, {OFC, CLK, SUP}),
        ("GET", "/api/v1/reciprocity", {"params": {"a": "XK", "b": "RS", "at": AT}}, {OFC, CLK, SUP}),
        ("POST", "/api/v1/registrations", {"json": vehicle}, {CLK, SUP}),
        ("GET", "/api/v1/registrations", {}, {CLK, SUP}),
        ("GET", f"/api/v1/registrations/{unknown_number()}", {}, {OFC, CLK, SUP}),
        ("GET", f"/api/v1/registrations/{unknown_number()}/certificate", {}, {CLK, SUP}),
        ("POST", f"/api/v1/registrations/{renewable}/renewal", {"json": {"point": "jarinje", "at": "2021-09-28T10:00:00+02:00"}}, {CLK, SUP}),
        ("POST", f"/api/v1/registrations/{returnable}/return", {"json": {"point": "jarinje", "at": "2021-09-28T10:00:00+02:00"}}, {CLK, SUP}),
        ("POST", f"/api/v1/registrations/{cancellable}/cancellation", {"json": {"reason": "issued in error", "at": "2021-09-28T10:00:00+02:00"}}, {SUP}),
        ("POST", "/api/v1/expiry", {"json": {"at": AT}}, {SUP}),
        ("POST", "/api/v1/stickers", {"json": vehicle}, {CLK, SUP}),
        ("POST", "/api/v1/warnings", {"json": vehicle}, {OFC, CLK, SUP}),
        ("POST", "/api/v1/fines", {"json": vehicle}, {CLK, SUP}),
        ("POST", "/api/v1/crossings", {"json": {**vehicle, "plate": "NP 302-AA"}}, {OFC, CLK, SUP}),
        ("GET", "/api/v1/crossings", {}, {SUP}),
        ("GET", "/api/v1/audit", {}, {SUP}),
        ("GET", "/api/v1/audit/verification", {}, {SUP}),
        ("POST", "/api/v1/imports/crossings", {"content": CSV_HEADER, "headers": {"Content-Type": "text/csv"}}, {SUP}),
        ("GET", "/api/v1/exports/crossings", {"params": {"point": "merdare"}}, {SUP}),
        ("GET", "/api/v1/exports/registrations", {"params": {"status": "cancelled"}}, {SUP}),
        (
            "POST",
            "/api/v1/crossing-status",
            {
                "json": {
                    "point": "jarinje",
                    "entering": "XK",
                    "modes": ["bus"],
                    "status": "restricted",
                    "reason": "matrix",
                    "since": "2030-01-01T00:00:00+01:00",
                }
            },
            {SUP},
        ),
        ("POST", "/api/v1/queues", {"json": {"point": "jarinje", "entering": "XK", "mode": "passenger", "lanes_open": 2, "vehicles": 4}}, {OFC, CLK, SUP}),
        ("POST", "/api/v1/reads", {"content": PLAIN_PNG, "headers": {"Content-Type": "image/png"}}, {OFC, CLK, SUP}),
        ("GET", "/api/v1/reads/999999", {}, {OFC, CLK, SUP}),
        ("GET", "/api/v1/reads/999999/crop.png", {}, {OFC, CLK, SUP}),
        ("POST", "/api/v1/reads/999999/confirmation", {"json": {"plate": "NP 123-AB"}}, {OFC, CLK, SUP}),
        ("POST", "/api/v1/simulations", {"json": {"scenarios": ["none"], "traffic": "demo"}}, {SUP}),
        ("GET", "/api/v1/sync/status", {}, {SUP}),
        ("GET", "/api/v1/sync/conflicts", {}, {SUP}),
        ("POST", "/api/v1/users", {"json": {"name": "matrix-made", "role": "officer"}}, {ADM}),
        ("GET", "/api/v1/users", {}, {ADM}),
        ("POST", "/api/v1/users/nobody-here/disable", {}, {ADM}),
        ("POST", "/api/v1/users/nobody-here/enable", {}, {ADM}),
        ("POST", "/api/v1/users/nobody-here/password-reset", {}, {ADM}),
        ("POST", "/api/v1/keys", {"json": {"user": "nobody-here"}}, {ADM}),
        ("GET", "/api/v1/keys", {}, {ADM}),
        ("DELETE", "/api/v1/keys/000000000000", {}, {ADM}),
    ]


@pytest.fixture(scope="module")
def matrix(server: Running) -> list[tuple[str, str, dict[str, Any], set[Role]]]:
    return endpoints(server)


def test_every_role_gets_403_where_it_may_not_act_and_is_let_through_where_it_may(server: Running, matrix) -> None:
    outcomes = {}
    for method, path, request, allowed in matrix:
        for role in Role:
            with server.as_role(role) as client:
                response = client.request(method, path, **request)
            outcomes[(method, path.split("/api/v1/")[1], str(role))] = response.status_code
            if role in allowed:
                assert response.status_code not in (401, 403), (method, path, role, response.text)
                assert response.status_code < 500, (method, path, role, response.text)
            else:
                assert response.status_code == 403, (method, path, role, response.text)
                assert response.headers["content-type"] == "application/problem+json"
                assert response.json()["type"] == "urn:borderplates:problem:forbidden"
    assert len(outcomes) == len(matrix) * len(Role)


def test_the_matrix_covers_every_endpoint_that_needs_credentials(server: Running, matrix) -> None:
    with server.client() as client:
        document = client.get("/openapi.json").json()
    needing = {(method.upper(), path) for path, operations in document["paths"].items() for method, op in operations.items() if op["security"]}
    session_only = {("GET", "/api/v1/session"), ("DELETE", "/api/v1/session"), ("PUT", "/api/v1/session/password")}
    paths = document["paths"].items()
    site_key = {(method.upper(), path) for path, operations in paths for method, op in operations.items() if op["security"] == [{"siteKey": []}]}
    covered = {(method, _template(path, document)) for method, path, _, _ in matrix}
    assert needing - session_only - site_key == covered
    assert site_key == SITE_ENDPOINTS


def test_the_sites_endpoints_take_a_site_key_and_no_persons_credentials(server: Running) -> None:
    for role in Role:
        with server.as_role(role) as client:
            for method, path in SITE_ENDPOINTS:
                response = client.request(method, path, json={} if method == "POST" else None)
                assert response.status_code == 401, (method, path, role, response.text)
                assert "site key" in response.json()["detail"]


def _template(path: str, document: dict[str, Any]) -> str:
    """The OpenAPI path template a concrete path matches."""
    parts = path.split("/")
    for template in document["paths"]:
        pieces = template.split("/")
        if len(pieces) == len(parts) and all(p == q or (p.startswith("{") and p.endswith("}")) for p, q in zip(pieces, parts, strict=True)):
            return template
    raise AssertionError(f"no path template for {path}")


def test_every_endpoint_but_the_public_ones_answers_401_without_credentials(server: Running, matrix) -> None:
    with server.client() as client:
        for method, path, request, _ in matrix:
            response = client.request(method, path, **request)
            assert response.status_code == 401, (method, path, response.text)
            assert response.json()["type"] == "urn:borderplates:problem:not-authenticated"
            assert response.headers["www-authenticate"].startswith("Bearer")
        assert client.get("/api/v1/session").status_code == 401


def test_a_wrong_or_malformed_api_key_is_401(server: Running) -> None:
    for header in ("Bearer bpk_000000000000_nothing", "Bearer nonsense", "Basic dXNlcjpwYXNz", "Bearer"):
        with server.client() as client:
            response = client.get("/api/v1/check", params={"plate": "NP 123-AB", "entering": "XK"}, headers={"Authorization": header})
        assert response.status_code == 401, header


def test_crossing_points_and_the_rules_are_public(server: Running) -> None:
    with server.client() as client:
        points = client.get("/api/v1/crossing-points").json()["crossing_points"]
        rules = client.get("/api/v1/rules", params={"entering": "XK"}).json()["rules"]
    assert {point["id"] for point in points} == {"jarinje", "brnjak", "merdare", "mutivode", "konculj", "mucibaba"}
    assert rules and all(rule["jurisdiction"] == "XK" and rule["direction"] == "entry" for rule in rules)


def test_the_public_verification_shows_number_plate_validity_and_status_and_nothing_else(server: Running) -> None:
    number = issued(server, "NP 401-AA")
    with server.client() as client:
        response = client.get(f"/api/v1/verify/{number.replace('-', '').lower()}")
        missing = client.get(f"/api/v1/verify/{unknown_number()}")
        malformed = client.get("/api/v1/verify/not-a-number")
    assert response.status_code == 200
    shown = response.json()
    assert shown == {"number": number, "plate": "NP 401-AA", "valid_from": "2021-09-27", "valid_until": "2021-11-25", "status": "expired"}
    assert "clerk-jarinje" not in response.text and "jarinje" not in response.text
    assert missing.status_code == 404 and missing.json()["type"] == "urn:borderplates:problem:not-found"
    assert malformed.status_code == 422


def test_an_account_bound_to_a_crossing_point_acts_only_there(server: Running) -> None:
    with server.as_role(Role.CLERK) as client:
        elsewhere = client.post("/api/v1/registrations", json={"plate": "NP 501-AA", "entering": "XK", "point": "merdare", "at": AT})
        here = client.post("/api/v1/registrations", json={"plate": "NP 501-AA", "entering": "XK", "point": "jarinje", "at": AT})
    assert elsewhere.status_code == 403
    assert "acts only at jarinje" in elsewhere.json()["detail"]
    assert here.status_code == 201


def test_every_response_carries_the_security_headers(server: Running) -> None:
    with server.client() as client:
        answers = [client.get("/api/v1/crossing-points"), client.get("/api/v1/check"), client.get("/nowhere"), client.get("/openapi.json")]
        docs = client.get("/docs")
    for response in answers:
        assert response.headers["x-content-type-options"] == "nosniff"
        assert response.headers["x-frame-options"] == "DENY"
        assert response.headers["content-security-policy"].startswith("default-src 'none'")
        assert response.headers["cache-control"] == "no-store"
    assert docs.status_code == 200 and "swagger-ui-bundle.js" in docs.text
    assert "script-src 'self' 'sha256-" in docs.headers["content-security-policy"]
    with server.client() as client:
        assert client.get("/docs/assets/swagger-ui-bundle.js").status_code == 200


def test_the_check_moment_defaults_to_now(server: Running) -> None:
    with server.as_role(Role.OFFICER) as client:
        answer = client.get("/api/v1/check", params={"plate": "NP 123-AB", "entering": "XK"}).json()
    assert abs(dt.datetime.fromisoformat(answer["at"]) - dt.datetime.now(dt.UTC)) < dt.timedelta(minutes=5)
