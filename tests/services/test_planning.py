"""Planning: scenarios simulated on the traffic a crossing point recorded, or on the demo week's."""

from __future__ import annotations

import datetime as dt

import pytest

from borderplates.errors import Forbidden, UnknownCrossingPoint, ValidationError
from borderplates.registry import Database
from borderplates.services import planning
from borderplates.services.crossings import record_crossing
from borderplates.services.presentation import Presentation
from borderplates.simulate.demo import DEMO_VOLUMES
from borderplates.vocabulary import Role
from tests.conftest import OPERATOR, local, operator

OFFICER = operator("officer-1", Role.OFFICER)
# Kosovo plates entering Kosovo at Merdare, two on 22 September 2021 and one on the 23rd (at 01:30 local:
# still the 22nd in UTC), and one leaving Kosovo there on the 22nd.
RECORDED = [
    ("01-101-AA", "XK", "entry", local(2021, 9, 22, 8, 10)),
    ("01-102-AA", "XK", "entry", local(2021, 9, 22, 17, 45)),
    ("01-103-AA", "XK", "entry", local(2021, 9, 23, 1, 30)),
    ("01-104-AA", "XK", "exit", local(2021, 9, 22, 9, 0)),
]


def record(db: Database) -> None:
    for plate, jurisdiction, direction, at in RECORDED:
        record_crossing(Presentation(plate, jurisdiction, at, direction, point="merdare"), actor=OPERATOR, db=db)


def test_the_traffic_recorded_at_a_point_counts_its_crossings_by_hour_origin_and_direction(db: Database) -> None:
    record(db)
    traffic = planning.recorded_traffic("Merdare", actor=OPERATOR, db=db)
    assert traffic is not None
    assert (traffic.point, traffic.side, traffic.records, traffic.first_on, traffic.last_on) == ("merdare", "XK", 4, dt.date(2021, 9, 22), dt.date(2021, 9, 23))
    entering = next(s for s in traffic.streams if (s.origin, s.towards) == ("XK", "XK"))
    leaving = next(s for s in traffic.streams if (s.origin, s.towards) == ("XK", "RS"))
    assert (sum(entering.profile), entering.profile[8], entering.profile[17], entering.profile[1]) == (3, 1, 1, 1)
    assert (sum(leaving.profile), leaving.profile[9]) == (1, 1)


def test_a_period_takes_the_crossings_of_its_local_days_only(db: Database) -> None:
    record(db)
    traffic = planning.recorded_traffic("merdare", first_day=dt.date(2021, 9, 23), actor=OPERATOR, db=db)
    assert traffic is not None and (traffic.records, traffic.first_on, traffic.last_on) == (1, dt.date(2021, 9, 23), dt.date(2021, 9, 23))
    traffic = planning.recorded_traffic("merdare", last_day=dt.date(2021, 9, 22), actor=OPERATOR, db=db)
    assert traffic is not None and traffic.records == 3
    assert planning.recorded_traffic("merdare", first_day=dt.date(2021, 9, 24), actor=OPERATOR, db=db) is None


def test_the_other_sides_booths_and_other_points_are_not_counted(db: Database) -> None:
    record(db)
    assert planning.recorded_traffic("merdare", side="RS", actor=OPERATOR, db=db) is None
    assert planning.recorded_traffic("jarinje", actor=OPERATOR, db=db) is None


def test_a_plan_runs_on_the_recorded_traffic_when_there_is_some_and_on_the_demo_week_otherwise(db: Database) -> None:
    demo = planning.plan(["stickers"], point="merdare", actor=OPERATOR, db=db)
    assert demo.volumes == DEMO_VOLUMES
    with pytest.raises(ValidationError, match=r"no crossings recorded at Merdar.*simulate the demo week's traffic instead"):
        planning.plan(["stickers"], point="merdare", traffic="recorded", actor=OPERATOR, db=db)
    record(db)
    recorded = planning.plan(["stickers"], point="merdare", actor=OPERATOR, db=db)
    assert (recorded.volumes, recorded.calibration.records) == ("recorded crossings", 4)
    assert planning.plan(["stickers"], point="merdare", traffic="demo", actor=OPERATOR, db=db).volumes == DEMO_VOLUMES
    total = sum(r.result.overall.vehicles for r in recorded.results)
    assert 0 < total < sum(r.result.overall.vehicles for r in demo.results)


def test_only_supervisors_plan(db: Database) -> None:
    with pytest.raises(Forbidden):
        planning.plan(["stickers"], actor=OFFICER, db=db)
    with pytest.raises(Forbidden):
        planning.recorded_traffic("merdare", actor=OFFICER, db=db)


@pytest.mark.parametrize(
    ("arguments", "error", "message"),
    [
        ({"first_day": dt.date(2021, 9, 23), "last_day": dt.date(2021, 9, 22)}, ValidationError, "comes before the first"),
        ({"first_day": dt.datetime(2021, 9, 22, tzinfo=dt.UTC)}, ValidationError, "needs a date"),
        ({"last_day": dt.date(9999, 12, 31)}, ValidationError, "outside the years"),
        ({"last_day": "2021-09-22"}, ValidationError, "needs a date"),
        ({"point": "nowhere"}, UnknownCrossingPoint, "unknown crossing point"),
        ({"point": "centre:Prishtina"}, ValidationError, "registration centre"),
        ({"traffic": "guessed"}, ValidationError, "unknown traffic"),
        ({"traffic": "demo", "first_day": dt.date(2021, 9, 22)}, ValidationError, "not the demo week"),
    ],
)
def test_bad_plans_are_refused_with_a_clear_error(db: Database, arguments: dict[str, object], error: type[Exception], message: str) -> None:
    record(db)
    with pytest.raises(error, match=message):
        planning.plan(["stickers"], actor=OPERATOR, db=db, **arguments)  # type: ignore[arg-type]
