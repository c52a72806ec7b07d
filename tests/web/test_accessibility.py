"""The pages' colours meet WCAG AA contrast (4.5:1 for text), read from the style sheet the pages use."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

CSS = (Path(__file__).parents[2] / "src" / "borderplates" / "web" / "static" / "site.css").read_text(encoding="utf-8")
VARIABLES = dict(re.findall(r"--([a-z]+):\s*(#[0-9a-f]{3,6});", CSS))


def colour(name_or_value: str) -> str:
    value = VARIABLES.get(name_or_value.removeprefix("var(--").removesuffix(")"), name_or_value)
    return value if len(value) == 7 else "#" + "".join(ch * 2 for ch in value[1:])


def luminance(hex_colour: str) -> float:
    channels = [int(hex_colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
    linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def contrast(a: str, b: str) -> float:
    light, dark = sorted((luminance(colour(a)), luminance(colour(b))), reverse=True)
    return (light + 0.05) / (dark + 0.05)


def rule(selector: str) -> dict[str, str]:
    found = re.search(re.escape(selector) + r"\s*\{([^}]*)\}", CSS)
    assert found is not None, selector
    return dict(re.findall(r"([a-z-]+):\s*([^;]+);", found.group(1)))


@pytest.mark.parametrize("tone", ["go", "amber", "orange", "stop"])
def test_each_answer_colour_keeps_its_text_readable(tone: str) -> None:
    declared = rule(f".tone-{tone}")
    assert contrast(declared["background"], declared["color"]) >= 4.5


@pytest.mark.parametrize(
    ("foreground", "background"),
    [("--ink", "--paper"), ("--muted", "--paper"), ("--link", "--paper"), ("--stop", "#fdecea"), ("#fff", "#1f2933"), ("#fff", "#0b4fb3")],
)
def test_text_and_links_stand_out_from_their_background(foreground: str, background: str) -> None:
    assert contrast(foreground.removeprefix("--"), background.removeprefix("--")) >= 4.5


def test_the_focus_is_always_visible() -> None:
    assert rule(":focus-visible")["outline"].startswith("3px solid")
