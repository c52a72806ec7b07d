#!/usr/bin/env bash
# Sets up borderplates and runs the main job on the embedded SQLite registry:
# migrate, load the demo week of September 2021 when the registry is empty, then
# check, issue and record a crossing as an officer and a clerk would.
set -euo pipefail
cd "$(dirname "$0")/.."
dev/setup.sh
export BORDERPLATES_DATA_DIR="${BORDERPLATES_DATA_DIR:-$PWD/var}"
bp=.venv/bin/borderplates
$bp db upgrade
$bp data validate
$bp check "NP 123-AB" --entering XK --on 2021-09-27
$bp reciprocity XK RS --on 2021-06-01
$bp rules --entering XK --issuer RS
