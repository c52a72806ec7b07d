"""The planning page: supervisors compare policies at a crossing point in a table and a plot; others may not."""

from __future__ import annotations

import base64
import io
import re
from contextlib import closing

import pytest
from PIL import Image

from borderplates.services import planning
from tests.web.conftest import Site

COMPARE = "/plan?scenario=temporary-plates&scenario=stickers&point=merdare&traffic=demo&days=1&seed=2"


def rows(html: str) -> dict[str, float]:
    """Each policy's mean wait in minutes, from the comparison's table."""
    found = re.findall(r'<tr data-scenario="([a-z-]+)">\s*<th[^>]*>.*?</th>\s*<td data-minutes="([0-9.]+)"', html, re.S)
    return {name: float(minutes) for name, minutes in found}


def test_a_supervisor_compares_temporary_plates_and_stickers_at_merdare_with_a_plot(site: Site) -> None:
    with closing(site.logged_in("supervisor")) as supervisor:
        page = supervisor.get(COMPARE)
    assert page.status_code == 200, page.text[:500]
    waits = rows(page.text)
    assert set(waits) == {"temporary-plates", "stickers"}
    assert waits["temporary-plates"] > waits["stickers"]
    assert "Traffic of the demo week" in page.text
    found = re.search(r'<img src="data:image/png;base64,([A-Za-z0-9+/=]+)"', page.text)
    assert found is not None
    plot = Image.open(io.BytesIO(base64.b64decode(found.group(1))))
    assert plot.format == "PNG" and plot.width > 600


def test_the_form_alone_comes_with_the_usual_comparison_ticked_and_runs_nothing(site: Site) -> None:
    with closing(site.logged_in("supervisor")) as supervisor:
        page = supervisor.get("/plan")
    assert page.status_code == 200
    assert rows(page.text) == {}
    assert re.search(r'value="temporary-plates" checked', page.text) and re.search(r'value="stickers" checked', page.text)
    assert 'value="none">' in page.text


def test_the_page_speaks_the_persons_language(site: Site) -> None:
    with closing(site.logged_in("supervisor")) as supervisor:
        supervisor.get("/plan?lang=sq")
        page = supervisor.get(COMPARE)
        supervisor.get("/plan?lang=en")
    assert "targa të përkohshme në të dy drejtimet" in page.text


@pytest.mark.parametrize("name", ["officer", "clerk"])
def test_only_supervisors_plan_and_the_menu_says_so(site: Site, name: str) -> None:
    with closing(site.logged_in(name)) as person:
        page = person.get(COMPARE)
        home = person.get("/board")
    assert page.status_code == 403
    assert 'href="/plan"' not in home.text
    with closing(site.logged_in("supervisor")) as supervisor:
        assert 'href="/plan"' in supervisor.get("/board").text


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("scenario=stickers&days=0", "days"),
        ("scenario=stickers&days=8", "days"),
        ("scenario=stickers&days=two", "days"),
        ("scenario=stickers&lanes=-1", "lanes"),
        ("scenario=stickers&seed=%3Cscript%3E", "seed"),
        ("scenario=law", "on"),
        ("scenario=law&on=2022-13-01", "on"),
        ("scenario=stickers&start=2021-09-27&end=2021-09-20", None),
        ("scenario=stickers&traffic=recorded&start=2031-01-01", None),
        ("scenario=stickers&point=atlantis", "point"),
    ],
)
def test_a_bad_form_says_what_is_wrong_and_runs_nothing(site: Site, query: str, field: str | None) -> None:
    with closing(site.logged_in("supervisor")) as supervisor:
        page = supervisor.get(f"/plan?{query}")
    assert page.status_code == 422
    assert 'role="alert"' in page.text and "<script>" not in page.text
    assert rows(page.text) == {}
    if field is not None:
        assert f'<a href="#{field}">' in page.text


def test_while_a_plan_runs_another_is_asked_to_wait(site: Site) -> None:
    with closing(site.logged_in("supervisor")) as supervisor, planning._running:  # a plan under way in the server's process
        page = supervisor.get(COMPARE)
    assert page.status_code == 422
    assert "Another simulation is running" in page.text
