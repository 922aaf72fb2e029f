"""Tokens: issued for the client credentials, short-lived, and refused on the very next call
once the MoU is suspended or ended, the client revoked, its secret expired, or the call comes
from an address outside the client's list."""

import base64
import datetime

import pytest
import time_machine
from django.test import Client
from django.utils import timezone

from agencies import services
from agencies.models import ApiClientEvent, ApiClientSecret
from api.models import AccessToken, token_digest
from inquiries.models import DisclosureRecord
from tests.api.conftest import ADDRESS, call, inquiry

pytestmark = pytest.mark.django_db


def test_it_issues_a_short_lived_bearer_token_stored_as_a_digest(connect, settings):
    connected = connect()
    response = Client().post(
        "/api/v1/oauth/token",
        {"grant_type": "client_credentials"},
        REMOTE_ADDR=ADDRESS,
        HTTP_AUTHORIZATION="Basic "
        + base64.b64encode(f"{connected.client.client_id}:{connected.secret}".encode()).decode(),
    )
    assert response.status_code == 200
    body = response.json()
    assert body["token_type"] == "Bearer"
    assert body["expires_in"] == settings.API_TOKEN_SECONDS
    assert body["scope"] == "coverage_flag"
    assert response["Cache-Control"] == "no-store"
    stored = AccessToken.objects.get()
    assert stored.digest == token_digest(body["access_token"])
    assert body["access_token"] not in stored.digest
    assert not ApiClientSecret.objects.filter(digest=connected.secret).exists()


def test_it_refuses_a_wrong_secret_and_an_unknown_client(connect):
    connected = connect()
    for client_id, secret in (
        (connected.client.client_id, connected.secret + "x"),
        ("cl_nobody", connected.secret),
    ):
        response = Client().post(
            "/api/v1/oauth/token",
            {"grant_type": "client_credentials", "client_id": client_id, "client_secret": secret},
            REMOTE_ADDR=ADDRESS,
        )
        assert response.status_code == 401
        assert response["Content-Type"] == "application/problem+json"
        assert response.json()["type"].endswith("/invalid-client")
    assert not AccessToken.objects.exists()


def test_it_refuses_another_grant_type(connect):
    connected = connect()
    response = Client().post(
        "/api/v1/oauth/token",
        {"grant_type": "password", "client_id": connected.client.client_id},
        REMOTE_ADDR=ADDRESS,
    )
    assert response.status_code == 400
    assert response.json()["type"].endswith("/unsupported-grant-type")


def test_a_token_expires(connect, registered_person, settings):
    connected = connect()
    token = connected.token()
    assert call("POST", "/api/v1/inquiries", token, json=inquiry()).status_code == 200
    later = timezone.now() + datetime.timedelta(seconds=settings.API_TOKEN_SECONDS + 1)
    with time_machine.travel(later):
        response = call("POST", "/api/v1/inquiries", token, json=inquiry())
    assert response.status_code == 401
    assert response.json()["type"].endswith("/invalid-token")
    assert 'error="invalid_token"' in response["WWW-Authenticate"]


def _refused_on_the_next_call(connected, token) -> None:
    before = DisclosureRecord.objects.count()
    response = call("POST", "/api/v1/inquiries", token, json=inquiry())
    assert response.status_code == 401, response.content
    assert response.json()["type"].endswith("/invalid-token")
    assert DisclosureRecord.objects.count() == before


def test_a_suspended_mou_refuses_the_next_call(connect, registered_person, committee_reviewer):
    connected = connect()
    token = connected.token()
    assert call("POST", "/api/v1/inquiries", token, json=inquiry()).status_code == 200
    services.suspend_mou(mou=connected.mou, actor=committee_reviewer, reasons="audit")
    _refused_on_the_next_call(connected, token)


def test_an_ended_mou_refuses_the_next_call(connect, registered_person, committee_reviewer):
    connected = connect()
    token = connected.token()
    services.end_mou(mou=connected.mou, actor=committee_reviewer, reasons="over")
    _refused_on_the_next_call(connected, token)


def test_a_revoked_client_is_refused_on_the_next_call(connect, registered_person):
    connected = connect()
    token = connected.token()
    assert call("POST", "/api/v1/inquiries", token, json=inquiry()).status_code == 200
    services.revoke_api_client(client=connected.client, actor=connected.admin, reasons="replaced")
    _refused_on_the_next_call(connected, token)
    assert ApiClientEvent.objects.filter(client=connected.client, action="revoked").exists()


def test_an_expired_secret_refuses_its_tokens_and_new_tokens(connect, registered_person):
    connected = connect()
    token = connected.token()
    ApiClientSecret.objects.filter(client=connected.client).update(
        valid_until=timezone.now() - datetime.timedelta(seconds=1)
    )
    _refused_on_the_next_call(connected, token)
    response = Client().post(
        "/api/v1/oauth/token",
        {
            "grant_type": "client_credentials",
            "client_id": connected.client.client_id,
            "client_secret": connected.secret,
        },
        REMOTE_ADDR=ADDRESS,
    )
    assert response.status_code == 401


