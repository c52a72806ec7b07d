#!/usr/bin/env bash
# Updates the message catalogues after messages changed in the pages, the web code or the certificate:
# extract (messages.pot), merge into sq and sr_Latn (translate what is new or fuzzy there), derive sr_Cyrl
# from sr_Latn, compile. The compiled .mo files are build products (dev/setup.sh compiles them too).
set -euo pipefail
cd "$(dirname "$0")/.."
L=src/borderplates/locale
.venv/bin/pybabel extract -F babel.cfg -k N_ --no-location --sort-output --project borderplates --copyright-holder "borderplates" -o $L/messages.pot .
for locale in sq sr_Latn; do
    if [ -f $L/$locale/LC_MESSAGES/messages.po ]; then
        .venv/bin/pybabel update -i $L/messages.pot -d $L -l $locale --no-fuzzy-matching --ignore-obsolete
    else
        .venv/bin/pybabel init -i $L/messages.pot -d $L -l $locale
    fi
done
.venv/bin/python -m borderplates.web.catalogues $L
.venv/bin/pybabel compile -d $L --statistics
