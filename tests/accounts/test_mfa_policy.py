"""A second factor (TOTP) is required for staff roles and open to everyone else."""

import pytest
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret
from django.contrib.auth import SESSION_KEY
from django.contrib.auth.models import AnonymousUser
from django.http import HttpResponse
from django.test import Client, RequestFactory
from django.urls import reverse

from accounts.middleware import RequireMFAForStaffRolesMiddleware
from portal.digits import to_persian_digits
from tests.accounts.conftest import totp_code
from tests.conftest import PASSWORD


def activation_url() -> str:
    # No `next`: allauth's activation view ignores it and shows the recovery codes afterwards.
    return reverse("mfa_activate_totp")


def sign_in(client, national_code: str) -> None:
    """Through the real form, so allauth records how the session was authenticated."""
    client.post("/accounts/login/", {"login": national_code, "password": PASSWORD})
    assert SESSION_KEY in client.session


def open_activation_page(client, url: str):
    """Right after a password sign-in the first factor is added without asking for the password
    again (accounts.mfa.signed_in_by_password_moments_ago); later, allauth asks for it."""
    page = client.get(url)
    assert page.status_code == 200
    return page


@pytest.mark.parametrize("path", ["/admin/", "/admin/accounts/user/?q=0010&o=1"])
def test_staff_roles_without_totp_are_sent_to_enrol_from_admin_pages(
    english_client, staff_member, path
):
    english_client.force_login(staff_member)

    response = english_client.get(path)

    assert response.status_code == 302
    assert response["Location"] == activation_url()


def test_staff_roles_without_totp_are_sent_to_enrol_on_post_too(english_client, operator):
    english_client.force_login(operator)
    response = english_client.post("/admin/accounts/user/add/", {"national_code": "0499370899"})
    assert response["Location"] == activation_url()


def middleware_answer(user, path: str) -> HttpResponse:
    request = RequestFactory().get(path)
    request.user = user
    return RequireMFAForStaffRolesMiddleware(lambda request: HttpResponse("the page"))(request)


@pytest.mark.parametrize("path", ["/gov/", "/gov/requests/12/?tab=history"])
def test_staff_roles_without_totp_are_sent_to_enrol_from_gov_pages(staff_member, path):
    response = middleware_answer(staff_member, path)
    assert response.status_code == 302
    assert response["Location"] == activation_url()


def test_the_middleware_lets_enrolled_staff_and_other_paths_through(operator):
    assert middleware_answer(operator, "/me/").content == b"the page"
    assert middleware_answer(operator, "/government/").content == b"the page"
    TOTP.activate(operator, generate_totp_secret())
    assert middleware_answer(operator, "/gov/").content == b"the page"


def test_the_middleware_leaves_anonymous_users_and_citizens_alone(citizen, outsider):
    assert middleware_answer(AnonymousUser(), "/gov/").content == b"the page"
    assert middleware_answer(citizen, "/gov/").content == b"the page"
    assert middleware_answer(outsider, "/admin/").content == b"the page"


def test_recovery_codes_alone_do_not_count_as_enrolled(operator):
    Authenticator.objects.create(
        user=operator, type=Authenticator.Type.RECOVERY_CODES, data={"seed": "00", "used_mask": 0}
    )
    assert middleware_answer(operator, "/gov/").status_code == 302


@pytest.mark.parametrize("role", ["committee_reviewer", "operator", "superuser"])
def test_enrolled_staff_with_is_staff_reach_the_admin(english_client, request, role):
    user = request.getfixturevalue(role)
    TOTP.activate(user, generate_totp_secret())
    english_client.force_login(user)

    response = english_client.get("/admin/")

    assert response.status_code == 200
    assert "Site administration" in response.content.decode()


def test_enrolled_staff_without_is_staff_are_still_kept_out_of_the_admin(
    english_client, agency_staff
):
    TOTP.activate(agency_staff, generate_totp_secret())
    english_client.force_login(agency_staff)
    response = english_client.get("/admin/")
    assert response.status_code == 302
    assert response["Location"].startswith("/admin/login/")


