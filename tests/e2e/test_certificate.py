"""A citizen issues a certificate, gets its PDF, moves it to the inbox and reads the code.

(The agency half, redeeming the code in the panel, arrives with the agencies app.)
"""

import re

from django.urls import reverse
from playwright.sync_api import Page, expect

from accounts.models import User
from documents.identifiers import access_code_digest
from documents.models import AccessCode, Certificate
from portal.digits import to_persian_digits
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
