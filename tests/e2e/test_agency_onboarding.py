"""In a real browser: an applicant applies, a committee reviewer approves and records the MoU in
the admin, and the applicant, now the agency's admin, sends the staff list as a CSV file."""

import time

import pytest
from allauth.mfa.totp.internal.auth import TOTP, format_hotp_value, generate_totp_secret, hotp_value

from accounts.models import User
from agencies.models import AccessRequest, Mou, RequestStatus, StaffList
from tests.agencies.factories import PDF_BYTES, legal_id, national_code
from tests.conftest import PASSWORD
from tests.e2e.support import DESKTOP

pytestmark = [
    pytest.mark.browser,
    # English, so the assertions read the source text whatever the catalogue says.
    pytest.mark.browser_context(**DESKTOP, locale="en-US"),
    pytest.mark.django_db(transaction=True),
]


def totp_code(secret: str) -> str:
    return format_hotp_value(hotp_value(secret, int(time.time()) // 30))


def sign_in(page, user: User, secret: str | None = None) -> None:
    page.goto("/accounts/login/")
    page.fill('input[name="login"]', user.national_code)
    page.fill('input[name="password"]', PASSWORD)
    page.locator('main form[method="post"] [type="submit"]').first.click()
    if secret:
        page.wait_for_url("**/2fa/authenticate/**")
        page.fill('input[name="code"]', totp_code(secret))
        page.locator('main form[method="post"] [type="submit"]').first.click()
    page.wait_for_url(lambda url: "/accounts/" not in url)


def sign_out(page) -> None:
    page.context.clear_cookies()


def test_an_applicant_applies_the_committee_approves_and_the_agency_sends_its_staff(
    page, citizen, committee_reviewer
):
    # The applicant applies, typing numbers in Persian digits.
    sign_in(page, citizen)
    page.goto("/agencies/apply/")
    page.fill('input[name="agency_name"]', "Synthetic District Court")
    page.select_option('select[name="agency_kind"]', "judicial")
    page.fill(
        'input[name="legal_id"]',
        legal_id(4242).translate(str.maketrans("0123456789", "۰۱۲۳۴۵۶۷۸۹")),
    )
    page.fill('textarea[name="address"]', "Synthetic Lane 4, Tabriz")
    page.fill('input[name="letter_number"]', "۱۴۰۴/۹۹")
    page.fill('input[name="letter_date"]', "۱۴۰۴/۰۹/۱۵")
    page.set_input_files(
        'input[name="letter"]',
        files=[{"name": "letter.pdf", "mimeType": "application/pdf", "buffer": PDF_BYTES}],
    )
    page.fill('textarea[name="purpose"]', "Verifying parties' insurance status.")
    page.fill('textarea[name="legal_basis"]', "Civil procedure law.")
    page.check('input[name="scopes"][value="coverage_flag"]')
    page.check('input[name="scopes"][value="coverage_summary"]')
    page.fill('input[name="monthly_volume"]', "۸۰")
    page.fill('input[name="contact_name"]', "Synthetic Registrar")
    page.fill('input[name="contact_position"]', "Registrar")
    page.fill('input[name="contact_mobile"]', "۰۹۳۵۰۰۰۴۲۴۲")
    page.fill('input[name="contact_email"]', "registrar@court.example")
    page.locator('main form[enctype="multipart/form-data"] [type="submit"]').click()
    page.wait_for_url("**/agencies/requests/*/")
    assert page.locator('[data-testid="request-status"]').inner_text() == "Submitted"
    access_request = AccessRequest.objects.get()
    sign_out(page)

    # The committee reviewer signs in with TOTP, reviews and approves in the admin.
    reviewer_secret = generate_totp_secret()
    TOTP.activate(committee_reviewer, reviewer_secret)
    sign_in(page, committee_reviewer, reviewer_secret)
    page.goto("/admin/agencies/accessrequest/?status__exact=submitted")
    page.get_by_role("link", name="Synthetic District Court").click()
    page.get_by_role("button", name="Start review").click()
    page.get_by_role("link", name="Decide").click()
    page.check('input[name="outcome"][value="approve"]')
    page.fill('textarea[name="reasons"]', "The court's need is lawful and proportionate.")
    page.locator('input[type="submit"]').click()
    page.wait_for_url(f"**/admin/agencies/accessrequest/{access_request.pk}/change/")
    access_request.refresh_from_db()
    assert access_request.status == RequestStatus.APPROVED

    # ... and records the MoU, narrower than asked.
    page.get_by_role("link", name="Record the MoU").click()
    page.fill('input[name="number"]', "1404/T/4242")
    page.fill('input[name="signed_on"]', "1404/09/25")
    page.fill('input[name="valid_from"]', "1404/09/25")
    page.fill('input[name="valid_until"]', "1499/09/25")
    page.fill('input[name="signed_by_insurance_deputy"]', "Deputy (synthetic)")
    page.fill('input[name="signed_by_pensions_manager"]', "GM Pensions (synthetic)")
    page.fill('input[name="signed_by_registration_manager"]', "GM Registration (synthetic)")
    page.uncheck('input[name="scopes"][value="coverage_summary"]')
    page.set_input_files(
        'input[name="scan"]',
        files=[{"name": "mou.pdf", "mimeType": "application/pdf", "buffer": PDF_BYTES}],
    )
    page.locator('input[name="_save"]').click()
    page.wait_for_url("**/admin/agencies/mou/")
    assert Mou.objects.get().scopes == ["coverage_flag"]
    sign_out(page)

    # The applicant, now the agency's admin, signs in with TOTP and sends the staff list.
    admin_secret = generate_totp_secret()
    TOTP.activate(User.objects.get(pk=citizen.pk), admin_secret)
    sign_in(page, citizen, admin_secret)
    page.goto(f"/agencies/requests/{access_request.pk}/")
    assert "The court's need is lawful" in page.content()
    page.goto("/gov/")
    assert "1404/T/4242" in page.content()
    page.locator("#main").get_by_role("link", name="Staff and access").click()

    header = "national_code,first_name,last_name,position,mobile,email\n"
    bad_code = national_code(4243)[:-1] + str((int(national_code(4243)[-1]) + 1) % 10)
    bad = header + f"{national_code(4242)},Arash,Synthetic,Clerk,09350004242,\n"
    bad += f"{bad_code},Neda,Synthetic,Clerk,,\n"
    page.set_input_files(
        'input[name="file"]',
        files=[{"name": "staff.csv", "mimeType": "text/csv", "buffer": bad.encode()}],
    )
    page.get_by_role("button", name="Upload and check").click()
    assert "Nothing was saved" in page.content()
    assert "This national code is not valid" in page.content()
    assert not StaffList.objects.exists()

    good = "\ufeff" + header + f"{national_code(4242)},Arash,Synthetic,Clerk,۰۹۳۵۰۰۰۴۲۴۲,\n"
    good += f"{national_code(4243)},Neda,Synthetic,Clerk,09350004243,neda@court.example\n"
    page.set_input_files(
        'input[name="file"]',
        files=[{"name": "staff.csv", "mimeType": "text/csv", "buffer": good.encode()}],
    )
    page.get_by_role("button", name="Upload and check").click()
    page.wait_for_url("**/gov/staff/")
    assert "was sent to IT" in page.content()
    assert StaffList.objects.get().rows.count() == 2
