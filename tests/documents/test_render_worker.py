"""The render task through real Celery workers on PostgreSQL and Redis."""

import os
import re
import subprocess
import time
import uuid
from pathlib import Path

import pytest
from django.conf import settings
from django.utils import timezone

from documents import services
from documents.models import Certificate
from tests.workers import kill_group, start_worker, tasks_to_the_broker, wait_for

__all__ = ["tasks_to_the_broker"]  # a fixture used by name

pytestmark = [
    pytest.mark.worker,
    pytest.mark.postgres,
    # The worker reads committed rows. (Role groups flushed by other transactional tests come
    # back on demand: accounts.services.assign_role creates a missing group.)
    pytest.mark.django_db(transaction=True),
]


def _files_of(certificate: Certificate) -> list[Path]:
    directory = Path(settings.MEDIA_ROOT) / "certificates"
    return sorted(directory.glob(f"{certificate.number}-*.pdf"))


@pytest.fixture
def worker_media(settings, _media_in_tmp):
    """Worker processes write to the configured MEDIA_ROOT, not the per-test one."""
    settings.MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", settings.BASE_DIR / "var" / "media"))
    return settings.MEDIA_ROOT


def test_a_certificate_is_rendered_by_the_real_worker(citizen, celery_worker, worker_media):
    certificate = services.issue_certificate(holder=citizen, language="fa")  # enqueued on commit

    def ready() -> bool:
        certificate.refresh_from_db()
        return certificate.rendering_status == Certificate.Rendering.READY

    wait_for(ready, timeout=60, what="the worker to render the certificate")
    assert certificate.pdf_sha256
    assert len(_files_of(certificate)) == 1
    assert certificate.rendering_attempts == 1


def _start_worker(*, queue: str, log: Path, **env: str) -> tuple[subprocess.Popen, str]:
    return start_worker(
        app="tests.documents.slow_render_worker",
        queue=queue,
        log=log,
        MEDIA_ROOT=str(settings.MEDIA_ROOT),
        **env,
    )


KILLS = 3
VISIBILITY_SECONDS = 6  # the test's workers redeliver a dead worker's render after this long


def test_workers_killed_mid_render_again_and_again_leave_one_pdf(
    citizen, transactional_db, worker_media, monkeypatch, tmp_path, tasks_to_the_broker
):
    from documents.tasks import render_certificate

    queue = f"kill-test-{uuid.uuid4().hex[:8]}"
    log = tmp_path / "workers.log"
    # The certificate's own enqueue is held back: the task goes to this test's queue only.
    monkeypatch.setattr(services, "_enqueue_render", lambda certificate_id: None)
    certificate = services.issue_certificate(holder=citizen, language="fa")
    # Every worker takes over a claim older than 5 s and gets back an unacknowledged message
    # older than VISIBILITY_SECONDS; the killed ones sleep a minute in each render.
    timing = {
        "CELERY_VISIBILITY_TIMEOUT": str(VISIBILITY_SECONDS),
        "CERTIFICATE_RENDER_STALE_SECONDS": "5",
    }
    render_certificate.apply_async(args=(certificate.pk,), queue=queue)
    worker = None
    try:
        for kill in range(1, KILLS + 1):
            worker, _ = _start_worker(queue=queue, log=log, SLOW_RENDER_SECONDS="60", **timing)

            def claimed(attempt: int = kill) -> bool:
                certificate.refresh_from_db()
                return (
                    certificate.rendering_attempts == attempt
                    and certificate.rendering_status == Certificate.Rendering.RENDERING
                )

            wait_for(
                claimed,
                timeout=60,
                what=f"worker {kill} to claim the render:\n{log.read_text()[-3000:]}",
            )
            kill_group(worker)  # SIGKILL: no acknowledgement, no cleanup, no on_failure
            certificate.refresh_from_db()
            assert certificate.rendering_status == Certificate.Rendering.RENDERING
            assert _files_of(certificate) == []

            # The unacknowledged message comes back once it is older than the visibility
            # timeout. A worker looks for such messages as it starts (then only every 100 s),
            # so the next one starts once the message is old enough.
            claimed_at = certificate.rendering_started_at
            assert claimed_at is not None
            while (timezone.now() - claimed_at).total_seconds() < VISIBILITY_SECONDS + 0.5:
                time.sleep(0.2)

        worker, _ = _start_worker(queue=queue, log=log, **timing)

        def ready() -> bool:
            certificate.refresh_from_db()
            return certificate.rendering_status == Certificate.Rendering.READY

        wait_for(ready, timeout=90, what=f"the last worker to finish:\n{log.read_text()[-3000:]}")
    finally:
        if worker is not None:
            worker.terminate()
            try:
                worker.wait(timeout=20)
            except subprocess.TimeoutExpired:
                kill_group(worker)

    assert len(_files_of(certificate)) == 1
    assert certificate.rendering_attempts == KILLS + 1
    assert certificate.pdf.name == f"certificates/{_files_of(certificate)[0].name}"
    # One delivery per worker: each dead worker's message came back once, and only once.
    output = log.read_text()
    assert len(re.findall(r"render_certificate\[[0-9a-f-]+\] received", output)) == KILLS + 1
    assert len(re.findall(r"render_certificate\[[0-9a-f-]+\] succeeded", output)) == 1
