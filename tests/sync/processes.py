"""Real ``borderplates`` processes for the tests of sites and the centre: servers on loopback ports, and the command line.

Each server is started as the console script would be by an operator, with its own
environment (data directory, database, site settings); it is stopped with SIGTERM
(SIGKILL after a timeout), or killed with SIGKILL when a test wants a site lost
mid-work.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.api.conftest import free_port

COMMAND = Path(sys.executable).parent / "borderplates"


def environment(**values: str) -> dict[str, str]:
    """This process's environment without any BORDERPLATES_ variable, with ``values`` (as BORDERPLATES_<NAME>)."""
    base = {key: value for key, value in os.environ.items() if not key.startswith("BORDERPLATES_")}
    return base | {"BORDERPLATES_USER": "tester"} | {f"BORDERPLATES_{name.upper()}": value for name, value in values.items()}


def run(env: dict[str, str], *args: str) -> dict[str, Any]:
    """Run one command with ``--json``; its one JSON object (a failure fails the test with its error line)."""
    done = subprocess.run([str(COMMAND), *args, "--json"], env=env, capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode == 0, f"borderplates {' '.join(args)}: {done.stderr.strip()}"
    payload = json.loads(done.stdout)
    assert isinstance(payload, dict)
    return payload


def until(check: Callable[[], bool], what: str, timeout: float = 60.0, every: float = 0.05) -> None:
    """Wait until ``check()`` holds, or fail saying ``what`` did not happen."""
    deadline = time.monotonic() + timeout
    while not check():
        if time.monotonic() > deadline:
            pytest.fail(f"{what} did not happen within {timeout:.0f} s")
        time.sleep(every)


@dataclass
class Server:
    """``borderplates serve`` in a process of its own."""

    name: str
    env: dict[str, str]
    args: Sequence[str] = ()
    prefix: Sequence[str] = ()
    port: int = field(default_factory=free_port)
    process: subprocess.Popen[bytes] | None = None
    log: Path | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self, folder: Path) -> Server:
        self.log = folder / f"{self.name}.log"
        command = [*self.prefix, str(COMMAND), "serve", "--port", str(self.port), *self.args]
        with self.log.open("ab") as out:
            self.process = subprocess.Popen(command, env=self.env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True)
        until(self._answers, f"{self.name} answering on port {self.port}", timeout=60)
        return self

    def stop(self) -> None:
        """SIGTERM, then SIGKILL if it does not end in 20 s."""
        if self.process is None:
            return
        self._signal(signal.SIGTERM)
        deadline = time.monotonic() + 20
        while self._alive() and time.monotonic() < deadline:  # the group: a wrapper's child (faketime runs the server in one) too
            time.sleep(0.05)
        self._signal(signal.SIGKILL)
        self.process.wait(20)
        self.process = None

    def kill(self) -> None:
        """SIGKILL: the machine lost power, or the process was killed mid-work."""
        if self.process is not None:
            self._signal(signal.SIGKILL)
            self.process.wait(20)
            self.process = None

    def _alive(self) -> bool:
        assert self.process is not None
        self.process.poll()
        try:
            os.killpg(self.process.pid, 0)
        except ProcessLookupError:
            return False
        return True

    def _signal(self, number: int) -> None:
        """Signal the server's process group (its own session, started for it alone)."""
        assert self.process is not None
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.process.pid, number)

    def client(self, key: str) -> httpx.Client:
        return httpx.Client(base_url=self.url, headers={"Authorization": f"Bearer {key}"}, timeout=60)

    def _answers(self) -> bool:
        if self.process is not None and self.process.poll() is not None:
            log = self.log.read_text(encoding="utf-8", errors="replace")[-2000:] if self.log else ""
            pytest.fail(f"{self.name} ended with code {self.process.returncode}: {log}")
        try:
            return httpx.get(f"{self.url}/api/v1/crossing-points", timeout=2).status_code == 200
        except httpx.HTTPError:
            return False


def faketime(offset: str) -> list[str]:
    """The command prefix that runs a program with its wall clock ``offset`` (``-5h``): libfaketime, from Debian's faketime.

    The monotonic clock is left alone: timed waits measure it against the real one.
    """
    found = shutil.which("faketime")
    if found is None:
        pytest.fail("faketime is not installed (apt-get install faketime; dev/test.sh installs it)")
    return ["env", "FAKETIME_DONT_FAKE_MONOTONIC=1", found, "-f", offset]
