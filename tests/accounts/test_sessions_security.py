"""Sessions: second factors that work once, sessions that end with the sign-out or the account,
staff timeouts, and fresh re-authentication before changing how one signs in."""

import time
from datetime import timedelta
from typing import Any

import pytest
import time_machine
from allauth.mfa.models import Authenticator
from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes
from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret
from allauth.usersessions.models import UserSession
from django.conf import settings
from django.contrib.auth import SESSION_KEY
from django.contrib.messages import get_messages
from django.contrib.sessions.models import Session
from django.core.cache import cache
from django.test import Client
from django.urls import reverse

from accounts import services
from accounts.models import User
from accounts.roles import Role
from accounts.services import assign_role
from tests.accounts.conftest import totp_code
from tests.conftest import PASSWORD

LOGIN = "/accounts/login/"
MFA_AUTHENTICATE = "/accounts/2fa/authenticate/"


def english() -> Client:
    client = Client()
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


def sign_in(client: Client, user: User, **extra: Any):
    """Through allauth's form, as a browser does (so the session is recorded and timed)."""
    return client.post(LOGIN, {"login": user.national_code, "password": PASSWORD}, **extra)


def signed_in(client: Client, user: User) -> bool:
    return client.session.get(SESSION_KEY) == str(user.pk)


def is_signed_in(client: Client) -> bool:
    response = client.get("/me/")
    assert response.status_code in {200, 302}
    return response.status_code == 200


# --- Second factors work once ------------------------------------------------------------------


