#!/usr/bin/env bash
# Creates .venv and installs borderplates into it (with the test tools when given "test"), and compiles the message catalogues.
set -euo pipefail
cd "$(dirname "$0")/.."
if ! python3 -m venv --help >/dev/null 2>&1 || ! python3 -c "import ensurepip" >/dev/null 2>&1; then
    DEBIAN_FRONTEND=noninteractive apt-get install -y -q python3-venv >/dev/null
fi
[ -x .venv/bin/python ] || python3 -m venv .venv
.venv/bin/python -m pip install -q --upgrade pip
if [ "${1:-}" = "test" ]; then
    .venv/bin/pip install -q -e '.[test]'
else
    .venv/bin/pip install -q -e .
fi
# The message catalogues are compiled here (the .mo files are build products, never committed); a bad placeholder fails the build.
if ! compiled=$(.venv/bin/pybabel compile -d src/borderplates/locale -D messages 2>&1); then
    echo "$compiled" >&2
    exit 1
fi
