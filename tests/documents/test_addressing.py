"""A certificate addressed to an agency; an access code bound to one."""

import datetime

import pytest
from django.urls import reverse

from agencies.models import MouStatus
from documents.models import AccessCode, Certificate
from tests.agencies.factories import MouFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english(client):
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"


@pytest.fixture
def suspended_agency(committee_reviewer):
    return MouFactory.create(
        recorded_by=committee_reviewer,
        status=MouStatus.SUSPENDED,
        valid_from=datetime.date(2020, 1, 1),
        valid_until=datetime.date(2099, 1, 1),
    ).agency


@pytest.fixture
def lapsed_agency(committee_reviewer):
    return MouFactory.create(
        recorded_by=committee_reviewer,
        valid_from=datetime.date(2020, 1, 1),
        valid_until=datetime.date(2021, 1, 1),
    ).agency


def test_the_agency_list_holds_only_agencies_with_an_mou_in_force_today(
    client, citizen, agency, suspended_agency, lapsed_agency
):
    client.force_login(citizen)
    page = client.get(reverse("documents:certificate_new")).content.decode()
    assert f'<option value="{agency.pk}">{agency.name}</option>' in page
    assert suspended_agency.name not in page
    assert lapsed_agency.name not in page


def test_a_citizen_addresses_a_certificate_to_an_agency(
    client, citizen, citizen_record, agency, django_capture_on_commit_callbacks
):
    client.force_login(citizen)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("documents:certificate_new"),
            {"language": "en", "note": "", "addressed_to": str(agency.pk)},
        )
    certificate = Certificate.objects.get()
    assert response.status_code == 302
    assert certificate.addressed_to == agency
    detail = client.get(reverse("documents:certificate_detail", args=[certificate.number]))
    assert agency.name in detail.content.decode()
    # The code's form suggests the same agency.
    form = client.get(reverse("documents:certificate_move_to_inbox", args=[certificate.number]))
    assert f'<option value="{agency.pk}" selected>' in form.content.decode()


def test_an_agency_without_an_mou_in_force_is_refused_next_to_the_field(
    client, citizen, suspended_agency
):
    client.force_login(citizen)
    response = client.post(
        reverse("documents:certificate_new"),
        {"language": "fa", "note": "", "addressed_to": str(suspended_agency.pk)},
    )
    assert response.status_code == 200
    assert "Choose one of the agencies in the list." in response.content.decode()
    assert not Certificate.objects.exists()


def test_a_certificate_need_not_be_addressed(client, citizen):
    client.force_login(citizen)
    client.post(reverse("documents:certificate_new"), {"language": "fa", "note": ""})
    assert Certificate.objects.get().addressed_to is None


def test_a_code_is_bound_when_moving_to_the_inbox_and_shown_in_the_inbox(
    client, citizen, citizen_record, issue, agency, django_capture_on_commit_callbacks
):
    certificate = issue(citizen)
    client.force_login(citizen)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("documents:certificate_move_to_inbox", args=[certificate.number]),
            {"valid_days": "۱۰", "max_uses": "٢", "bound_agency": str(agency.pk)},
        )
    assert response.status_code == 200
    code = AccessCode.objects.get()
    assert (code.bound_agency, code.max_uses) == (agency, 2)
    inbox = client.get(reverse("documents:inbox")).content.decode()
    assert f"Only {agency.name}" in inbox


def test_a_replacement_code_can_be_bound_to_another_agency_or_none(
    client, citizen, citizen_record, issue, share, agency, django_capture_on_commit_callbacks
):
    certificate = issue(citizen)
    share(certificate, bound_agency=agency)
    client.force_login(citizen)
    url = reverse("documents:access_code_replace", args=[certificate.number])
    assert f'<option value="{agency.pk}" selected>' in client.get(url).content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        client.post(url, {"valid_days": "30", "max_uses": "3", "bound_agency": ""})
    live = AccessCode.objects.get(revoked_at__isnull=True)
    assert live.bound_agency is None
    assert "Any agency with an MoU" in client.get(reverse("documents:inbox")).content.decode()


def test_the_pdf_names_the_agency_it_is_addressed_to(citizen, citizen_record, agency):
    from documents.pdf import render_certificate_pdf
    from documents.services import issue_certificate
    from tests.documents.test_certificate_pdf import _text as pdf_text

    certificate = issue_certificate(holder=citizen, language="en", addressed_to=agency)
    text = pdf_text(render_certificate_pdf(certificate))
    assert "Addressed to" in text
    assert agency.name in text
