"""A realistic demo week: 20–26 Sep 2021 at the six Kosovo–Serbia crossings, as generated data.

Kosovo's reciprocity measure took effect on Monday 20 Sep 2021: every vehicle with
Serbian plates entering Kosovo needed temporary Kosovo plates (EUR 5, 60 days),
issued at the crossings and, from 21 Sep 2021 noon, at the vehicle registration
centres. The roads to Jarinje and Brnjak were blocked all week. The week is
generated to match the published figures (FACTS.md §1.1, [C1] each):

- exactly **10,110** temporary registrations in the week (local time),
- **1,455** of them in the first 24 hours (from 2021-09-20 00:00 local),
- only **13** at Jarinje and **11** at Brnjak; the rest at Merdare (the busiest),
  Mutivode, Končulj (Dheu i Bardhë), Mučibaba and, from 21 Sep noon, the
  registration centres of the seven district seats.

Around them: an entry crossing (decision ``admit``) right after each issuance at a
crossing, some exits back to Serbia, cars with RKS plates entering Serbia (whose
rule requires Serbian temporary plates; Serbia's issuances are not recorded, its
terms are not known), and a few refused cars with KS plates, invalid since 15 Sep
2021. Every decision comes from the shipped law. And every half hour of the day, the
queue staff saw in front of each open crossing's passenger booths, each way: as long as
the booths' throughput and a plausible wait make it (longer into Kosovo, where each
Serbian car got its temporary plates at the booth), so the board shows waits.

This module only generates rows (:func:`generate_week`); loading them into a
registry is a use case (:func:`borderplates.services.demo.load_demo_week`). The
generator is deterministic: the same seed gives the same rows, registration numbers
included (drawn from the seeded generator, not from ``secrets``).
"""

from __future__ import annotations

import datetime as dt
import random
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from types import MappingProxyType
from typing import NamedTuple
from zoneinfo import ZoneInfo

from borderplates import law, reference
from borderplates.errors import BorderplatesError
from borderplates.law import Money, Ruling, Vehicle
from borderplates.model import valid_until
from borderplates.registry.numbers import ALPHABET, BODY_LENGTH, format_number
from borderplates.vocabulary import Decision, Direction, Mode, RequirementKind, VehicleClass
from borderplates.waits import WaitSettings

BELGRADE = ZoneInfo("Europe/Belgrade")
WEEK_START = dt.datetime(2021, 9, 20, tzinfo=BELGRADE)
WEEK_END = dt.datetime(2021, 9, 27, tzinfo=BELGRADE)
FIRST_DAY_END = dt.datetime(2021, 9, 21, tzinfo=BELGRADE)
CENTRES_OPEN = dt.datetime(2021, 9, 21, 12, tzinfo=BELGRADE)
CENTRE_PREFIX = "centre:"

REGISTRATIONS = 10_110
FIRST_24H = 1_455
BLOCKED = {"jarinje": 13, "brnjak": 11}
#: Shares of the issuances outside the blocked crossings (before the centres open, the crossings share it all).
CROSSING_WEIGHTS = {"merdare": 46, "konculj": 20, "mutivode": 14, "mucibaba": 12}
CENTRES = {"Prishtinë": 30, "Mitrovicë": 14, "Prizren": 14, "Pejë": 10, "Ferizaj": 12, "Gjilan": 12, "Gjakovë": 8}
CENTRE_SHARE = 0.22
EXIT_SHARE = 0.30
RKS_INTO_SERBIA = 1_800
KS_REFUSALS = 27
#: Relative traffic per local hour: quiet at night, busiest late morning and afternoon.
HOURLY = (1, 1, 1, 1, 1, 2, 4, 7, 9, 10, 11, 11, 10, 10, 10, 9, 8, 7, 6, 5, 4, 3, 2, 1)
#: Areas near the southern crossings and the big cities come up more often.
FAVOURED_AREAS = {"NP": 10, "KV": 6, "RA": 6, "KŠ": 6, "NI": 8, "PK": 6, "VR": 5, "LE": 4, "BG": 8, "KG": 4, "NS": 2, "ČA": 2, "TS": 2, "BU": 3}
KOSOVO_TOWN_SHARE = 0.12
SERIAL_LETTERS = "ABCDEFGHIJKLMNOPRSTUVZ"
RKS_LETTERS = "ABCDEFGHIJKLMNOPRSTUVZ"
#: Staff look at the queues every half hour from 06:00 to 22:00, passenger traffic, at the crossings that were open.
QUEUE_EVERY, QUEUE_HOURS = dt.timedelta(minutes=30), range(6, 22)
#: The typical wait (minutes) at the busiest hour, by the jurisdiction entered; quieter hours scale it down.
QUEUE_WAIT = {"XK": 30.0, "RS": 10.0}