def test_an_address_outside_the_list_is_refused(connect, registered_person):
    connected = connect()
    token = connected.token()
    response = call("POST", "/api/v1/inquiries", token, json=inquiry(), address="203.0.113.5")
    assert response.status_code == 403
    assert response.json()["type"].endswith("/address-not-allowed")
    assert not DisclosureRecord.objects.exists()
    # A network in the list counts; a token is not issued to an outside address either.
    assert (
        call(
            "POST", "/api/v1/inquiries", token, json=inquiry(), address="198.51.100.77"
        ).status_code
        == 200
    )
    refused = Client().post(
        "/api/v1/oauth/token",
        {
            "grant_type": "client_credentials",
            "client_id": connected.client.client_id,
            "client_secret": connected.secret,
        },
        REMOTE_ADDR="203.0.113.5",
    )
    assert refused.status_code == 403


def test_a_rotation_keeps_the_old_secret_for_the_overlap_only(connect, settings):
    connected = connect()
    old = connected.secret
    new = services.issue_api_client_secret(client=connected.client, actor=connected.admin)
    assert connected.token() and old != new
    connected.secret = new
    assert connected.token()
    later = timezone.now() + datetime.timedelta(
        minutes=settings.API_SECRET_ROTATION_OVERLAP_MINUTES + 1
    )
    with time_machine.travel(later):
        connected.secret = old
        response = Client().post(
            "/api/v1/oauth/token",
            {
                "grant_type": "client_credentials",
                "client_id": connected.client.client_id,
                "client_secret": old,
            },
            REMOTE_ADDR=ADDRESS,
        )
        assert response.status_code == 401
        connected.secret = new
        assert connected.token()
    actions = list(
        ApiClientEvent.objects.filter(client=connected.client).values_list("action", flat=True)
    )
    assert actions == ["requested", "approved", "secret_issued", "secret_rotated"]


def test_a_session_without_a_token_gets_401_not_a_lookup(connect, registered_person, client):
    connected = connect()
    client.force_login(connected.responsible)
    response = client.post(
        "/api/v1/inquiries", data=inquiry(), content_type="application/json", REMOTE_ADDR=ADDRESS
    )
    assert response.status_code == 401
    assert not DisclosureRecord.objects.exists()


def test_an_api_call_neither_reads_nor_sets_a_cookie(connect, registered_person, client):
    """The session, CSRF and message middleware pass the API by: with a browser session on the
    same host, the answer neither varies on the cookie nor sets one, and the session is as
    it was."""
    connected = connect()
    client.force_login(connected.responsible)
    session_before = dict(client.session)
    response = client.post(
        "/api/v1/inquiries",
        data=inquiry(),
        content_type="application/json",
        REMOTE_ADDR=ADDRESS,
        HTTP_AUTHORIZATION=f"Bearer {connected.token()}",
    )
    assert response.status_code == 200
    assert not response.cookies
    assert "Cookie" not in response.get("Vary", "")
    assert dict(client.session) == session_before


def test_api_answers_carry_a_policy_that_allows_nothing_and_the_docs_page_the_sites(
    connect, registered_person, client
):
    """A JSON answer (and a refusal) loads nothing and is never framed; the documentation page
    under the same prefix is a page like any other, under the site's policy."""
    connected = connect()
    answered = Client().post(
        "/api/v1/inquiries",
        data=inquiry(),
        content_type="application/json",
        REMOTE_ADDR=ADDRESS,
        HTTP_AUTHORIZATION=f"Bearer {connected.token()}",
    )
    refused = Client().post("/api/v1/inquiries", data=inquiry(), content_type="application/json")
    assert (answered.status_code, refused.status_code) == (200, 401)
    for response in (answered, refused):
        assert response["Content-Security-Policy"] == "default-src 'none'; frame-ancestors 'none'"
    page = client.get("/api/v1/docs/")
    assert page.status_code == 200
    assert "script-src 'self'" in page["Content-Security-Policy"]


def test_a_secret_expires_with_its_mou(connect):
    connected = connect()
    connected.mou.valid_until = timezone.localdate() + datetime.timedelta(days=10)
    connected.mou.save()
    services.issue_api_client_secret(client=connected.client, actor=connected.admin)
    newest = ApiClientSecret.objects.filter(client=connected.client).order_by("-pk").first()
    assert newest is not None
    last_moment = timezone.make_aware(
        datetime.datetime.combine(connected.mou.valid_until, datetime.time.max)
    )
    assert newest.valid_until <= last_moment + datetime.timedelta(microseconds=1)
    assert newest.valid_until > last_moment - datetime.timedelta(days=1)
