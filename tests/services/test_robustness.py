"""Junk input to the check service: only the project's own errors, never anything else."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from borderplates.errors import BorderplatesError
from borderplates.registry.database import Database
from borderplates.services import checks
from borderplates.services.presentation import Presentation
from tests.conftest import OPERATOR, sqlite_database

# Mostly sensible values, so that many cases reach the registry, with junk mixed in.
POINTS = st.sampled_from([None, "jarinje", "merdare", "brnjak", "JARINJE", "nowhere", "", "centre:Prishtinë"]) | st.text(max_size=12)
JURISDICTIONS = st.sampled_from(["XK", "XK", "RS", "RS", "xk", "AL", "ZZ", ""]) | st.text(max_size=4)
MOMENTS = st.datetimes(min_value=dt.datetime(2005, 1, 1), max_value=dt.datetime(2030, 1, 1), timezones=st.sampled_from([dt.UTC, dt.UTC, dt.UTC, None]))


@pytest.fixture(scope="module")
def registry(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Database]:
    with sqlite_database(Path(tmp_path_factory.mktemp("robust")) / "registry.db") as database:
        yield database


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    plate=st.one_of(st.text(max_size=24), st.sampled_from(["NP 123-AB", "KM 123-AB", "01-123-AB", "123-KS-456", "BC 123-AB", "AA 123 AA"])),
    jurisdiction=JURISDICTIONS,
    at=MOMENTS,
    direction=st.sampled_from(["entry", "entry", "exit", "sideways"]),
    point=POINTS,
    resident=st.one_of(st.none(), JURISDICTIONS),
    vehicle_class=st.sampled_from(["car", "bus", "tank"]),
)
def test_check_vehicle_answers_or_raises_only_project_errors(registry, plate, jurisdiction, at, direction, point, resident, vehicle_class):
    try:
        result = checks.check_vehicle(
            Presentation(plate, jurisdiction, at, direction, point=point, resident=resident, vehicle_class=vehicle_class), actor=OPERATOR, db=registry
        )
    except BorderplatesError as error:
        assert error.text
        event(f"refused: {type(error).__name__}")
    else:
        event(f"decided: {result.decision}")
        assert result.decision in ("admit", "issue_temporary_registration", "apply_sticker", "warn", "fine", "refuse")
        assert result.as_json()["reasons"]
