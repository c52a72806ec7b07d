"""Running ``borderplates`` in tests: in this process (Typer's runner) by default, or as the installed console script.

In process, a call costs milliseconds instead of half a second, and the command line
goes through the same entry point, settings and error handling as the console
script; a few end-to-end tests run the real script to prove the installation.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from borderplates.cli import app
from borderplates.cli import commands as _commands  # noqa: F401  (registers the commands)

COMMAND = Path(sys.executable).parent / "borderplates"


@dataclass(frozen=True)
class Done:
    """How a run of the command line ended."""

    returncode: int
    stdout: str
    stderr: str


class Cli:
    """The command line with its own environment: ``BORDERPLATES_*`` variables are only those given."""

    def __init__(self, env: dict[str, str], *, process: bool = False) -> None:
        self.env = env
        self.process = process

    def run(self, *args: str) -> Done:
        if self.process:
            full = {k: v for k, v in os.environ.items() if not k.startswith("BORDERPLATES_")} | self.env
            done = subprocess.run([str(COMMAND), *args], env=full, capture_output=True, text=True, timeout=120, check=False)
            return Done(done.returncode, done.stdout, done.stderr)
        unset: dict[str, str | None] = {key: None for key in os.environ if key.startswith("BORDERPLATES_")}
        result = CliRunner().invoke(app, list(args), env=unset | self.env, catch_exceptions=False)
        return Done(result.exit_code, result.stdout, result.stderr)

    def json(self, *args: str) -> dict[str, Any]:
        done = self.run(*args, "--json")
        assert done.returncode == 0, done.stderr
        assert done.stderr == ""
        [line] = done.stdout.splitlines()  # exactly one JSON object
        payload = json.loads(line)
        assert isinstance(payload, dict)
        return payload

    def fails(self, *args: str) -> str:
        done = self.run(*args)
        assert done.returncode == 2, (done.stdout, done.stderr)
        assert "Traceback" not in done.stderr
        [line] = done.stderr.splitlines()
        assert line.startswith("borderplates: error: ")
        return line


def base_env(data_dir: Path, **more: str) -> dict[str, str]:
    """A private registry directory, a user name, wide plain output."""
    return {"BORDERPLATES_DATA_DIR": str(data_dir), "BORDERPLATES_USER": "clerk-cli", "COLUMNS": "250", "NO_COLOR": "1", "PYTHONUTF8": "1", **more}


@pytest.fixture
def cli(tmp_path: Path) -> Cli:
    """The command line in this process, with a private embedded registry."""
    return Cli(base_env(tmp_path / "registry"))


@pytest.fixture
def cli_in(tmp_path: Path) -> Callable[..., Cli]:
    """Command lines on other private registries: ``cli_in("elsewhere")``."""
    return lambda name, **env: Cli(base_env(tmp_path / name, **env))
