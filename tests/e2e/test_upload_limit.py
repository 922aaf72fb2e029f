"""In a real browser: a letter far over the limit brings the form back with the size message."""

import pytest

from agencies.models import AccessRequest
from tests.e2e.support import DESKTOP
from tests.e2e.test_agency_onboarding import sign_in

pytestmark = [
    pytest.mark.browser,
    pytest.mark.browser_context(**DESKTOP, locale="en-US"),
    pytest.mark.django_db(transaction=True),
]

MB = 1024 * 1024


def test_a_letter_over_the_limit_brings_the_form_back_with_the_message_and_what_was_typed(
    page, citizen, settings, tmp_path
):
    settings.AGENCY_UPLOAD_MAX_BYTES = settings.UPLOAD_MAX_BYTES = 5 * MB
    upload_dir = tmp_path / "uploads"
    upload_dir.mkdir()
    settings.FILE_UPLOAD_TEMP_DIR = str(upload_dir)
    letter = tmp_path / "letter.pdf"
    letter.write_bytes(b"%PDF-1.4\n" + b"0" * (30 * MB))

    sign_in(page, citizen)
    page.goto("/agencies/apply/")
    page.fill('input[name="agency_name"]', "Synthetic District Court")
    page.set_input_files('input[name="letter"]', str(letter))
    page.locator('main form[enctype="multipart/form-data"] [type="submit"]').click()

    page.wait_for_selector("#id_letter_error")
    assert "the largest file accepted is 5.0" in page.locator("#id_letter_error").inner_text()
    assert page.input_value('input[name="agency_name"]') == "Synthetic District Court"
    assert not AccessRequest.objects.exists()
    assert list(upload_dir.iterdir()) == []
