"""The centre's sync endpoints under bad input: a site's malformed batch is a problem (422 or 409), never a 500, and changes nothing."""

from __future__ import annotations

import hashlib
import json

import pytest
import sqlalchemy as sa

from borderplates.registry.tables import audit_log
from borderplates.services import sync
from borderplates.services.actors import Actor
from borderplates.vocabulary import Role
from tests.api.conftest import Running

ADMIN = Actor("sync-admin", Role.ADMIN)


@pytest.fixture(scope="module")
def site_key(server: Running) -> str:
    return sync.create_site("jarinje", actor=ADMIN, db=server.db)[1]


def held(server: Running) -> int:
    with server.db.read() as conn:
        return int(conn.execute(sa.select(sa.func.count()).select_from(audit_log).where(audit_log.c.origin == "jarinje")).scalar_one())


@pytest.mark.parametrize(
    ("moment", "said"),
    [("garbage", "not an ISO 8601 moment"), ("2021-09-21T10:00:00", "no UTC offset"), ("9999-12-31T23:59:59+00:00", "9999")],
)
def test_a_batch_with_a_bad_moment_is_refused_with_the_reason(server: Running, site_key: str, moment: str, said: str) -> None:
    with server.client() as client:
        answer = client.post(
            "/api/v1/sync/batches",
            json={"site": "jarinje", "head": 1, "oldest_unsent_at": moment, "records": []},
            headers={"Authorization": f"Bearer {site_key}"},
        )
        pulled = client.post(
            "/api/v1/sync/changes", json={"cursor": {}, "head": 1, "oldest_unsent_at": moment}, headers={"Authorization": f"Bearer {site_key}"}
        )
    for response in (answer, pulled):
        assert response.status_code == 422, response.text
        assert said in response.json()["detail"]


def test_a_record_that_hashes_right_but_is_no_record_refuses_the_batch_as_a_problem_with_its_kind_and_seq(server: Running, site_key: str) -> None:
    before = held(server)
    body = json.dumps({"not": "a record"})
    record = {"seq": 1, "hash": hashlib.sha256(body.encode()).hexdigest(), "record": body}
    with server.client() as client:
        answer = client.post("/api/v1/sync/batches", json={"site": "jarinje", "head": 1, "records": [record]}, headers={"Authorization": f"Bearer {site_key}"})
    assert answer.status_code == 409, answer.text
    problem = answer.json()
    assert problem["type"] == "urn:borderplates:problem:chain-refused" and problem["seq"] == 1 and problem["kind"] == "malformed"
    assert held(server) == before
