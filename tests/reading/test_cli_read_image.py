"""``borderplates read-image``, in process: the JSON shape, no plate found, bad files, and the check at a crossing.

Each test gets its own registry directory (BORDERPLATES_DATA_DIR): the check
opens, and on first use creates, the embedded registry.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from PIL import Image
from typer.testing import CliRunner

import borderplates.cli.commands  # noqa: F401  (registers the commands)
from borderplates.cli import app
from tests.reading.synth import encode, make_sample

runner = CliRunner()


@pytest.fixture(autouse=True)
def registry(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("BORDERPLATES_DATA_DIR", str(tmp_path / "registry"))
    monkeypatch.delenv("BORDERPLATES_DATABASE_URL", raising=False)
    monkeypatch.delenv("BORDERPLATES_DATA_ROOT", raising=False)
    return tmp_path / "registry"


@pytest.fixture(scope="module")
def street_scene(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("images") / "np-123-ab.jpg"
    path.write_bytes(make_sample(10, "rs.standard", scene=True, text="NP 123-AB").encoded("JPEG"))
    return path


def read_json(*args: str) -> dict[str, Any]:
    result = runner.invoke(app, ["read-image", *args, "--json"])
    assert result.exit_code == 0, result.output
    assert result.stderr == ""
    payload = json.loads(result.stdout)
    assert isinstance(payload, dict)
    return payload


def test_read_image_prints_the_candidates_best_first_as_json(street_scene: Path) -> None:
    payload = read_json(str(street_scene))
    assert set(payload) == {"read_id", "candidates", "needs_confirmation", "check"}
    assert payload["check"] is None
    best = payload["candidates"][0]
    assert set(best) == {"canonical", "issuer", "confidence", "box"}
    assert (best["canonical"], best["issuer"]) == ("NP 123-AB", "RS")
    assert 0 < best["confidence"] <= 1
    assert len(best["box"]) == 4
    confidences = [c["confidence"] for c in payload["candidates"]]
    assert confidences == sorted(confidences, reverse=True)


def test_read_image_of_np_123_ab_at_jarinje_on_27_september_2021_gives_the_check_there(street_scene: Path, registry: Path) -> None:
    payload = read_json(str(street_scene), "--entering", "XK", "--point", "jarinje", "--at", "2021-09-27T10:00:00+02:00")
    assert payload["candidates"][0]["canonical"] == "NP 123-AB"
    check = payload["check"]
    assert check["plate"]["canonical"] == "NP 123-AB"
    assert check["entering"] == "XK"
    assert check["requirement"]["kind"] == "temporary_registration"
    # The roads to Jarinje were blocked that week: the booth refuses and names the open crossings.
    assert check["decision"] == "refuse"
    assert any("Jarinjë / Jarinje is blocked" in reason for reason in check["reasons"])
    at_merdare = read_json(str(street_scene), "--entering", "XK", "--point", "merdare", "--at", "2021-09-27T10:00:00+02:00")["check"]
    assert at_merdare["decision"] == "issue_temporary_registration"
    assert registry.exists()


def test_an_image_without_a_plate_says_no_plate_found(tmp_path: Path) -> None:
    path = tmp_path / "sky.png"
    path.write_bytes(encode(Image.new("RGB", (400, 300), (130, 160, 200))))
    payload = read_json(str(path), "--entering", "XK", "--at", "2021-09-27T10:00:00+02:00")
    assert {key: payload[key] for key in ("candidates", "needs_confirmation", "check")} == {"candidates": [], "needs_confirmation": False, "check": None}
    assert isinstance(payload["read_id"], int)
    result = runner.invoke(app, ["read-image", str(path)])
    assert result.exit_code == 0
    assert "No plate found" in result.stdout


@pytest.mark.parametrize(
    ("content", "message"),
    [(b"", "the image is empty"), (b"GIF89a" + bytes(64), "not a JPEG or PNG"), (None, "no such file")],
    ids=["empty", "gif", "missing"],
)
def test_a_bad_file_is_one_line_on_stderr_and_exit_code_2(tmp_path: Path, content: bytes | None, message: str) -> None:
    path = tmp_path / "camera.jpg"
    if content is not None:
        path.write_bytes(content)
    result = runner.invoke(app, ["read-image", str(path), "--json"])
    assert result.exit_code == 2
    assert result.stdout == ""
    lines = result.stderr.splitlines()
    assert len(lines) == 1
    assert lines[0].startswith("borderplates: error: ")
    assert message in lines[0]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--point", "jarinje"], "give --entering or --leaving too"),
        (["--entering", "XK", "--leaving", "RS"], "not both"),
        (["--entering", "XK", "--point", "nowhere"], "unknown crossing point"),
        (["--entering", "XX"], "unknown jurisdiction"),
        (["--entering", "XK", "--at", "yesterday"], "not an ISO 8601"),
        (["--reader", "magic"], "unknown reader"),
        (["--reader", "alpr"], "--alpr-models"),
    ],
)
def test_bad_options_are_refused_before_the_image_is_read(street_scene: Path, args: list[str], message: str) -> None:
    result = runner.invoke(app, ["read-image", str(street_scene), *args], env={"BORDERPLATES_ALPR_MODELS": None})
    assert result.exit_code == 2
    assert message in result.stderr
    assert len(result.stderr.splitlines()) == 1


def test_the_table_says_prominently_that_a_read_needs_confirmation_and_that_the_check_is_provisional(tmp_path: Path) -> None:
    sample = make_sample(21, "rs.standard", text="NP 123-AB")
    image = sample.image.copy()
    w, h = image.size
    image.paste((250, 250, 247), (0, 0, int(h * 0.45), h))
    image.paste((250, 250, 247), (int(0.62 * w), int(0.38 * h), int(0.8 * w), int(0.62 * h)))
    path = tmp_path / "damaged.png"
    path.write_bytes(encode(image))
    result = runner.invoke(app, ["read-image", str(path), "--entering", "XK", "--at", "2021-09-27T10:00:00+02:00"], env={"COLUMNS": "200"})
    assert result.exit_code == 0, result.output
    assert "NEEDS CONFIRMATION" in result.stdout
    assert "PROVISIONAL" in result.stdout


def test_the_table_of_a_sure_read_names_the_plate_and_the_decision(street_scene: Path) -> None:
    result = runner.invoke(app, ["read-image", str(street_scene), "--entering", "XK", "--at", "2021-09-27T10:00:00+02:00"], env={"COLUMNS": "200"})
    assert result.exit_code == 0, result.output
    assert "NP 123-AB" in result.stdout
    assert "issue_temporary_registration" in result.stdout
    assert "NEEDS CONFIRMATION" not in result.stdout
