"""Links in emails and SMS come from SITE_URL, never from the request's Host header; the portal
answers only to the host names the operator lists in ALLOWED_HOSTS."""

import json
import re

import pytest
from django.core import mail

from tests.conftest import run_with_settings

FORGED_HOST = "isinsured.example"


@pytest.fixture
def forged_host_allowed(settings):
    """A second name the operator lets the portal answer to (say, the old isinsured host)."""
    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, FORGED_HOST]
    settings.SITE_URL = "https://portal.example"


def links_in(body: str) -> list[str]:
    return re.findall(r"https?://\S+", body)


def test_a_reset_email_link_with_a_forged_host_points_at_site_url(
    english_client, citizen, forged_host_allowed
):
    citizen.email = "sara@example.org"
    citizen.save(update_fields=["email"])

    response = english_client.post(
        "/accounts/password/reset/", {"email": "sara@example.org"}, HTTP_HOST=FORGED_HOST
    )

    assert response.status_code == 302
    (message,) = mail.outbox
    body = str(message.body) + "".join(
        str(content) for content, _type in getattr(message, "alternatives", [])
    )
    links = links_in(str(message.body))
    assert links and all(link.startswith("https://portal.example/") for link in links), links
    assert FORGED_HOST not in body
    assert FORGED_HOST not in message.subject
    assert any("/accounts/password/reset/key/" in link for link in links)


def test_an_unknown_address_email_with_a_forged_host_points_at_site_url(
    english_client, db, forged_host_allowed
):
    english_client.post(
        "/accounts/password/reset/", {"email": "nobody@example.org"}, HTTP_HOST=FORGED_HOST
    )

    for message in mail.outbox:
        assert FORGED_HOST not in str(message.body) + message.subject
        links = links_in(str(message.body))
        assert all(link.startswith("https://portal.example/") for link in links)


def test_an_email_confirmation_link_with_a_forged_host_points_at_site_url(
    english_client, citizen, forged_host_allowed
):
    english_client.force_login(citizen)
    from allauth.account.models import EmailAddress
    from allauth.core import context
    from django.test import RequestFactory

    address = EmailAddress.objects.create(
        user=citizen, email="sara@example.org", verified=False, primary=True
    )
    request = RequestFactory().get("/", HTTP_HOST=FORGED_HOST)
    request.user = citizen
    with context.request_context(request):
        address.send_confirmation(request)

    (message,) = mail.outbox
    links = links_in(str(message.body))
    assert links and all(link.startswith("https://portal.example/") for link in links), links
    assert FORGED_HOST not in str(message.body)


def settings_in_a_fresh_process(**environment: str) -> dict:
    probe = (
        "import json, django; from django.conf import settings; django.setup(); "
        "print(json.dumps({'ALLOWED_HOSTS': settings.ALLOWED_HOSTS}))"
    )
    result = run_with_settings(
        probe,
        drop=("PORTAL_", "ALLOWED_HOSTS", "ISINSURED_"),
        env={"PORTAL_TESTING": "1", **environment},
        timeout=120,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_allowed_hosts_holds_only_what_the_operator_set():
    loaded = settings_in_a_fresh_process(
        ALLOWED_HOSTS="portal.example",
        ISINSURED_LEGACY_HOSTS="isinsured.example,www.isinsured.example",
    )

    assert loaded["ALLOWED_HOSTS"] == ["portal.example"]
