"""Which rule decides when two could: the one marked to precede, never the one first in the file.

The loader's refusals (overlaps without a precedence, circles, unknown or pointless
precedences) are bad-data fixtures, checked in tests/reference/test_datafiles.py;
here, what a valid precedence does.
"""

from __future__ import annotations

import datetime as dt
import re
import tomllib
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from borderplates import law, reference
from borderplates.errors import RuleDataError
from borderplates.law import Vehicle
from borderplates.law.rules import load_regimes
from borderplates.reference.datafiles import DATA

BELGRADE = ZoneInfo("Europe/Belgrade")
MINIMAL = Path(__file__).parents[1] / "fixtures" / "minimal_data"
CASES = tomllib.loads((Path(__file__).parent / "timeline_cases.toml").read_text(encoding="utf-8"))["case"]
SOURCE = 'source = { title = "Test", url = "https://example.org/test", confidence = "C2" }'


def regime_file(tmp_path: Path, text: str) -> Path:
    """A data root with the minimal jurisdictions and one rules file holding ``text``."""
    (tmp_path / "rules").mkdir()
    (tmp_path / "rules" / "xk_rs.toml").write_text(text, encoding="utf-8")
    return tmp_path


def rule(name: str, when: str, start: str, requirement: str, enforcement: str | None, precedes: str = "") -> str:
    enforced = f'enforcement = "{enforcement}"\n' if enforcement else ""
    return (
        f'[rules.{name}]\njurisdiction = "XK"\ndirection = "entry"\ndescription = "{name}"\nwhen = {when}\n{precedes}\n'
        f'[[rules.{name}.versions]]\nfrom = {start}\nrequirement = "{requirement}"\n{enforced}{SOURCE}\n\n'
    )


HEAD = 'jurisdictions = ["XK", "RS"]\ntimezone = "Europe/Belgrade"\ndescription = "Precedence test"\n\n'
ALL_SERBIAN = rule("serbian", '{ issuer = ["RS"] }', "2020-01-01", "cover_symbols", "sticker")
TOWNS = '{ issuer = ["RS"], territory = ["XK"] }'


def decide(root: Path, plate: str, day: str = "2022-06-01") -> str:
    data = reference.load_from(MINIMAL)
    the_law = law.Law(load_regimes(data, root), data)
    at = dt.datetime.combine(dt.date.fromisoformat(day), dt.time(12), BELGRADE)
    return the_law.requirement_for(Vehicle(reference.plates.parse_plate(plate, data.jurisdictions)), "XK", at).rule.id


def test_a_rule_marked_to_precede_decides_wherever_it_stands_in_the_file(tmp_path: Path) -> None:
    towns = rule("towns", TOWNS, "2021-01-01", "re_registration", "warn", 'precedes = ["serbian"]')
    root = regime_file(tmp_path, HEAD + ALL_SERBIAN + towns)
    assert decide(root, "KM 123-AB") == "xk_rs.towns"
    assert decide(root, "NP 123-AB") == "xk_rs.serbian"
    assert decide(root, "KM 123-AB", "2020-06-01") == "xk_rs.serbian"


def test_the_same_rules_without_a_precedence_are_refused_naming_both(tmp_path: Path) -> None:
    towns = rule("towns", TOWNS, "2021-01-01", "re_registration", "warn")
    with pytest.raises(RuleDataError) as caught:
        decide(regime_file(tmp_path, HEAD + ALL_SERBIAN + towns), "KM 123-AB")
    assert caught.value.key == "rules.serbian.precedes"
    assert "serbian and towns can both decide for the same vehicle from 2021-01-01 00:00" in str(caught.value)


def test_precedence_is_transitive(tmp_path: Path) -> None:
    km = rule("km", '{ issuer = ["RS"], area = ["KM"] }', "2022-01-01", "refuse", "refuse_entry", 'precedes = ["towns"]')
    towns = rule("towns", TOWNS, "2021-01-01", "re_registration", "warn", 'precedes = ["serbian"]')
    root = regime_file(tmp_path, HEAD + ALL_SERBIAN + towns + km)
    assert decide(root, "KM 123-AB") == "xk_rs.km"
    assert decide(root, "KM 123-AB", "2021-06-01") == "xk_rs.towns"


NOT_TOWNS = '{ issuer = ["RS"], area = ["NP", "BG"] }'


