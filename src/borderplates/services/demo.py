"""Loading the demo week (:mod:`borderplates.demo`) into an empty registry, in one unit of work."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from borderplates.demo import WEEK_END, WEEK_START, Week, generate_week
from borderplates.errors import ConflictError
from borderplates.model import AuditEntry, NewCrossing, NewRegistration, NewVehicle
from borderplates.registry import Database
from borderplates.services.actors import Actor, Permission, authorise
from borderplates.services.sync import refuse_at_site
from borderplates.vocabulary import Mode
from borderplates.waits import QueueObservation

Progress = Callable[[int, int | None], None]


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
    queues: int

    @classmethod
    def of(cls, week: Week) -> DemoSummary:
        counts = (len(week.vehicles), len(week.crossings), week.by_decision, len(week.queues))
        return cls(week.seed, len(week.registrations), week.first_24h, week.by_place, *counts)

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
            "queue_observations": self.queues,
        }


def is_empty(*, db: Database) -> bool:
    """Whether the registry holds nothing at all."""
    with db.reading() as uow:
        return uow.bulk.is_empty()


def load_demo_week(*, actor: Actor, db: Database, seed: int = 2021, progress: Progress | None = None) -> DemoSummary:
    """Generate the demo week and load it into an empty registry, in one unit of work with one audit record."""
    authorise(actor, Permission.IMPORT)
    refuse_at_site(db, "load the demo week")
    week = generate_week(seed)
    total = len(week.vehicles) + len(week.registrations) + len(week.crossings)
    done = 0

    def step(n: int) -> None:
        nonlocal done
        done += n
        if progress is not None:
            progress(done, total)

    with db.begin() as uow:
        if not uow.bulk.is_empty():
            raise RegistryNotEmpty("the registry is not empty; the demo week loads only into an empty registry")
        step(uow.bulk.add_vehicles(NewVehicle(v.issuer, v.plate, v.plate_kind, v.area_code, v.vehicle_class, None, None, v.first_seen) for v in week.vehicles))
        vehicles = uow.bulk.all_vehicle_ids()
        registrations = (
            NewRegistration(
                r.number,
                vehicles[r.vehicle],
                r.jurisdiction,
                r.valid_from,
                r.valid_until,
                r.fee,
                r.rule_id,
                r.rule_version,
                r.issued_at,
                r.issuing_point,
                r.clerk,
            )
            for r in week.registrations
        )
        step(uow.bulk.add_registrations(registrations))
        numbers = uow.bulk.registration_ids()
        crossings = (
            NewCrossing(
                vehicle_id=vehicles[c.vehicle],
                point=c.point,
                direction=c.direction,
                jurisdiction=c.jurisdiction,
                mode=c.mode,
                lane=None,
                at=c.at,
                decision=c.decision,
                officer=c.officer,
                rule_id=c.rule_id,
                rule_version=c.rule_version,
                registration_id=numbers[c.registration] if c.registration else None,
            )
            for c in week.crossings
        )
        step(uow.bulk.add_crossings(crossings))
        for q in week.queues:
            uow.queues.add(q.point, q.entering, Mode.PASSENGER, QueueObservation(q.at, q.lanes_open, q.vehicles), q.observer)
        summary = DemoSummary.of(week)
        uow.audit.append(
            AuditEntry(
                dt.datetime.now(dt.UTC),
                actor.name,
                None,
                "load_demo",
                "demo_week",
                summary.registrations,
                None,
                summary.as_json(),
                "demo data: the week of 20–26 Sep 2021 (generated, not real records)",
            )
        )
        uow.commit()
    return summary
