"""Commands on plates and the law: plate, check, rules, reciprocity, data validate."""

from __future__ import annotations

from typing import Annotated, Any

import typer
from rich.table import Table
from rich.text import Text

from borderplates.cli import JsonOption, app, console, emit_json, moment, say
from borderplates.errors import ValidationError
from borderplates.services import law as services

data_app = typer.Typer(help="The shipped data.", no_args_is_help=True)
app.add_typer(data_app, name="data")


@app.command()
def plate(text: Annotated[str, typer.Argument(help="The plate as typed or read, e.g. 'NP 123-AB'.")], as_json: bool = JsonOption) -> None:
    """Read a plate: issuer, registration area, kind, and every other reading it fits."""
    reading = services.read_plate(text)
    candidates = [services.candidate_json(c) for c in reading.candidates]
    best: dict[str, Any] | None
    note: str | None
    try:
        best, note = services.plate_json(reading.best), None
    except ValidationError as ambiguous:
        best, note = None, ambiguous.text
    if as_json:
        emit_json({"text": text, "plate": best, "ambiguous": best is None, "candidates": candidates})
        return
    table = Table("issuer", "plate", "kind", "area", "score", "why", title=note or f"{text!r} reads as {best['canonical']}")  # type: ignore[index]
    for c in candidates:
        area = f"{c['area']['code']} {c['area']['name']}" if c["area"] else ""
        table.add_row(c["issuer"], c["canonical"], c["kind"], area, str(c["score"]), "; ".join(c["reasons"]))
    console.print(table)


@app.command()
def rules(
    entering: Annotated[str | None, typer.Option("--entering", help="Only the entry rules of this jurisdiction.")] = None,
    leaving: Annotated[str | None, typer.Option("--leaving", help="Only the exit rules of this jurisdiction.")] = None,
    issuer: Annotated[str | None, typer.Option("--issuer", help="Only rules that can apply to plates of this issuer.")] = None,
    as_json: bool = JsonOption,
) -> None:
    """The history of the entry (and exit) rules, version by version, with planned versions that never took effect."""
    if entering and leaving:
        raise ValidationError("give --entering or --leaving, not both")
    found = services.rules(entering or leaving, issuer, "entry" if entering else "exit" if leaving else None)
    if as_json:
        emit_json({"rules": [services.rule_json(rule) for rule in found]})
        return
    for rule in found:
        table = Table(title=Text.assemble((rule.id, "bold"), f"  {rule.jurisdiction} {rule.direction}: {rule.description}"), title_justify="left")
        for header in ("from", "status", "requirement", "enforcement", "source"):
            table.add_column(header, no_wrap=header != "source")
        for version in sorted((*rule.versions, *rule.planned), key=lambda v: v.starts_at):
            shown = services.version_json(version)
            requirement, enforcement = shown["requirement"], shown["enforcement"]
            table.add_row(
                version.id,
                version.status.replace("_", " "),
                _requirement_text(requirement) if requirement else "end of rule",
                (enforcement["phase"] + (f" {enforcement['fine']['amount']} {enforcement['fine']['currency']}" if enforcement["fine"] else ""))
                if enforcement
                else "",
                f"{version.source.title} [{version.source.confidence}]",
            )
        console.print(table)


def _requirement_text(requirement: dict[str, Any]) -> str:
    text = str(requirement["kind"])
    if requirement["validity_days"]:
        text += f", {requirement['validity_days']} days"
    if requirement["fee"]:
        text += f", {requirement['fee']['amount']} {requirement['fee']['currency']}"
    return text


@app.command()
def reciprocity(
    a: Annotated[str, typer.Argument(help="First jurisdiction, e.g. XK.")],
    b: Annotated[str, typer.Argument(help="Second jurisdiction, e.g. RS.")],
    on: Annotated[str | None, typer.Option("--on", help="Local date; means noon of that day.")] = None,
    at: Annotated[str | None, typer.Option("--at", help="ISO 8601 date-time with offset.")] = None,
    as_json: bool = JsonOption,
) -> None:
    """Whether A and B treat each other's vehicles alike at a moment, and when they did not."""
    result = services.reciprocity(a, b, moment(on, at, a))
    comparison = result.comparison
    payload = {
        "a": result.a,
        "b": result.b,
        "at": comparison.at.isoformat(),
        "symmetric": comparison.symmetric,
        "a_to_b": {"vehicle": services.plate_json(comparison.a_to_b.vehicle.plate), **services.ruling_json(comparison.a_to_b)},
        "b_to_a": {"vehicle": services.plate_json(comparison.b_to_a.vehicle.plate), **services.ruling_json(comparison.b_to_a)},
        "asymmetric_periods": [{"from": p.start.isoformat(), "until": p.until.isoformat() if p.until else None} for p in result.periods],
    }
    if as_json:
        emit_json(payload)
        return
    verdict = "treat each other's vehicles alike" if comparison.symmetric else "do NOT treat each other's vehicles alike"
    say((f"{result.a} and {result.b} {verdict}", "bold"), f" at {comparison.at.isoformat()}")
    for ruling, src, dst in ((comparison.a_to_b, result.a, result.b), (comparison.b_to_a, result.b, result.a)):
        side = services.ruling_json(ruling)
        say(f"  {src} vehicles entering {dst}: {_requirement_text(side['requirement'])} (rule {ruling.rule.id})")
    say("Periods when they differed:")
    for period in result.periods:
        say(f"  {period.start.isoformat()} → {period.until.isoformat() if period.until else 'still'}")


@data_app.command("validate")
def validate(as_json: bool = JsonOption) -> None:
    """Load and check every data file in use, and every plate example and counterexample."""
    summary = services.validate_data()
    if as_json:
        emit_json(summary)
    else:
        console.print(
            f"{summary['jurisdictions']} jurisdictions, {summary['plate_formats']} plate formats, {summary['crossing_points']} crossing points, "
            f"{summary['regimes']} regimes with {summary['rules']} rules and {summary['versions']} versions: "
            + ("all valid" if summary["valid"] else "problems:")
        )
        for problem in summary["problems"]:
            console.print(f"  • {problem}")
    if not summary["valid"]:
        raise typer.Exit(1)
