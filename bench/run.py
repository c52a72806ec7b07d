"""Run every benchmark: each ``bench/*.py`` script but this one, in turn, in its own process.

Run: ``python bench/run.py [--quick]`` (from anywhere; the scripts are found next to
this file). ``--quick`` is passed to every script: a smoke run at reduced sizes.
Exits non-zero when any benchmark fails.
"""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent


def scripts() -> list[Path]:
    """Every benchmark script next to this one, in name order."""
    return sorted(path for path in HERE.glob("*.py") if path.name != Path(__file__).name and not path.name.startswith("_"))


def main() -> int:
    failed = []
    for script in scripts():
        print(f"=== {script.name}", flush=True)
        start = time.perf_counter()
        done = subprocess.run([sys.executable, str(script), *sys.argv[1:]], check=False)
        print(f"=== {script.name}: exit {done.returncode} in {time.perf_counter() - start:.1f} s\n", flush=True)
        if done.returncode:
            failed.append(script.name)
    if failed:
        print(f"failed: {', '.join(failed)}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
