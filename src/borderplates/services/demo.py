"""A realistic demo week: 20–26 Sep 2021 at the six Kosovo–Serbia crossings.

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
2021. Every decision comes from the law layer (:func:`law.rule_for`).

The generator is deterministic: the same seed gives the same rows, registration
numbers included (drawn from the seeded generator, not from ``secrets``). Rows are
prepared in Python and bulk-inserted in one transaction, with one audit_log row.
"""

from __future__ import annotations

import datetime as dt
import random
from collections import Counter
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo

import sqlalchemy as sa

from borderplates import reference
from borderplates.errors import BorderplatesError, ConflictError
from borderplates.registry import Database, repository
from borderplates.registry.numbers import ALPHABET, BODY_LENGTH, format_number
from borderplates.registry.tables import crossings, metadata, temporary_registrations, vehicles
from borderplates.services import common
from borderplates.services import law as law_services
from borderplates.services.registrations import valid_until
from borderplates.services.transfer import Progress, bulk_insert

BELGRADE = ZoneInfo("Europe/Belgrade")
WEEK_START = dt.datetime(2021, 9, 20, tzinfo=BELGRADE)
WEEK_END = dt.datetime(2021, 9, 27, tzinfo=BELGRADE)
FIRST_DAY_END = dt.datetime(2021, 9, 21, tzinfo=BELGRADE)
CENTRES_OPEN = dt.datetime(2021, 9, 21, 12, tzinfo=BELGRADE)

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


class RegistryNotEmpty(ConflictError):
    """The demo week loads only into an empty registry."""


@dataclass(frozen=True)
class DemoSummary:
    seed: int
    registrations: int
    first_24h: int
    by_place: dict[str, int]
    vehicles: int
    crossings: int
    by_decision: dict[str, int]

    def as_json(self) -> dict[str, Any]:
        return {
            "week": [WEEK_START.date().isoformat(), (WEEK_END - dt.timedelta(days=1)).date().isoformat()],
            "seed": self.seed,
            "registrations": self.registrations,
            "first_24h": self.first_24h,
            "by_place": self.by_place,
            "vehicles": self.vehicles,
            "crossings": self.crossings,
            "by_decision": self.by_decision,
        }


def is_empty(*, db: Database | None = None) -> bool:
    """Whether the registry holds nothing at all."""
    with common.database(db).read() as conn:
        return _empty(conn)


def _empty(conn: sa.Connection) -> bool:
    return all(conn.execute(sa.select(sa.literal(1)).select_from(table).limit(1)).first() is None for table in metadata.sorted_tables)


def load_demo_week(*, db: Database | None = None, seed: int = 2021, progress: Progress | None = None) -> DemoSummary:
    """Generate the demo week and load it into an empty registry, in one transaction."""
    week = _Week(random.Random(seed))
    week.generate()
    database = common.database(db)
    total = len(week.vehicles) + len(week.registrations) + len(week.crossings)
    done = 0

    def step(n: int) -> None:
        nonlocal done
        done += n
        if progress is not None:
            progress(done, total)

    with database.write() as conn:
        if not _empty(conn):
            raise RegistryNotEmpty("the registry is not empty; the demo week loads only into an empty registry")
        columns = ("issuer", "plate", "plate_kind", "area_code", "vehicle_class", "created_at")
        step(bulk_insert(conn, vehicles, columns, [v[:6] for v in week.vehicles]))
        ids = {(issuer, plate): vid for vid, issuer, plate in conn.execute(sa.select(vehicles.c.id, vehicles.c.issuer, vehicles.c.plate))}
        reg_columns = (
            "number",
            "vehicle_id",
            "jurisdiction",
            "valid_from",
            "valid_until",
            "fee_minor",
            "fee_currency",
            "rule_id",
            "rule_version",
            "issued_at",
            "issuing_point",
            "clerk",
            "status",
            "status_changed_at",
        )
        step(bulk_insert(conn, temporary_registrations, reg_columns, [(r[0], ids[r[1]], *r[2:]) for r in week.registrations]))
        reg_ids = {number: rid for number, rid in conn.execute(sa.select(temporary_registrations.c.number, temporary_registrations.c.id))}
        crossing_columns = (
            "vehicle_id",
            "point",
            "direction",
            "jurisdiction",
            "mode",
            "lane",
            "at",
            "decision",
            "rule_id",
            "rule_version",
            "registration_id",
            "officer",
        )
        rows = [(ids[c[0]], *c[1:10], reg_ids.get(c[10]) if c[10] else None, c[11]) for c in week.crossings]
        step(bulk_insert(conn, crossings, crossing_columns, rows))
        summary = week.summary(seed)
        repository.audit(
            conn,
            at=dt.datetime.now(dt.UTC),
            actor="demo",
            point=None,
            action="load_demo",
            entity="demo_week",
            entity_id=summary.registrations,
            before=None,
            after=summary.as_json(),
            reason="demo data: the week of 20–26 Sep 2021 (generated, not real records)",
        )
    return summary


