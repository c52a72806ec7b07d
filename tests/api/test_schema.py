"""Schemathesis against the served OpenAPI document: no input makes a 5xx, every answer conforms to the document.

Data that fits the schema may still be refused by the law or the registry (a plate of
no known format, a registration that does not exist), so the check that schema-valid
data is accepted is not run; every other check is, with a supervisor's API key (the
role that may read and do the most), for every operation, on data that fits the
schema and on data that does not (a boolean for a number, a number for a date...).
"""

from __future__ import annotations

import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis import GenerationMode
from schemathesis.specs.openapi.checks import positive_data_acceptance

from borderplates.vocabulary import Role
from tests.api.conftest import ROLE_ACCOUNT, Running

EXAMPLES = 25


def test_no_input_makes_a_server_error_and_every_answer_conforms(server: Running) -> None:
    schema = schemathesis.openapi.from_url(f"{server.url}/openapi.json")
    headers = {"Authorization": f"Bearer {server.keys[ROLE_ACCOUNT[Role.SUPERVISOR]]}"}
    failed: dict[str, str] = {}
    operations = 0
    statuses: list[int] = []
    for result in schema.get_all_operations():
        operation = result.ok()
        operations += 1

        @given(case=operation.as_strategy(generation_mode=GenerationMode.POSITIVE) | operation.as_strategy(generation_mode=GenerationMode.NEGATIVE))
        @settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True, database=None)
        def exercise(case: schemathesis.Case) -> None:
            statuses.append(case.call_and_validate(headers=headers, excluded_checks=[positive_data_acceptance]).status_code)

        try:
            exercise()
        except Exception as failure:  # every operation is exercised, and all failures are reported together
            failed[operation.label] = str(failure)[:2000]
    assert operations >= 30 and len(statuses) >= operations * 5
    assert {200, 401, 422} <= set(statuses)
    assert not failed, "\n\n".join(f"{label}:\n{text}" for label, text in failed.items())
