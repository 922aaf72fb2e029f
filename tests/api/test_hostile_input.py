"""Hostile input against the API: every hostile value in every field, header and path segment,
broken bodies and wrong types. Never a 500; every refusal is problem+json; nothing is written
for a refused call."""

import pytest
from django.test import Client

from api.models import AnswerKind, ApiAnswer
from inquiries.models import DisclosureRecord
from tests.api.conftest import ADDRESS, LOOKED_UP, call, inquiry
from tests.security import hostile

pytestmark = pytest.mark.django_db

WRONG_TYPES = [None, 7, 1.5, True, [], {}, ["x"], {"a": 1}]


def _refused_cleanly(response) -> int:
    assert response.status_code < 500, response.content[:300]
    if response.status_code >= 400:
        assert response["Content-Type"] == "application/problem+json"
        body = response.json()
        assert body["type"].startswith("https://portal.example/problems/")
        assert "<script>" not in body.get("detail", "")
    return response.status_code


def test_hostile_values_in_every_inquiry_and_redemption_field(connect, registered_person):
    connected = connect()
    token = connected.token()
    tried = 0
    for value in hostile.HOSTILE_VALUES + WRONG_TYPES:
        for field in (
            "national_code",
            "purpose",
            "purpose_detail",
            "case_reference",
            "confidential",
        ):
            response = call("POST", "/api/v1/inquiries", token, json=inquiry(**{field: value}))
            _refused_cleanly(response)
            tried += 1
        for field in ("national_code", "access_code"):
            body = {"national_code": LOOKED_UP, "access_code": "ABCDE-23456", field: value}
            _refused_cleanly(call("POST", "/api/v1/certificates/redeem", token, json=body))
            tried += 1
        if isinstance(value, str):
            _refused_cleanly(
                call(
                    "POST", "/api/v1/inquiries", token, json=inquiry(), **{"Idempotency-Key": value}
                )
            )
            tried += 1
    print(f"\n{tried} hostile API inputs, no 500")
    # One record per answered inquiry (a wrong code's redemption writes none), none per refusal.
    answers = ApiAnswer.objects.filter(kind=AnswerKind.INQUIRY, status_code=200)
    assert DisclosureRecord.objects.count() == answers.count() > 0


@pytest.mark.parametrize(
    "body,content_type",
    [
        ("{not json", "application/json"),
        ("[]", "application/json"),
        ("null", "application/json"),
        ("national_code=1", "application/x-www-form-urlencoded"),
        ("\x00", "application/json"),
        ("", "application/json"),
    ],
)
def test_broken_bodies_are_problems(connect, registered_person, body, content_type):
    token = connect().token()
    for path in ("/api/v1/inquiries", "/api/v1/certificates/redeem"):
        response = Client().post(
            path,
            data=body,
            content_type=content_type,
            REMOTE_ADDR=ADDRESS,
            HTTP_AUTHORIZATION=f"Bearer {token}",
        )
        assert 400 <= response.status_code < 500
        _refused_cleanly(response)
    assert not DisclosureRecord.objects.exists()


def test_hostile_tokens_credentials_and_path_segments(connect):
    connected = connect()
    for value in hostile.HOSTILE_VALUES:
        if "\x00" in value or "\n" in value or "\r" in value:
            continue  # not sendable in a header
        _refused_cleanly(call("POST", "/api/v1/inquiries", value, json=inquiry()))
        response = Client().post(
            "/api/v1/oauth/token",
            {"grant_type": "client_credentials", "client_id": value, "client_secret": value},
            REMOTE_ADDR=ADDRESS,
        )
        _refused_cleanly(response)
        _refused_cleanly(
            Client().post(
                "/api/v1/oauth/token",
                {"grant_type": "client_credentials"},
                REMOTE_ADDR=ADDRESS,
                HTTP_AUTHORIZATION=f"Basic {value}",
            )
        )
    token = connected.token()
    for segment in ("-1", "99999999999999999999999", "abc", "1e309"):
        _refused_cleanly(call("GET", f"/api/v1/inquiries/{segment}", token))
        _refused_cleanly(call("GET", f"/api/v1/certificates/redemptions/{segment}/pdf", token))
