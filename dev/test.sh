#!/usr/bin/env bash
# Sets up and runs the whole test suite, on SQLite and on a throwaway PostgreSQL
# server with a streaming replica of it (installed from Debian packages when missing,
# started here, stopped after), and the pages in Debian's Chromium (installed when missing).
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
if ! command -v faketime >/dev/null 2>&1; then
    echo "installing faketime (a site's server runs with its clock off in the sync tests) ..."
    apt-get update -q >/dev/null
    DEBIAN_FRONTEND=noninteractive apt-get install -y -q faketime >/dev/null
fi
dev/setup.sh test

PGBIN=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1)
PGDATA=$(mktemp -d /tmp/borderplates-pg.XXXXXX)
REPLICA=$(mktemp -d /tmp/borderplates-replica.XXXXXX)
SOCKETS=$(mktemp -d /tmp/borderplates-sockets.XXXXXX)
free_port() { .venv/bin/python -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
PGPORT=$(free_port)
REPLICA_PORT=$(free_port)
as_postgres() { if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }
stop_cluster() {
    as_postgres "$PGBIN/pg_ctl" -D "$1" -m fast -w -t 20 stop >/dev/null 2>&1 || pkill -9 -f "postgres -D $1" || true
    rm -rf "$1"
}
stop_postgres() {
    stop_cluster "$REPLICA"
    stop_cluster "$PGDATA"
    rm -rf "$SOCKETS"
}
[ "$(id -u)" = 0 ] && chown postgres "$PGDATA" "$REPLICA" "$SOCKETS"
as_postgres "$PGBIN/initdb" -D "$PGDATA" -U postgres --auth=trust -E UTF8 --locale=C.UTF-8 >/dev/null
trap stop_postgres EXIT
# wal_level=replica and WAL senders let a streaming replica follow it; initdb's pg_hba.conf trusts local replication.
as_postgres "$PGBIN/pg_ctl" -D "$PGDATA" -l "$PGDATA/log" -w start \
    -o "-p $PGPORT -k $SOCKETS -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200 -c wal_level=replica -c max_wal_senders=4" >/dev/null
# The streaming replica: a base backup of the primary that follows its WAL (-R writes primary_conninfo and standby.signal).
as_postgres "$PGBIN/pg_basebackup" -D "$REPLICA" -R -X stream -h 127.0.0.1 -p "$PGPORT" -U postgres
as_postgres "$PGBIN/pg_ctl" -D "$REPLICA" -l "$REPLICA/log" -w start \
    -o "-p $REPLICA_PORT -k $SOCKETS -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=200 -c hot_standby=on" >/dev/null

export BORDERPLATES_TEST_POSTGRES_URL="postgresql+psycopg://postgres@127.0.0.1:$PGPORT/postgres"
export BORDERPLATES_TEST_REPLICA_URL="postgresql+psycopg://postgres@127.0.0.1:$REPLICA_PORT/postgres"
.venv/bin/ruff check src tests bench
.venv/bin/mypy --strict src
.venv/bin/pytest -n 2 "$@"