class _Week:
    """The generated rows, in memory: vehicles, registrations and crossings as tuples."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.vehicles: list[tuple[Any, ...]] = []  # issuer, plate, kind, area, class, created_at
        self.registrations: list[tuple[Any, ...]] = []  # number, (issuer, plate), ... as the registration columns
        self.crossings: list[tuple[Any, ...]] = []  # (issuer, plate), point, direction, jurisdiction, mode, lane, at, decision, rule, version, number, officer
        self.places: Counter[str] = Counter()
        self.first_24h = 0
        self._plates: set[str] = set()
        self._numbers: set[str] = set()
        data = reference.load().jurisdictions["RS"].areas
        self._serbia = [code for code, area in data.items() if area.territory == "RS"]
        self._kosovo_towns = [code for code, area in data.items() if area.territory == "XK"]
        self._area_weights = [FAVOURED_AREAS.get(code, 1) for code in self._serbia]

    # -- drawing ------------------------------------------------------------------

    def _moment(self, start: dt.datetime, end: dt.datetime) -> dt.datetime:
        """A random moment in [start, end), denser in the day than at night (local time)."""
        while True:
            at = start + dt.timedelta(seconds=self.rng.randrange(int((end - start).total_seconds())))
            if self.rng.random() * max(HOURLY) < HOURLY[at.hour]:
                return at

    def _serbian_plate(self) -> str:
        while True:
            town = self.rng.random() < KOSOVO_TOWN_SHARE
            area = self.rng.choice(self._kosovo_towns) if town else self.rng.choices(self._serbia, self._area_weights)[0]
            digits = f"{self.rng.randrange(1, 1000):03d}" if self.rng.random() < 0.55 else str(self.rng.randrange(1000, 10000))
            text = f"{area} {digits}-{self.rng.choice(SERIAL_LETTERS)}{self.rng.choice(SERIAL_LETTERS)}"
            if text not in self._plates:
                self._plates.add(text)
                return text

    def _rks_plate(self) -> str:
        while True:
            district = self.rng.choices(range(1, 8), (30, 12, 10, 14, 11, 12, 8))[0]
            text = f"{district:02d}-{self.rng.randrange(100, 1000)}-{self.rng.choice(RKS_LETTERS)}{self.rng.choice(RKS_LETTERS)}"
            if text not in self._plates:
                self._plates.add(text)
                return text

    def _ks_plate(self) -> str:
        while True:
            text = f"{self.rng.randrange(1, 1000):03d}-KS-{self.rng.randrange(1, 1000):03d}"
            if text not in self._plates:
                self._plates.add(text)
                return text

    def _number(self) -> str:
        while True:
            number = format_number("".join(self.rng.choice(ALPHABET) for _ in range(BODY_LENGTH)))
            if number not in self._numbers:
                self._numbers.add(number)
                return number

    def _officer(self, point: str) -> str:
        return f"{point}-{self.rng.randrange(1, 9):02d}"

    # -- the week -----------------------------------------------------------------

    def generate(self) -> None:
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
                place = common.CENTRE_PREFIX + self.rng.choices(centre_names, centre_weights)[0]
            else:
                place = self.rng.choices(crossing_names, crossing_weights)[0]
            self._issue(at, place)
        for _ in range(RKS_INTO_SERBIA):
            self._rks_into_serbia()
        for _ in range(KS_REFUSALS):
            self._ks_refused()
        self.crossings.sort(key=lambda c: (c[6], c[0]))

    def _issue(self, at: dt.datetime, place: str) -> None:
        at_crossing = not place.startswith(common.CENTRE_PREFIX)
        plate_text = self._serbian_plate()
        ruling, _ = law_services.rule_for(plate_text, "XK", at, point_id=place if at_crossing else None)
        requirement = ruling.requirement
        if requirement.kind != "temporary_registration" or requirement.validity_days is None or requirement.fee is None:
            raise BorderplatesError(
                f"the law in force does not require temporary registrations of {plate_text} on {at:%Y-%m-%d}; the demo week needs the shipped rules"
            )
        plate = ruling.vehicle.plate
        key = (plate.issuer, plate.canonical)
        # Vehicles at a centre were already in Kosovo: seen first a day or more earlier.
        first_seen = at if at_crossing else at - dt.timedelta(days=1 + self.rng.randrange(20))
        self.vehicles.append((*key, plate.kind, plate.area.code if plate.area else None, "car", first_seen))
        day = ruling.local_at.date()
        number = self._number()
        clerk = self._officer(place if at_crossing else "centre")
        self.registrations.append(
            (
                number,
                key,
                "XK",
                day,
                valid_until(day, requirement.validity_days),
                common.to_minor(requirement.fee),
                requirement.fee.currency,
                ruling.rule.id,
                ruling.version.id,
                at,
                place,
                clerk,
                "active",
                at,
            )
        )
        self.places[place] += 1
        if at < FIRST_DAY_END:
            self.first_24h += 1
        if not at_crossing:
            return
        entry = at + dt.timedelta(seconds=60 + self.rng.randrange(540))
        admitted, _ = law_services.rule_for(plate.canonical, "XK", entry, point_id=place)
        # The law asks for a temporary registration; the vehicle now holds one, so it is admitted.
        self.crossings.append((key, place, "entry", "XK", "passenger", None, entry, "admit", admitted.rule.id, admitted.version.id, number, clerk))
        if self.rng.random() < EXIT_SHARE:
            leave = entry + dt.timedelta(hours=2 + self.rng.randrange(96))
            if leave < WEEK_END:
                point = self.rng.choices(list(CROSSING_WEIGHTS), list(CROSSING_WEIGHTS.values()))[0]
                ruling, _ = law_services.rule_for(plate.canonical, "XK", leave, "exit", point_id=point)
                self.crossings.append(
                    (key, point, "exit", "XK", "passenger", None, leave, ruling.decision, ruling.rule.id, ruling.version.id, None, self._officer(point))
                )

    def _rks_into_serbia(self) -> None:
        """A car with RKS plates leaves Kosovo and enters Serbia, where its plates must be exchanged for Serbian temporary plates."""
        plate_text = self._rks_plate()
        point = self.rng.choices(list(CROSSING_WEIGHTS), list(CROSSING_WEIGHTS.values()))[0]
        mode = "bus" if self.rng.random() < 0.03 else "passenger"
        at = self._moment(WEEK_START, WEEK_END)
        leaving, _ = law_services.rule_for(plate_text, "XK", at, "exit", point_id=point)
        plate = leaving.vehicle.plate
        key = (plate.issuer, plate.canonical)
        self.vehicles.append((*key, plate.kind, plate.area.code if plate.area else None, "bus" if mode == "bus" else "car", at))
        self.crossings.append((key, point, "exit", "XK", mode, None, at, leaving.decision, leaving.rule.id, leaving.version.id, None, self._officer(point)))
        entry = at + dt.timedelta(seconds=120 + self.rng.randrange(1200))
        entering, _ = law_services.rule_for(plate.canonical, "RS", entry, "entry", point_id=point)
        self.crossings.append(
            (
                key,
                point,
                "entry",
                "RS",
                mode,
                None,
                entry,
                entering.decision,
                entering.rule.id,
                entering.version.id,
                None,
                f"{point}-rs-{self.rng.randrange(1, 9):02d}",
            )
        )

    def _ks_refused(self) -> None:
        """A car with status-neutral KS plates, invalid since 15 Sep 2021, turned back at the Kosovo side."""
        plate_text = self._ks_plate()
        point = self.rng.choices(list(CROSSING_WEIGHTS), list(CROSSING_WEIGHTS.values()))[0]
        at = self._moment(WEEK_START, WEEK_END)
        ruling, _ = law_services.rule_for(plate_text, "XK", at, "entry", point_id=point)
        plate = ruling.vehicle.plate
        key = (plate.issuer, plate.canonical)
        self.vehicles.append((*key, plate.kind, None, "car", at))
        self.crossings.append(
            (key, point, "entry", "XK", "passenger", None, at, ruling.decision, ruling.rule.id, ruling.version.id, None, self._officer(point))
        )

    def summary(self, seed: int) -> DemoSummary:
        decisions = Counter(c[7] for c in self.crossings)
        return DemoSummary(
            seed=seed,
            registrations=len(self.registrations),
            first_24h=self.first_24h,
            by_place=dict(sorted(self.places.items(), key=lambda item: -item[1])),
            vehicles=len(self.vehicles),
            crossings=len(self.crossings),
            by_decision=dict(sorted(decisions.items(), key=lambda item: -item[1])),
        )
