"""The public page behind the QR code."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from documents import services
from documents.identifiers import new_certificate_number
from documents.models import Certificate

pytestmark = pytest.mark.django_db


def _verify(client, number):
    client.cookies["django_language"] = "en"
    return client.get(reverse("documents:verify", args=[number]))


def test_an_authentic_certificate_shows_its_status_and_masked_holder(client, citizen, issue):
    certificate = issue(citizen)  # Sara Ahmadi, 0010000011 (no registry record: account name)
    response = _verify(client, certificate.number)
    page = response.content.decode()
    assert response.status_code == 200
    assert 'data-authentic="yes"' in page
    assert 'data-validity="valid"' in page
    assert "S… A…" in page
    assert "•••••••011" in page
    assert certificate.pdf_sha256 in page
    assert "0010000011" not in page
    assert "Sara" not in page and "Ahmadi" not in page
    assert timezone.localdate(certificate.issued_at).isoformat() in page
    assert "no-store" in response["Cache-Control"]


def test_it_shows_nothing_else_from_the_certificate(client, citizen, citizen_record, issue):
    certificate = issue(citizen, note="private note")
    page = _verify(client, certificate.number).content.decode()
    for secret in ["private note", "کارگاه نمونه", "12345678", "سارا", "احمدی"]:
        assert secret not in page


def test_a_revoked_certificate_says_revoked(client, citizen, issue):
    certificate = services.revoke_certificate(certificate=issue(citizen))
    assert 'data-validity="revoked"' in _verify(client, certificate.number).content.decode()


def test_an_expired_certificate_says_expired(client, citizen, issue):
    certificate = issue(citizen)
    Certificate.objects.filter(pk=certificate.pk).update(
        issued_at=timezone.now() - datetime.timedelta(days=40),
        valid_until=timezone.now() - datetime.timedelta(days=10),
    )
    assert 'data-validity="expired"' in _verify(client, certificate.number).content.decode()


def test_unknown_and_malformed_numbers_get_the_same_shape_of_answer(client, citizen, issue):
    issue(citizen)
    answers = [
        _verify(client, number)
        for number in [new_certificate_number(), "123456789012", "not-a-number"]
    ]
    assert {response.status_code for response in answers} == {200}
    for response in answers:
        assert 'data-authentic="no"' in response.content.decode()


def test_persian_digits_in_the_address_are_understood(client, citizen, issue):
    from portal.digits import to_persian_digits

    certificate = issue(citizen)
    page = _verify(client, to_persian_digits(certificate.number)).content.decode()
    assert 'data-authentic="yes"' in page


def test_it_is_rate_limited_per_client(client, settings, citizen, issue):
    settings.CERTIFICATE_VERIFY_RATE = (3, 60)
    certificate = issue(citizen)
    statuses = [_verify(client, certificate.number).status_code for _ in range(5)]
    assert statuses == [200, 200, 200, 429, 429]
    other_client = client.__class__(REMOTE_ADDR="10.0.0.9")
    assert _verify(other_client, certificate.number).status_code == 200


def test_it_needs_no_sign_in(client, citizen, issue):
    certificate = issue(citizen)
    assert _verify(client, certificate.number).status_code == 200


def test_the_facts_come_first_in_plain_words_then_the_holder_then_the_details(
    client, citizen, citizen_record, issue
):
    certificate = issue(citizen)
    page = _verify(client, certificate.number).content.decode()
    assert "Genuine and valid" in page
    assert 'data-insured="yes"' in page
    assert "this person was insured" in page
    assert "Mandatory" in page and "Dependent pensioner" in page
    facts, holder, details = (
        page.index("data-facts"),
        page.index("س… ا…"),
        page.index("Technical details"),
    )
    assert facts < holder < details
    # The PDF check is offered on the same page.
    assert reverse("documents:verify_pdf") in page


def test_a_person_without_a_record_is_said_to_have_none(client, citizen, issue):
    page = _verify(client, issue(citizen).number).content.decode()
    assert 'data-insured="no-record"' in page


def test_the_offline_page_loads_its_script_and_the_key_set_address(client):
    client.cookies["django_language"] = "en"
    response = client.get(reverse("documents:verify_offline"))
    page = response.content.decode()
    assert response.status_code == 200
    assert "/static/js/verify_offline.js" in page
    assert 'data-jwks-url="/.well-known/jwks.json"' in page
    # The camera may read the QR code on this page, and on no other.
    assert "camera=(self)" in response["Permissions-Policy"]
    assert "camera=()" in client.get(reverse("documents:verify_pdf"))["Permissions-Policy"]
