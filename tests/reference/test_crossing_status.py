"""Crossing status: the shipped history at every boundary, directions, modes, alternatives, merging, bad data.

The boundaries below are written from the facts (shared/domain/FACTS.md §1.1, §3.3
and the sources named in the data file), not read from the data file, so that a
changed date in the data fails here. Bad data lives in ``tests/fixtures/bad_status/``,
one folder per failure mode, each checked against ``tests/fixtures/minimal_data``.
"""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from borderplates import reference
from borderplates.errors import DataError, UnknownCrossingPoint, ValidationError
from borderplates.reference import StatusEntry, StatusHistory, board_at, entering_for, load_crossing_status, open_alternatives, status_at
from borderplates.reference.crossing_points import Coordinates
from borderplates.reference.crossing_status import great_circle_km, state_at
from borderplates.vocabulary import CrossingState, Direction, Mode

FIXTURES = Path(__file__).parent.parent / "fixtures"
MINIMAL = FIXTURES / "minimal_data"
BAD = FIXTURES / "bad_status"
BELGRADE = ZoneInfo("Europe/Belgrade")

OPEN, RESTRICTED, BLOCKED, CLOSED = CrossingState.OPEN, CrossingState.RESTRICTED, CrossingState.BLOCKED, CrossingState.CLOSED
VEHICLES = ("passenger", "cargo", "bus")
ALL_MODES = ("passenger", "cargo", "bus", "pedestrian")
BOTH = ("XK", "RS")

# points, jurisdictions entered, modes, the local moment of the change, the state before it, the state from it
BOUNDARIES = [
    (("jarinje", "brnjak"), BOTH, VEHICLES, "2021-09-20T00:00", OPEN, BLOCKED),
    (("jarinje", "brnjak"), BOTH, VEHICLES, "2021-10-02T08:00", BLOCKED, OPEN),
    (("jarinje", "brnjak"), BOTH, ALL_MODES, "2022-12-10T00:00", OPEN, CLOSED),
    (("jarinje", "brnjak"), BOTH, ALL_MODES, "2022-12-30T12:00", CLOSED, OPEN),
    (("merdare",), BOTH, VEHICLES, "2022-12-27T00:00", OPEN, BLOCKED),
    (("merdare",), BOTH, VEHICLES, "2022-12-29T06:00", BLOCKED, OPEN),
    (("jarinje", "merdare", "brnjak"), BOTH, ("cargo", "bus"), "2023-06-20T00:00", OPEN, BLOCKED),
    (("jarinje", "merdare", "brnjak"), BOTH, ("cargo", "bus"), "2023-06-21T00:00", BLOCKED, OPEN),
    (("brnjak",), BOTH, ("passenger",), "2023-06-20T00:00", OPEN, BLOCKED),
    (("brnjak",), BOTH, ("passenger",), "2023-06-21T00:00", BLOCKED, OPEN),
    (("jarinje", "brnjak"), ("XK",), ALL_MODES, "2023-09-24T00:00", OPEN, CLOSED),
    (("brnjak",), ("XK",), ALL_MODES, "2023-10-04T00:00", CLOSED, OPEN),
    (("jarinje",), ("XK",), ALL_MODES, "2023-10-18T08:30", CLOSED, OPEN),
]
CASES = [
    (point, entering, mode, moment, before, after)
    for points, jurisdictions, modes, moment, before, after in BOUNDARIES
    for point in points
    for entering in jurisdictions
    for mode in modes
]

# case, the key the error names, words the message must contain
BAD_CASES = [
    ("unknown_point", "periods.0.points", ["unknown crossing point", "gate99"]),
    ("unknown_mode", "periods.0.modes.1", ["passenger", "pedestrian"]),
    ("unknown_state", "periods.0.state", ["open", "closed"]),
    ("jurisdiction_not_on_point", "periods.0.entering", ["ME", "jarinje"]),
    ("mode_not_served", "periods.0.modes", ["jarinje does not serve bus"]),
    ("overlapping_periods", "periods.1", ["overlaps periods.0", "jarinje entering XK by passenger"]),
    ("until_before_since", "periods.0.until", ["end after it starts"]),
    ("missing_source", "periods.0.source", ["missing"]),
    ("offset_on_since", "periods.0.since", ["offset"]),
    ("uncertain_source", "periods.0.source.confidence", ["C1"]),
    ("missing_default", "default", ["missing"]),
]


def local(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text).replace(tzinfo=BELGRADE)


