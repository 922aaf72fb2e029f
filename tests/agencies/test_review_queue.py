"""The committee's review queue: the admin's home page says what waits on whom, a request's
page starts with what is asked (the letter shown inline, framed only by the portal itself),
the Decide page shows it beside the choices, and ending an MoU looks dangerous and asks."""

import datetime

import pytest
from django.core.files.base import ContentFile
from django.utils import timezone

from agencies import services
from agencies.models import AccessRequest, MouStatus, RequestStatus
from tests.agencies.conftest import enrol_totp
from tests.agencies.factories import AccessRequestFactory

pytestmark = pytest.mark.django_db

REQUESTS = "/admin/agencies/accessrequest/"


@pytest.fixture
def reviewer_client(client, committee_reviewer):
    enrol_totp(committee_reviewer)
    client.force_login(committee_reviewer)
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    return client


def waiting_since(access_request: AccessRequest, days: int) -> None:
    AccessRequest.objects.filter(pk=access_request.pk).update(
        updated_at=timezone.now() - datetime.timedelta(days=days)
    )


def test_the_home_page_shows_what_waits_on_whom_oldest_first(reviewer_client, citizen):
    new = AccessRequestFactory.create(applicant=citizen, agency_name="Fresh Court")
    returned = AccessRequestFactory.create(
        applicant=citizen, agency_name="Returned Fund", status=RequestStatus.RETURNED
    )
    in_review = AccessRequestFactory.create(
        applicant=citizen, agency_name="Old Foundation", status=RequestStatus.IN_REVIEW
    )
    AccessRequestFactory.create(
        applicant=citizen, agency_name="Decided Body", status=RequestStatus.REJECTED
    )
    waiting_since(new, 2)
    waiting_since(returned, 5)
    waiting_since(in_review, 40)
    page = reviewer_client.get("/admin/").content.decode()
    queue = page[page.index('id="committee-queue"') :]
    rows = queue[queue.index('id="committee-queue-requests"') :]
    assert rows.index("Old Foundation") < rows.index("Returned Fund") < rows.index("Fresh Court")
    assert "Decided Body" not in queue
    old_row = rows[rows.index("Old Foundation") :].split("</tr>")[0]
    assert "<td>40</td>" in old_row
    assert "the committee" in old_row
    returned_row = rows[rows.index("Returned Fund") :].split("</tr>")[0]
    assert "the applicant" in returned_row
    assert "<td>5</td>" in returned_row
    counts = queue[: queue.index('id="committee-queue-requests"')]
    assert "In review: to decide</th><td>1</td>" in counts
    assert "New: to take into review</th><td>1</td>" in counts


def test_an_operator_does_not_see_the_committees_queue(client, operator):
    enrol_totp(operator)
    client.force_login(operator)
    assert 'id="committee-queue"' not in client.get("/admin/").content.decode()


def test_a_requests_page_starts_with_what_is_asked_and_frames_the_letter(
    reviewer_client, submitted_request
):
    page = reviewer_client.get(f"{REQUESTS}{submitted_request.pk}/change/").content.decode()
    summary = page[page.index('id="request-summary"') :]
    assert page.index('id="request-summary"') < page.index("<fieldset")
    for text in ("Synthetic Relief Foundation", submitted_request.legal_id, "article 5", "300"):
        assert text in summary
    letter_url = f"{REQUESTS}{submitted_request.pk}/letter/"
    assert f'<iframe class="request-letter" loading="lazy" src="{letter_url}"' in summary
    letter = reviewer_client.get(letter_url)
    assert letter.status_code == 200
    assert letter["Content-Type"] == "application/pdf"
    assert letter["Content-Disposition"].startswith("inline")
    assert letter["X-Frame-Options"] == "SAMEORIGIN"
    assert "frame-ancestors 'self'" in letter["Content-Security-Policy"]
    # Every other page still refuses to be framed and to embed objects.
    assert "frame-ancestors 'none'" in reviewer_client.get("/admin/")["Content-Security-Policy"]
    assert "object-src 'none'" in reviewer_client.get("/admin/")["Content-Security-Policy"]


def test_a_letter_whose_content_is_not_a_document_is_only_downloaded(
    reviewer_client, submitted_request
):
    submitted_request.letter.save("x.pdf", ContentFile(b"<html><script>alert(1)</script>"))
    page = reviewer_client.get(f"{REQUESTS}{submitted_request.pk}/change/").content.decode()
    assert "<iframe" not in page
    letter = reviewer_client.get(f"{REQUESTS}{submitted_request.pk}/letter/")
    assert letter["Content-Type"] == "application/octet-stream"
    assert letter["Content-Disposition"].startswith("attachment")


def test_only_the_committee_opens_the_framed_letter(client, operator, submitted_request):
    enrol_totp(operator)
    client.force_login(operator)
    assert client.get(f"{REQUESTS}{submitted_request.pk}/letter/").status_code == 403


def test_the_decide_page_shows_the_summary_beside_the_choices(reviewer_client, request_in_review):
    page = reviewer_client.get(f"{REQUESTS}{request_in_review.pk}/decide/").content.decode()
    assert 'id="request-summary"' in page
    assert 'name="outcome"' in page
    assert "article 5" in page


def test_ending_an_mou_looks_dangerous_and_asks_for_confirmation(reviewer_client, agency_mou):
    page = reviewer_client.get(f"/admin/agencies/mou/{agency_mou.pk}/change/").content.decode()
    assert f'class="danger" href="/admin/agencies/mou/{agency_mou.pk}/status/end/"' in page
    suspend = f"/admin/agencies/mou/{agency_mou.pk}/status/suspend/"
    assert f'class="danger" href="{suspend}"' not in page
    end = f"/admin/agencies/mou/{agency_mou.pk}/status/end/"
    confirmation = reviewer_client.get(end).content.decode()
    assert "This cannot be undone." in confirmation
    assert 'class="default danger"' in confirmation
    unconfirmed = reviewer_client.post(end, {"reasons": "Agreement over."})
    assert unconfirmed.status_code == 400
    agency_mou.refresh_from_db()
    assert agency_mou.status == MouStatus.ACTIVE
    reviewer_client.post(end, {"reasons": "Agreement over.", "confirm": "on"})
    agency_mou.refresh_from_db()
    assert agency_mou.status == MouStatus.ENDED


def test_suspending_needs_no_tick(reviewer_client, agency_mou, committee_reviewer):
    reviewer_client.post(
        f"/admin/agencies/mou/{agency_mou.pk}/status/suspend/", {"reasons": "Audit."}
    )
    agency_mou.refresh_from_db()
    assert agency_mou.status == MouStatus.SUSPENDED
    services.reinstate_mou(mou=agency_mou, actor=committee_reviewer, reasons="Audit closed.")
