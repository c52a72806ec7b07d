"""Use cases that need only the law: reading plates, rulings, rule history, reciprocity."""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Callable, Collection
from dataclasses import dataclass
from functools import cache, partial
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from borderplates import law, reference
from borderplates.errors import AmbiguousPlate, ValidationError, quoted
from borderplates.law import Comparison, Period, Rule, Ruling, Vehicle, Version
from borderplates.reference import Candidate, Plate, PlateReading
from borderplates.vocabulary import Decision, Direction, VehicleClass, words

#: The classes of vehicle the registry knows.
VEHICLE_CLASSES: tuple[VehicleClass, ...] = tuple(VehicleClass)
_VEHICLE_CLASSES: dict[str, VehicleClass] = {vehicle_class.value: vehicle_class for vehicle_class in VehicleClass}


def data_root() -> str | None:
    """The folder whose ``rules/`` (and ``crossing_status/``, when it has one) replace the shipped data:
    ``$BORDERPLATES_DATA_ROOT`` (a ministry's own rule files, or a frozen test regime), or None."""
    return os.environ.get("BORDERPLATES_DATA_ROOT") or None


def current_law() -> law.Law:
    """The law in force for this process: the shipped rules, or those of :func:`data_root`."""
    return _law_from(data_root())


@cache
def _law_from(root: str | None) -> law.Law:
    if root is None:
        return law.load()
    folder = Path(root)
    if not (folder / "rules").is_dir():
        raise ValidationError(f"BORDERPLATES_DATA_ROOT={quoted(root, 200)} has no rules/ folder")
    data = reference.load()
    return law.Law(law.load_regimes(data, folder), data)


Notes = Callable[[], tuple[str, ...]]
"""Reasons written out only when they are read."""


@dataclass(frozen=True)
class PlateChoice:
    """The plate a check goes by, and (written out when asked) why it was read that way."""

    plate: Plate
    explain: Notes

    @property
    def reasons(self) -> tuple[str, ...]:
        return self.explain()


def read_plate(text: str) -> PlateReading:
    """Every reading of ``text`` as a plate, best first."""
    return reference.read_plate(text)


def choose_plate(text: str, context: Collection[str]) -> PlateChoice:
    """Read ``text``; when two readings rank equal, prefer those of the jurisdictions in ``context``.

    Only the best reading is built; the other readings a note names are read when the note is.
    """
    try:
        plate = reference.parse_plate(text)
    except AmbiguousPlate as ambiguous:
        inside = [c for c in ambiguous.candidates if c.plate.issuer in context]
        if len(inside) != 1:
            raise
        chosen = inside[0].plate
        others = ", ".join(f"{c.plate.issuer} {c.plate.canonical}" for c in ambiguous.candidates if c is not inside[0])
        note = (f"read as {chosen.issuer} {chosen.canonical}: it also fits {others}, but this border joins {' and '.join(sorted(context))}",)
        return PlateChoice(chosen, partial(_given, note))
    return PlateChoice(plate, partial(_other_readings, text, plate))


def _given(notes: tuple[str, ...]) -> tuple[str, ...]:
    return notes


def _other_readings(text: str, plate: Plate) -> tuple[str, ...]:
    """A note naming the other readings of ``text`` than ``plate``, when there are any."""
    alternatives = [c for c in reference.read_plate(text).candidates if c.plate != plate]
    if not alternatives:
        return ()
    others = ", ".join(f"{c.plate.issuer} {c.plate.canonical}" for c in alternatives)
    return (f"read as {plate.issuer} {plate.canonical}, the best fit; it would also fit {others}",)


def border_context(jurisdiction: str, point_id: str | None = None) -> frozenset[str]:
    """The jurisdictions that meet where the check happens: the crossing point's, or the regimes'."""
    if point_id is not None:
        return frozenset(reference.crossing_point(point_id).between)
    return frozenset(code for regime in current_law().regimes if jurisdiction in regime.jurisdictions for code in regime.jurisdictions)


def rule_for(
    plate_text: str | Plate,
    jurisdiction: str,
    at: dt.datetime,
    direction: Direction | str = Direction.ENTRY,
    *,
    point_id: str | None = None,
    vehicle_class: VehicleClass | str = VehicleClass.CAR,
    resident: str | None = None,
    registered_on: dt.date | None = None,
) -> tuple[Ruling, Notes]:
    """The law's ruling for a vehicle that holds nothing yet, with the notes on the plate reading (written out when read).

    Give the plate as typed, or as a :class:`Plate` already chosen (read it once and pass it
    along): then it is not read again, and the notes say only what the law adds.
    """
    code = reference.jurisdiction(jurisdiction).code
    if resident is not None:
        resident = reference.jurisdiction(resident).code
    known_class = _VEHICLE_CLASSES.get(vehicle_class) if isinstance(vehicle_class, str) else None
    if known_class is None:
        raise ValidationError(f"unknown vehicle class {quoted(vehicle_class)}: {words(VehicleClass)}")
    explain: Notes = _none
    if isinstance(plate_text, Plate):
        plate = plate_text
    else:
        choice = choose_plate(plate_text, border_context(code, point_id))
        plate, explain = choice.plate, choice.explain
    ruling = current_law().requirement_for(Vehicle(plate, known_class, resident, registered_on), code, at, direction)
    return ruling, partial(_notes, explain, ruling)


def _none() -> tuple[str, ...]:
    return ()


def _notes(explain: Notes, ruling: Ruling) -> tuple[str, ...]:
    return (*explain(), *_validity_warnings(ruling.vehicle.plate, ruling.local_at.date()))


