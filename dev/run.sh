#!/usr/bin/env bash
# Sets up borderplates and runs the main job on the embedded SQLite registry (./var):
# migrate, load the demo week of 20-26 Sep 2021 when the registry is empty, work a car
# through the crossing as the officer and the clerk at Jarinje would, check the audit
# trail, then serve the HTTP API on http://127.0.0.1:${PORT:-8000} until Ctrl-C (the first
# start prints the admin's one-time password).
set -euo pipefail
cd "$(dirname "$0")/.."
dev/setup.sh
export BORDERPLATES_DATA_DIR="${BORDERPLATES_DATA_DIR:-$PWD/var}"
bp=.venv/bin/borderplates
step() { printf '\n== %s\n' "$*"; }

step "The registry and the shipped data"
$bp db upgrade
$bp demo load --if-empty
$bp data validate

step "The law: a car from Novi Pazar entering Kosovo on 27 Sep 2021, and reciprocity before the measure"
$bp check "NP 123-AB" --entering XK --point jarinje --at 2021-09-27T10:00:00+02:00
$bp reciprocity XK RS --on 2021-06-01

step "The clerk issues the temporary registration (retrying with the same request key is safe), the officer records the entry"
$bp issue "NP 123-AB" --point jarinje --entering XK --at 2021-09-27T10:05:00+02:00 --clerk clerk-07 --request-key run-np123ab
$bp cross "NP 123-AB" --point jarinje --entering XK --at 2021-09-27T10:07:00+02:00 --officer officer-12 --request-key run-np123ab-entry

step "The next day the same car is admitted on its registration"
$bp check "NP 123-AB" --entering XK --point jarinje --at 2021-09-28T10:00:00+02:00

step "The registry"
$bp registrations list --limit 5
$bp export crossings --point merdare --from 2021-09-20 --until 2021-09-20 --output var/merdare-2021-09-20.csv
echo "crossings at Merdare on 20 Sep 2021 exported to var/merdare-2021-09-20.csv ($(($(wc -l < var/merdare-2021-09-20.csv) - 1)) rows)"

step "The audit trail: every change above is a link of a hash chain"
$bp audit verify

step "The HTTP API (Ctrl-C to stop)"
exec $bp serve --port "${PORT:-8000}"
