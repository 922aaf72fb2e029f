# Shared by run.sh and test.sh: a virtualenv in .venv with every dependency, translations compiled.
# Sourced, not run: it leaves the virtualenv active.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

if [ ! -x .venv/bin/python ]; then
  echo "Creating the virtualenv in .venv ..."
  python3 -m venv .venv
fi
# shellcheck disable=SC1091
. .venv/bin/activate
if ! cmp -s requirements/dev.txt .venv/.installed-requirements 2>/dev/null \
   || ! cmp -s requirements/base.txt .venv/.installed-base 2>/dev/null; then
  echo "Installing dependencies ..."
  python -m pip install --quiet --upgrade pip
  python -m pip install --quiet -r requirements/dev.txt
  cp requirements/dev.txt .venv/.installed-requirements
  cp requirements/base.txt .venv/.installed-base
fi
if [ ! -f var/local.env ]; then
  mkdir -p var
  printf '%s\n' "# This checkout's development settings, read by portal/settings.py; the real" \
    "# environment wins over them. Delete this file to run like production." "DEBUG=1" > var/local.env
fi
python manage.py compile_translations >/dev/null
# The transparency log's development signing key (var/transparency-signing.key), once.
python manage.py transparency_keygen --if-missing >/dev/null
# The key of the certificates' QR tokens (var/certificate-qr.key), once.
python manage.py certificate_token_keygen --if-missing >/dev/null
# The certificate PDFs' development CA and signing certificate (var/certificate-*), once; it
# says so when it makes them.
python manage.py certificate_keygen --if-missing