@pytest.fixture(scope="module")
def points() -> dict[str, reference.CrossingPoint]:
    return reference.load().crossing_points


@pytest.fixture(scope="module")
def history(points: dict[str, reference.CrossingPoint]) -> StatusHistory:
    return load_crossing_status(points)


def minimal_points() -> dict[str, reference.CrossingPoint]:
    return reference.load_from(MINIMAL).crossing_points


@pytest.mark.parametrize(("point", "entering", "mode", "moment", "before", "after"), CASES, ids=[f"{c[0]}-{c[1]}-{c[2]}-{c[3]}" for c in CASES])
def test_the_shipped_status_changes_exactly_at_each_boundary(
    history: StatusHistory, point: str, entering: str, mode: str, moment: str, before: CrossingState, after: CrossingState
) -> None:
    at = local(moment)
    assert status_at(history, point, entering, mode, at - dt.timedelta(seconds=1)).state == before
    assert status_at(history, point, entering, mode, at).state == after
    assert status_at(history, point, entering, mode, at + dt.timedelta(hours=1)).state == after


def test_every_shipped_period_has_a_boundary_case(history: StatusHistory) -> None:
    changes = {(entry.point, entry.entering, str(entry.mode), entry.since) for entries in history.entries.values() for entry in entries if entry.state != OPEN}
    changes |= {(entry.point, entry.entering, str(entry.mode), entry.until) for entries in history.entries.values() for entry in entries if entry.state != OPEN}
    checked = {(point, entering, mode, local(moment)) for point, entering, mode, moment, _, _ in CASES}
    assert changes == checked


def test_entry_into_kosovo_was_closed_while_exit_stayed_open_in_september_2023(history: StatusHistory) -> None:
    at = local("2023-09-30T12:00")
    for point in ("jarinje", "brnjak"):
        entry = status_at(history, point, "XK", "passenger", at)
        leaving = status_at(history, point, "RS", "passenger", at)
        assert entry.state == CLOSED
        assert leaving.state == OPEN
        assert not leaving.is_default
        assert "stayed open" in leaving.reason
    assert status_at(history, "merdare", "XK", "passenger", at).state == OPEN


def test_the_june_2023_blockade_stopped_buses_and_lorries_but_not_cars_at_jarinje_and_merdare(history: StatusHistory) -> None:
    at = local("2023-06-20T12:00")
    for point in ("jarinje", "merdare"):
        assert status_at(history, point, "RS", "cargo", at).state == BLOCKED
        assert status_at(history, point, "XK", "bus", at).state == BLOCKED
        assert status_at(history, point, "XK", "passenger", at).state == OPEN
    assert status_at(history, "brnjak", "XK", "passenger", at).state == BLOCKED
    assert status_at(history, "konculj", "XK", "cargo", at).state == OPEN


def test_pedestrians_keep_the_default_where_no_source_says_they_were_stopped(history: StatusHistory) -> None:
    status = status_at(history, "jarinje", "XK", "pedestrian", local("2021-09-25T12:00"))
    assert status.state == OPEN
    assert status.is_default
    assert status_at(history, "jarinje", "XK", "pedestrian", local("2022-12-20T12:00")).state == CLOSED


def test_a_shipped_period_carries_its_reason_source_and_announced_end(history: StatusHistory) -> None:
    status = status_at(history, "brnjak", "RS", "bus", local("2021-09-25T12:00"))
    assert status.state == BLOCKED
    assert status.since == local("2021-09-20T00:00")
    assert status.until == local("2021-10-02T08:00")
    assert "protesters" in status.reason
    assert status.source is not None
    assert status.source.confidence == "C2"
    assert status.set_by is None


def test_the_default_is_declared_open_and_says_since_when(history: StatusHistory) -> None:
    before_any = status_at(history, "merdare", "XK", "passenger", local("2020-01-01T00:00"))
    assert (before_any.state, before_any.since, before_any.until, before_any.source) == (OPEN, None, None, None)
    assert "No closure" in before_any.reason
    after = status_at(history, "jarinje", "XK", "passenger", local("2021-10-05T00:00"))
    assert after.is_default
    assert after.since == local("2021-10-02T08:00")


def test_the_moment_may_be_given_in_any_time_zone(history: StatusHistory) -> None:
    just_before = dt.datetime(2021, 10, 2, 5, 59, 59, tzinfo=dt.UTC)
    assert status_at(history, "jarinje", "XK", "passenger", just_before).state == BLOCKED
    assert status_at(history, "jarinje", "XK", "passenger", just_before + dt.timedelta(seconds=1)).state == OPEN


