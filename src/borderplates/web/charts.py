"""Charts drawn as inline SVG: the reciprocity timeline and the supervisors' daily bars.

The SVG is written here, text escaped, and put in the page as it is: no script, no
style attribute (the pages' policy forbids inline styles), colours from a palette
that also works in print and keeps its meaning in text (every chart has a table
beside it, and every segment its label).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from html import escape

from markupsafe import Markup

#: Fill per requirement kind; the same names are CSS classes in the legend.
KIND_COLOURS = {
    "none": "#2e7d32",
    "temporary_registration": "#f2a900",
    "cover_symbols": "#1565c0",
    "re_registration": "#6a1b9a",
    "refuse": "#c62828",
    "unknown": "#9e9e9e",
}
SERIES_COLOURS = ("#1565c0", "#6a1b9a", "#c62828", "#f2a900")


@dataclass(frozen=True)
class Segment:
    """One stretch of a timeline row: from ``start`` until ``until`` (None: still), what was required, and its label."""

    start: dt.datetime
    until: dt.datetime | None
    kind: str
    label: str


def timeline(
    rows: Sequence[tuple[str, Sequence[Segment]]], highlights: Sequence[tuple[dt.datetime, dt.datetime | None]], *, end: dt.datetime, title: str
) -> Markup:
    """Rows of segments along one time axis, with the ``highlights`` (the asymmetric periods) marked behind them."""
    starts = [segment.start for _, segments in rows for segment in segments]
    if not starts:
        return Markup("")
    first = min(starts)
    width, label_width, row_height, top = 1000, 0, 56, 30
    span = (end - first).total_seconds() or 1.0

    def x(moment: dt.datetime) -> float:
        return label_width + (width - label_width) * max(0.0, min(1.0, (moment - first).total_seconds() / span))

    height = top + len(rows) * (row_height + 26) + 24
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" role="img" aria-label="{escape(title)}" class="timeline">']
    for start, until in highlights:
        left, right = x(start), x(until or end)
        parts.append(
            f'<rect x="{left:.1f}" y="{top - 8}" width="{max(right - left, 2):.1f}" height="{height - top - 14}" '
            'fill="#fff3c4" stroke="#8a6d00" stroke-dasharray="4 3"/>'
        )
    for year in range(first.year + 1, end.year + 1):
        at = x(dt.datetime(year, 1, 1, tzinfo=first.tzinfo))
        parts.append(f'<line x1="{at:.1f}" y1="{top - 12}" x2="{at:.1f}" y2="{height - 20}" stroke="#757575" stroke-width="0.6"/>')
        parts.append(f'<text x="{at + 3:.1f}" y="{height - 6}" font-size="13" fill="#212121">{year}</text>')
    for index, (name, segments) in enumerate(rows):
        y = top + index * (row_height + 26)
        parts.append(f'<text x="2" y="{y + 6}" font-size="15" font-weight="bold" fill="#111">{escape(name)}</text>')
        for segment in segments:
            left, right = x(segment.start), x(segment.until or end)
            colour = KIND_COLOURS.get(segment.kind, KIND_COLOURS["unknown"])
            parts.append(
                f'<rect x="{left:.1f}" y="{y + 12}" width="{max(right - left, 1.5):.1f}" height="{row_height - 16}" '
                f'fill="{colour}" stroke="#111" stroke-width="0.8">'
                f"<title>{escape(segment.label)}</title></rect>"
            )
            if right - left > 70:
                text_colour = "#111" if segment.kind in ("temporary_registration", "unknown") else "#fff"
                label = escape(_short(segment.label, right - left))
                parts.append(f'<text x="{left + 4:.1f}" y="{y + row_height / 2 + 9:.1f}" font-size="12" fill="{text_colour}">{label}</text>')
    parts.append("</svg>")
    return Markup("".join(parts))


def _short(text: str, room: float) -> str:
    most = max(int(room / 7), 4)
    return text if len(text) <= most else text[: most - 1] + "…"


def bars(days: Sequence[str], series: Sequence[tuple[str, Sequence[int]]], *, title: str) -> Markup:
    """Grouped bars: one group per day, one bar per series (each value in its bar's title; the page's table has them all)."""
    width, height, left, bottom, top = 640, 220, 36, 40, 16
    peak = max([1, *(value for _, values in series for value in values)])
    group = (width - left) / max(len(days), 1)
    bar = max((group - 12) / max(len(series), 1), 2)
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" role="img" aria-label="{escape(title)}" class="bars">']
    base = height - bottom
    parts.append(f'<line x1="{left}" y1="{base}" x2="{width}" y2="{base}" stroke="#424242"/>')
    for index, day in enumerate(days):
        x0 = left + index * group + 6
        for number, (name, values) in enumerate(series):
            value = values[index]
            h = (base - top) * value / peak
            xb = x0 + number * bar
            parts.append(
                f'<rect x="{xb:.1f}" y="{base - h:.1f}" width="{bar - 1:.1f}" height="{h:.1f}" fill="{SERIES_COLOURS[number % len(SERIES_COLOURS)]}">'
                f"<title>{escape(name)}: {value}</title></rect>"
            )
        parts.append(f'<text x="{x0:.1f}" y="{base + 16}" font-size="12" fill="#212121">{escape(day)}</text>')
    parts.append(f'<text x="2" y="{top + 4}" font-size="12" fill="#212121">{peak}</text>')
    parts.append("</svg>")
    return Markup("".join(parts))