VehicleKey = tuple[str, str]
"""A vehicle by (issuer, canonical plate)."""


class DemoVehicle(NamedTuple):
    issuer: str
    plate: str
    plate_kind: str
    area_code: str | None
    vehicle_class: VehicleClass
    first_seen: dt.datetime

    @property
    def key(self) -> VehicleKey:
        return (self.issuer, self.plate)


class DemoRegistration(NamedTuple):
    number: str
    vehicle: VehicleKey
    jurisdiction: str
    valid_from: dt.date
    valid_until: dt.date
    fee: Money
    rule_id: str
    rule_version: str
    issued_at: dt.datetime
    issuing_point: str
    clerk: str


class DemoQueue(NamedTuple):
    """A queue staff saw in front of a crossing point's passenger booths."""

    point: str
    entering: str
    at: dt.datetime
    lanes_open: int
    vehicles: int
    observer: str


class DemoCrossing(NamedTuple):
    vehicle: VehicleKey
    point: str
    direction: Direction
    jurisdiction: str
    mode: Mode
    at: dt.datetime
    decision: Decision
    rule_id: str
    rule_version: str
    registration: str | None
    officer: str


@dataclass(frozen=True)
class Week:
    """The generated rows and how many registrations each place issued; never changed once generated."""

    seed: int
    vehicles: tuple[DemoVehicle, ...]
    registrations: tuple[DemoRegistration, ...]
    crossings: tuple[DemoCrossing, ...]
    places: Mapping[str, int]
    first_24h: int
    queues: tuple[DemoQueue, ...] = ()

    @property
    def by_decision(self) -> dict[str, int]:
        decisions = Counter(str(c.decision) for c in self.crossings)
        return dict(sorted(decisions.items(), key=lambda item: -item[1]))

    @property
    def by_place(self) -> dict[str, int]:
        return dict(sorted(self.places.items(), key=lambda item: -item[1]))


@lru_cache(maxsize=4)
def generate_week(seed: int = 2021) -> Week:
    """The demo week of 20–26 Sep 2021 drawn with ``seed`` (the same seed, the same week: it is generated once per process)."""
    return _Generator(random.Random(seed), _Rows()).generate(seed)


@dataclass
class _Rows:
    """The rows while they are drawn."""

    vehicles: list[DemoVehicle] = field(default_factory=list)
    registrations: list[DemoRegistration] = field(default_factory=list)
    crossings: list[DemoCrossing] = field(default_factory=list)
    places: Counter[str] = field(default_factory=Counter)
    first_24h: int = 0