def test_a_staff_member_enrols_through_the_activation_page_and_gets_in(english_client, operator):
    sign_in(english_client, operator.national_code)
    redirect = english_client.get("/admin/")["Location"]

    page = open_activation_page(english_client, redirect)
    secret = page.context["form"].secret
    response = english_client.post(redirect, {"code": totp_code(secret)})

    # allauth shows the new recovery codes next (and does not follow `next`).
    assert response.status_code == 302
    assert response["Location"] == reverse("mfa_view_recovery_codes")
    assert Authenticator.objects.filter(user=operator, type=Authenticator.Type.TOTP).exists()
    assert english_client.get("/admin/").status_code == 200


def test_citizens_are_never_forced_to_enrol(english_client, citizen):
    english_client.force_login(citizen)
    response = english_client.get("/admin/")
    # The admin's own door, not the enrolment page.
    assert response["Location"].startswith("/admin/login/")
    assert english_client.get("/me/").status_code == 200


def test_citizens_may_enrol_of_their_own_accord(english_client, citizen):
    sign_in(english_client, citizen.national_code)

    page = open_activation_page(english_client, reverse("mfa_activate_totp"))

    secret = page.context["form"].secret
    response = english_client.post(reverse("mfa_activate_totp"), {"code": totp_code(secret)})
    assert response.status_code == 302
    assert Authenticator.objects.filter(user=citizen, type=Authenticator.Type.TOTP).exists()


def test_signing_in_as_enrolled_staff_asks_for_the_code(english_client, operator):
    secret = generate_totp_secret()
    TOTP.activate(operator, secret)

    response = english_client.post(
        "/accounts/login/", {"login": operator.national_code, "password": PASSWORD}
    )

    assert response.status_code == 302
    assert response["Location"] == reverse("mfa_authenticate")
    assert SESSION_KEY not in english_client.session
    response = english_client.post(reverse("mfa_authenticate"), {"code": totp_code(secret)})
    assert response.status_code == 302
    assert response["Location"] == "/me/"
    assert english_client.session[SESSION_KEY] == str(operator.pk)
    assert english_client.get("/admin/").status_code == 200


def test_a_wrong_totp_code_does_not_complete_sign_in(english_client, operator):
    secret = generate_totp_secret()
    TOTP.activate(operator, secret)
    english_client.post("/accounts/login/", {"login": operator.national_code, "password": PASSWORD})
    wrong = f"{(int(totp_code(secret)) + 1) % 10**6:06d}"

    response = english_client.post(reverse("mfa_authenticate"), {"code": wrong})

    assert response.status_code == 200
    assert response.context["form"].errors["code"]
    assert SESSION_KEY not in english_client.session


def test_a_totp_code_typed_in_persian_digits_completes_sign_in(english_client, operator):
    secret = generate_totp_secret()
    TOTP.activate(operator, secret)
    english_client.post("/accounts/login/", {"login": operator.national_code, "password": PASSWORD})

    response = english_client.post(
        reverse("mfa_authenticate"), {"code": to_persian_digits(totp_code(secret))}
    )

    assert response.status_code == 302
    assert english_client.session[SESSION_KEY] == str(operator.pk)


@pytest.mark.parametrize(("steps_back", "accepted"), [(1, True), (2, False)])
def test_a_code_from_the_step_that_just_ended_is_taken_and_an_older_one_is_not(
    english_client, citizen, steps_back, accepted
):
    secret = generate_totp_secret()
    TOTP.activate(citizen, secret)
    english_client.post("/accounts/login/", {"login": citizen.national_code, "password": PASSWORD})

    english_client.post(reverse("mfa_authenticate"), {"code": totp_code(secret, steps_back)})

    assert (SESSION_KEY in english_client.session) is accepted


def test_a_code_is_taken_once_even_within_the_tolerance(english_client, citizen):
    secret = generate_totp_secret()
    TOTP.activate(citizen, secret)
    code = totp_code(secret)
    eavesdropper = Client()
    for browser in (english_client, eavesdropper):
        browser.post("/accounts/login/", {"login": citizen.national_code, "password": PASSWORD})
        browser.post(reverse("mfa_authenticate"), {"code": code})

    assert SESSION_KEY in english_client.session
    assert SESSION_KEY not in eavesdropper.session
