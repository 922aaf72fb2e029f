"""A citizen issues a certificate, gets its PDF, moves it to the inbox and reads the code.

Then the agency half: a staff member signs in with TOTP, redeems a citizen's code in the panel,
downloads the PDF, and the citizen sees the redemption in the inbox.
"""

import re

import pytest
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import Page, expect

from accounts.models import User
from documents.identifiers import access_code_digest
from documents.models import AccessCode, Certificate
from portal.digits import to_persian_digits
from tests.conftest import BIRTH_DATE
from tests.documents.conftest import citizen_record  # noqa: F401 - a fixture
from tests.e2e.support import field, path_is, sms_sent_to, submit_button

NATIONAL_CODE = "0010000011"
MOBILE = "+989121110001"
PASSWORD = "a long and unusual passphrase 7"


def sign_in(page: Page) -> None:
    User.objects.create_user(
        NATIONAL_CODE,
        PASSWORD,
        mobile=MOBILE,
        mobile_verified=True,
        first_name="سارا",
        last_name="نمونه",
        # Bound to the registry person (or to "no record"), as the certificate pages require.
        birth_date=BIRTH_DATE,
        identity_verified_at=timezone.now(),
    )
    page.goto(reverse("account_login"))
    field(page, "login").press_sequentially(to_persian_digits(NATIONAL_CODE))
    field(page, "password").fill(PASSWORD)
    field(page, "password").press("Enter")
    expect(page).to_have_url(path_is(reverse("accounts:dashboard")))


def test_a_citizen_issues_a_certificate_and_shares_it_through_the_inbox(page: Page, tmp_path):
    sign_in(page)
    page.goto(reverse("documents:certificate_new"))
    field(page, "note").fill("برای دادگاه")
    submit_button(page, "note").click()

    certificate = Certificate.objects.get(holder__national_code=NATIONAL_CODE)
    detail = reverse("documents:certificate_detail", args=[certificate.number])
    expect(page).to_have_url(path_is(detail))
    # The page waits for the PDF (polling a JSON status) and then offers it.
    pdf_link = page.locator(
        f'a[href="{reverse("documents:certificate_pdf", args=[certificate.number])}"]'
    )
    expect(pdf_link).to_be_visible(timeout=30_000)
    with page.expect_download() as download:
        pdf_link.click()
    assert download.value.suggested_filename == f"certificate-{certificate.number}.pdf"
    page.screenshot(path=tmp_path / "certificate.png", full_page=True)

    page.locator(
        f'a[href="{reverse("documents:certificate_move_to_inbox", args=[certificate.number])}"]'
    ).click()
    field(page, "valid_days").fill("۱۰")
    field(page, "max_uses").fill("۲")
    field(page, "max_uses").press("Enter")

    shown = page.locator("[data-access-code]")
    expect(shown).to_have_text(re.compile(r"^[A-Z2-9]{5}-[A-Z2-9]{5}$"))
    code = shown.inner_text()
    assert code in sms_sent_to(MOBILE).body
    access_code = AccessCode.objects.get(certificate=certificate)
    assert access_code.code_digest == access_code_digest(code)
    assert access_code.max_uses == 2

    page.goto(reverse("documents:inbox"))
    expect(page.locator('[data-code-state="active"]')).to_be_visible()
    assert code not in page.content()


@pytest.mark.usefixtures("citizen_record")
def test_a_staff_member_redeems_the_citizens_code_and_the_citizen_sees_it(
    page: Page, citizen, agency_staff, committee_reviewer, operator
):
    from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret

    from documents.identifiers import format_access_code
    from documents.models import Redemption
    from documents.services import issue_certificate, move_to_inbox
    from tests.agencies.conftest import add_member
    from tests.agencies.factories import MouFactory
    from tests.e2e.test_agency_onboarding import sign_in as sign_in_with_totp
    from tests.e2e.test_agency_onboarding import sign_out

    agency = MouFactory.create(recorded_by=committee_reviewer).agency
    secret = generate_totp_secret()
    TOTP.activate(agency_staff, secret)
    add_member(agency_staff, agency, "staff", operator)
    # The citizen's half is the test above; here the certificate is issued and shared directly.
    certificate = issue_certificate(holder=citizen, language="fa")
    code = move_to_inbox(certificate=certificate, max_uses=2).plaintext

    sign_in_with_totp(page, agency_staff, secret)
    page.goto(reverse("gov:documents"))
    field(page, "national_code").press_sequentially(to_persian_digits(citizen.national_code))
    field(page, "access_code").fill(format_access_code(code).lower().replace("-", " "))
    submit_button(page, "access_code").click()

    redemption = Redemption.objects.get()
    expect(page).to_have_url(path_is(reverse("gov:redeemed_document", args=[redemption.pk])))
    expect(page.get_by_test_id("document-verified")).to_be_visible()
    expect(page.get_by_test_id("holder-name")).to_have_text("سارا احمدی")
    with page.expect_download() as download:
        page.locator(
            f'a[href="{reverse("gov:redeemed_document_pdf", args=[redemption.pk])}"]'
        ).click()
    assert download.value.suggested_filename == f"certificate-{certificate.number}.pdf"
    assert code not in page.url
    sign_out(page)

    sign_in_with_totp(page, citizen)
    page.goto(reverse("documents:inbox"))
    expect(page.get_by_test_id("redemption")).to_contain_text(agency.name)
    expect(page.locator("#main")).to_contain_text(agency.name)