def a_frozen_moment() -> float:
    """A few seconds into the current TOTP period, so both sign-ins see the same code."""
    period = 30
    return (int(time.time()) // period) * period + 5


def sign_in_with_code(client: Client, user: User, code: str):
    response = sign_in(client, user)
    assert response["Location"] == MFA_AUTHENTICATE
    return client.post(MFA_AUTHENTICATE, {"code": code})


@pytest.mark.redis
def test_a_totp_code_is_refused_the_second_time(citizen):
    secret = generate_totp_secret()
    TOTP.activate(citizen, secret)
    with time_machine.travel(a_frozen_moment(), tick=False):
        code = totp_code(secret)

        first = sign_in_with_code(english(), citizen, code)
        assert first.status_code == 302
        assert first["Location"] == "/me/"

        second_client = english()
        second = sign_in_with_code(second_client, citizen, code)

    assert second.status_code == 200
    assert second.context["form"].errors == {"code": ["Incorrect code."]}
    assert SESSION_KEY not in second_client.session
    # The marker that refused it lives in Redis, shared by every web process.
    assert cache.get(f"allauth.mfa.totp.used?user={citizen.pk}&code={code}") == "y"


@pytest.mark.redis
def test_each_recovery_code_works_once(citizen):
    TOTP.activate(citizen, generate_totp_secret())
    codes = RecoveryCodes.activate(citizen).generate_codes()

    assert sign_in_with_code(english(), citizen, codes[0])["Location"] == "/me/"
    again = english()
    response = sign_in_with_code(again, citizen, codes[0])
    assert response.status_code == 200
    assert response.context["form"].errors == {"code": ["Incorrect code."]}
    assert SESSION_KEY not in again.session
    assert sign_in_with_code(english(), citizen, codes[1])["Location"] == "/me/"


# --- Sessions follow sign-in, sign-out and the account ----------------------------------------


def test_the_session_key_changes_at_sign_in(citizen):
    client = english()
    client.get(LOGIN)
    session = client.session
    session["probe"] = "anonymous visit"
    session.save()
    before = session.session_key

    sign_in(client, citizen)

    assert signed_in(client, citizen)
    assert client.session.session_key != before
    assert not Session.objects.filter(session_key=before).exists()


def two_devices(user: User) -> tuple[Client, Client]:
    devices = english(), english()
    for n, device in enumerate(devices):
        sign_in(device, user, HTTP_USER_AGENT=f"Device {n}")
        assert is_signed_in(device)
    assert UserSession.objects.filter(user=user).count() == 2
    return devices


def test_signing_out_ends_every_session_of_the_user(citizen, other_citizen):
    phone, laptop = two_devices(citizen)
    bystander = english()
    sign_in(bystander, other_citizen)

    phone.post(reverse("account_logout"))

    assert not is_signed_in(phone)
    assert not is_signed_in(laptop)
    assert not UserSession.objects.filter(user=citizen).exists()
    assert is_signed_in(bystander)


@pytest.mark.parametrize("how", ["service", "admin save"])
def test_deactivating_an_account_ends_its_sessions_at_once(citizen, how):
    phone, laptop = two_devices(citizen)
    keys = list(UserSession.objects.filter(user=citizen).values_list("session_key", flat=True))

    if how == "service":
        services.deactivate_account(user=citizen)
    else:  # what the admin's change form does: a full save
        citizen.is_active = False
        citizen.save()

    assert not Session.objects.filter(session_key__in=keys).exists()
    assert not UserSession.objects.filter(user=citizen).exists()
    # Turned on again, the account's old sessions stay ended.
    citizen.is_active = True
    citizen.save()
    assert not is_signed_in(phone)
    assert not is_signed_in(laptop)


def test_the_sessions_page_lists_the_devices_and_ends_the_others(citizen):
    phone, laptop = two_devices(citizen)

    page = laptop.get(reverse("usersessions_list"))
    assert page.status_code == 200
    text = page.content.decode()
    assert "Device 0" in text and "Device 1" in text
    assert "This device" in text

    response = laptop.post(reverse("usersessions_list"))

    assert response.status_code == 302
    assert is_signed_in(laptop)
    assert not is_signed_in(phone)
    assert [str(m) for m in get_messages(response.wsgi_request)] == [
        "You have been signed out on all your other devices."
    ]


def test_the_sessions_page_is_in_persian_and_in_the_account_menu(client, citizen):
    sign_in(client, citizen)
    page = client.get(reverse("usersessions_list")).content.decode()
    assert "دستگاه‌هایی که با آن‌ها وارد شده‌اید" in page
    assert f'href="{reverse("usersessions_list")}"' in client.get("/me/").content.decode()


# --- Staff timeouts ----------------------------------------------------------------------------


@pytest.fixture
def enrolled_operator(operator: User) -> User:
    TOTP.activate(operator, generate_totp_secret())
    return operator


def test_staff_are_signed_out_after_30_idle_minutes(enrolled_operator):
    client = english()
    with time_machine.travel(time.time(), tick=False) as clock:
        client.force_login(enrolled_operator)
        clock.shift(timedelta(minutes=29))
        assert is_signed_in(client)
        clock.shift(timedelta(minutes=29))
        assert is_signed_in(client)  # 58 minutes in, never 30 idle

        clock.shift(timedelta(minutes=31))
        response = client.get("/me/?tab=x", follow=True)

    assert response.redirect_chain[0] == (f"{LOGIN}?next=%2Fme%2F%3Ftab%3Dx", 302)
    assert SESSION_KEY not in client.session
    assert (
        "For your security you were signed out after 30 minutes without activity. "
        "Please sign in again." in response.content.decode()
    )


def test_staff_are_signed_out_12_hours_after_signing_in_however_busy(enrolled_operator):
    client = english()
    with time_machine.travel(time.time(), tick=False) as clock:
        client.force_login(enrolled_operator)
        for _ in range(12 * 3):
            clock.shift(timedelta(minutes=20))
            assert is_signed_in(client)
        clock.shift(timedelta(minutes=1))
        response = client.get("/me/", follow=True)

    assert SESSION_KEY not in client.session
    assert (
        "For your security a staff session ends 12 hours after signing in. Please sign in again."
        in response.content.decode()
    )


def test_a_staff_timeout_ends_only_that_session(enrolled_operator):
    idle, busy = english(), english()
    with time_machine.travel(time.time(), tick=False) as clock:
        idle.force_login(enrolled_operator)
        busy.force_login(enrolled_operator)
        clock.shift(timedelta(minutes=20))
        assert is_signed_in(busy)
        clock.shift(timedelta(minutes=20))
        assert not is_signed_in(idle)
        assert is_signed_in(busy)


def test_citizens_keep_their_session_when_idle(citizen):
    client = english()
    with time_machine.travel(time.time(), tick=False) as clock:
        client.force_login(citizen)
        clock.shift(timedelta(hours=13))
        assert is_signed_in(client)


def test_a_citizen_made_staff_meanwhile_is_timed_from_the_first_staff_page(citizen):
    client = english()
    with time_machine.travel(time.time(), tick=False) as clock:
        client.force_login(citizen)
        assign_role(user=citizen, role=Role.AGENCY_ADMIN)
        client.get("/gov/")
        clock.shift(timedelta(minutes=31))
        assert not is_signed_in(client)


def test_the_staff_timeouts_are_persian_on_a_persian_page(enrolled_operator):
    client = Client()
    with time_machine.travel(time.time(), tick=False) as clock:
        client.force_login(enrolled_operator)
        clock.shift(timedelta(minutes=31))
        page = client.get("/me/", follow=True).content.decode()
    assert "برای امنیت شما" in page


# --- Fresh re-authentication -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("method", "url_name", "data"),
    [
        ("get", "account_change_password", None),
        ("post", "account_change_password", {"oldpassword": PASSWORD}),
        ("post", "account_change_phone", {"phone": "09351234567"}),
        ("post", "account_email", {"action_add": "", "email": "sara@example.org"}),
        ("get", "mfa_activate_totp", None),
    ],
)
def test_changing_how_one_signs_in_needs_a_fresh_authentication(citizen, method, url_name, data):
    client = english()
    with time_machine.travel(time.time(), tick=False) as clock:
        sign_in(client, citizen)
        reauthenticate(client)
        clock.shift(timedelta(seconds=settings.ACCOUNT_REAUTHENTICATION_TIMEOUT + 1))
        url = reverse(url_name)
        response = getattr(client, method)(url, data or {})

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_reauthenticate"))
    citizen.refresh_from_db()
    assert citizen.mobile == "+989121110001"
    assert citizen.email == ""
    assert not citizen.emailaddress_set.exists()
    assert not Authenticator.objects.filter(user=citizen).exists()


def reauthenticate(client: Client) -> None:
    response = client.post(reverse("account_reauthenticate"), {"password": PASSWORD})
    assert response.status_code == 302


@pytest.mark.parametrize("url_name", ["mfa_deactivate_totp", "mfa_generate_recovery_codes"])
def test_turning_off_or_renewing_the_second_factor_needs_a_fresh_authentication(citizen, url_name):
    TOTP.activate(citizen, generate_totp_secret())
    RecoveryCodes.activate(citizen)
    client = english()
    client.force_login(citizen)  # no record of a recent authentication

    response = client.get(reverse(url_name))

    assert response.status_code == 302
    assert "reauthenticate" in response["Location"]


def test_the_password_page_opens_after_re_authenticating(citizen):
    client = english()
    sign_in(client, citizen)
    # Signing in is not re-authenticating: allauth asks again before the first change.
    assert client.get(reverse("account_change_password"))["Location"].startswith(
        reverse("account_reauthenticate")
    )
    reauthenticate(client)
    assert client.get(reverse("account_change_password")).status_code == 200
