"""The applicant's pages: apply, follow the request, resubmit when returned."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image

from agencies import services
from agencies.models import AccessRequest, RequestStatus
from portal.digits import to_persian_digits
from tests.agencies.factories import PDF_BYTES, legal_id

pytestmark = pytest.mark.django_db

APPLY = "/agencies/apply/"


def form_data(**overrides):
    data = {
        "agency_name": "Synthetic Provincial Court",
        "agency_kind": "judicial",
        "legal_id": to_persian_digits(legal_id(900)),
        "address": "Synthetic Square 3, Shiraz",
        "letter_number": "۱۴۰۴/۵۵",
        "letter_date": "۱۴۰۴/۱۰/۲۰",
        "purpose": "Verifying litigants' pension status in family cases.",
        "legal_basis": "Civil procedure law, article 12.",
        "scopes": ["coverage_flag", "pension_flag"],
        "monthly_volume": "۱۲۰",
        "contact_name": "Synthetic Clerk",
        "contact_position": "Head of registry",
        "contact_mobile": "۰۹۱۲ ۳۴۵ ۶۷۸۹",
        "contact_email": "registry@court.example",
        "letter": SimpleUploadedFile("letter.pdf", PDF_BYTES, content_type="application/pdf"),
    }
    data.update(overrides)
    return data


def png_bytes() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (20, 20), "white").save(buffer, format="PNG")
    return buffer.getvalue()


def test_it_sends_anonymous_visitors_to_sign_in(client):
    response = client.get(APPLY)
    assert response.status_code == 302
    assert reverse("account_login") in response["Location"]


def test_it_shows_the_form_to_a_signed_in_person(client, citizen):
    client.force_login(citizen)
    response = client.get(APPLY)
    assert response.status_code == 200
    assert b'name="legal_id"' in response.content


def test_it_accepts_an_application_typed_in_persian_digits(client, citizen):
    client.force_login(citizen)
    response = client.post(APPLY, form_data())
    access_request = AccessRequest.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/agencies/requests/{access_request.pk}/"
    assert access_request.applicant == citizen
    assert access_request.status == RequestStatus.SUBMITTED
    assert access_request.legal_id == legal_id(900)
    assert access_request.monthly_volume == 120
    assert access_request.letter_number == "1404/55"
    assert access_request.contact_mobile == "+989123456789"
    assert access_request.letter_date.isoformat() == "2026-01-10"
    assert access_request.scopes == ["coverage_flag", "pension_flag"]
    assert str(access_request.letter.name).endswith(".pdf")


def test_it_keeps_an_image_letter_under_the_extension_its_content_shows(client, citizen):
    client.force_login(citizen)
    upload = SimpleUploadedFile("scan.pdf", png_bytes(), content_type="application/pdf")
    client.post(APPLY, form_data(letter=upload))
    assert str(AccessRequest.objects.get().letter.name).endswith(".png")


def test_it_marks_every_bad_field_keeps_the_values_and_saves_nothing(client, citizen):
    client.force_login(citizen)
    response = client.post(
        APPLY,
        HTTP_ACCEPT_LANGUAGE="en",
        data=form_data(
            legal_id="10100000007",
            contact_mobile="12345",
            letter_date="1404/13/40",
            scopes=[],
            monthly_volume="many",
        ),
    )
    assert response.status_code == 400
    form = response.context["form"]
    assert set(form.errors) >= {
        "legal_id",
        "contact_mobile",
        "letter_date",
        "scopes",
        "monthly_volume",
    }
    assert "legal-entity national ID is not valid" in str(form.errors["legal_id"])
    assert b"Synthetic Provincial Court" in response.content
    assert not AccessRequest.objects.exists()


def test_it_refuses_a_file_that_only_pretends_to_be_a_pdf(client, citizen):
    client.force_login(citizen)
    fake = SimpleUploadedFile("letter.pdf", b"MZ\x90\x00 not a pdf", content_type="application/pdf")
    response = client.post(APPLY, form_data(letter=fake), HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 400
    assert "not a PDF, JPEG or PNG" in str(response.context["form"].errors["letter"])
    assert not AccessRequest.objects.exists()


def test_it_refuses_a_damaged_image(client, citizen):
    client.force_login(citizen)
    broken = SimpleUploadedFile("letter.png", png_bytes()[:40], content_type="image/png")
    response = client.post(APPLY, form_data(letter=broken), HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 400
    assert "damaged" in str(response.context["form"].errors["letter"])


def test_it_refuses_a_file_over_the_size_limit(client, citizen, settings):
    settings.AGENCY_UPLOAD_MAX_BYTES = 100
    client.force_login(citizen)
    response = client.post(APPLY, form_data(), HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 400
    assert "largest file accepted" in str(response.context["form"].errors["letter"])


def test_the_errors_are_in_the_pages_language(client, citizen):
    client.force_login(citizen)
    response = client.post(APPLY, form_data(legal_id=""), HTTP_ACCEPT_LANGUAGE="en")
    assert "Enter the legal-entity national ID." in str(response.context["form"].errors)


# --- Following the request ---------------------------------------------------------------------


def test_the_applicant_sees_the_request_and_its_decisions(
    client, citizen, request_in_review, committee_reviewer
):
    services.return_request(
        access_request=request_in_review, reviewer=committee_reviewer, reasons="Attach statute."
    )
    client.force_login(citizen)
    response = client.get(f"/agencies/requests/{request_in_review.pk}/")
    assert response.status_code == 200
    assert b"Attach statute." in response.content
    assert f"/agencies/requests/{request_in_review.pk}/resubmit/".encode() in response.content


@pytest.mark.parametrize("who", ["other_citizen", "agency_staff", "operator", "outsider"])
def test_nobody_else_can_open_a_request(client, submitted_request, who, request):
    client.force_login(request.getfixturevalue(who))
    assert client.get(f"/agencies/requests/{submitted_request.pk}/").status_code == 404
    assert client.get(f"/agencies/requests/{submitted_request.pk}/letter/").status_code == 404
    assert client.get(f"/agencies/requests/{submitted_request.pk}/resubmit/").status_code == 404


def test_a_committee_reviewer_can_open_a_request_and_its_letter(
    client, submitted_request, committee_reviewer
):
    client.force_login(committee_reviewer)
    assert client.get(f"/agencies/requests/{submitted_request.pk}/").status_code == 200
    response = client.get(f"/agencies/requests/{submitted_request.pk}/letter/")
    assert response.status_code == 200
    assert b"".join(response.streaming_content).startswith(b"%PDF")


def test_the_list_of_my_requests_shows_only_mine_in_a_fixed_number_of_queries(
    client, citizen, other_citizen, django_assert_num_queries
):
    from agencies.models import Notice
    from tests.agencies.factories import AccessRequestFactory

    for access_request in AccessRequestFactory.create_batch(5, applicant=citizen):
        Notice.objects.create(
            recipient=citizen, access_request=access_request, subject="About it", body="."
        )
    AccessRequestFactory.create(applicant=other_citizen, agency_name="Not mine")
    client.force_login(citizen)
    # session, user, the requests, the messages with their requests
    # …the inbox count in the navigation, and panel access waiting for acceptance.
    with django_assert_num_queries(6):
        response = client.get("/agencies/requests/")
    assert len(response.context["access_requests"]) == 5
    assert b"Not mine" not in response.content


def test_a_returned_request_is_resubmitted_from_its_page(
    client, citizen, request_in_review, committee_reviewer
):
    services.return_request(
        access_request=request_in_review, reviewer=committee_reviewer, reasons="Attach statute."
    )
    client.force_login(citizen)
    url = f"/agencies/requests/{request_in_review.pk}/resubmit/"
    page = client.get(url)
    assert page.status_code == 200
    assert b"Attach statute." in page.content
    data = form_data(legal_id=request_in_review.legal_id, legal_basis="Statute attached.")
    del data["letter"]
    response = client.post(url, data)
    assert response.status_code == 302
    request_in_review.refresh_from_db()
    assert request_in_review.status == RequestStatus.RESUBMITTED
    assert request_in_review.legal_basis == "Statute attached."
    assert request_in_review.letter.name  # the first letter is kept


def test_a_request_that_is_not_returned_cannot_be_resubmitted(client, citizen, submitted_request):
    client.force_login(citizen)
    response = client.post(f"/agencies/requests/{submitted_request.pk}/resubmit/", form_data())
    assert response.status_code == 302
    submitted_request.refresh_from_db()
    assert submitted_request.status == RequestStatus.SUBMITTED


def test_messages_stay_new_until_marked_read_and_the_mou_leads_to_the_staff_page(
    client, citizen, approved_request, committee_reviewer
):
    from agencies.models import Notice
    from tests.agencies.conftest import mou_terms

    services.record_mou(
        agency=approved_request.agency,
        access_request=approved_request,
        terms=mou_terms(),
        recorded_by=committee_reviewer,
    )
    client.force_login(citizen)
    url = f"/agencies/requests/{approved_request.pk}/"
    first = client.get(url, HTTP_ACCEPT_LANGUAGE="en")
    assert first.content.count(b">new<") == 2
    assert b"/gov/staff/" in first.content
    assert client.get(url, HTTP_ACCEPT_LANGUAGE="en").content.count(b">new<") == 2
    assert client.get(f"{url}read/").status_code == 405
    assert client.post(f"{url}read/")["Location"] == url
    assert not Notice.objects.filter(recipient=citizen, read_at=None).exists()
    assert client.get(url, HTTP_ACCEPT_LANGUAGE="en").content.count(b">new<") == 0


def test_someone_elses_request_cannot_be_marked_read(client, other_citizen, approved_request):
    from agencies.models import Notice

    client.force_login(other_citizen)
    response = client.post(f"/agencies/requests/{approved_request.pk}/read/")
    assert response.status_code == 404
    assert Notice.objects.filter(read_at=None).exists()
