"""The shared cast and the machinery for tests against the real services.

Tests marked `postgres`, `redis`, `worker` or `browser` skip when that service is not
configured, unless PORTAL_REQUIRE_SERVICES=1 (as in CI), which turns every skip into a failure.
"""

import datetime
import os
import shutil
import subprocess
import sys
import time
import uuid

import pytest
from celery._state import _set_task_join_will_block  # type: ignore[attr-defined]
from django.conf import settings
from django.core.cache import cache, caches
from django.utils import timezone

import portal.sms
from accounts.identity.backends import locmem as identity_service
from accounts.models import User
from accounts.roles import Role
from accounts.services import assign_role
from portal.frames import forget_frames

# Fixtures that live beside the helpers they serve.
pytest_plugins = ["tests.slow_gateway"]

REQUIRE_SERVICES = os.environ.get("PORTAL_REQUIRE_SERVICES") == "1"


def _missing_services(item: pytest.Item) -> list[str]:
    missing = []
    markers = {marker.name for marker in item.iter_markers()}
    if markers & {"postgres", "worker"} and not settings.USING_POSTGRES:
        missing.append("PostgreSQL (set DATABASE_URL)")
    if markers & {"redis", "worker"} and not settings.REDIS_URL:
        missing.append("Redis (set REDIS_URL)")
    if "browser" in markers and not (shutil.which("chromium") and _playwright_installed()):
        missing.append("Chromium and Playwright")
    return missing


def _playwright_installed() -> bool:
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return False
    return True


def pytest_runtest_setup(item: pytest.Item) -> None:
    if missing := _missing_services(item):
        pytest.skip("needs " + ", ".join(missing))


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo):
    report = yield
    # An expected failure is reported as skipped too; only a real skip is a missing service.
    if REQUIRE_SERVICES and report.skipped and not hasattr(report, "wasxfail"):
        report.outcome = "failed"
        report.longrepr = f"skipped, but PORTAL_REQUIRE_SERVICES=1 forbids skips: {report.longrepr}"
    return report


def _flush_past_the_log_triggers() -> None:
    """Transactional tests empty every table afterwards (TRUNCATE), which the disclosure log's
    triggers refuse to every role. The test role is a superuser: it sets ordinary triggers
    aside for the flush only (`session_replication_role`, which the application's role in
    production may not set)."""
    from django.db.backends.postgresql.operations import DatabaseOperations

    flush = DatabaseOperations.execute_sql_flush

    def execute_sql_flush(self, sql_list):
        with self.connection.cursor() as cursor:
            cursor.execute("SET session_replication_role = replica")
        try:
            flush(self, sql_list)
        finally:
            with self.connection.cursor() as cursor:
                cursor.execute("SET session_replication_role = DEFAULT")

    DatabaseOperations.execute_sql_flush = execute_sql_flush  # type: ignore[method-assign]


if settings.USING_POSTGRES:
    _flush_past_the_log_triggers()


def clear_cache() -> None:
    """Forget cached state (rate limits, codes) without flushing a Redis the broker shares."""
    if settings.REDIS_URL:
        client = cache._cache.get_client(write=True)  # type: ignore[attr-defined]
        keys = list(client.scan_iter(f"{settings.CACHES['default']['KEY_PREFIX']}:*"))
        if keys:
            client.delete(*keys)
    else:
        cache.clear()
    # The per-process fragments (layout, blank forms): a test that changes URLs or settings
    # must not be served another test's drawing.
    caches["local"].clear()
    forget_frames()


@pytest.fixture(scope="session", autouse=True)
def certificate_signing_files(tmp_path_factory):
    """A development CA and signing certificate for the whole run, for the PDFs' signatures,
    and a key for their QR tokens.

    Set in the environment too, so a real worker (started later) signs with the same key.
    """
    from documents import qr_tokens, signing

    directory = tmp_path_factory.mktemp("certificate-signing")
    qr_tokens.write_new_key(directory / "qr.key")
    files = signing.make_development_ca(
        ca_cert=directory / "ca.crt",
        key=directory / "signing.key",
        cert=directory / "signing.crt",
    )
    values = {
        "CERTIFICATE_SIGNING_KEY_FILE": str(files.key),
        "CERTIFICATE_SIGNING_CERT_FILE": str(files.cert),
        "CERTIFICATE_SIGNING_CHAIN_FILE": str(files.ca_cert),
        "CERTIFICATE_SIGNING_TRUST_ROOTS_FILE": str(files.ca_cert),
        "CERTIFICATE_SIGNING_KEY_PASSWORD": "",
        "CERTIFICATE_TSA_URL": "",
        "CERTIFICATE_QR_KEY_FILE": str(directory / "qr.key"),
    }
    for name, value in values.items():
        setattr(settings, name, value)
        os.environ[name] = value
    settings.CERTIFICATE_QR_OLD_PUBLIC_KEYS = []
    os.environ["CERTIFICATE_QR_OLD_PUBLIC_KEYS"] = ""
    return files