def test_alternatives_to_jarinje_on_25_september_2021_start_with_merdare(history: StatusHistory, points: dict[str, reference.CrossingPoint]) -> None:
    found = open_alternatives(history, points.values(), "jarinje", "XK", Mode.PASSENGER, local("2021-09-25T12:00"))
    ids = [alternative.point.id for alternative in found]
    assert ids[0] == "merdare"
    assert "brnjak" not in ids
    assert "jarinje" not in ids
    assert all(alternative.status.state == OPEN for alternative in found)
    distances = [alternative.distance_km for alternative in found if alternative.distance_km is not None]
    assert distances == sorted(distances)
    assert 40 < distances[0] < 70
    assert ids[-1] == "mutivode"
    assert found[-1].distance_km is None


def test_alternatives_serve_the_same_mode(history: StatusHistory, points: dict[str, reference.CrossingPoint]) -> None:
    found = open_alternatives(history, points.values(), "brnjak", "RS", "cargo", local("2021-09-25T12:00"))
    assert [alternative.point.id for alternative in found] == ["merdare", "konculj"]


def test_alternatives_skip_a_point_closed_in_that_direction_only(history: StatusHistory, points: dict[str, reference.CrossingPoint]) -> None:
    at = local("2023-09-30T12:00")
    entering = [alternative.point.id for alternative in open_alternatives(history, points.values(), "jarinje", "XK", "passenger", at)]
    leaving = [alternative.point.id for alternative in open_alternatives(history, points.values(), "jarinje", "RS", "passenger", at)]
    assert entering[0] == "merdare"
    assert "brnjak" not in entering
    assert leaving[0] == "brnjak"


def test_the_board_lists_every_point_direction_and_mode_once(history: StatusHistory, points: dict[str, reference.CrossingPoint]) -> None:
    board = board_at(history, points.values(), local("2021-09-25T12:00"))
    expected = {(point.id, code, mode) for point in points.values() for code in point.between for mode in point.modes}
    assert len(board) == len(expected)
    assert {(entry.point, entry.entering, str(entry.mode)) for entry in board} == expected
    not_open = {(entry.point, entry.entering, str(entry.mode)) for entry in board if entry.state != OPEN}
    assert not_open == {(point, code, mode) for point in ("jarinje", "brnjak") for code in BOTH for mode in VEHICLES}


@pytest.mark.parametrize(
    ("point", "entering", "mode", "error", "words"),
    [
        ("gate99", "XK", "passenger", UnknownCrossingPoint, ["gate99", "jarinje"]),
        ("jarinje", "ME", "passenger", ValidationError, ["ME", "XK"]),
        ("mutivode", "XK", "cargo", ValidationError, ["does not serve cargo"]),
        ("jarinje", "XK", "horse", ValidationError, ["horse", "pedestrian"]),
    ],
)
def test_status_of_an_unknown_flow_is_refused_with_what_is_known(
    history: StatusHistory, point: str, entering: str, mode: str, error: type[Exception], words: list[str]
) -> None:
    with pytest.raises(error) as caught:
        status_at(history, point, entering, mode, local("2021-09-25T12:00"))
    for word in words:
        assert word in str(caught.value)


def test_a_moment_without_time_zone_is_refused(history: StatusHistory) -> None:
    with pytest.raises(ValidationError, match="time zone"):
        status_at(history, "jarinje", "XK", "passenger", dt.datetime(2021, 9, 25, 12))


def recorded(state: CrossingState, since: str, until: str | None = None, mode: Mode = Mode.PASSENGER, by: str = "supervisor.jarinje") -> StatusEntry:
    return StatusEntry("jarinje", "XK", mode, state, local(since), local(until) if until else None, f"set to {state}", set_by=by)


def test_a_recorded_change_overrides_the_shipped_history_from_its_moment(history: StatusHistory) -> None:
    merged = history.merged([recorded(OPEN, "2023-10-10T12:00")])
    assert status_at(merged, "jarinje", "XK", "passenger", local("2023-10-10T11:59")).state == CLOSED
    at_change = status_at(merged, "jarinje", "XK", "passenger", local("2023-10-10T12:00"))
    assert (at_change.state, at_change.set_by) == (OPEN, "supervisor.jarinje")
    assert status_at(merged, "jarinje", "XK", "passenger", local("2023-10-20T00:00")).set_by == "supervisor.jarinje"
    assert status_at(merged, "jarinje", "XK", "bus", local("2023-10-10T12:00")).state == CLOSED
    assert status_at(history, "jarinje", "XK", "passenger", local("2023-10-10T12:00")).state == CLOSED


