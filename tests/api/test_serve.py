"""``borderplates serve`` as a user starts it: on a new registry it makes the first admin, prints its one-time password once, and serves."""

from __future__ import annotations

import os
import re
import subprocess
import time
from pathlib import Path

import httpx

from tests.api.conftest import free_port
from tests.cli.conftest import COMMAND, base_env


def start(data_dir: Path, port: int) -> subprocess.Popen[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("BORDERPLATES_")} | base_env(data_dir, PYTHONUNBUFFERED="1")
    return subprocess.Popen([str(COMMAND), "serve", "--port", str(port)], env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)


def printed_until_serving(server: subprocess.Popen[str], url: str) -> str:
    """What the server printed before it answered at ``url``."""
    wait_for(url, server)
    server.terminate()
    output, _ = server.communicate(timeout=30)
    return output


def wait_for(url: str, server: subprocess.Popen[str]) -> None:
    deadline = time.monotonic() + 60
    while True:
        try:
            if httpx.get(f"{url}/api/v1/crossing-points", timeout=1).status_code == 200:
                return
        except httpx.TransportError:
            assert time.monotonic() < deadline and server.poll() is None, "the server did not start"
            time.sleep(0.1)


def test_serve_makes_the_first_admin_once_and_serves_the_api(tmp_path: Path) -> None:
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    server = start(tmp_path / "registry", port)
    printed = []
    try:
        assert server.stdout is not None
        for line in server.stdout:
            printed.append(line)
            if "log in at" in line:
                break
        wait_for(url, server)
        password = re.search(r"one-time password \(shown once\): (\S+)", "".join(printed))
        assert password is not None, printed
        login = httpx.post(f"{url}/api/v1/session", json={"name": "admin", "password": password.group(1)})
        assert login.status_code == 201 and login.json()["role"] == "admin"
        assert httpx.get(f"{url}/docs").status_code == 200
        assert httpx.get(f"{url}/board").status_code == 200
    finally:
        server.terminate()
        server.communicate(timeout=30)
    assert f"{url}/docs" in "".join(printed) and f"{url}/login" in "".join(printed)
    port = free_port()
    again = start(tmp_path / "registry", port)
    second = printed_until_serving(again, f"http://127.0.0.1:{port}")
    assert "one-time password" not in second and f"http://127.0.0.1:{port}/docs" in second
