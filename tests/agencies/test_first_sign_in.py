"""An invited staff member's and an agency admin's first sign-in: one guided flow, from the
texted link to the panel, that asks for the password once and never for an email address."""

import re
import time

import pytest
import time_machine
from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret
from django.conf import settings
from django.contrib.auth import SESSION_KEY
from django.urls import reverse

import portal.sms
from accounts.identity.backends import locmem as identity_service
from agencies import services
from agencies.models import StaffList
from tests.accounts.conftest import totp_code
from tests.agencies.factories import national_code
from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "a long synthetic passphrase 7"
NEWCOMER_MOBILE = "+989350000101"
ACTIVATE = reverse("mfa_activate_totp")
REAUTHENTICATE = reverse("account_reauthenticate")


@pytest.fixture(autouse=True)
def _english(client, settings):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"


@pytest.fixture
def staff_list(admin_membership, agency, agency_admin) -> StaffList:
    identity_service.register(national_code(101), NEWCOMER_MOBILE)
    return services.submit_staff_list(
        agency=agency,
        submitted_by=agency_admin,
        rows=[
            {
                "national_code": national_code(101),
                "first_name": "Nima",
                "last_name": "Synthetic",
                "position": "Clerk",
                "mobile": NEWCOMER_MOBILE,
                "email": "nima@court.example",
            }
        ],
    )


def invitation_link(staff_list, operator, capture) -> str:
    with capture(execute=True):
        services.grant_staff_list(staff_list=staff_list, operator=operator)
    sms = next(s for s in portal.sms.outbox if s.to == NEWCOMER_MOBILE)
    match = re.search(r"https?://[^\s]+(/agencies/invitations/[^/\s]+/)", sms.body)
    assert match, sms.body
    return match.group(1)


def sign_in(client, national_code: str) -> None:
    client.post("/accounts/login/", {"login": national_code, "password": PASSWORD})
    assert SESSION_KEY in client.session


def enrol(client, user) -> None:
    page = client.get(ACTIVATE)
    assert page.status_code == 200, page.get("Location")
    response = client.post(ACTIVATE, {"code": totp_code(page.context["form"].secret)})
    assert response.status_code == 302, response.context["form"].errors
    assert response["Location"] == reverse("mfa_view_recovery_codes")
    assert Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists()


# --- Email verification is no precondition -----------------------------------------------------


def test_a_staff_member_with_an_unverified_email_enrols_totp(client, agency_staff):
    EmailAddress.objects.create(
        user=agency_staff, email="clerk@court.example", verified=False, primary=True
    )
    sign_in(client, agency_staff.national_code)

    page = client.get(ACTIVATE)

    assert b"verified your email" not in page.content
    enrol(client, agency_staff)


def test_an_agency_admin_with_an_unverified_email_reaches_the_panel(
    client, agency, agency_admin, operator
):
    from tests.agencies.conftest import add_member

    add_member(agency_admin, agency, "admin", operator)
    EmailAddress.objects.create(
        user=agency_admin, email="head@court.example", verified=False, primary=True
    )
    sign_in(client, agency_admin.national_code)
    assert client.get("/gov/")["Location"] == ACTIVATE

    enrol(client, agency_admin)

    codes = client.get(reverse("mfa_view_recovery_codes"))
    assert re.search(rb'href="/gov/"[^>]*data-testid="after-enrolment"', codes.content)
    assert client.get("/gov/").status_code == 200


def test_a_staff_member_whose_mobile_is_not_verified_cannot_get_to_enrolment(client, agency_staff):
    type(agency_staff).objects.filter(pk=agency_staff.pk).update(mobile_verified=False)

    client.post("/accounts/login/", {"login": agency_staff.national_code, "password": PASSWORD})

    assert SESSION_KEY not in client.session
    assert client.get(ACTIVATE)["Location"].startswith(reverse("account_login"))


# --- The password is asked for once ------------------------------------------------------------


def test_enrolling_right_after_signing_in_does_not_ask_for_the_password_again(client, agency_admin):
    sign_in(client, agency_admin.national_code)

    assert client.get(ACTIVATE).status_code == 200
    enrol(client, agency_admin)


def test_enrolling_long_after_signing_in_asks_for_the_password_again(client, agency_admin):
    sign_in(client, agency_admin.national_code)
    later = time.time() + settings.ACCOUNT_REAUTHENTICATION_TIMEOUT + 60

    with time_machine.travel(later, tick=False):
        response = client.get(ACTIVATE)

    assert response.status_code == 302
    assert response["Location"].startswith(REAUTHENTICATE)


def test_changing_an_existing_factor_still_asks_for_the_password(client, agency_admin):
    secret = generate_totp_secret()
    TOTP.activate(agency_admin, secret)
    client.post("/accounts/login/", {"login": agency_admin.national_code, "password": PASSWORD})
    client.post(reverse("mfa_authenticate"), {"code": totp_code(secret)})
    assert client.session[SESSION_KEY] == str(agency_admin.pk)

    response = client.get(reverse("mfa_deactivate_totp"))

    assert response.status_code == 302
    assert response["Location"].startswith(REAUTHENTICATE)


# --- The invitation link signs the person in ---------------------------------------------------


def test_the_invitation_link_leads_straight_to_enrolment_and_then_the_panel(
    client, staff_list, operator, django_capture_on_commit_callbacks
):
    link = invitation_link(staff_list, operator, django_capture_on_commit_callbacks)

    response = client.post(link, {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})

    newcomer = type(operator).objects.get(national_code=national_code(101))
    assert client.session[SESSION_KEY] == str(newcomer.pk)
    assert response["Location"] == ACTIVATE
    # No sign-in page, no SMS code, no second password prompt.
    enrol(client, newcomer)
    codes = client.get(reverse("mfa_view_recovery_codes"))
    # The codes page, where allauth's enrolment ends, leads on to the panel.
    assert re.search(rb'href="/gov/"[^>]*data-testid="after-enrolment"', codes.content)
    assert client.get("/gov/").status_code == 200
    assert client.get("/gov/inquiry/").status_code == 200


def test_the_invitation_does_not_sign_in_an_account_that_already_has_a_second_factor(
    client, staff_list, operator, django_capture_on_commit_callbacks
):
    link = invitation_link(staff_list, operator, django_capture_on_commit_callbacks)
    newcomer = type(operator).objects.get(national_code=national_code(101))
    TOTP.activate(newcomer, generate_totp_secret())

    response = client.post(link, {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})

    # The link is one factor; this account's sign-in needs its authenticator too.
    assert SESSION_KEY not in client.session
    assert response["Location"].startswith(reverse("account_login"))


def test_the_invitation_does_not_sign_in_a_deactivated_account(
    client, staff_list, operator, django_capture_on_commit_callbacks
):
    link = invitation_link(staff_list, operator, django_capture_on_commit_callbacks)
    type(operator).objects.filter(national_code=national_code(101)).update(is_active=False)

    client.post(link, {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})

    assert SESSION_KEY not in client.session


def test_an_invitation_used_in_someone_elses_session_replaces_it(
    client, staff_list, operator, citizen, django_capture_on_commit_callbacks
):
    link = invitation_link(staff_list, operator, django_capture_on_commit_callbacks)
    client.force_login(citizen)
    session = client.session
    session["something_of_the_citizen"] = "kept?"
    session.save()

    client.post(link, {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})

    newcomer = type(operator).objects.get(national_code=national_code(101))
    assert client.session[SESSION_KEY] == str(newcomer.pk)
    assert "something_of_the_citizen" not in client.session
