"""Planning over HTTP: scenarios compared as figures or as a plot, on recorded traffic or the demo week's."""

from __future__ import annotations

import io

import pytest
from PIL import Image

from borderplates.services import planning
from borderplates.simulate.demo import DEMO_VOLUMES
from borderplates.vocabulary import Role
from tests.api.conftest import Running

COMPARED = {"scenarios": ["temporary-plates", "stickers"], "point": "merdare", "traffic": "demo", "seed": 3}


def test_scenarios_compare_as_figures_with_the_waits_longer_under_temporary_plates(server: Running) -> None:
    with server.as_role(Role.SUPERVISOR) as supervisor:
        answer = supervisor.post("/api/v1/simulations", json=COMPARED)
    assert answer.status_code == 200, answer.text
    shown = answer.json()
    assert (shown["point"], shown["days"], shown["seed"], shown["volumes"]["source"]) == ("merdare", 1, 3, DEMO_VOLUMES)
    waits = {s["name"]: s["overall"]["mean_wait_minutes"] for s in shown["scenarios"]}
    assert waits["temporary-plates"] > waits["stickers"]


def test_a_client_that_accepts_only_png_gets_the_plot(server: Running) -> None:
    with server.as_role(Role.SUPERVISOR) as supervisor:
        answer = supervisor.post("/api/v1/simulations", json=COMPARED, headers={"Accept": "image/png"})
    assert answer.status_code == 200 and answer.headers["content-type"] == "image/png"
    plot = Image.open(io.BytesIO(answer.content))
    assert plot.format == "PNG" and plot.width > 600


@pytest.mark.parametrize(
    ("body", "kind"),
    [
        ({"scenarios": []}, "request-invalid"),
        ({"scenarios": ["fast-lane"]}, "request-invalid"),
        ({"scenarios": ["none"], "days": 8}, "request-invalid"),
        ({"scenarios": ["none"], "days": True}, "request-invalid"),
        ({"scenarios": ["none"], "point": "atlantis"}, "unknown-crossing-point"),
        ({"scenarios": ["none"], "traffic": "demo", "from": "2021-09-20"}, "validation-error"),
        ({"scenarios": ["none"], "from": "2021-09-22", "until": "2021-09-21"}, "validation-error"),
        ({"scenarios": ["none"], "until": "9999-12-31"}, "validation-error"),
        ({"scenarios": ["none"], "point": "<script>alert(1)</script>"}, "unknown-crossing-point"),
        ({"scenarios": ["law"]}, "validation-error"),
    ],
)
def test_bad_plans_are_problems(server: Running, body: dict[str, object], kind: str) -> None:
    with server.as_role(Role.SUPERVISOR) as supervisor:
        answer = supervisor.post("/api/v1/simulations", json=body)
    assert answer.status_code == 422, answer.text
    assert answer.headers["content-type"] == "application/problem+json"
    assert answer.json()["type"] == f"urn:borderplates:problem:{kind}"


def test_while_a_plan_runs_another_is_asked_to_come_back(server: Running) -> None:
    with planning._running, server.as_role(Role.SUPERVISOR) as supervisor:  # a plan under way in the server's process
        answer = supervisor.post("/api/v1/simulations", json=COMPARED)
    assert answer.status_code == 429
    assert answer.headers["retry-after"] == str(planning.RETRY_AFTER)
    assert answer.json()["type"] == "urn:borderplates:problem:try-later"