@pytest.mark.parametrize(
    ("first", "second"),
    [
        (ALL_SERBIAN, rule("kosovo", '{ issuer = ["XK"] }', "2020-01-01", "none", None)),
        (ALL_SERBIAN, rule("neutral", '{ kind = ["neutral"] }', "2020-01-01", "refuse", "refuse_entry")),
        (rule("towns", TOWNS, "2020-01-01", "refuse", "refuse_entry"), rule("not_towns", NOT_TOWNS, "2020-01-01", "none", None)),
        (
            rule("cars", '{ vehicle_class = ["car"] }', "2020-01-01", "none", None),
            rule("trucks", '{ vehicle_class = ["truck", "bus"] }', "2020-01-01", "refuse", "refuse_entry"),
        ),
        (
            ALL_SERBIAN + '[[rules.serbian.versions]]\nfrom = 2029-12-31\nrequirement = "end"\n' + SOURCE + "\n\n",
            rule("later", TOWNS, "2029-12-31", "refuse", "refuse_entry"),
        ),
    ],
    ids=["issuer", "kind", "territory-and-area", "vehicle-class", "time"],
)
def test_rules_that_never_meet_need_no_precedence(tmp_path: Path, first: str, second: str) -> None:
    (regime,) = load_regimes(reference.load_from(MINIMAL), regime_file(tmp_path, HEAD + first + second))
    assert len(regime.rules) == len(regime.by_precedence) == 2


def test_the_shipped_regime_is_tried_precedence_first() -> None:
    (regime,) = law.load().regimes
    order = [r.id.removeprefix("xk_rs.") for r in regime.by_precedence]
    assert order.index("xk_town_plates_renewed_after_deal") < order.index("xk_km_plates_north_deadline") < order.index("rs_plates_entering_xk")
    assert order.index("xk_town_plates_re_registration") < order.index("rs_plates_entering_xk")
    assert [r.id for r in regime.rules] == [r.id for r in law.load().rules]


def reversed_rules(text: str) -> str:
    """The rules file with its rules in the opposite order (each rule with its versions)."""
    starts = [m.start() for m in re.finditer(r"^\[rules\.[a-z_]+\]$", text, flags=re.MULTILINE)]
    head, blocks = text[: starts[0]], [text[a:b] for a, b in zip(starts, [*starts[1:], len(text)], strict=True)]
    return head + "".join(block if block.endswith("\n\n") else block + "\n" for block in reversed(blocks))


def test_the_order_of_the_shipped_rules_in_their_file_decides_nothing(tmp_path: Path) -> None:
    shipped = (DATA / "rules" / "xk_rs.toml").read_text(encoding="utf-8")
    upside_down = reversed_rules(shipped)
    assert upside_down != shipped
    root = regime_file(tmp_path, upside_down)
    data = reference.load()
    (regime,) = load_regimes(data, root)
    assert [r.id for r in regime.rules] == [r.id for r in reversed(law.load().rules)]
    the_law, shipped_law = law.Law((regime,), data), law.load()
    for case in CASES:
        if "error" in case["expect"]:
            continue
        vehicle = Vehicle(reference.parse_plate(case["plate"]), resident=case.get("resident"), registered_on=case.get("registered_on"))
        at = case["at"].replace(tzinfo=BELGRADE)
        where, direction = (case["entering"], "entry") if "entering" in case else (case["leaving"], "exit")
        assert the_law.requirement_for(vehicle, where, at, direction).rule.id == shipped_law.requirement_for(vehicle, where, at, direction).rule.id, case[
            "name"
        ]


def test_a_version_that_starts_in_the_hour_the_clocks_go_back_is_judged_by_the_instant(tmp_path: Path) -> None:
    # On 31 Oct 2021 the clocks in Belgrade went back from 03:00 to 02:00: 02:30 happened twice.
    changed = ALL_SERBIAN + '[[rules.serbian.versions]]\nfrom = 2021-10-31T02:30:00\nrequirement = "none"\n' + SOURCE + "\n"
    data = reference.load_from(MINIMAL)
    the_law = law.Law(load_regimes(data, regime_file(tmp_path, HEAD + changed)), data)
    plate = Vehicle(reference.plates.parse_plate("NP 123-AB", data.jurisdictions))
    start = dt.datetime(2021, 10, 31, 0, 30, tzinfo=dt.UTC)  # 02:30 the first time, summer time
    for minutes, expected in ((-1, "cover_symbols"), (0, "none"), (45, "none"), (61, "none")):
        at = start + dt.timedelta(minutes=minutes)
        for shown in (at, at.astimezone(BELGRADE)):
            assert the_law.requirement_for(plate, "XK", shown).requirement.kind == expected, shown
    second_quarter_past_two = dt.datetime(2021, 10, 31, 2, 15, fold=1, tzinfo=BELGRADE)
    assert the_law.requirement_for(plate, "XK", second_quarter_past_two).requirement.kind == "none"