class _Generator:
    def __init__(self, rng: random.Random, week: _Rows) -> None:
        self.rng = rng
        self.week = week
        self.law = law.load()
        self._plates: set[str] = set()
        self._numbers: set[str] = set()
        areas = reference.load().jurisdictions["RS"].areas
        self._serbia = [code for code, area in areas.items() if area.territory == "RS"]
        self._kosovo_towns = [code for code, area in areas.items() if area.territory == "XK"]
        self._area_weights = [FAVOURED_AREAS.get(code, 1) for code in self._serbia]

    # -- drawing ------------------------------------------------------------------

    def _moment(self, start: dt.datetime, end: dt.datetime) -> dt.datetime:
        """A random moment in [start, end), denser in the day than at night (local time)."""
        while True:
            at = start + dt.timedelta(seconds=self.rng.randrange(int((end - start).total_seconds())))
            if self.rng.random() * max(HOURLY) < HOURLY[at.hour]:
                return at

    def _unique(self, draw: str) -> bool:
        if draw in self._plates:
            return False
        self._plates.add(draw)
        return True

    def _serbian_plate(self) -> str:
        while True:
            town = self.rng.random() < KOSOVO_TOWN_SHARE
            area = self.rng.choice(self._kosovo_towns) if town else self.rng.choices(self._serbia, self._area_weights)[0]
            digits = f"{self.rng.randrange(1, 1000):03d}" if self.rng.random() < 0.55 else str(self.rng.randrange(1000, 10000))
            text = f"{area} {digits}-{self.rng.choice(SERIAL_LETTERS)}{self.rng.choice(SERIAL_LETTERS)}"
            if self._unique(text):
                return text

    def _rks_plate(self) -> str:
        while True:
            district = self.rng.choices(range(1, 8), (30, 12, 10, 14, 11, 12, 8))[0]
            text = f"{district:02d}-{self.rng.randrange(100, 1000)}-{self.rng.choice(RKS_LETTERS)}{self.rng.choice(RKS_LETTERS)}"
            if self._unique(text):
                return text

    def _ks_plate(self) -> str:
        while True:
            text = f"{self.rng.randrange(1, 1000):03d}-KS-{self.rng.randrange(1, 1000):03d}"
            if self._unique(text):
                return text

    def _number(self) -> str:
        while True:
            number = format_number("".join(self.rng.choice(ALPHABET) for _ in range(BODY_LENGTH)))
            if number not in self._numbers:
                self._numbers.add(number)
                return number

    def _officer(self, point: str) -> str:
        return f"{point}-{self.rng.randrange(1, 9):02d}"

    def _crossing_point(self) -> str:
        return self.rng.choices(list(CROSSING_WEIGHTS), list(CROSSING_WEIGHTS.values()))[0]

    def _rule(self, text: str, issuer: str, jurisdiction: str, at: dt.datetime, direction: Direction = Direction.ENTRY) -> Ruling:
        """The shipped law's ruling for the plate ``text`` of ``issuer`` (the generator knows who issued it)."""
        plate = reference.read_plate(text, among=(issuer,)).best
        return self.law.requirement_for(Vehicle(plate), jurisdiction, at, direction)

    def _vehicle(self, ruling: Ruling, vehicle_class: VehicleClass, first_seen: dt.datetime) -> VehicleKey:
        plate = ruling.vehicle.plate
        vehicle = DemoVehicle(plate.issuer, plate.canonical, str(plate.kind), plate.area.code if plate.area else None, vehicle_class, first_seen)
        self.week.vehicles.append(vehicle)
        return vehicle.key

    def _cross(
        self,
        vehicle: VehicleKey,
        point: str,
        ruling: Ruling,
        at: dt.datetime,
        officer: str,
        *,
        mode: Mode = Mode.PASSENGER,
        decision: Decision | None = None,
        registration: str | None = None,
    ) -> None:
        self.week.crossings.append(
            DemoCrossing(
                vehicle,
                point,
                Direction(ruling.direction),
                ruling.jurisdiction,
                mode,
                at,
                decision or Decision(ruling.decision),
                ruling.rule.id,
                ruling.version.id,
                registration,
                officer,
            )
        )

    # -- the week -----------------------------------------------------------------

    def generate(self, seed: int) -> Week:
        times = sorted(
            [self._moment(WEEK_START, FIRST_DAY_END) for _ in range(FIRST_24H)]
            + [self._moment(FIRST_DAY_END, WEEK_END) for _ in range(REGISTRATIONS - FIRST_24H)]
        )
        blocked = self.rng.sample(range(REGISTRATIONS), sum(BLOCKED.values()))
        at_blocked = dict(zip(blocked, [p for p, n in BLOCKED.items() for _ in range(n)], strict=True))
        crossing_names, crossing_weights = list(CROSSING_WEIGHTS), list(CROSSING_WEIGHTS.values())
        centre_names, centre_weights = list(CENTRES), list(CENTRES.values())
        for index, at in enumerate(times):
            if index in at_blocked:
                place = at_blocked[index]
            elif at >= CENTRES_OPEN and self.rng.random() < CENTRE_SHARE:
                place = CENTRE_PREFIX + self.rng.choices(centre_names, centre_weights)[0]
            else:
                place = self.rng.choices(crossing_names, crossing_weights)[0]
            self._issue(at, place)
        for _ in range(RKS_INTO_SERBIA):
            self._rks_into_serbia()
        for _ in range(KS_REFUSALS):
            self._ks_refused()
        rows = self.week
        rows.crossings.sort(key=lambda c: (c.at, c.vehicle))
        queues = tuple(self._queues(rows.crossings))
        return Week(seed, tuple(rows.vehicles), tuple(rows.registrations), tuple(rows.crossings), MappingProxyType(dict(rows.places)), rows.first_24h, queues)

    def _queues(self, crossings: list[DemoCrossing]) -> list[DemoQueue]:
        """Every half hour, each open crossing's passenger queue each way: the booths' throughput over the last
        window times a wait that follows the day's traffic (Little's law, as the board reads it back)."""
        window = WaitSettings().window
        booths: dict[tuple[str, str], list[dt.datetime]] = {}
        for crossing in crossings:
            if crossing.direction == Direction.ENTRY and crossing.mode == Mode.PASSENGER:
                booths.setdefault((crossing.point, crossing.jurisdiction), []).append(crossing.at)
        found = []
        day = WEEK_START
        while day < WEEK_END:
            for hour in QUEUE_HOURS:
                for half in (0, 30):
                    at = day.replace(hour=hour, minute=half)
                    for point in CROSSING_WEIGHTS:
                        for entering, usual in QUEUE_WAIT.items():
                            served = sum(1 for moment in booths.get((point, entering), ()) if at - window < moment <= at)
                            wait = usual * HOURLY[hour] / max(HOURLY) * self.rng.uniform(0.7, 1.3)
                            vehicles = round(served / (window.total_seconds() / 60) * wait)
                            found.append(DemoQueue(point, entering, at, 2 + self.rng.randrange(3), vehicles, self._officer(point)))
            day += dt.timedelta(days=1)
        return found

    def _issue(self, at: dt.datetime, place: str) -> None:
        at_crossing = not place.startswith(CENTRE_PREFIX)
        plate_text = self._serbian_plate()
        ruling = self._rule(plate_text, "RS", "XK", at)
        requirement = ruling.requirement
        if requirement.kind != RequirementKind.TEMPORARY_REGISTRATION or requirement.validity_days is None or requirement.fee is None:
            raise BorderplatesError(
                f"the law in force does not require temporary registrations of {plate_text} on {at:%Y-%m-%d}; the demo week needs the shipped rules"
            )
        # Vehicles at a centre were already in Kosovo: seen first a day or more earlier.
        first_seen = at if at_crossing else at - dt.timedelta(days=1 + self.rng.randrange(20))
        vehicle = self._vehicle(ruling, VehicleClass.CAR, first_seen)
        day = ruling.local_at.date()
        number = self._number()
        clerk = self._officer(place if at_crossing else "centre")
        self.week.registrations.append(
            DemoRegistration(
                number,
                vehicle,
                "XK",
                day,
                valid_until(day, requirement.validity_days),
                requirement.fee,
                ruling.rule.id,
                ruling.version.id,
                at,
                place,
                clerk,
            )
        )
        self.week.places[place] += 1
        if at < FIRST_DAY_END:
            self.week.first_24h += 1
        if not at_crossing:
            return
        entry = at + dt.timedelta(seconds=60 + self.rng.randrange(540))
        # The law asks for a temporary registration; the vehicle now holds one, so it is admitted.
        self._cross(vehicle, place, self._rule(plate_text, "RS", "XK", entry), entry, clerk, decision=Decision.ADMIT, registration=number)
        if self.rng.random() < EXIT_SHARE:
            leave = entry + dt.timedelta(hours=2 + self.rng.randrange(96))
            if leave < WEEK_END:
                point = self._crossing_point()
                self._cross(vehicle, point, self._rule(plate_text, "RS", "XK", leave, Direction.EXIT), leave, self._officer(point))

    def _rks_into_serbia(self) -> None:
        """A car with RKS plates leaves Kosovo and enters Serbia, where its plates must be exchanged for Serbian temporary plates."""
        plate_text = self._rks_plate()
        point = self._crossing_point()
        mode = Mode.BUS if self.rng.random() < 0.03 else Mode.PASSENGER
        at = self._moment(WEEK_START, WEEK_END)
        leaving = self._rule(plate_text, "XK", "XK", at, Direction.EXIT)
        vehicle = self._vehicle(leaving, VehicleClass.BUS if mode == Mode.BUS else VehicleClass.CAR, at)
        self._cross(vehicle, point, leaving, at, self._officer(point), mode=mode)
        entry = at + dt.timedelta(seconds=120 + self.rng.randrange(1200))
        self._cross(vehicle, point, self._rule(plate_text, "XK", "RS", entry), entry, f"{point}-rs-{self.rng.randrange(1, 9):02d}", mode=mode)

    def _ks_refused(self) -> None:
        """A car with status-neutral KS plates, invalid since 15 Sep 2021, turned back at the Kosovo side."""
        plate_text = self._ks_plate()
        point = self._crossing_point()
        at = self._moment(WEEK_START, WEEK_END)
        ruling = self._rule(plate_text, "XK", "XK", at)
        self._cross(self._vehicle(ruling, VehicleClass.CAR, at), point, ruling, at, self._officer(point))