@pytest.fixture(autouse=True)
def _fresh_state():
    clear_cache()
    portal.sms.outbox.clear()
    identity_service.reset()
    yield
    portal.sms.outbox.clear()
    identity_service.reset()
    # Celery marks "inside a task" in one process-wide flag around each eager task; tests that
    # issue from several threads at once can leave it set, and a later test's result.get()
    # would then refuse to wait ("Never call result.get() within a task").
    _set_task_join_will_block(False)


# --- The cast ----------------------------------------------------------------------------------
# Synthetic national codes with valid check digits.
PASSWORD = "correct horse battery staple 42"
# The cast's birth date; registry people made for them in tests carry it too.
BIRTH_DATE = datetime.date(1990, 3, 21)


def make_user(national_code: str, mobile: str, role: Role | None = None, **fields) -> User:
    """An account bound to its person: its mobile is registered to its national code, and its
    birth date is the one registry people made for the cast carry (BIRTH_DATE)."""
    identity_service.register(national_code, mobile)
    fields.setdefault("identity_verified_at", timezone.now())
    fields.setdefault("birth_date", BIRTH_DATE)
    user = User.objects.create_user(
        national_code, PASSWORD, mobile=mobile, mobile_verified=True, **fields
    )
    if role:
        assign_role(user=user, role=role)
    return user


@pytest.fixture
def citizen(db) -> User:
    return make_user(
        "0010000011", "+989121110001", Role.CITIZEN, first_name="Sara", last_name="Ahmadi"
    )


@pytest.fixture
def other_citizen(db) -> User:
    return make_user(
        "0010000021", "+989121110002", Role.CITIZEN, first_name="Reza", last_name="Karimi"
    )


@pytest.fixture
def agency_staff(db) -> User:
    return make_user("0010000038", "+989121110003", Role.AGENCY_STAFF)


@pytest.fixture
def agency_admin(db) -> User:
    return make_user("0010000046", "+989121110004", Role.AGENCY_ADMIN)


@pytest.fixture
def committee_reviewer(db) -> User:
    return make_user("0010000054", "+989121110005", Role.COMMITTEE_REVIEWER, is_staff=True)


@pytest.fixture
def operator(db) -> User:
    return make_user("0010000062", "+989121110006", Role.OPERATOR, is_staff=True)


@pytest.fixture
def outsider(db) -> User:
    return make_user("0010000070", "+989121110007")


# --- A real Celery worker ----------------------------------------------------------------------


def _test_database_url() -> str:
    from django.db import connection

    db = connection.settings_dict
    credentials = db["USER"] + (f":{db['PASSWORD']}" if db["PASSWORD"] else "")
    return f"postgres://{credentials}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


@pytest.fixture(scope="session")
def celery_worker_process(django_db_setup, django_db_blocker, tmp_path_factory):
    """A `celery worker` in its own process, on the test database and the real broker."""
    if not (settings.USING_POSTGRES and settings.REDIS_URL):
        pytest.skip("needs PostgreSQL and Redis (set DATABASE_URL and REDIS_URL)")
    from portal.celery import app as celery_app

    with django_db_blocker.unblock():
        database_url = _test_database_url()
    celery_app.control.purge()
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "CELERY_TASK_ALWAYS_EAGER": "0",
        "PORTAL_TESTING": "1",
    }
    log_path = tmp_path_factory.mktemp("celery") / "worker.log"
    with open(log_path, "wb") as log:
        process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "celery",
                "-A",
                "portal",
                "worker",
                "--loglevel=INFO",
                "--concurrency=2",
                "--without-gossip",
                "--without-mingle",
                "--without-heartbeat",
                f"--hostname=test-{uuid.uuid4().hex[:8]}@%h",
            ],
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            cwd=settings.BASE_DIR,
        )
    process.log_path = log_path  # type: ignore[attr-defined]  # for tests that read its log
    try:
        _wait_for_worker(celery_app, process, log_path)
        yield process
    finally:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()


def _wait_for_worker(celery_app, process: subprocess.Popen, log_path, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"the Celery worker exited:\n{log_path.read_text()[-3000:]}")
        if celery_app.control.ping(timeout=1):
            return
    pytest.fail(
        f"the Celery worker did not answer within {timeout}s:\n{log_path.read_text()[-3000:]}"
    )


@pytest.fixture
def celery_worker(celery_worker_process, transactional_db):
    """Send tasks to the real worker for this test; the data it reads must be committed."""
    from portal.celery import app as celery_app

    celery_app.conf.task_always_eager = False
    yield celery_worker_process
    celery_app.conf.task_always_eager = True


def run_with_settings(
    code: str, *, drop: tuple[str, ...], env: dict[str, str], timeout: float = 60
) -> subprocess.CompletedProcess[str]:
    """Run `code` in a fresh interpreter with the portal's settings, read from this environment
    (the tests' variables starting with `drop` left out, no env file), as a process started
    with it would read them."""
    clean = {key: value for key, value in os.environ.items() if not key.startswith(drop)}
    return subprocess.run(
        [sys.executable, "-c", code],
        env={
            **clean,
            "DJANGO_SETTINGS_MODULE": "portal.settings",
            "PORTAL_ENV_FILE": "",
            "SECRET_KEY": "a-synthetic-secret-key-for-this-test-only",
            **env,
        },
        cwd=settings.BASE_DIR,
        capture_output=True,
        text=True,
        timeout=timeout,
    )
