#!/usr/bin/env bash
# Sets up and runs the whole test suite, on SQLite and on a throwaway PostgreSQL
# server (installed from Debian packages when missing, started here, stopped after), and
# the pages in Debian's Chromium (installed when missing).
# Extra arguments go to pytest.
set -euo pipefail
cd "$(dirname "$0")/.."

if ! ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1; then
    echo "installing PostgreSQL from Debian packages ..."
    apt-get update -q >/dev/null
    DEBIAN_FRONTEND=noninteractive apt-get install -y -q postgresql >/dev/null
fi
if ! command -v pdftoppm >/dev/null 2>&1 || ! ldconfig -p | grep libharfbuzz-subset >/dev/null; then
    echo "installing the PDF renderer's libraries, its font and the PDF tools the tests read with ..."
    apt-get update -q >/dev/null
    DEBIAN_FRONTEND=noninteractive apt-get install -y -q poppler-utils libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-dejavu-core >/dev/null
fi
if [ ! -x /usr/bin/chromium ]; then
    echo "installing Chromium from Debian packages for the browser tests (Playwright drives it; it never downloads a browser) ..."
    apt-get update -q >/dev/null
    DEBIAN_FRONTEND=noninteractive apt-get install -y -q chromium >/dev/null
fi
dev/setup.sh test

PGBIN=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1)
PGDATA=$(mktemp -d /tmp/borderplates-pg.XXXXXX)
PGPORT=$(.venv/bin/python -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
as_postgres() { if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }
stop_postgres() {
    as_postgres "$PGBIN/pg_ctl" -D "$PGDATA" -m fast -w -t 20 stop >/dev/null 2>&1 || pkill -9 -f "postgres -D $PGDATA" || true
    rm -rf "$PGDATA"
}
[ "$(id -u)" = 0 ] && chown postgres "$PGDATA"
as_postgres "$PGBIN/initdb" -D "$PGDATA" -U postgres --auth=trust -E UTF8 --locale=C.UTF-8 >/dev/null
trap stop_postgres EXIT
as_postgres "$PGBIN/pg_ctl" -D "$PGDATA" -l "$PGDATA/log" -w start \
    -o "-p $PGPORT -k $PGDATA -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200" >/dev/null

export BORDERPLATES_TEST_POSTGRES_URL="postgresql+psycopg://postgres@127.0.0.1:$PGPORT/postgres"
.venv/bin/ruff check src tests bench
.venv/bin/mypy --strict src
.venv/bin/pytest -n 2 "$@"
