"""POST /api/v1/certificates/redeem: the panel's document inquiry, for a system."""

import pytest
from django.conf import settings

from documents.models import InboxNotice, Redemption
from inquiries.models import DisclosureChannel, DisclosureRecord
from tests.api.conftest import call

pytestmark = pytest.mark.django_db


def test_it_returns_the_certificate_and_a_link_to_its_pdf(
    connect, citizen, citizen_record, issue, share
):
    connected = connect()
    token = connected.token()
    certificate = issue(citizen)
    code = share(certificate)
    response = call(
        "POST",
        "/api/v1/certificates/redeem",
        token,
        json={"national_code": citizen.national_code, "access_code": code.lower()},
    )
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["certificate"]["number"] == certificate.number
    assert body["certificate"]["status_as_of"]["national_code"] == citizen.national_code
    record = DisclosureRecord.objects.get()
    assert (record.channel, record.api_client_id) == (DisclosureChannel.API, connected.client.pk)
    assert InboxNotice.objects.filter(kind=InboxNotice.Kind.REDEEMED).count() == 1
    # The link is built from SITE_URL, not from the Host the call came with ("testserver").
    assert body["pdf_url"].startswith(f"{settings.SITE_URL}/api/v1/certificates/redemptions/")
    pdf = call("GET", body["pdf_url"].removeprefix(settings.SITE_URL), token)
    assert pdf.status_code == 200
    assert pdf["Content-Type"] == "application/pdf"
    assert b"".join(pdf.streaming_content).startswith(b"%PDF")


def test_another_clients_token_cannot_open_the_pdf(
    connect, citizen, citizen_record, issue, share, other_citizen, outsider
):
    ours = connect()
    theirs = connect(admin=other_citizen, responsible=outsider)
    code = share(issue(citizen))
    body = call(
        "POST",
        "/api/v1/certificates/redeem",
        ours.token(),
        json={"national_code": citizen.national_code, "access_code": code},
    ).json()
    path = body["pdf_url"].removeprefix(settings.SITE_URL)
    assert call("GET", path, theirs.token()).status_code == 404


def test_every_refusal_looks_the_same(
    connect, citizen, citizen_record, issue, share, other_citizen, outsider
):
    connected = connect()
    token = connected.token()
    certificate = issue(citizen)
    used_up = share(certificate, max_uses=1)
    assert (
        call(
            "POST",
            "/api/v1/certificates/redeem",
            token,
            json={"national_code": citizen.national_code, "access_code": used_up},
        ).status_code
        == 200
    )
    bodies = []
    for national_code, code in (
        (citizen.national_code, used_up),  # used up
        (citizen.national_code, "ABCDE-23456"),  # wrong code
        (other_citizen.national_code, used_up),  # someone else's national code
    ):
        response = call(
            "POST",
            "/api/v1/certificates/redeem",
            token,
            json={"national_code": national_code, "access_code": code},
        )
        assert response.status_code == 422
        body = response.json()
        body.pop("instance", None)
        bodies.append(body)
    assert bodies[0] == bodies[1] == bodies[2]
    assert bodies[0]["type"].endswith("/document-refused")
    assert Redemption.objects.count() == 1


def test_a_refusal_is_kept_under_its_key_so_a_retry_spends_no_attempt(
    connect, citizen, citizen_record, issue, settings
):
    settings.DOCUMENT_INQUIRY_STAFF_FAILURES = (1, 900)
    connected = connect()
    token = connected.token()
    wrong = {"national_code": citizen.national_code, "access_code": "ABCDE-23456"}
    first = call(
        "POST", "/api/v1/certificates/redeem", token, json=wrong, **{"Idempotency-Key": "r"}
    )
    again = call(
        "POST", "/api/v1/certificates/redeem", token, json=wrong, **{"Idempotency-Key": "r"}
    )
    assert first.status_code == again.status_code == 422
    fresh = call("POST", "/api/v1/certificates/redeem", token, json=wrong)
    assert fresh.status_code == 429
    assert int(fresh["Retry-After"]) == 900
