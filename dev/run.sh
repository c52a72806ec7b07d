#!/usr/bin/env bash
# Sets up borderplates and runs the main job on the embedded SQLite registry (./var):
# migrate, load the demo week of 20-26 Sep 2021 when the registry is empty, work a car
# through the crossing (refused at blocked Jarinje, sent to Merdare, where the clerk issues
# its temporary registration and the officer records its entry), check the audit
# trail, then serve the web pages and the HTTP API on http://127.0.0.1:${PORT:-8000} until
# Ctrl-C. The first start makes the accounts officer, clerk and supervisor (and the admin) and
# prints their one-time passwords. The pages' clock starts on 27 Sep 2021 10:00, in the demo
# week (BORDERPLATES_DEMO_CLOCK= for the real clock).
set -euo pipefail
cd "$(dirname "$0")/.."
dev/setup.sh
export BORDERPLATES_DATA_DIR="${BORDERPLATES_DATA_DIR:-$PWD/var}"
export BORDERPLATES_DEMO_CLOCK="${BORDERPLATES_DEMO_CLOCK-2021-09-27T10:00:00+02:00}"
bp=.venv/bin/borderplates
step() { printf '\n== %s\n' "$*"; }

step "The registry and the shipped data"
$bp db upgrade
$bp demo load --if-empty
$bp data validate

step "The law: a car from Novi Pazar entering Kosovo on 27 Sep 2021 (Jarinje is blocked; Merdare is open), and reciprocity before the measure"
$bp check "NP 456-CD" --entering XK --point jarinje --at 2021-09-27T10:00:00+02:00
$bp check "NP 456-CD" --entering XK --point merdare --at 2021-09-27T11:00:00+02:00
$bp reciprocity XK RS --on 2021-06-01

step "At Merdare the clerk issues the temporary registration (retrying with the same request key is safe), the officer records the entry"
$bp issue "NP 456-CD" --point merdare --entering XK --at 2021-09-27T11:05:00+02:00 --clerk clerk-07 --request-key run-np456cd
$bp cross "NP 456-CD" --point merdare --entering XK --at 2021-09-27T11:07:00+02:00 --officer officer-12 --request-key run-np456cd-entry

step "The next day the same car is admitted on its registration"
$bp check "NP 456-CD" --entering XK --point merdare --at 2021-09-28T10:00:00+02:00

step "The registry"
$bp registrations list --limit 5
$bp export crossings --point merdare --from 2021-09-20 --until 2021-09-20 --output var/merdare-2021-09-20.csv
echo "crossings at Merdare on 20 Sep 2021 exported to var/merdare-2021-09-20.csv ($(($(wc -l < var/merdare-2021-09-20.csv) - 1)) rows)"

step "The audit trail: every change above is a link of a hash chain"
$bp audit verify

step "Accounts for the pages (each one-time password is shown once; the first login asks for a new one)"
for role in admin officer clerk supervisor; do
    if ! $bp users list --json | grep -q "\"name\": \"$role\""; then
        $bp users create "$role" --role "$role"
    fi
done

step "The web pages and the HTTP API (Ctrl-C to stop): log in at http://127.0.0.1:${PORT:-8000}/login"
exec $bp serve --port "${PORT:-8000}"
