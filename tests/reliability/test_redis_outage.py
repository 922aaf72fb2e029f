"""Redis (the cache and the broker) goes down while a certificate is issued, then comes back.

Everything runs against a private redis-server that the test kills and restarts on the same
port: the portal under gunicorn, a real worker and the housekeeping command.
"""

import os
import subprocess
import sys
import time

import pytest
import redis
from django.conf import settings
from django.test import Client

from documents.models import Certificate
from tests.conftest import _test_database_url
from tests.faults import PortalServer, PrivateRedis
from tests.workers import kill_group, start_worker, wait_for

pytestmark = [
    pytest.mark.worker,
    pytest.mark.postgres,
    pytest.mark.redis,
    pytest.mark.django_db(transaction=True),  # the server and the worker read committed rows
]

STALE_SECONDS = 2  # how old a pending render must be before housekeeping re-sends it


def _housekeeping(redis_url: str) -> str:
    """`manage.py expire_documents`, as beat would run it, against the private Redis."""
    finished = subprocess.run(
        [sys.executable, "manage.py", "expire_documents"],
        env={
            **os.environ,
            "DATABASE_URL": _test_database_url(),
            "REDIS_URL": redis_url,
            "CELERY_TASK_ALWAYS_EAGER": "0",
            "PORTAL_TESTING": "1",
            "PORTAL_ENV_FILE": "",
            "CERTIFICATE_RENDER_STALE_SECONDS": str(STALE_SECONDS),
        },
        cwd=settings.BASE_DIR,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    return finished.stdout


def _issue(server: PortalServer) -> tuple[int, str, str]:
    token = server.cookie(settings.CSRF_COOKIE_NAME)
    return server.request(
        "/me/certificates/new/", {"csrfmiddlewaretoken": token, "language": "en", "note": ""}
    )


def test_a_certificate_issued_while_redis_is_down_is_rendered_once_it_is_back(
    citizen, settings, tmp_path, figures
):
    settings.MEDIA_ROOT = tmp_path / "media"
    private = PrivateRedis(tmp_path / "redis.log")
    private.start()
    server = worker = None
    try:
        server = PortalServer(log=tmp_path / "gunicorn.log", REDIS_URL=private.url)
        worker, _ = start_worker(
            app="portal",
            queue="celery",
            log=tmp_path / "worker.log",
            REDIS_URL=private.url,
            MEDIA_ROOT=str(settings.MEDIA_ROOT),
        )
        client = Client()
        client.force_login(citizen)  # a database session, which the server reads too
        server.set_cookie(settings.SESSION_COOKIE_NAME, client.cookies["sessionid"].value)
        server.set_cookie(settings.LANGUAGE_COOKIE_NAME, "en")
        status, _url, body = server.request("/me/certificates/new/")
        assert status == 200, server.log.read_text()[-3000:]

        private.stop()
        outage_started = time.monotonic()
        status, url, body = _issue(server)
        issue_seconds = time.monotonic() - outage_started
        assert issue_seconds < 10  # far from gunicorn's 30 s timeout
        # The person is on the new certificate's page, told that its PDF is being prepared.
        certificate = Certificate.objects.get(holder=citizen)
        assert status == 200, server.log.read_text()[-3000:]
        assert url == f"{server.url}/me/certificates/{certificate.number}/"
        assert "Your certificate has been issued. Its PDF is being prepared." in body
        # No task exists for it anywhere: the row waits as pending, unclaimed.
        assert certificate.rendering_status == Certificate.Rendering.PENDING
        assert certificate.rendering_attempts == 0
        time.sleep(STALE_SECONDS)

        private.start()
        outage = time.monotonic() - outage_started
        restarted = time.monotonic()
        queued = redis.Redis.from_url(private.url)
        assert queued.llen("celery") == 0  # the restarted Redis holds no message for it
        assert "1 renders requeued" in _housekeeping(private.url)

        def ready() -> bool:
            certificate.refresh_from_db()
            return certificate.rendering_status == Certificate.Rendering.READY

        wait_for(
            ready,
            timeout=90,
            what=f"the worker to render:\n{(tmp_path / 'worker.log').read_text()[-3000:]}",
        )
        rendered_after = time.monotonic() - restarted
        # A second housekeeping run finds nothing left to send.
        assert "0 renders requeued" in _housekeeping(private.url)

        # The same server process sends again by itself: the next certificate needs no help.
        status, _url, _body = _issue(server)
        assert status == 200
        second = Certificate.objects.exclude(pk=certificate.pk).get(holder=citizen)
        wait_for(
            lambda: Certificate.objects.get(pk=second.pk).rendering_status == "ready",
            timeout=60,
            what="the certificate issued after the outage to be rendered",
        )
    finally:
        if worker is not None:
            kill_group(worker)
        if server is not None:
            server.stop()
        private.stop()

    second.refresh_from_db()
    assert certificate.rendering_attempts == second.rendering_attempts == 1
    assert sorted((settings.MEDIA_ROOT / "certificates").glob("*.pdf")) == sorted(
        [settings.MEDIA_ROOT / certificate.pdf.name, settings.MEDIA_ROOT / second.pdf.name]
    )
    assert server.log.read_text().count("Booting worker") == 1
    figures(
        f"Redis down {outage:.1f} s; the issue answered 200 in {issue_seconds:.2f} s; rendered "
        f"{rendered_after:.1f} s after Redis came back (one housekeeping run)"
    )
