"""Settings read from the environment, checked in a fresh interpreter for each case."""

import json
import os
import subprocess
import sys

from django.conf import settings

from tests.conftest import run_with_settings

PROBE = (
    "import json; from django.conf import settings; print(json.dumps({"
    "'engine': settings.DATABASES['default']['ENGINE'],"
    "'cache': settings.CACHES['default']['BACKEND'],"
    "'eager': settings.CELERY_TASK_ALWAYS_EAGER,"
    "'broker': settings.CELERY_BROKER_URL}))"
)


def run_settings(**env: str) -> subprocess.CompletedProcess:
    clean = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("PORTAL_", "DATABASE_", "REDIS_", "CELERY_", "SECRET_KEY", "DEBUG"))
    }
    return subprocess.run(
        [sys.executable, "-c", PROBE],
        env={**clean, "DJANGO_SETTINGS_MODULE": "portal.settings", "PORTAL_ENV_FILE": "", **env},
        cwd=settings.BASE_DIR,
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_nothing_set_means_the_embedded_default():
    result = run_settings(DEBUG="1")
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout) == {
        "engine": "django.db.backends.sqlite3",
        "cache": "django.core.cache.backends.locmem.LocMemCache",
        "eager": True,
        "broker": "memory://",
    }


def test_database_and_redis_urls_switch_to_the_production_shape():
    result = run_settings(
        DEBUG="1",
        DATABASE_URL="postgres://portal@db.internal:5432/portal",
        REDIS_URL="redis://cache.internal:6379/0",
    )
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout) == {
        "engine": "django.db.backends.postgresql",
        "cache": "django.core.cache.backends.redis.RedisCache",
        "eager": False,
        "broker": "redis://cache.internal:6379/0",
    }


def test_it_refuses_to_start_without_debug_on_the_development_key():
    result = run_settings(DEBUG="0")
    assert result.returncode != 0
    assert "SECRET_KEY" in result.stderr


def test_a_secret_key_can_come_from_a_file(tmp_path):
    key_file = tmp_path / "secret"
    key_file.write_text("a-real-secret-from-a-mounted-file\n")
    result = run_settings(DEBUG="0", SECRET_KEY_FILE=str(key_file))
    assert result.returncode == 0, result.stderr


def test_it_refuses_an_empty_secret_key_without_debug():
    result = run_settings(DEBUG="0", SECRET_KEY="")
    assert result.returncode != 0
    assert "SECRET_KEY" in result.stderr


def test_a_checkouts_local_env_file_is_read_but_the_environment_wins(tmp_path):
    local_env = tmp_path / "local.env"
    local_env.write_text("DEBUG=1\n")
    assert run_settings(PORTAL_ENV_FILE=str(local_env)).returncode == 0
    refused = run_settings(PORTAL_ENV_FILE=str(local_env), DEBUG="0")
    assert refused.returncode != 0
    assert "SECRET_KEY" in refused.stderr


ACCOUNT_PROTOCOL = "from django.conf import settings; print(settings.ACCOUNT_DEFAULT_HTTP_PROTOCOL)"


def account_protocol(**env: str) -> str:
    result = run_with_settings(
        ACCOUNT_PROTOCOL, drop=("PORTAL_",), env={"IDENTITY_BACKEND": "demo", **env}
    )
    assert result.returncode == 0, result.stderr
    return result.stdout.strip()


def test_links_in_account_emails_follow_the_scheme_of_site_url_with_debug_off():
    """The documented no-TLS trial (production settings on http://localhost) must get http
    links in its confirmation emails; a real deployment on https keeps https."""
    assert account_protocol(DEBUG="0", SITE_URL="http://localhost:8000") == "http"
    assert account_protocol(DEBUG="0", SITE_URL="https://portal.example.ir") == "https"
    assert account_protocol(DEBUG="1", SITE_URL="http://127.0.0.1:8000") == "http"