def _validity_warnings(plate: Plate, day: dt.date) -> tuple[str, ...]:
    fmt = reference.load().format(plate.format_id)
    if not fmt.is_valid_on(day):
        return (f"plates of this format are no longer valid since {fmt.valid_until}: {fmt.description}",)
    return ()


def validate_data() -> dict[str, Any]:
    """Load every data file in use and check every plate example and counterexample against its format."""
    data = reference.load()
    the_law = current_law()
    problems = []
    for jurisdiction in data.jurisdictions.values():
        for fmt in jurisdiction.formats:
            for example in fmt.examples:
                try:
                    read = reference.parse_plate(example)
                except ValidationError as error:
                    problems.append(f"{fmt.id}: example {example!r}: {error.text}")
                    continue
                if read.format_id != fmt.id:
                    problems.append(f"{fmt.id}: example {example!r} reads as {read.format_id}")
            problems.extend(f"{fmt.id}: counterexample {text!r} is accepted" for text in fmt.counterexamples if fmt.accepts(text))
    return {
        "valid": not problems,
        "jurisdictions": len(data.jurisdictions),
        "plate_formats": sum(len(j.formats) for j in data.jurisdictions.values()),
        "crossing_points": len(data.crossing_points),
        "regimes": len(the_law.regimes),
        "rules": len(the_law.rules),
        "versions": sum(len(r.versions) + len(r.planned) for r in the_law.rules),
        "problems": problems,
    }


def rules(jurisdiction: str | None = None, issuer: str | None = None, direction: Direction | str | None = None) -> tuple[Rule, ...]:
    """The rules of ``jurisdiction`` (for ``direction``) that can apply to plates of ``issuer``."""
    code = reference.jurisdiction(jurisdiction).code if jurisdiction else None
    issuer_code = reference.jurisdiction(issuer).code if issuer else None
    return current_law().rules_for(code, issuer_code, direction)


@dataclass(frozen=True)
class Reciprocity:
    a: str
    b: str
    comparison: Comparison
    periods: tuple[Period, ...]


def reciprocity(a: str, b: str, at: dt.datetime) -> Reciprocity:
    code_a, code_b = reference.jurisdiction(a).code, reference.jurisdiction(b).code
    if code_a == code_b:
        raise ValidationError("reciprocity compares two different jurisdictions")
    the_law = current_law()
    return Reciprocity(code_a, code_b, law.compare(the_law, code_a, code_b, at), law.asymmetric_periods(the_law, code_a, code_b))


def local_time(at: dt.datetime, jurisdiction: str) -> dt.datetime:
    """``at`` in the jurisdiction's time zone, for people to read."""
    return at.astimezone(ZoneInfo(reference.jurisdiction(jurisdiction).timezone))


def local_noon(day: dt.date, jurisdiction: str) -> dt.datetime:
    """Noon of a local calendar day in the jurisdiction's time zone."""
    return dt.datetime.combine(day, dt.time(12), ZoneInfo(reference.jurisdiction(jurisdiction).timezone))


# JSON shapes shared by every interface --------------------------------------------------


def plate_json(plate: Plate) -> dict[str, Any]:
    area = {"code": plate.area.code, "name": plate.area.name, "territory": plate.area.territory} if plate.area else None
    return {"canonical": plate.canonical, "issuer": plate.issuer, "area": area, "kind": plate.kind, "format": plate.format_id}


def candidate_json(candidate: Candidate) -> dict[str, Any]:
    return {**plate_json(candidate.plate), "score": candidate.score, "reasons": list(candidate.reasons)}


def version_json(version: Version) -> dict[str, Any]:
    requirement = version.requirement
    enforcement = version.enforcement
    return {
        "effective_from": version.id,
        "status": version.status,
        "requirement": requirement_json(requirement) if requirement else None,
        "enforcement": {"phase": enforcement.phase, "fine": enforcement.fine.as_json() if enforcement.fine else None} if enforcement else None,
        "decision": version.decision,
        "note": version.note,
        "source": {"title": version.source.title, "url": version.source.url, "confidence": version.source.confidence},
    }


def requirement_json(requirement: law.Requirement) -> dict[str, Any]:
    return {
        "kind": requirement.kind,
        "validity_days": requirement.validity_days,
        "fee": requirement.fee.as_json() if requirement.fee else None,
    }


def ruling_json(ruling: Ruling) -> dict[str, Any]:
    version = version_json(ruling.version)
    return {
        "requirement": version["requirement"],
        "enforcement": version["enforcement"],
        "rule": {"id": ruling.rule.id, "effective_from": version["effective_from"], "source": version["source"], "note": version["note"]},
    }


def check_json(ruling: Ruling, decision: Decision | str, reasons: tuple[str, ...]) -> dict[str, Any]:
    """The answer to a check, as every interface shows it."""
    entering = ruling.direction == Direction.ENTRY
    return {
        "plate": plate_json(ruling.vehicle.plate),
        "entering": ruling.jurisdiction if entering else None,
        "leaving": None if entering else ruling.jurisdiction,
        "at": ruling.at.isoformat(),
        **ruling_json(ruling),
        "decision": decision,
        "reasons": list(reasons),
    }


def rule_json(rule: Rule) -> dict[str, Any]:
    return {
        "id": rule.id,
        "jurisdiction": rule.jurisdiction,
        "direction": rule.direction,
        "description": rule.description,
        "when": rule.conditions,
        "versions": [version_json(v) for v in rule.versions],
        "planned": [version_json(v) for v in rule.planned],
    }
