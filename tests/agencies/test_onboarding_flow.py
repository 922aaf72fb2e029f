"""The whole onboarding through the pages, as each person would click through it:
apply -> review -> approve -> MoU -> staff list -> grant -> invitation -> password -> TOTP ->
panel."""

import re
import time

import pytest
from allauth.mfa.totp.internal.auth import SECRET_SESSION_KEY, format_hotp_value, hotp_value
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

import portal.sms
from accounts.identity.backends import locmem as identity_service
from accounts.models import User
from agencies.models import AccessRequest, Mou, RequestStatus, StaffList
from tests.agencies.conftest import enrol_totp
from tests.agencies.factories import PDF_BYTES, legal_id, national_code
from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db


def totp_now(secret: str) -> str:
    return format_hotp_value(hotp_value(secret, int(time.time()) // 30))


def enrol_through_the_page(browser: Client, next_url: str, password: str) -> None:
    """Follow the forced enrolment: confirm the password, read the secret, type the code."""
    response = browser.get(next_url)
    assert response.status_code == 302 and "/2fa/totp/activate/" in response["Location"]
    page = browser.get(response["Location"])
    if page.status_code == 302 and "/reauthenticate/" in page["Location"]:
        browser.post(page["Location"], {"password": password})
        page = browser.get(response["Location"])
    assert page.status_code == 200
    secret = browser.session[SECRET_SESSION_KEY]
    activated = browser.post("/accounts/2fa/totp/activate/", {"code": totp_now(secret)})
    assert activated.status_code == 302


def sign_in(browser: Client, national: str, password: str) -> None:
    response = browser.post("/accounts/login/", {"login": national, "password": password})
    assert response.status_code == 302, response.content[:2000]
    if response["Location"] == "/accounts/phone/verify/":
        # A mobile number IT entered is proven at the first sign-in, by the code texted to it.
        code = re.search(r"(\S+)$", portal.sms.outbox[-1].body)
        assert code, portal.sms.outbox[-1]
        verified = browser.post("/accounts/phone/verify/", {"code": code.group(1)})
        assert verified.status_code == 302


def test_an_agency_goes_from_application_to_staff_in_the_panel(
    citizen, committee_reviewer, operator, django_capture_on_commit_callbacks
):
    applicant = Client(HTTP_ACCEPT_LANGUAGE="en")
    sign_in(applicant, citizen.national_code, PASSWORD)

    # 1. The applicant applies.
    response = applicant.post(
        "/agencies/apply/",
        {
            "agency_name": "Synthetic Welfare Fund",
            "agency_kind": "insurance_fund",
            "legal_id": legal_id(777),
            "address": "Synthetic Road 9, Isfahan",
            "letter_number": "55/1404",
            "letter_date": "1404/09/01",
            "purpose": "Avoiding double pensions.",
            "legal_basis": "The fund's law, article 3.",
            "scopes": ["pension_flag", "pension_detail"],
            "monthly_volume": "2000",
            "contact_name": "Synthetic Officer",
            "contact_position": "Director",
            "contact_mobile": "09350000777",
            "contact_email": "officer@fund.example",
            "letter": SimpleUploadedFile("l.pdf", PDF_BYTES, content_type="application/pdf"),
        },
    )
    access_request = AccessRequest.objects.get()
    assert response["Location"] == f"/agencies/requests/{access_request.pk}/"

    # 2. The committee reviews and approves in the admin.
    enrol_totp(committee_reviewer)
    committee = Client(HTTP_ACCEPT_LANGUAGE="en")
    committee.force_login(committee_reviewer)
    base = f"/admin/agencies/accessrequest/{access_request.pk}"
    committee.post(f"{base}/start-review/")
    committee.post(f"{base}/decide/", {"outcome": "approve", "reasons": "Basis in law."})
    access_request.refresh_from_db()
    assert access_request.status == RequestStatus.APPROVED
    page = applicant.get(f"/agencies/requests/{access_request.pk}/")
    assert b"Basis in law." in page.content

    # 3. The committee records the MoU.
    response = committee.post(
        "/admin/agencies/mou/add/",
        {
            "agency": access_request.agency_id,
            "access_request": access_request.pk,
            "number": "1404/MOU/9",
            "basis": "this_order",
            "signed_on": "1404/09/20",
            "valid_from": "1404/09/20",
            "valid_until": "1499/09/20",
            "signed_by_insurance_deputy": "Deputy (synthetic)",
            "signed_by_pensions_manager": "GM Pensions (synthetic)",
            "signed_by_registration_manager": "GM Registration (synthetic)",
            "scopes": ["pension_flag"],
            "scan": SimpleUploadedFile("mou.pdf", PDF_BYTES, content_type="application/pdf"),
        },
    )
    assert response.status_code == 302
    assert Mou.objects.get().scopes == ["pension_flag"]

    # 4. The applicant, now the agency's admin, enrols TOTP and sends the staff list.
    enrol_through_the_page(applicant, "/gov/staff/", PASSWORD)
    response = applicant.post(
        "/gov/staff/",
        {
            "form-TOTAL_FORMS": "1",
            "form-INITIAL_FORMS": "0",
            "form-0-national_code": national_code(888),
            "form-0-first_name": "Kaveh",
            "form-0-last_name": "Synthetic",
            "form-0-position": "Pension clerk",
            "form-0-mobile": "09350000888",
            "form-0-email": "kaveh@fund.example",
            "rows": "",
        },
    )
    assert response.status_code == 302
    staff_list = StaffList.objects.get()

    # 5. IT grants it in the admin; the identity service confirms the typed mobile is the new
    # staff member's, so the invitation is texted to it.
    identity_service.register(national_code(888), "+989350000888")
    enrol_totp(operator)
    it = Client(HTTP_ACCEPT_LANGUAGE="en")
    it.force_login(operator)
    # The test runs in one transaction: send what would go out once the grant commits.
    with django_capture_on_commit_callbacks(execute=True):
        it.post(
            "/admin/agencies/stafflist/",
            {"action": "grant_access", "_selected_action": [staff_list.pk]},
        )
    invitation_sms = next(sms for sms in portal.sms.outbox if sms.to == "+989350000888")
    link = re.search(r"/agencies/invitations/[^/\s]+/", invitation_sms.body)
    assert link

    # 6. The staff member sets a password, signs in, enrols TOTP and reaches the panel.
    newcomer = Client(HTTP_ACCEPT_LANGUAGE="en")
    new_password = "a long synthetic passphrase 8"
    response = newcomer.post(
        link.group(0), {"new_password1": new_password, "new_password2": new_password}
    )
    assert response.status_code == 302
    sign_in(newcomer, national_code(888), new_password)
    # The link reached the mobile the identity service confirmed: the account is proven.
    assert User.objects.get(national_code=national_code(888)).identity_proven
    enrol_through_the_page(newcomer, "/gov/", new_password)
    panel = newcomer.get("/gov/")
    assert panel.status_code == 200
    assert b"Synthetic Welfare Fund" in panel.content
    assert b"1404/MOU/9" in panel.content
    assert b"Pensioner (yes/no)" in panel.content
    assert b"/gov/staff/" not in panel.content