def test_when_a_recorded_change_ends_what_lies_beneath_shows_again(history: StatusHistory) -> None:
    merged = history.merged([recorded(RESTRICTED, "2023-10-01T00:00", "2023-10-05T00:00"), recorded(BLOCKED, "2024-03-01T10:00", "2024-03-01T18:00")])
    assert status_at(merged, "jarinje", "XK", "passenger", local("2023-10-04T23:59")).state == RESTRICTED
    assert status_at(merged, "jarinje", "XK", "passenger", local("2023-10-05T00:00")).state == CLOSED
    assert status_at(merged, "jarinje", "XK", "passenger", local("2024-03-01T17:59")).state == BLOCKED
    back = status_at(merged, "jarinje", "XK", "passenger", local("2024-03-01T18:00"))
    assert back.is_default
    assert back.since == local("2024-03-01T18:00")


def test_the_later_of_two_recorded_changes_wins_and_a_change_wins_a_tie_with_a_shipped_period(history: StatusHistory) -> None:
    merged = history.merged([recorded(CLOSED, "2024-01-01T08:00"), recorded(OPEN, "2024-01-02T08:00"), recorded(RESTRICTED, "2024-01-02T08:00", by="second")])
    assert status_at(merged, "jarinje", "XK", "passenger", local("2024-01-01T20:00")).state == CLOSED
    assert status_at(merged, "jarinje", "XK", "passenger", local("2024-01-03T00:00")).set_by == "second"
    tie = history.merged([recorded(RESTRICTED, "2021-09-20T00:00", "2021-09-21T00:00")])
    assert status_at(tie, "jarinje", "XK", "passenger", local("2021-09-20T00:00")).state == RESTRICTED
    assert status_at(tie, "jarinje", "XK", "passenger", local("2021-09-21T00:00")).state == BLOCKED


BOUNDS = sorted(
    {moment for entries in load_crossing_status(reference.load().crossing_points).entries.values() for e in entries for moment in (e.since, e.until) if moment}
)
MOMENTS = st.one_of(
    st.sampled_from(BOUNDS),
    st.sampled_from(BOUNDS).map(lambda moment: moment - dt.timedelta(microseconds=1)),
    st.datetimes(dt.datetime(1900, 1, 2), dt.datetime(2199, 12, 30), timezones=st.just(dt.UTC)),
)


@settings(deadline=None, max_examples=300)
@given(flow=st.integers(0, 10_000), at=MOMENTS, merge=st.booleans())
def test_the_state_found_by_search_is_the_state_of_the_status_in_force(flow: int, at: dt.datetime, merge: bool) -> None:
    history = load_crossing_status(reference.load().crossing_points)
    if merge:
        history = history.merged([recorded(RESTRICTED, "2023-10-01T00:00", "2023-10-05T00:00"), recorded(OPEN, "2021-09-25T09:00")])
    chosen = sorted(history.defaults, key=str)[flow % len(history.defaults)]
    assert state_at(history, chosen.point, chosen.entering, chosen.mode, at) == status_at(history, chosen.point, chosen.entering, chosen.mode, at).state


def test_the_state_of_an_unknown_flow_or_a_naive_moment_is_refused_as_the_status_is(history: StatusHistory) -> None:
    with pytest.raises(UnknownCrossingPoint):
        state_at(history, "atlantis", "XK", "passenger", local("2021-09-25T12:00"))
    with pytest.raises(ValidationError, match="time zone"):
        state_at(history, "jarinje", "XK", "passenger", dt.datetime(2021, 9, 25, 12))


@pytest.mark.parametrize(
    ("change", "words"),
    [
        (StatusEntry("gate99", "XK", Mode.PASSENGER, OPEN, local("2024-01-01T00:00"), None, "x", set_by="s"), ["gate99"]),
        (StatusEntry("jarinje", "XK", Mode.PASSENGER, OPEN, dt.datetime(2024, 1, 1), None, "x", set_by="s"), ["aware"]),
        (StatusEntry("jarinje", "XK", Mode.PASSENGER, OPEN, local("2024-01-02T00:00"), local("2024-01-01T00:00"), "x", set_by="s"), ["end after"]),
        (StatusEntry("jarinje", "XK", Mode.PASSENGER, OPEN, local("2024-01-01T00:00"), None, "x"), ["who set it"]),
    ],
)
def test_a_malformed_recorded_change_is_refused(history: StatusHistory, change: StatusEntry, words: list[str]) -> None:
    with pytest.raises(ValidationError) as caught:
        history.merged([change])
    for word in words:
        assert word in str(caught.value)


