"""Plots of a scenario comparison, drawn with matplotlib's Agg canvas into PNG bytes.

No pyplot: each call builds its own figure, so a web page may draw several at once.
"""

from __future__ import annotations

import io
from typing import TYPE_CHECKING

import numpy as np
from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from borderplates.simulate.model import HOURS_PER_DAY

if TYPE_CHECKING:
    from borderplates.simulate.scenarios import Comparison

#: One colour and line style per scenario, the same in every plot; scenarios that decide alike draw
#: the same line, and the styles keep each one visible.
LOOKS = {
    "temporary-plates": ("#c0392b", "-"),
    "stickers": ("#2471a3", "--"),
    "none": ("#7f8c8d", "-."),
    "one-side": ("#d68910", ":"),
    "law": ("#1e8449", (0, (5, 2, 1, 2, 1, 2))),
}


def comparison_png(comparison: Comparison) -> bytes:
    """The comparison as one PNG: mean wait by hour of arrival, mean and p95 wait, and the longest queue."""
    figure = Figure(figsize=(12, 8.6), dpi=100, layout="constrained")
    FigureCanvasAgg(figure)
    grid = figure.add_gridspec(2, 2, height_ratios=(1.15, 1))
    _waits_over_time(figure.add_subplot(grid[0, :]), comparison)
    _wait_bars(figure.add_subplot(grid[1, 0]), comparison)
    _queue_bars(figure.add_subplot(grid[1, 1]), comparison)
    figure.suptitle(_headline(comparison), fontsize=13, fontweight="bold")
    lanes = ", ".join(f"{n} {mode}" for (towards, mode), n in comparison.setup.lanes.items() if towards == comparison.calibration.side)
    per_day = sum(comparison.calibration.per_day().values())
    figure.supxlabel(
        f"Traffic: {comparison.volumes}, {per_day:,.0f} vehicles a day both ways. Lanes each way: {lanes}.\n"
        f"{comparison.days} day{'s' * (comparison.days > 1)} after a day of warm-up, seed {comparison.seed}. "
        "Minutes per control at the booth are assumptions, not measurements (listed in the JSON output).",
        fontsize=8,
        color="#555555",
        x=0.01,
        ha="left",
    )
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png")
    return buffer.getvalue()


def _headline(comparison: Comparison) -> str:
    text = f"{comparison.point_name}: waits by policy"
    names = {str(r.scenario): r for r in comparison.results}
    plates, stickers = names.get("temporary-plates"), names.get("stickers")
    if plates and stickers:
        a, b = plates.result.overall.mean_wait_minutes or 0.0, stickers.result.overall.mean_wait_minutes or 0.0
        text += f"\ntemporary plates: mean wait {_minutes(a)}, stickers {_minutes(b)}: {_minutes(a - b)} longer"
        if b > 0.05 and a / b < 100:
            text += f" (×{a / b:.1f})"
    return text


def _waits_over_time(axes: Axes, comparison: Comparison) -> None:
    hours = np.arange(len(comparison.results[0].result.hourly_mean_wait)) + 0.5
    for result in comparison.results:
        colour, style = LOOKS[str(result.scenario)]
        waits = np.array([np.nan if w is None else w for w in result.result.hourly_mean_wait], dtype=float)
        axes.plot(hours, waits, color=colour, linestyle=style, linewidth=2, label=result.title, marker="." if len(hours) <= HOURS_PER_DAY else None)
    blocked = comparison.setup.blocked
    if blocked is not None:
        warmup = comparison.setup.warmup_hours
        axes.axvspan(blocked.start_hour - warmup, blocked.end_hour - warmup, color="#555555", alpha=0.15, label=f"blocked ({blocked.on_block})")
    axes.set_ylabel("mean wait (minutes)")
    axes.set_ylim(bottom=0)
    axes.set_xlim(0, len(hours))
    if len(hours) <= HOURS_PER_DAY:
        axes.set_xticks(range(0, len(hours) + 1, 2))
        axes.set_xticklabels([f"{h % 24:02d}:00" for h in range(0, len(hours) + 1, 2)])
        axes.set_xlabel("hour of arrival (local time)")
    else:
        axes.set_xticks(range(0, len(hours) + 1, HOURS_PER_DAY))
        axes.set_xticklabels([f"day {d + 1}" for d in range(len(range(0, len(hours) + 1, HOURS_PER_DAY)))])
        axes.set_xlabel("time of arrival (each day starts at local midnight)")
    axes.grid(alpha=0.3)
    axes.legend(loc="upper left", fontsize=9)
    axes.set_title("Mean wait by hour of arrival", loc="left", fontsize=11)


def _wait_bars(axes: Axes, comparison: Comparison) -> None:
    positions = np.arange(len(comparison.results))
    means = [r.result.overall.mean_wait_minutes or 0.0 for r in comparison.results]
    p95s = [r.result.overall.p95_wait_minutes or 0.0 for r in comparison.results]
    width = 0.38
    colours = [LOOKS[str(r.scenario)][0] for r in comparison.results]
    mean_bars = axes.bar(positions - width / 2, means, width, color=colours)
    p95_bars = axes.bar(positions + width / 2, p95s, width, color=colours, alpha=0.45)
    # One label per pair, over the taller bar, so that short bars' labels never overlap.
    for mean_bar, p95_bar, mean, p95 in zip(mean_bars, p95_bars, means, p95s, strict=True):
        axes.annotate(
            f"{_minutes(mean)}\np95 {_minutes(p95)}",
            ((mean_bar.get_x() + p95_bar.get_x() + p95_bar.get_width()) / 2, max(mean, p95)),
            xytext=(0, 3),
            textcoords="offset points",
            ha="center",
            va="bottom",
            fontsize=8,
        )
    axes.set_xticks(positions, [r.label for r in comparison.results], fontsize=9)
    axes.set_ylabel("wait (minutes)")
    axes.margins(y=0.25)
    axes.set_title("Wait: mean (solid) and 95th percentile (pale)", loc="left", fontsize=11)


def _queue_bars(axes: Axes, comparison: Comparison) -> None:
    positions = np.arange(len(comparison.results))
    queues = [r.result.overall.max_queue for r in comparison.results]
    bars = axes.bar(positions, queues, 0.6, color=[LOOKS[str(r.scenario)][0] for r in comparison.results])
    axes.bar_label(bars, fontsize=8, padding=2)
    axes.set_xticks(positions, [r.label for r in comparison.results], fontsize=9)
    axes.set_ylabel("vehicles waiting")
    axes.margins(y=0.15)
    axes.set_title("Longest queue (one direction and mode)", loc="left", fontsize=11)


def _minutes(value: float) -> str:
    """``45 min`` under two hours, ``3 h 05 min`` above."""
    if value < 120:
        return f"{value:.1f} min" if value < 10 else f"{value:.0f} min"
    hours, minutes = divmod(round(value), 60)
    return f"{hours} h {minutes:02d} min"
