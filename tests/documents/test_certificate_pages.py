"""The citizen's certificate pages: issue, list, the page that waits for the PDF, download."""

import pytest
from django.urls import reverse

from documents.models import Certificate

pytestmark = pytest.mark.django_db


def test_it_issues_a_certificate_from_the_form(client, citizen, django_capture_on_commit_callbacks):
    client.force_login(citizen)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("documents:certificate_new"), {"language": "en", "note": "For the court"}
        )
    certificate = Certificate.objects.get(holder=citizen)
    assert response.status_code == 302
    assert response["Location"] == reverse(
        "documents:certificate_detail", args=[certificate.number]
    )
    assert certificate.language == "en"
    assert certificate.note == "For the court"
    assert certificate.rendering_status == "ready"


def test_an_unknown_language_gets_an_error_next_to_the_field(client, citizen):
    client.force_login(citizen)
    response = client.post(reverse("documents:certificate_new"), {"language": "xx"})
    assert response.status_code == 200
    assert response.context["form"].errors["language"]
    assert not Certificate.objects.exists()


def test_the_list_shows_only_my_certificates(client, citizen, other_citizen, issue):
    mine = issue(citizen)
    theirs = issue(other_citizen)
    client.force_login(citizen)
    page = client.get(reverse("documents:certificate_list")).content.decode()
    assert f'href="/me/certificates/{mine.number}/"' in page
    assert theirs.number not in page


def test_the_list_takes_a_fixed_number_of_queries(
    client, citizen, issue, django_assert_max_num_queries
):
    for _ in range(5):
        issue(citizen)
    client.force_login(citizen)
    with django_assert_max_num_queries(6):
        client.get(reverse("documents:certificate_list"))


@pytest.mark.parametrize(
    "name",
    ["certificate_detail", "certificate_status", "certificate_pdf", "certificate_move_to_inbox"],
)
def test_it_checks_owner(client, citizen, other_citizen, issue, name):
    certificate = issue(citizen)
    client.force_login(other_citizen)
    assert client.get(reverse(f"documents:{name}", args=[certificate.number])).status_code == 404


@pytest.mark.parametrize("name", ["certificate_retry", "certificate_revoke", "access_code_revoke"])
def test_actions_check_owner(client, citizen, other_citizen, issue, name):
    certificate = issue(citizen)
    client.force_login(other_citizen)
    assert client.post(reverse(f"documents:{name}", args=[certificate.number])).status_code == 404
    certificate.refresh_from_db()
    assert certificate.revoked_at is None


@pytest.mark.parametrize("name", ["certificate_retry"])
def test_actions_reject_get(client, citizen, issue, name):
    certificate = issue(citizen)
    client.force_login(citizen)
    assert client.get(reverse(f"documents:{name}", args=[certificate.number])).status_code == 405


def test_anonymous_people_are_sent_to_sign_in(client, citizen, issue):
    certificate = issue(citizen)
    for url in [
        reverse("documents:certificate_list"),
        reverse("documents:certificate_new"),
        reverse("documents:inbox"),
        reverse("documents:certificate_detail", args=[certificate.number]),
        reverse("documents:certificate_pdf", args=[certificate.number]),
    ]:
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("account_login"))


def test_a_malformed_number_is_a_404_not_a_500(client, citizen):
    client.force_login(citizen)
    for number in ["abc", "1" * 40, "123456789012"]:
        response = client.get(reverse("documents:certificate_detail", args=[number]))
        assert response.status_code == 404


def test_a_pending_certificate_says_it_is_being_prepared_and_polls(
    client, citizen, django_capture_on_commit_callbacks
):
    from documents.services import issue_certificate

    with django_capture_on_commit_callbacks(execute=False):
        certificate = issue_certificate(holder=citizen, language="en")
    client.force_login(citizen)
    with_english = {"HTTP_ACCEPT_LANGUAGE": "en"}
    client.cookies["django_language"] = "en"
    response = client.get(
        reverse("documents:certificate_detail", args=[certificate.number]), **with_english
    )
    page = response.content.decode()
    assert "being prepared" in page
    status_url = reverse("documents:certificate_status", args=[certificate.number])
    assert f'data-certificate-status-url="{status_url}"' in page
    assert "js/certificate_status.js" in page
    assert '<meta http-equiv="refresh" content="5">' in page  # inside <noscript>
    assert "<script>" not in page  # no inline script

    state = client.get(status_url).json()
    assert state == {"rendering_status": "pending", "ready": False}
    assert "no-cache" in client.get(status_url)["Cache-Control"]


def test_a_ready_certificate_offers_the_pdf_and_stops_polling(client, citizen, issue):
    certificate = issue(citizen)
    client.force_login(citizen)
    page = client.get(reverse("documents:certificate_detail", args=[certificate.number]))
    content = page.content.decode()
    assert reverse("documents:certificate_pdf", args=[certificate.number]) in content
    assert "data-certificate-status-url" not in content
    assert client.get(
        reverse("documents:certificate_status", args=[certificate.number])
    ).json() == {"rendering_status": "ready", "ready": True}


def test_the_pdf_downloads_with_a_server_made_name_and_no_store(client, citizen, issue):
    certificate = issue(citizen, note='"; filename="evil.exe')
    client.force_login(citizen)
    response = client.get(reverse("documents:certificate_pdf", args=[certificate.number]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert (
        response["Content-Disposition"]
        == f'attachment; filename="certificate-{certificate.number}.pdf"'
    )
    assert "no-store" in response["Cache-Control"]
    assert b"".join(response.streaming_content).startswith(b"%PDF")


def test_a_failed_certificate_shows_a_retry_button_that_renders_it_again(
    client, citizen, issue, django_capture_on_commit_callbacks
):
    certificate = issue(citizen)
    Certificate.objects.filter(pk=certificate.pk).update(
        rendering_status="failed", pdf_sha256="", pdf=""
    )
    client.force_login(citizen)
    detail = reverse("documents:certificate_detail", args=[certificate.number])
    retry = reverse("documents:certificate_retry", args=[certificate.number])
    assert f'action="{retry}"' in client.get(detail).content.decode()
    assert (
        client.get(reverse("documents:certificate_pdf", args=[certificate.number])).status_code
        == 404
    )

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(retry)
    assert response.status_code == 302
    certificate.refresh_from_db()
    assert certificate.rendering_status == "ready"


def test_the_holder_can_revoke_a_certificate(client, citizen, issue):
    certificate = issue(citizen)
    client.force_login(citizen)
    client.post(reverse("documents:certificate_revoke", args=[certificate.number]))
    certificate.refresh_from_db()
    assert certificate.validity() == "revoked"


def test_the_pages_read_in_persian_by_default(client, citizen, issue):
    certificate = issue(citizen)
    client.force_login(citizen)
    response = client.get(reverse("documents:certificate_list"))
    content = response.content.decode()
    assert 'lang="fa" dir="rtl"' in content
    from portal.digits import to_persian_digits

    assert to_persian_digits(certificate.formatted_number) in content
