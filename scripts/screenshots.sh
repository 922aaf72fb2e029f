#!/usr/bin/env bash
# Takes the pictures of docs/screenshots again: runs the journey tests (tests/e2e/journeys) on a
# Persian phone and an English desktop with their pictures kept, then makes the gallery from
# them (scripts/screenshot_gallery.py; pngquant or optipng, if installed, make the PNGs smaller).
# Needs Chromium, like the other browser tests. Extra arguments go to pytest (e.g. -k citizen).
set -euo pipefail
. "$(dirname "$0")/setup.sh"
pictures="$(mktemp -d)"
trap 'rm -rf "$pictures"' EXIT
PORTAL_SCREENSHOTS_DIR="$pictures" python -m pytest -q -p no:cacheprovider tests/e2e/journeys "$@"
python scripts/screenshot_gallery.py "$pictures" docs/screenshots
