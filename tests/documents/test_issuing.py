"""Issuing a certificate: the snapshot, the number, the validity, the render after commit."""

import datetime

import pytest
from django.utils import timezone

from documents.identifiers import clean_certificate_number
from documents.models import Certificate
from documents.services import issue_certificate
from inquiries.models import CoveragePeriod

pytestmark = pytest.mark.django_db


def test_it_freezes_the_status_at_issue(citizen, citizen_record, issue):
    certificate = issue(citizen)
    assert certificate.snapshot["has_record"] is True
    assert certificate.snapshot["insured_today"] is True
    assert certificate.snapshot["first_name"] == "سارا"
    assert len(certificate.snapshot["periods"]) == 2

    # The registry changes later; the certificate does not.
    CoveragePeriod.objects.filter(person=citizen_record, end_date=None).update(
        end_date=timezone.localdate() - datetime.timedelta(days=10)
    )
    certificate.refresh_from_db()
    assert certificate.snapshot["insured_today"] is True


def test_a_person_without_a_record_can_issue_one(citizen, issue):
    certificate = issue(citizen)
    assert certificate.snapshot["has_record"] is False
    assert certificate.snapshot["national_code"] == citizen.national_code


def test_its_number_has_twelve_digits_and_a_valid_check_digit(citizen, issue):
    numbers = {issue(citizen).number for _ in range(5)}
    assert len(numbers) == 5
    for number in numbers:
        assert len(number) == 12 and number.isdigit()
        assert clean_certificate_number(number) == number


def test_it_is_valid_for_the_configured_number_of_days(citizen, issue, settings):
    settings.CERTIFICATE_VALIDITY_DAYS = 12
    certificate = issue(citizen)
    assert certificate.valid_until - certificate.issued_at == datetime.timedelta(days=12)
    assert certificate.validity() == "valid"


def test_the_render_is_enqueued_only_after_commit(citizen, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        certificate = issue_certificate(holder=citizen, language="fa")
    assert len(callbacks) == 1
    certificate.refresh_from_db()
    assert certificate.rendering_status == Certificate.Rendering.PENDING
    callbacks[0]()
    certificate.refresh_from_db()
    assert certificate.rendering_status == Certificate.Rendering.READY


def test_a_broker_failure_at_enqueue_does_not_undo_the_certificate(
    citizen, django_capture_on_commit_callbacks, monkeypatch
):
    from documents import tasks

    def broker_down(*args, **kwargs):
        raise ConnectionError("broker down")

    monkeypatch.setattr(tasks.render_certificate, "delay", broker_down)
    with django_capture_on_commit_callbacks(execute=True):
        certificate = issue_certificate(holder=citizen, language="fa")
    certificate.refresh_from_db()
    assert certificate.rendering_status == Certificate.Rendering.PENDING
