"""The render task: claimed once, idempotent, retried on transient errors, failure marked."""

import datetime

import pytest
from django.utils import timezone

from documents import pdf as certificate_pdf
from documents import rendering, services
from documents.models import Certificate, InboxNotice
from documents.tasks import render_certificate
from tests.documents.conftest import pdf_files

pytestmark = pytest.mark.django_db


@pytest.fixture
def pending(citizen, django_capture_on_commit_callbacks):
    """A certificate whose render has not run yet."""
    with django_capture_on_commit_callbacks(execute=False):
        certificate = services.issue_certificate(holder=citizen, language="fa")
    return certificate


def test_the_task_run_twice_leaves_one_pdf(pending, _media_in_tmp):
    assert render_certificate.delay(pending.pk).get() == "rendered"
    assert render_certificate.delay(pending.pk).get() == "already_done"
    pending.refresh_from_db()
    assert pending.rendering_status == Certificate.Rendering.READY
    assert pending.rendering_attempts == 1
    assert len(pdf_files(_media_in_tmp)) == 1


def test_it_stores_the_sha256_of_the_stored_file(pending):
    import hashlib

    render_certificate.delay(pending.pk)
    pending.refresh_from_db()
    assert pending.pdf_sha256 == hashlib.sha256(pending.pdf.read()).hexdigest()


def test_a_fresh_claim_of_another_worker_is_left_alone(pending):
    Certificate.objects.filter(pk=pending.pk).update(
        rendering_status=Certificate.Rendering.RENDERING, rendering_started_at=timezone.now()
    )
    assert rendering.render_certificate(certificate_id=pending.pk) is rendering.RenderOutcome.BUSY


def test_a_stale_claim_of_a_dead_worker_is_taken_over(pending, settings, _media_in_tmp):
    settings.CERTIFICATE_RENDER_STALE_SECONDS = 60
    Certificate.objects.filter(pk=pending.pk).update(
        rendering_status=Certificate.Rendering.RENDERING,
        rendering_started_at=timezone.now() - datetime.timedelta(minutes=5),
    )
    assert (
        rendering.render_certificate(certificate_id=pending.pk) is rendering.RenderOutcome.RENDERED
    )
    assert len(pdf_files(_media_in_tmp)) == 1


@pytest.fixture
def retrying_eagerly(monkeypatch):
    """Eager tasks that retry as a worker would (retries run at once) instead of raising."""
    from portal.celery import app

    app.conf.task_eager_propagates = False
    yield
    app.conf.task_eager_propagates = True


def test_a_transient_error_is_retried_then_succeeds(pending, monkeypatch, retrying_eagerly):
    calls = []
    real = certificate_pdf.render_certificate_pdf

    def flaky(certificate):
        calls.append(1)
        if len(calls) < 3:
            raise OSError("storage hiccup")
        return real(certificate)

    monkeypatch.setattr(certificate_pdf, "render_certificate_pdf", flaky)
    render_certificate.delay(pending.pk)
    pending.refresh_from_db()
    assert len(calls) == 3
    assert pending.rendering_status == Certificate.Rendering.READY
    assert pending.rendering_attempts == 3


def test_a_permanent_error_marks_the_certificate_failed_and_tells_the_holder(pending, monkeypatch):
    def broken(certificate):
        raise RuntimeError("template bug")

    monkeypatch.setattr(certificate_pdf, "render_certificate_pdf", broken)
    with pytest.raises(RuntimeError):
        render_certificate.delay(pending.pk)
    pending.refresh_from_db()
    assert pending.rendering_status == Certificate.Rendering.FAILED
    assert "template bug" in pending.rendering_error
    assert InboxNotice.objects.filter(
        recipient=pending.holder, kind=InboxNotice.Kind.RENDERING_FAILED
    ).exists()


def test_retrying_a_failed_render_replaces_nothing_and_adds_one_pdf(
    pending, monkeypatch, django_capture_on_commit_callbacks, _media_in_tmp
):
    monkeypatch.setattr(
        certificate_pdf, "render_certificate_pdf", lambda c: (_ for _ in ()).throw(RuntimeError())
    )
    with pytest.raises(RuntimeError):
        render_certificate.delay(pending.pk)
    monkeypatch.undo()
    with django_capture_on_commit_callbacks(execute=True):
        services.retry_rendering(certificate=pending)
    pending.refresh_from_db()
    assert pending.rendering_status == Certificate.Rendering.READY
    assert len(pdf_files(_media_in_tmp)) == 1


def test_a_rerender_replaces_the_file_instead_of_adding_one(pending, _media_in_tmp):
    render_certificate.delay(pending.pk)
    pending.refresh_from_db()
    first = pending.pdf.name
    # Force a second render, as an operator re-queueing a certificate would.
    Certificate.objects.filter(pk=pending.pk).update(rendering_status=Certificate.Rendering.PENDING)
    render_certificate.delay(pending.pk)
    pending.refresh_from_db()
    assert pending.pdf.name != first
    assert [path.name for path in pdf_files(_media_in_tmp)] == [pending.pdf.name.split("/")[-1]]


def test_a_transient_error_that_persists_ends_in_failed(pending, monkeypatch, retrying_eagerly):
    from documents.tasks import MAX_RETRIES

    calls = []

    def down(certificate):
        calls.append(1)
        raise OSError("storage down")

    monkeypatch.setattr(certificate_pdf, "render_certificate_pdf", down)
    render_certificate.delay(pending.pk)
    pending.refresh_from_db()
    assert len(calls) == MAX_RETRIES + 1
    assert pending.rendering_status == Certificate.Rendering.FAILED
    assert "storage down" in pending.rendering_error


def test_backoff_grows_and_is_capped():
    from documents.tasks import backoff_seconds

    delays = [backoff_seconds(n) for n in range(10)]
    assert delays[:4] == [5, 10, 20, 40]
    assert max(delays) == 300


def test_a_render_reads_and_writes_its_certificate_in_three_queries(
    citizen, agency, django_capture_on_commit_callbacks, django_assert_num_queries
):
    """The claim, one read with the addressee, the final update: a worker waits for each round
    trip. Nothing reads the holder's row, and one statement needs no transaction around it."""
    with django_capture_on_commit_callbacks(execute=False):
        certificate = services.issue_certificate(holder=citizen, language="en", addressed_to=agency)
    with django_assert_num_queries(3) as captured:
        outcome = rendering.render_certificate(certificate_id=certificate.pk)
    assert outcome is rendering.RenderOutcome.RENDERED
    statements = [query["sql"] for query in captured.captured_queries]
    assert statements[0].startswith("UPDATE") and statements[2].startswith("UPDATE")
    assert "agencies_agency" in statements[1] and "accounts_user" not in statements[1]