@pytest.mark.parametrize(
    ("jurisdiction", "direction", "entered"), [("XK", Direction.ENTRY, "XK"), ("XK", "exit", "RS"), ("RS", "entry", "RS"), ("RS", Direction.EXIT, "XK")]
)
def test_a_direction_from_either_side_names_the_jurisdiction_entered(
    points: dict[str, reference.CrossingPoint], jurisdiction: str, direction: str, entered: str
) -> None:
    assert entering_for(points["jarinje"], jurisdiction, direction) == entered


def test_a_direction_needs_a_known_word_and_a_jurisdiction_of_the_point(points: dict[str, reference.CrossingPoint]) -> None:
    with pytest.raises(ValidationError, match="entry or exit"):
        entering_for(points["jarinje"], "XK", "in")
    with pytest.raises(ValidationError, match="ME"):
        entering_for(points["jarinje"], "ME", "entry")


def test_one_degree_of_latitude_is_about_111_km() -> None:
    source = reference.load().crossing_points["jarinje"].source
    distance = great_circle_km(Coordinates(42.0, 21.0, source), Coordinates(43.0, 21.0, source))
    assert distance == pytest.approx(111.195, abs=0.01)
    assert great_circle_km(Coordinates(42.0, 21.0, source), Coordinates(42.0, 21.0, source)) == 0


@pytest.mark.parametrize(("case", "key", "words"), BAD_CASES, ids=[c[0] for c in BAD_CASES])
def test_malformed_status_data_fails_naming_the_file_and_the_key(case: str, key: str, words: list[str]) -> None:
    with pytest.raises(DataError) as caught:
        load_crossing_status(minimal_points(), root=BAD / case)
    message = str(caught.value)
    assert caught.value.file.endswith("crossing_status/xk_rs.toml")
    assert caught.value.key == key
    for word in words:
        assert word in message


def test_every_bad_status_fixture_is_checked_by_a_case() -> None:
    assert {path.name for path in BAD.iterdir() if path.is_dir()} == {case for case, *_ in BAD_CASES}


def good_copy(tmp_path: Path) -> Path:
    """A valid status file for the minimal data: the bad fixtures' base with nothing wrong."""
    text = (BAD / "missing_source" / "crossing_status" / "xk_rs.toml").read_text(encoding="utf-8")
    folder = tmp_path / "crossing_status"
    folder.mkdir()
    source = 'source = { title = "Blockade", url = "https://example.org/blockade", confidence = "C2" }\n'
    (folder / "xk_rs.toml").write_text(text.rstrip("\n") + "\n" + source, encoding="utf-8")
    return folder


def test_the_base_of_the_bad_fixtures_loads_when_nothing_is_wrong(tmp_path: Path) -> None:
    good_copy(tmp_path)
    history = load_crossing_status(minimal_points(), root=tmp_path)
    assert len(history.flows) == 4
    assert status_at(history, "jarinje", "RS", "cargo", local("2021-09-25T00:00")).state == BLOCKED


def test_a_point_covered_by_two_status_files_is_refused(tmp_path: Path) -> None:
    folder = good_copy(tmp_path)
    shutil.copy(folder / "xk_rs.toml", folder / "xk_rs_again.toml")
    with pytest.raises(DataError, match="also covered by"):
        load_crossing_status(minimal_points(), root=tmp_path)


def test_a_status_file_for_a_pair_without_crossing_points_is_refused(tmp_path: Path) -> None:
    folder = good_copy(tmp_path)
    path = folder / "xk_rs.toml"
    path.write_text(path.read_text(encoding="utf-8").replace('jurisdictions = ["XK", "RS"]', 'jurisdictions = ["XK", "ME"]'), encoding="utf-8")
    with pytest.raises(DataError) as caught:
        load_crossing_status(minimal_points(), root=tmp_path)
    assert caught.value.key == "jurisdictions"


def test_a_missing_status_folder_is_a_data_error(tmp_path: Path) -> None:
    with pytest.raises(DataError, match="missing"):
        load_crossing_status(minimal_points(), root=tmp_path)
