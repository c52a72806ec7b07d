"""The ``simulate`` command: one M/M/c-style queue against Erlang C, or policy scenarios at a crossing point."""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from borderplates import simulate as sim
from borderplates.cli import JsonOption, app, console, emit_json, parse_date, session
from borderplates.errors import ValidationError
from borderplates.services import planning
from borderplates.vocabulary import Decision, Mode, words

ALL = "all"


@app.command()
def simulate(
    scenario: Annotated[
        list[str] | None,
        typer.Option("--scenario", help=f"A policy to compare ({words(sim.Scenario)}, or {ALL}); repeat it to compare several in one plot."),
    ] = None,
    point: Annotated[str, typer.Option("--point", help="The crossing point of the scenarios.")] = "merdare",
    traffic: Annotated[
        str,
        typer.Option("--traffic", help="The scenarios' traffic: recorded (the point's crossings in the registry), demo (the demo week), or auto."),
    ] = "auto",
    first_day: Annotated[str | None, typer.Option("--from", help="First local date of the recorded crossings used (YYYY-MM-DD).")] = None,
    last_day: Annotated[str | None, typer.Option("--until", help="Last local date of the recorded crossings used (YYYY-MM-DD).")] = None,
    on: Annotated[str | None, typer.Option("--on", help="The date of the law scenario (YYYY-MM-DD).")] = None,
    days: Annotated[int, typer.Option("--days", help="Days simulated for the scenarios, after a day of warm-up.")] = 1,
    plates_for: Annotated[str | None, typer.Option("--plates-for", help="Whose vehicles get temporary plates in the one-side scenario.")] = None,
    out: Annotated[Path | None, typer.Option("--out", help="Write the comparison plot to this PNG file.")] = None,
    service: Annotated[
        list[str] | None,
        typer.Option("--service", help="A service time per control: DECISION=DISTRIBUTION:MEAN_MINUTES[:CV], e.g. apply_sticker=gamma:2.5:0.4."),
    ] = None,
    lanes: Annotated[int | None, typer.Option("--lanes", help="Lanes of the single queue; with --scenario, passenger lanes in each direction.")] = None,
    arrivals_per_hour: Annotated[float | None, typer.Option("--arrivals-per-hour", help="Arrivals per hour at the single queue (Poisson).")] = None,
    service_minutes: Annotated[float | None, typer.Option("--service-minutes", help="Mean service time of the single queue.")] = None,
    distribution: Annotated[str, typer.Option("--distribution", help=f"Service-time distribution, single queue: {words(sim.Distribution)}.")] = "exponential",
    cv: Annotated[float | None, typer.Option("--cv", help="Coefficient of variation of a lognormal or gamma service time.")] = None,
    hours: Annotated[float | None, typer.Option("--hours", help="Hours of arrivals at the single queue.")] = None,
    warmup_hours: Annotated[float, typer.Option("--warmup-hours", help="Hours at the start of the single queue left out of the figures.")] = 0.0,
    blocked: Annotated[str | None, typer.Option("--blocked", help="No service from hour A to hour B of the run: A-B, e.g. 8-11.5.")] = None,
    on_block: Annotated[str, typer.Option("--on-block", help=f"What arrivals do while service is blocked: {words(sim.OnBlock)}.")] = "queue",
    seed: Annotated[int, typer.Option("--seed", help="The seed: the same seed gives the same run.")] = 1,
    as_json: bool = JsonOption,
) -> None:
    """Simulate the queue at a crossing: a single queue beside Erlang C, or policy scenarios compared in a plot."""
    block = _blocked(blocked, on_block)
    single = {"--arrivals-per-hour": arrivals_per_hour, "--service-minutes": service_minutes, "--hours": hours}
    if scenario:
        given = [name for name, value in single.items() if value is not None]
        if given:
            raise ValidationError(f"{', '.join(given)} describe a single queue; with --scenario the traffic is the point's")
        period = (parse_date(first_day, "--from") if first_day else None, parse_date(last_day, "--until") if last_day else None)
        _scenarios(scenario, point, traffic, period, on, days, plates_for, out, service or [], lanes, block, seed, as_json)
        return
    if lanes is None or arrivals_per_hour is None or service_minutes is None or hours is None:
        missing = ", ".join(name for name, value in {"--lanes": lanes, **single}.items() if value is None)
        raise ValidationError(f"give --scenario NAME, or a single queue with --lanes, --arrivals-per-hour, --service-minutes and --hours (missing {missing})")
    scenario_only = {"--on": on, "--out": out, "--plates-for": plates_for, "--service": service, "--from": first_day, "--until": last_day}
    for option, value in scenario_only.items():
        if value:
            raise ValidationError(f"{option} is for --scenario only")
    result = sim.run_mmc(
        lanes,
        arrivals_per_hour,
        service_minutes,
        hours,
        seed,
        distribution=sim.distribution_named(distribution),
        cv=cv,
        warmup_hours=warmup_hours,
        blocked=block,
    )
    if as_json:
        emit_json(result.as_json())
        return
    _print_single(result)


