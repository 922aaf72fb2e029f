"""expire_documents: marks expiry, warns of codes about to expire, deletes old PDFs."""

import datetime

import pytest
from django.core.management import call_command
from django.utils import timezone

from documents import housekeeping, services
from documents.models import AccessCode, Certificate, InboxNotice
from documents.tasks import expire_documents, render_certificate
from tests.documents.conftest import pdf_files


def expire() -> housekeeping.HousekeepingReport:
    return housekeeping.expire_documents(requeue_render=render_certificate.delay)


pytestmark = pytest.mark.django_db


def _age(certificate, *, days_past_end):
    end = timezone.now() - datetime.timedelta(days=days_past_end)
    Certificate.objects.filter(pk=certificate.pk).update(
        issued_at=end - datetime.timedelta(days=30), valid_until=end
    )


def test_it_marks_expired_certificates_and_codes_once(citizen, issue):
    certificate = issue(citizen)
    issued = services.move_to_inbox(certificate=certificate, valid_days=1)
    fresh = issue(citizen)
    _age(certificate, days_past_end=1)
    AccessCode.objects.filter(pk=issued.access_code.pk).update(
        valid_until=timezone.now() - datetime.timedelta(hours=1)
    )

    report = expire()
    assert (report.certificates_expired, report.codes_expired) == (1, 1)
    certificate.refresh_from_db()
    fresh.refresh_from_db()
    assert certificate.expired_at is not None and fresh.expired_at is None
    # Twice changes nothing more.
    again = expire()
    assert (again.certificates_expired, again.codes_expired) == (0, 0)


def test_it_deletes_pdfs_only_after_the_retention_period(
    citizen, issue, settings, _media_in_tmp, django_capture_on_commit_callbacks
):
    settings.CERTIFICATE_PDF_RETENTION_DAYS = 90
    recent = issue(citizen)
    old = issue(citizen)
    _age(recent, days_past_end=30)
    _age(old, days_past_end=91)

    with django_capture_on_commit_callbacks(execute=True):
        report = expire()
    assert report.pdfs_deleted == 1
    old.refresh_from_db()
    recent.refresh_from_db()
    assert not old.pdf and old.pdf_deleted_at is not None
    assert recent.pdf
    assert [path.name for path in pdf_files(_media_in_tmp)] == [recent.pdf.name.split("/")[-1]]
    assert old.pdf_sha256  # the hash stays: a printed copy can still be checked


def test_it_warns_once_of_a_code_about_to_expire(citizen, issue, settings):
    settings.ACCESS_CODE_EXPIRY_NOTICE_HOURS = 48
    certificate = issue(citizen)
    services.move_to_inbox(certificate=certificate, valid_days=1)
    expire()
    expire()
    assert InboxNotice.objects.filter(kind=InboxNotice.Kind.CODE_EXPIRING).count() == 1


def test_it_requeues_a_render_that_never_started(
    citizen, settings, django_capture_on_commit_callbacks
):
    settings.CERTIFICATE_RENDER_STALE_SECONDS = 60
    with django_capture_on_commit_callbacks(execute=False):
        certificate = services.issue_certificate(holder=citizen, language="fa")  # message lost
    Certificate.objects.filter(pk=certificate.pk).update(
        issued_at=timezone.now() - datetime.timedelta(minutes=5)
    )
    report = expire()
    assert report.renders_requeued == 1
    certificate.refresh_from_db()
    assert certificate.rendering_status == "ready"


def test_the_command_and_the_beat_task_run_it(citizen, issue, settings, capsys):
    certificate = issue(citizen)
    _age(certificate, days_past_end=1)
    call_command("expire_documents")
    assert "1 certificates and 0 access codes marked expired" in capsys.readouterr().out
    assert "0 certificates" in expire_documents.delay().get()
    assert "expire-documents" in settings.CELERY_BEAT_SCHEDULE
