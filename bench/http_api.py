"""Benchmark: the check and the issuance over HTTP, against bare FastAPI apps served the same way.

Measures in one run, with wrk (Debian's package; installed here when missing and run
as root) at 32 connections on loopback, each server started by the same uvicorn
command (1 worker, uvloop and httptools, no access log):

- ``GET /api/v1/check`` with an officer's API key at Merdare, over plates of the demo week
  (vehicles that hold a registration and vehicles that do not), on the embedded
  SQLite registry holding the demo week (``--quick``: an empty registry);
- a bare FastAPI app whose ``async def`` route answers a constant JSON object;
- ``POST /api/v1/registrations`` with a clerk's API key, a new vehicle each time;
- a bare FastAPI app whose route inserts one row into a SQLite file and commits;

and prints requests per second, median and 99th-percentile latencies, the ratios
check / constant and issuance / insert (aims: throughput ≥ 0.6×, p99 ≤ 2×), and any
answers that were not 2xx. Timing is noisy on a shared machine: run it alone.

Run: ``python bench/http_api.py [--quick]`` (or ``python bench/run.py`` for every benchmark).
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

import httpx

from borderplates.registry import open_registry
from borderplates.services import accounts, demo
from borderplates.services.actors import Actor
from borderplates.settings import Settings
from borderplates.vocabulary import Role

HERE = Path(__file__).resolve().parent
CONNECTIONS = 32
ADMIN = Actor("bench-admin", Role.ADMIN)
CHECK_AT = "2021-09-27T10%3A00%3A00%2B02%3A00"


@dataclass(frozen=True)
class Run:
    """What wrk measured."""

    name: str
    rate: float
    p50_ms: float
    p99_ms: float
    requests: int
    not_2xx: int


def ensure_wrk() -> str:
    found = shutil.which("wrk")
    if found:
        return found
    if os.geteuid() != 0:
        sys.exit("bench/http_api.py needs wrk: apt-get install -y wrk")
    subprocess.run(["apt-get", "install", "-y", "-q", "wrk"], check=False, capture_output=True)
    if not shutil.which("wrk"):
        subprocess.run(["apt-get", "update", "-q"], check=True, capture_output=True)
        subprocess.run(["apt-get", "install", "-y", "-q", "wrk"], check=True, capture_output=True)
    return shutil.which("wrk") or sys.exit("wrk could not be installed")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@contextlib.contextmanager
def served(factory: str, env: dict[str, str]) -> Iterator[str]:
    """``factory`` served by uvicorn (the same command for every app) until the block ends."""
    port = free_port()
    command = [sys.executable, "-m", "uvicorn", "--factory", factory, "--host", "127.0.0.1", "--port", str(port)]
    command += ["--workers", "1", "--no-access-log", "--log-level", "warning"]
    process = subprocess.Popen(command, env={**os.environ, **env}, cwd=env["BENCH_DIR"])
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                httpx.get(url + "/", timeout=1)
                break
            except httpx.TransportError:
                if process.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(f"{factory} did not start") from None
                time.sleep(0.1)
        yield url
    finally:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def wrk(name: str, url: str, warm_up: Path, script: Path, seconds: int) -> Run:
    """A short warm-up, then ``seconds`` of load at :data:`CONNECTIONS` connections."""
    base = [ensure_wrk(), "-t1", f"-c{CONNECTIONS}", "--latency"]
    subprocess.run([*base, "-s", str(warm_up), "-d2s", url], check=True, capture_output=True)
    out = subprocess.run([*base, "-s", str(script), f"-d{seconds}s", url], check=True, capture_output=True, text=True).stdout
    rate = float(_found(r"Requests/sec:\s+([\d.]+)", out).group(1))
    requests = int(_found(r"(\d+) requests in", out).group(1))
    not_2xx = int(m.group(1)) if (m := re.search(r"Non-2xx or 3xx responses: (\d+)", out)) else 0
    return Run(name, rate, _latency(out, "50%"), _latency(out, "99%"), requests, not_2xx)


def _found(pattern: str, out: str) -> re.Match[str]:
    found = re.search(pattern, out, re.MULTILINE)
    if found is None:
        raise RuntimeError(f"wrk printed no {pattern!r}:\n{out}")
    return found


def _latency(out: str, percentile: str) -> float:
    value, unit = _found(rf"^\s+{percentile}\s+([\d.]+)(us|ms|s)\s*$", out).groups()
    return float(value) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[unit]


def lua_get(path: str, paths: list[str], key: str | None) -> str:
    header = f'wrk.headers["Authorization"] = "Bearer {key}"\n' if key else ""
    listed = ",\n".join(json.dumps(p) for p in paths)
    return f"{header}local paths = {{\n{listed}\n}}\nlocal n = 0\nrequest = function()\n  n = n + 1\n  return wrk.format(nil, paths[(n % #paths) + 1])\nend\n"


def lua_post(path: str, key: str | None, body: str, start: int) -> str:
    """A POST per request, each for a new plate (``VA ddd-LL``: the counter from ``start`` in digits and letters)."""
    header = f'wrk.headers["Authorization"] = "Bearer {key}"\n' if key else ""
    return (
        f'wrk.method = "POST"\nwrk.headers["Content-Type"] = "application/json"\n{header}'
        f'local letters = "ABCDEFGHJKLMNPRSTUVZ"\nlocal n = {start}\n'
        "request = function()\n  n = n + 1\n"
        "  local d = 100 + (n % 900)\n  local k = math.floor(n / 900)\n"
        "  local a = (k % 20) + 1\n  local b = (math.floor(k / 20) % 20) + 1\n"
        '  local plate = "VA " .. d .. "-" .. letters:sub(a, a) .. letters:sub(b, b)\n'
        f'  return wrk.format(nil, "{path}", nil, string.format({json.dumps(body)}, plate))\nend\n'
    )


def prepare(folder: Path, quick: bool) -> tuple[dict[Role, str], list[str]]:
    """A registry (with the demo week unless quick); an officer and a clerk with API keys at Merdare, open all week; the plates to check."""
    settings = Settings(data_dir=folder / "registry")
    db = open_registry(settings, migrate=True)
    try:
        plates = ["NP 123-AB", "BG 555-XY", "KV 200-AA"]
        if not quick:
            demo.load_demo_week(actor=Actor("demo", Role.SUPERVISOR), db=db)
            with db.reading() as uow:
                page = uow.registrations.search(plate=None, status=None, point=None, limit=500, before=None)
            plates += [r.plate for r in page]
        keys = {}
        for name, role in (("officer-bench", Role.OFFICER), ("clerk-bench", Role.CLERK)):
            accounts.create_user(name, role, "merdare", actor=ADMIN, db=db)
            keys[role] = accounts.create_key(name, actor=ADMIN, db=db)[1]
        return keys, plates
    finally:
        db.close()


def main() -> int:
    parser = argparse.ArgumentParser(description="The check and the issuance over HTTP against bare FastAPI apps, with wrk.")
    parser.add_argument("--quick", action="store_true", help="3-second runs on an empty registry.")
    quick = parser.parse_args().quick
    seconds = 3 if quick else 10
    ensure_wrk()
    with tempfile.TemporaryDirectory(prefix="borderplates-bench-http-") as name:
        folder = Path(name)
        keys, plates = prepare(folder, quick)
        shutil.copy(HERE / "_bare_apps.py", folder / "_bare_apps.py")
        env = {"BORDERPLATES_DATA_DIR": str(folder / "registry"), "BENCH_DB": str(folder / "bare.db"), "BENCH_DIR": str(folder)}
        check_paths = [f"/api/v1/check?plate={quote(p)}&entering=XK&point=merdare&at={CHECK_AT}" for p in plates]
        scripts = {
            "check": lua_get("/api/v1/check", check_paths, keys[Role.OFFICER]),
            "constant": lua_get("/check", ["/check"], None),
        }
        issue = '{"plate": "%s", "entering": "XK", "point": "merdare", "at": "2021-09-27T10:00:00+02:00"}'
        for phase, start in (("", 100_000), ("warm-", 0)):
            scripts[f"{phase}issue"] = lua_post("/api/v1/registrations", keys[Role.CLERK], issue, start)
            scripts[f"{phase}insert"] = lua_post("/issue", None, '{"plate": "%s"}', start)
        scripts["warm-check"], scripts["warm-constant"] = scripts["check"], scripts["constant"]
        for script_name, text in scripts.items():
            (folder / f"{script_name}.lua").write_text(text, encoding="utf-8")
        runs = {}
        for label, factory, script in (
            ("bare FastAPI, constant JSON", "_bare_apps:constant", "constant"),
            ("GET /api/v1/check (officer key)", "borderplates.api:app_from_environment", "check"),
            ("bare FastAPI, insert + commit", "_bare_apps:insert", "insert"),
            ("POST /api/v1/registrations (clerk key)", "borderplates.api:app_from_environment", "issue"),
        ):
            with served(factory, env) as url:
                runs[script] = wrk(label, url, folder / f"warm-{script}.lua", folder / f"{script}.lua", seconds)
    print(f"borderplates HTTP benchmark: wrk -t1 -c{CONNECTIONS} -d{seconds}s, uvicorn 1 worker, no access log, {len(plates)} plates checked")
    print(f"registry: embedded SQLite{' (empty)' if quick else ' with the demo week (10,110 registrations)'}; Python {sys.version.split()[0]}")
    print()
    print(f"{'measure':<42} {'req/s':>9} {'p50 ms':>8} {'p99 ms':>8} {'non-2xx':>8}")
    print("-" * 79)
    for run in runs.values():
        print(f"{run.name:<42} {run.rate:>9,.0f} {run.p50_ms:>8.2f} {run.p99_ms:>8.2f} {run.not_2xx:>8}")
    print()
    for ours, bare, label in (("check", "constant", "check / constant"), ("issue", "insert", "issuance / insert")):
        throughput = runs[ours].rate / runs[bare].rate
        p99 = runs[ours].p99_ms / runs[bare].p99_ms
        print(f"{label:<20} throughput {throughput:.2f}× (aim ≥ 0.6×)   p99 {p99:.2f}× (aim ≤ 2×)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
