"""Crossing status set by supervisors, enforced at checks and crossings, shown on the board with waits; on SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from borderplates import reference
from borderplates.errors import Forbidden, ValidationError
from borderplates.registry import Database
from borderplates.services import checks, registrations, status
from borderplates.services.crossings import record_crossing
from borderplates.services.presentation import Presentation
from borderplates.vocabulary import CrossingState, Decision, Mode, Role, WaitMethod
from tests.conftest import OPERATOR, local, operator

frozen = pytest.mark.usefixtures("test_rules")
SUPERVISOR = operator("supervisor-1", Role.SUPERVISOR)
PLATE = "NP 123-AB"


def check(db: Database, point: str, at: dt.datetime, **facts: Any) -> checks.Check:
    return checks.check_vehicle(Presentation(PLATE, "XK", at, point=point, **facts), actor=operator("officer-1", Role.OFFICER), db=db)


def close_merdare(db: Database, **options: Any) -> tuple[Any, ...]:
    options.setdefault("since", local(2021, 9, 21, 8))
    return status.set_crossing_status("merdare", "XK", ["passenger"], "closed", "Road works", actor=SUPERVISOR, db=db, **options)


@frozen
def test_a_closure_set_by_a_supervisor_refuses_checks_from_its_moment_and_names_the_open_crossings(db):
    close_merdare(db, until=local(2021, 9, 22, 8))
    assert check(db, "merdare", local(2021, 9, 21, 7, 59)).decision == Decision.ISSUE_TEMPORARY_REGISTRATION
    refused = check(db, "merdare", local(2021, 9, 21, 10))
    assert refused.decision == Decision.REFUSE
    assert any("Merdarë / Merdare is closed for passenger traffic entering XK" in reason and "Road works" in reason for reason in refused.reasons)
    assert any(reason.startswith("open instead: Jarinjë / Jarinje") for reason in refused.reasons)
    assert refused.as_json()["decision"] == "refuse"
    assert check(db, "merdare", local(2021, 9, 22, 8)).decision == Decision.ISSUE_TEMPORARY_REGISTRATION  # the announced end


@frozen
def test_a_closure_concerns_only_its_mode_and_its_direction(db):
    close_merdare(db)
    at = local(2021, 9, 21, 10)
    assert check(db, "merdare", at, vehicle_class="bus").decision == Decision.ISSUE_TEMPORARY_REGISTRATION
    leaving = checks.check_vehicle(Presentation(PLATE, "XK", at, "exit", point="merdare"), actor=OPERATOR, db=db)
    assert leaving.decision == Decision.ADMIT
    assert check(db, "jarinje", at).decision == Decision.ISSUE_TEMPORARY_REGISTRATION


@frozen
def test_a_crossing_at_a_closed_point_is_recorded_as_a_refusal_even_for_a_car_that_holds_a_registration(db):
    registrations.issue_temporary_registration(Presentation(PLATE, "XK", local(2021, 9, 20, 10), point="merdare"), actor=operator("clerk-1"), db=db)
    close_merdare(db)
    record = record_crossing(Presentation(PLATE, "XK", local(2021, 9, 21, 10), point="merdare"), actor=operator("officer-1"), db=db)
    assert record.crossing.decision == Decision.REFUSE
    assert record.crossing.registration_id is None
    assert any("closed" in reason for reason in record.check.reasons)


@frozen
def test_the_frozen_history_closes_brnjak_to_traffic_entering_kosovo_and_a_later_change_reopens_it(db):
    at = local(2021, 3, 2, 10)
    assert check(db, "brnjak", at).decision == Decision.REFUSE
    status.set_crossing_status("brnjak", "XK", ["passenger"], "open", "Works finished early", since=local(2021, 3, 2, 9), actor=SUPERVISOR, db=db)
    assert check(db, "brnjak", at).decision == Decision.ISSUE_TEMPORARY_REGISTRATION
    assert status.crossing_status("brnjak", "XK", "cargo", at, db=db).state == CrossingState.CLOSED


@frozen
def test_another_process_sees_a_change_after_the_refresh_interval(db, monkeypatch):
    assert check(db, "merdare", local(2021, 9, 21, 10)).decision == Decision.ISSUE_TEMPORARY_REGISTRATION
    elsewhere = Database(db.url, db.engine)  # another process's view of the same registry
    assert status.crossing_status("merdare", "XK", "passenger", local(2021, 9, 21, 10), db=elsewhere).state == CrossingState.OPEN
    close_merdare(db)
    assert status.crossing_status("merdare", "XK", "passenger", local(2021, 9, 21, 10), db=elsewhere).state == CrossingState.OPEN  # trusted a while
    monkeypatch.setattr(status, "REFRESH", 0.0)
    assert status.crossing_status("merdare", "XK", "passenger", local(2021, 9, 21, 10), db=elsewhere).state == CrossingState.CLOSED


@frozen
@pytest.mark.parametrize(
    ("arguments", "error"),
    [
        ({"point": "atlantis"}, "unknown crossing point"),
        ({"entering": "AL"}, "not on the border of AL"),
        ({"modes": ["boat"]}, "unknown mode 'boat'"),
        ({"point": "mutivode", "modes": ["cargo"]}, "serves passenger, bus, pedestrian, not 'cargo'"),
        ({"modes": []}, "say which traffic"),
        ({"state": "sealed"}, "unknown state 'sealed'"),
        ({"reason": "  "}, "say why"),
        ({"reason": "x" * 201}, "longer than 200"),
        ({"until": local(2021, 9, 21, 8)}, "ends after it starts"),
        ({"since": dt.datetime(2021, 9, 21, 8)}, "UTC offset"),
    ],
)
def test_bad_status_changes_are_refused_and_record_nothing(db, arguments, error):
    values: dict[str, Any] = {
        "point": "merdare",
        "entering": "XK",
        "modes": ["passenger"],
        "state": "closed",
        "reason": "Works",
        "since": local(2021, 9, 21, 8),
    }
    values.update(arguments)
    with pytest.raises(ValidationError, match=error):
        status.set_crossing_status(
            values.pop("point"), values.pop("entering"), values.pop("modes"), values.pop("state"), values.pop("reason"), actor=SUPERVISOR, db=db, **values
        )
    with db.reading() as uow:
        assert uow.status_changes.all() == []


@frozen
def test_only_supervisors_set_the_status_and_a_bound_one_only_at_their_point(db):
    for clerk in (operator("officer-1", Role.OFFICER), operator("clerk-1", Role.CLERK), operator("admin", Role.ADMIN)):
        with pytest.raises(Forbidden):
            status.set_crossing_status("merdare", "XK", ["bus"], "closed", "x", since=local(2021, 9, 21), actor=clerk, db=db)
    bound = operator("supervisor-j", Role.SUPERVISOR, point="jarinje")
    with pytest.raises(Forbidden, match="acts only at jarinje"):
        status.set_crossing_status("merdare", "XK", ["bus"], "closed", "x", since=local(2021, 9, 21), actor=bound, db=db)
    assert status.set_crossing_status("jarinje", "XK", ["bus"], "closed", "x", since=local(2021, 9, 21), actor=bound, db=db)[0].set_by == "supervisor-j"


def test_the_board_on_25_september_2021_shows_jarinje_and_brnjak_blocked_for_cars_with_merdare_open(db):
    lines = {(line.status.point, line.status.entering, line.status.mode): line for line in status.board(local(2021, 9, 25, 12), db=db)}
    assert len(lines) == sum(len(point.between) * len(point.modes) for point in reference.load().crossing_points.values())
    for point in ("jarinje", "brnjak"):
        blocked = lines[(point, "XK", Mode.PASSENGER)].as_json()
        assert (blocked["status"], blocked["since"]) == ("blocked", "2021-09-20T00:00:00+02:00")
        assert "merdare" in [a["point"] for a in blocked["alternatives"]]
    merdare = lines[("merdare", "XK", Mode.PASSENGER)].as_json()
    assert (merdare["status"], merdare["alternatives"], merdare["delay_minutes"], merdare["method"]) == ("open", [], None, None)


@frozen
def test_the_board_estimates_the_wait_from_the_crossings_recorded_and_the_queue_observed(db):
    at = local(2021, 9, 21, 12)
    for minute in range(0, 15):  # one car entering Kosovo at Merdare every minute
        moment = at - dt.timedelta(minutes=minute, seconds=30)
        record_crossing(Presentation(f"NP {100 + minute}-AB", "XK", moment, point="merdare"), actor=operator("o"), db=db)
    status.observe_queue("merdare", "XK", "passenger", at - dt.timedelta(minutes=2), lanes_open=2, vehicles=10, actor=operator("o", Role.OFFICER), db=db)
    line = next(line for line in status.board(at, db=db) if (line.status.point, line.status.entering, line.status.mode) == ("merdare", "XK", Mode.PASSENGER))
    shown = line.as_json()
    assert line.wait.method == WaitMethod.MODEL
    assert shown["delay_minutes"] == pytest.approx(10.0, abs=0.5)  # Little's law: 10 waiting, 60 an hour
    assert (shown["lanes_open"], shown["stale"]) == (2, False)
    assert isinstance(shown["delay_minutes"], float) and shown["max_lanes"] is None


@frozen
def test_a_queue_observation_needs_a_length_or_a_wait(db):
    with pytest.raises(ValidationError, match="say how long"):
        status.observe_queue("merdare", "XK", "passenger", local(2021, 9, 21, 12), lanes_open=2, actor=OPERATOR, db=db)
    with pytest.raises(ValidationError, match="lanes open must be"):
        status.observe_queue("merdare", "XK", "passenger", local(2021, 9, 21, 12), lanes_open=-1, vehicles=3, actor=OPERATOR, db=db)
