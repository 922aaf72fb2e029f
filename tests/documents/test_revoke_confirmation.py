"""Nothing irreversible on one tap: revoking a certificate or an access code asks first, on a
page that works without JavaScript; a GET never revokes."""

import re

import pytest
from django.urls import reverse

from documents.models import AccessCode

pytestmark = pytest.mark.django_db


def forms_posting_to(html: str, url: str) -> list[str]:
    return re.findall(rf'<form[^>]*method="post"[^>]*action="{re.escape(url)}"', html)


@pytest.fixture
def shared(citizen, issue, share):
    certificate = issue(citizen)
    share(certificate)
    return certificate


def test_revoking_a_certificate_asks_first_and_a_get_revokes_nothing(client, citizen, shared):
    url = reverse("documents:certificate_revoke", args=[shared.number])
    client.force_login(citizen)
    client.cookies["django_language"] = "en"
    detail = client.get(reverse("documents:certificate_detail", args=[shared.number]))
    assert not forms_posting_to(detail.content.decode(), url), "revokes on one tap"
    assert f'href="{url}"' in detail.content.decode()

    page = client.get(url)
    assert page.status_code == 200
    html = page.content.decode()
    assert len(forms_posting_to(html, url)) == 1
    assert "cannot be undone" in html
    shared.refresh_from_db()
    assert shared.revoked_at is None
    assert AccessCode.objects.get(certificate=shared).revoked_at is None

    response = client.post(url)
    assert response.status_code == 302
    shared.refresh_from_db()
    assert shared.revoked_at is not None


def test_revoking_a_code_asks_first_and_a_get_revokes_nothing(client, citizen, shared):
    url = reverse("documents:access_code_revoke", args=[shared.number])
    client.force_login(citizen)
    client.cookies["django_language"] = "en"
    inbox = client.get(reverse("documents:inbox")).content.decode()
    assert not forms_posting_to(inbox, url), "revokes on one tap"
    assert f'href="{url}"' in inbox

    page = client.get(url)
    assert page.status_code == 200
    assert len(forms_posting_to(page.content.decode(), url)) == 1
    assert AccessCode.objects.get(certificate=shared).revoked_at is None

    response = client.post(url)
    assert response.status_code == 302
    assert AccessCode.objects.get(certificate=shared).revoked_at is not None


def test_the_confirmation_pages_check_the_owner(client, other_citizen, shared):
    client.force_login(other_citizen)
    for name in ["certificate_revoke", "access_code_revoke"]:
        assert client.get(reverse(f"documents:{name}", args=[shared.number])).status_code == 404


def test_a_revoked_certificate_has_nothing_left_to_confirm(client, citizen, shared):
    from documents.services import revoke_certificate

    revoke_certificate(certificate=shared)
    client.force_login(citizen)
    for name in ["certificate_revoke", "access_code_revoke"]:
        response = client.get(reverse(f"documents:{name}", args=[shared.number]))
        assert response.status_code == 302
