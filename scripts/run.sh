#!/usr/bin/env bash
# Quick start: set everything up and serve the portal with demo data on http://127.0.0.1:8000
# (PORTAL_ADDRESS=127.0.0.1:8001 for another port; links and QR codes follow it, see
# portal_address.sh) on the embedded default (SQLite, in-process cache, Celery tasks run eagerly).
set -euo pipefail
. "$(dirname "$0")/setup.sh"
. "$(dirname "$0")/portal_address.sh"
export DEBUG="${DEBUG:-1}"
python manage.py migrate --noinput
python manage.py seed_demo
# No beat in the embedded default: seal the demo disclosures into the transparency log once.
python manage.py seal_disclosures
exec python manage.py runserver "$PORTAL_ADDRESS"
