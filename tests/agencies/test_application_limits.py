"""A person submits at most AGENCY_APPLICATIONS_PER_USER_PER_DAY agency applications in 24
hours; the next gets our 429 page in their language, and nothing is written, not even the
letter."""

import datetime
import threading

import pytest
from django.db import connection
from django.utils import timezone

from agencies import services
from agencies.models import AccessRequest
from tests.agencies.factories import legal_id
from tests.agencies.test_apply_views import APPLY, form_data

pytestmark = pytest.mark.django_db


def letters_stored(media_root) -> list:
    return sorted(path for path in media_root.rglob("*") if path.is_file())


@pytest.fixture(autouse=True)
def _media_in_tmp(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


def test_the_fourth_application_in_a_day_gets_429_and_nothing_is_written(
    client, citizen, _media_in_tmp
):
    client.force_login(citizen)
    for serial in range(3):
        response = client.post(APPLY, form_data(legal_id=legal_id(900 + serial)))
        assert response.status_code == 302
    stored = letters_stored(_media_in_tmp)
    assert len(stored) == 3

    response = client.post(APPLY, form_data(legal_id=legal_id(910)), HTTP_ACCEPT_LANGUAGE="en")

    assert response.status_code == 429
    assert "You can submit at most 3 agency applications in 24 hours." in (
        response.content.decode()
    )
    assert AccessRequest.objects.count() == 3
    assert letters_stored(_media_in_tmp) == stored


def test_the_refusal_reads_in_persian_with_persian_digits(client, citizen):
    client.force_login(citizen)
    for serial in range(3):
        client.post(APPLY, form_data(legal_id=legal_id(900 + serial)))
    response = client.post(APPLY, form_data(legal_id=legal_id(910)), HTTP_ACCEPT_LANGUAGE="fa")
    assert response.status_code == 429
    assert "حداکثر ۳ درخواست" in response.content.decode()


def test_the_limit_counts_24_hours_and_each_person_alone(client, citizen, other_citizen):
    client.force_login(citizen)
    for serial in range(3):
        client.post(APPLY, form_data(legal_id=legal_id(900 + serial)))
    AccessRequest.objects.update(submitted_at=timezone.now() - datetime.timedelta(hours=25))
    assert client.post(APPLY, form_data(legal_id=legal_id(920))).status_code == 302
    client.force_login(other_citizen)
    assert client.post(APPLY, form_data(legal_id=legal_id(930))).status_code == 302


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_parallel_applications_cannot_pass_the_limit(citizen):
    from tests.agencies.factories import PDF_BYTES

    clients = 10
    barrier = threading.Barrier(clients)
    outcomes: list[str] = []
    lock = threading.Lock()

    def apply(serial: int) -> None:
        from django.core.files.uploadedfile import SimpleUploadedFile

        details = dict(form_data(legal_id=legal_id(900 + serial)))
        details.update(
            legal_id=legal_id(900 + serial),
            letter_number="1404/55",
            letter_date=datetime.date(2026, 1, 10),
            monthly_volume=120,
            contact_mobile="+989123456789",
            letter=SimpleUploadedFile("letter.pdf", PDF_BYTES, content_type="application/pdf"),
        )
        try:
            barrier.wait(timeout=30)
            try:
                services.submit_request(applicant=citizen, details=details)
                outcome = "submitted"
            except services.ApplicationLimitReached:
                outcome = "refused"
            except Exception as error:  # reported, so the test fails with the reason
                outcome = f"error: {error!r}"
            with lock:
                outcomes.append(outcome)
        finally:
            connection.close()

    threads = [threading.Thread(target=apply, args=(serial,)) for serial in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert sorted(outcomes) == ["refused"] * 7 + ["submitted"] * 3, outcomes
    assert AccessRequest.objects.filter(applicant=citizen).count() == 3
