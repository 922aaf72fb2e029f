#!/usr/bin/env bash
# The whole test suite. Tests that need PostgreSQL, Redis, a Celery worker or Chromium run when
# DATABASE_URL / REDIS_URL are set and Chromium is installed, and are skipped otherwise
# (PORTAL_REQUIRE_SERVICES=1 turns those skips into failures, as CI does).
set -euo pipefail
. "$(dirname "$0")/setup.sh"
exec python -m pytest "$@"
