"""A request that enqueues a render and then fails: the worker never meets the missing row."""

import re
import subprocess
import uuid

import pytest
from django.db import transaction

from documents import rendering, services
from documents.models import Certificate
from tests.workers import kill_group, start_worker, tasks_to_the_broker, wait_for

__all__ = ["tasks_to_the_broker"]  # a fixture used by name

pytestmark = [
    pytest.mark.worker,
    pytest.mark.postgres,
    pytest.mark.redis,
    pytest.mark.django_db(transaction=True),  # the worker reads committed rows
]


class RequestFailed(Exception):
    pass


def _received(log: str) -> list[str]:
    return re.findall(r"Task documents\.tasks\.render_certificate\[([0-9a-f-]+)\] received", log)


def test_a_rolled_back_certificate_is_never_rendered_and_a_missing_row_ends_cleanly(
    citizen, settings, tmp_path, monkeypatch, tasks_to_the_broker
):
    from documents.tasks import render_certificate
    from portal.celery import app

    settings.MEDIA_ROOT = tmp_path / "media"
    queue = f"rollback-{uuid.uuid4().hex[:8]}"
    # Every task of this test goes to a queue only this test's worker reads.
    monkeypatch.setitem(app.conf, "task_default_queue", queue)
    log = tmp_path / "worker.log"
    worker, _ = start_worker(
        app="portal", queue=queue, log=log, MEDIA_ROOT=str(settings.MEDIA_ROOT)
    )
    try:
        with pytest.raises(RequestFailed), transaction.atomic():
            doomed = services.issue_certificate(holder=citizen, language="fa")
            raise RequestFailed  # as a view failing after the service call
        assert not Certificate.objects.filter(pk=doomed.pk).exists()

        # A committed certificate issued afterwards: the queue is first in, first out and the
        # worker takes one task at a time, so once this one is rendered the worker has seen
        # anything sent before it.
        kept = services.issue_certificate(holder=citizen, language="fa")

        def ready() -> bool:
            kept.refresh_from_db()
            return kept.rendering_status == Certificate.Rendering.READY

        wait_for(ready, timeout=90, what=f"the worker to render:\n{log.read_text()[-3000:]}")
        assert len(_received(log.read_text())) == 1

        # Had a task for the rolled-back row been sent anyway, it would end without an error.
        result = render_certificate.delay(doomed.pk)
        assert result.get(timeout=60) == rendering.RenderOutcome.ALREADY_DONE.value
    finally:
        worker.terminate()
        try:
            worker.wait(timeout=20)
        except subprocess.TimeoutExpired:
            kill_group(worker)

    output = log.read_text()
    assert _received(output)[1] == result.id
    assert "Traceback" not in output
    assert not Certificate.objects.filter(pk=doomed.pk).exists()
    assert list((settings.MEDIA_ROOT / "certificates").glob("*.pdf")) == [
        settings.MEDIA_ROOT / kept.pdf.name
    ]
