"""A code that no longer works has no uses left, whatever it had when it stopped."""

import pytest
from django.urls import reverse

from documents import services
from documents.models import AccessCode

pytestmark = pytest.mark.django_db


def uses_left_on_the_inbox(client) -> str:
    html = client.get(reverse("documents:inbox")).content.decode()
    return html.split("Uses left</dt>", 1)[1].split("</dd>", 1)[0]


@pytest.mark.parametrize("end", ["revoke_code", "revoke_certificate", "replace"])
def test_a_code_that_no_longer_works_has_no_uses_left(client, citizen, issue, share, end):
    certificate = issue(citizen)
    share(certificate, valid_days=10, max_uses=3)
    code = AccessCode.objects.get()
    if end == "revoke_code":
        services.revoke_access_code(access_code=code)
    elif end == "revoke_certificate":
        services.revoke_certificate(certificate=certificate)
    else:
        services.replace_access_code(certificate=certificate, valid_days=5, max_uses=2)
        services.revoke_access_code(access_code=AccessCode.objects.get(revoked_at=None))
    client.force_login(citizen)
    client.cookies["django_language"] = "en"
    shown = uses_left_on_the_inbox(client)
    assert "3 of 3" not in shown and "2 of 2" not in shown
    assert "None: this code no longer works" in shown


def test_a_live_code_shows_its_uses_left(client, citizen, issue, share):
    certificate = issue(citizen)
    share(certificate, valid_days=10, max_uses=3)
    client.force_login(citizen)
    client.cookies["django_language"] = "en"
    assert "3 of 3" in uses_left_on_the_inbox(client)
