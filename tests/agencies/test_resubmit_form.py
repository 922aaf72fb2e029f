"""The resubmit form shows what is on file as the applicant knows it: the letter date in the
Jalali calendar in Persian, and the letter as a link that downloads it (only for them)."""

import re

import pytest
from django.conf import settings

from agencies import services
from agencies.models import RequestStatus
from tests.agencies.test_apply_views import form_data

pytestmark = pytest.mark.django_db


@pytest.fixture
def returned(request_in_review, committee_reviewer):
    services.return_request(
        access_request=request_in_review, reviewer=committee_reviewer, reasons="Attach statute."
    )
    return request_in_review


def url_of(access_request) -> str:
    return f"/agencies/requests/{access_request.pk}/resubmit/"


def input_value(html: str, name: str) -> str:
    field = re.search(rf'<input[^>]*name="{name}"[^>]*>', html)
    assert field, f"no input {name}"
    value = re.search(r'value="([^"]*)"', field.group(0))
    return value.group(1) if value else ""


def test_the_letter_date_is_jalali_in_the_persian_form(client, citizen, returned):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "fa"
    client.force_login(citizen)

    html = client.get(url_of(returned)).content.decode()

    # The factory's letter is dated 2026-01-10, which is 1404/10/20.
    assert input_value(html, "letter_date") == "۱۴۰۴/۱۰/۲۰"


def test_the_letter_date_is_iso_in_the_english_form(client, citizen, returned):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    client.force_login(citizen)
    html = client.get(url_of(returned)).content.decode()
    assert input_value(html, "letter_date") == "2026-01-10"


def test_the_date_shown_is_sent_back_unchanged(client, citizen, returned):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "fa"
    client.force_login(citizen)
    shown = input_value(client.get(url_of(returned)).content.decode(), "letter_date")
    data = form_data(legal_id=returned.legal_id, letter_date=shown)
    del data["letter"]

    assert client.post(url_of(returned), data).status_code == 302

    returned.refresh_from_db()
    assert returned.status == RequestStatus.RESUBMITTED
    assert returned.letter_date.isoformat() == "2026-01-10"


def test_the_current_letter_is_a_link_that_downloads_it(client, citizen, returned):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    client.force_login(citizen)

    html = client.get(url_of(returned)).content.decode()

    letter_url = f"/agencies/requests/{returned.pk}/letter/"
    assert f'href="{letter_url}"' in html
    assert "agencies/letters/" not in html  # the storage path never shows
    assert "Currently" not in html
    assert 'name="letter-clear"' not in html  # a letter on file cannot be cleared
    download = client.get(letter_url)
    assert download.status_code == 200
    assert b"".join(download.streaming_content).startswith(b"%PDF")


def test_someone_else_cannot_download_the_letter(client, other_citizen, returned):
    client.force_login(other_citizen)
    assert client.get(f"/agencies/requests/{returned.pk}/letter/").status_code == 404
