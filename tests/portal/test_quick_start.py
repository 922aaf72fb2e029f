"""The quick start's address: changing only PORTAL_ADDRESS moves the links, QR codes and printed
addresses with it; SITE_URL, when set, still wins."""

import os
import subprocess

import pytest
from django.conf import settings

VERIFY_URL = "from documents.pdf import verify_url; print(verify_url('123456789012'))"


def quick_start_env(**env: str) -> str:
    """What scripts/run.sh serves and links to, then where a certificate's QR code points."""
    clean = {k: v for k, v in os.environ.items() if k not in {"SITE_URL", "PORTAL_ADDRESS"}}
    script = (
        '. scripts/portal_address.sh && echo "$PORTAL_ADDRESS $SITE_URL" && '
        f'DEBUG=1 python manage.py shell --no-imports -c "{VERIFY_URL}"'
    )
    result = subprocess.run(
        ["bash", "-c", script],
        env={**clean, "PORTAL_ENV_FILE": "", **env},
        cwd=settings.BASE_DIR,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    return result.stdout.strip()


@pytest.mark.parametrize(
    ("env", "expected"),
    [
        ({}, "127.0.0.1:8000 http://127.0.0.1:8000\nhttp://127.0.0.1:8000/verify/123456789012/"),
        (
            {"PORTAL_ADDRESS": "127.0.0.1:8001"},
            "127.0.0.1:8001 http://127.0.0.1:8001\nhttp://127.0.0.1:8001/verify/123456789012/",
        ),
        (
            {"PORTAL_ADDRESS": "8002"},
            "8002 http://127.0.0.1:8002\nhttp://127.0.0.1:8002/verify/123456789012/",
        ),
        (
            {"PORTAL_ADDRESS": "0.0.0.0:8003"},
            "0.0.0.0:8003 http://127.0.0.1:8003\nhttp://127.0.0.1:8003/verify/123456789012/",
        ),
        (
            {"PORTAL_ADDRESS": "127.0.0.1:8001", "SITE_URL": "https://portal.example.ir"},
            "127.0.0.1:8001 https://portal.example.ir\n"
            "https://portal.example.ir/verify/123456789012/",
        ),
    ],
)
def test_links_follow_the_address_the_quick_start_serves(env, expected):
    assert quick_start_env(**env) == expected


def test_run_sh_takes_its_address_from_the_same_place():
    run = (settings.BASE_DIR / "scripts" / "run.sh").read_text()
    assert '. "$(dirname "$0")/portal_address.sh"' in run
    assert 'runserver "$PORTAL_ADDRESS"' in run