def _scenarios(
    names: list[str],
    point: str,
    traffic: str,
    period: tuple[dt.date | None, dt.date | None],
    on: str | None,
    days: int,
    plates_for: str | None,
    out: Path | None,
    service: list[str],
    lanes: int | None,
    block: sim.Blocked | None,
    seed: int,
    as_json: bool,
) -> None:
    if out is not None:
        _check_writable(out)
    day = parse_date(on, "--on") if on else None
    chosen = [s for s in sim.Scenario if s is not sim.Scenario.LAW or day is not None] if ALL in (n.strip().lower() for n in names) else names
    comparison = planning.plan(
        chosen,
        point=point,
        traffic=traffic,
        first_day=period[0],
        last_day=period[1],
        on=day,
        days=days,
        seed=seed,
        lanes={Mode.PASSENGER: lanes} if lanes is not None else None,
        service=_service_model(service),
        blocked=block,
        plates_for=plates_for.strip().upper() if plates_for else None,
        actor=session().operator(None),
        db=session().db,
    )
    if out is not None:
        try:
            out.write_bytes(comparison.png)
        except OSError as error:
            raise ValidationError(f"cannot write the plot to {out}: {error.strerror or error}") from None
    if as_json:
        emit_json({**comparison.as_json(), "plot": str(out) if out is not None else None})
        return
    table = Table("scenario", "mean wait", "p95 wait", "longest queue", "utilisation", "vehicles", title=f"{comparison.point_name}, {days} day(s), seed {seed}")
    for result in comparison.results:
        figures = result.result.overall
        table.add_row(
            result.title,
            _minutes(figures.mean_wait_minutes),
            _minutes(figures.p95_wait_minutes),
            str(figures.max_queue),
            f"{figures.utilisation:.0%}" if figures.utilisation is not None else "",
            str(figures.vehicles),
        )
    console.print(table)
    volumes = comparison.calibration
    console.print(f"traffic: {comparison.volumes}, {volumes.first_on} to {volumes.last_on} ({volumes.records} crossings)", highlight=False)
    for result in comparison.results:
        for note in result.notes:
            console.print(f"{result.label}: {note}", highlight=False)
    if out is not None:
        console.print(f"plot: {out}", highlight=False)


def _print_single(result: sim.MMcResult) -> None:
    shown = result.as_json()
    table = Table("", "simulated", "Erlang C", title=f"{result.lanes} lanes, {result.arrivals_per_hour:g}/h, {result.service.distribution} service")
    closed = shown["erlang_c"] or {}
    table.add_row("mean wait (min)", f"{shown['mean_wait_minutes']}", f"{closed.get('mean_wait_minutes', '')}")
    table.add_row("p95 wait (min)", f"{shown['p95_wait_minutes']}", "")
    table.add_row("share that waited", f"{shown['waited_share']}", f"{closed.get('probability_of_wait', '')}")
    table.add_row("longest queue", f"{shown['max_queue']}", "")
    table.add_row("utilisation", f"{shown['measured_utilisation']}", f"{shown['utilisation']}")
    console.print(table)
    if result.unstable_reason:
        console.print(f"unstable: {result.unstable_reason}", highlight=False)


def _blocked(text: str | None, on_block: str) -> sim.Blocked | None:
    try:
        policy = sim.OnBlock(on_block.strip().lower())
    except ValueError:
        raise ValidationError(f"--on-block {on_block!r}: choose {words(sim.OnBlock)}") from None
    if text is None:
        return None
    start, dash, end = text.partition("-")
    try:
        hours = float(start), float(end)
    except ValueError:
        hours = None
    if not dash or hours is None:
        raise ValidationError(f"--blocked {text!r} is not a span of hours such as 8-11.5")
    return sim.Blocked(*hours, policy)


def _service_model(specs: list[str]) -> sim.ServiceModel | None:
    """The default service times with each ``DECISION=DISTRIBUTION:MEAN[:CV]`` over them."""
    if not specs:
        return None
    times = dict(sim.DEFAULT_SERVICE.times)
    for spec in specs:
        name, _, rest = spec.partition("=")
        parts = rest.split(":")
        try:
            decision = Decision(name.strip().lower())
        except ValueError:
            raise ValidationError(f"--service {spec!r}: unknown decision {name!r}; known: {words(Decision)}") from None
        if not 2 <= len(parts) <= 3:
            raise ValidationError(f"--service {spec!r} is not DECISION=DISTRIBUTION:MEAN_MINUTES[:CV]")
        try:
            mean, cv = float(parts[1]), float(parts[2]) if len(parts) == 3 else None
        except ValueError:
            raise ValidationError(f"--service {spec!r}: the mean and the coefficient of variation are numbers") from None
        times[decision] = sim.ServiceTime(sim.distribution_named(parts[0]), mean, cv)
    return sim.ServiceModel(times, sim.DEFAULT_SERVICE.mode_factor)


def _check_writable(out: Path) -> None:
    """Fail before a run, not after it, when the plot cannot be written where asked."""
    if out.suffix.lower() != ".png":
        raise ValidationError(f"--out {out}: the plot is a PNG; name the file *.png")
    folder = out.parent
    if not folder.is_dir():
        raise ValidationError(f"--out {out}: the folder {folder} does not exist")
    if out.is_dir() or (out.exists() and not os.access(out, os.W_OK)) or not os.access(folder, os.W_OK):
        raise ValidationError(f"--out {out}: cannot write there")


def _minutes(value: float | None) -> str:
    return "" if value is None else f"{value:.1f} min"
