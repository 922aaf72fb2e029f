"""Failed sign-ins are limited per account and per client address, on the Redis cache.

The figures ("attempts before each lock") are counted by the tests, not copied from settings:
each test fails until the lock and checks the count, and prints it (`pytest -s`).
"""

from collections.abc import Callable
from typing import Any

import pytest
from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret
from django.conf import settings
from django.contrib.auth import SESSION_KEY
from django.core.cache import cache
from django.test import Client, RequestFactory, override_settings
from django.utils import timezone

from accounts.models import LegacyAccount, User
from portal.throttle import client_address
from portal.validators import national_code_check_digit
from tests.conftest import PASSWORD

pytestmark = pytest.mark.redis

LOGIN = "/accounts/login/"
MFA_AUTHENTICATE = "/accounts/2fa/authenticate/"
WRONG = "The national code or password is not correct."
BAD_PASSWORD = "not the password"
LOCKED = "Too many failed login attempts. Try again later."
MOST_TRIES = 50


def attempt(
    client: Client,
    login: str,
    password: str = BAD_PASSWORD,
    *,
    ip: str = "198.51.100.1",
    path: str = LOGIN,
    **headers: Any,
) -> list[str]:
    """One sign-in; the form's errors (empty: it signed in)."""
    response = client.post(path, {"login": login, "password": password}, REMOTE_ADDR=ip, **headers)
    if response.status_code == 302:
        assert SESSION_KEY in client.session
        client.logout()
        client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
        return []
    assert response.status_code == 200
    assert SESSION_KEY not in client.session
    return list(response.context["form"].non_field_errors())


def failures_before_lock(fail: Callable[[int], list[str]]) -> int:
    """Call `fail(n)` until the lock message shows; how many plain failures came before it."""
    for n in range(MOST_TRIES):
        errors = fail(n)
        if errors == [LOCKED]:
            return n
        assert errors == [WRONG]
    pytest.fail(f"no lock after {MOST_TRIES} failures")


def unknown_code(n: int) -> str:
    """A valid national code no account has (a wrong check digit is refused before sign-in)."""
    body = f"002{n:06d}"
    return body + national_code_check_digit(body)


def english() -> Client:
    client = Client()
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


def test_the_cache_is_redis():
    # The counters must be shared by every web process: a local-memory cache would not be.
    assert settings.CACHES["default"]["BACKEND"] == "django.core.cache.backends.redis.RedisCache"
    cache.set("probe", 1)
    client = cache._cache.get_client()  # type: ignore[attr-defined]
    assert any(b"probe" in key for key in client.scan_iter("*probe*"))


def test_an_account_locks_after_5_failures_from_any_addresses(citizen):
    client = english()

    failures = failures_before_lock(
        lambda n: attempt(client, citizen.national_code, ip=f"198.51.100.{n + 1}")
    )

    print(f"\nattempts before the per-account lock: {failures}")
    assert failures == 5
    # Locked for the right password too, from a fresh address.
    assert attempt(client, citizen.national_code, PASSWORD, ip="192.0.2.99") == [LOCKED]


def test_a_correct_password_does_not_reset_the_account_count(citizen):
    client = english()
    for n in range(4):
        assert attempt(client, citizen.national_code, ip=f"198.51.100.{n + 1}") == [WRONG]
    assert attempt(client, citizen.national_code, PASSWORD) == []  # signed in, and out again
    assert attempt(client, citizen.national_code, ip="198.51.100.5") == [WRONG]  # the 5th

    # Had the success cleared the count, this would be the 2nd failure and sign in.
    assert attempt(client, citizen.national_code, PASSWORD, ip="198.51.100.6") == [LOCKED]


def test_a_client_address_locks_after_10_failures_on_any_accounts(citizen):
    client = english()

    failures = failures_before_lock(lambda n: attempt(client, unknown_code(n), ip="203.0.113.7"))

    print(f"\nattempts before the per-address lock: {failures}")
    assert failures == 10
    assert attempt(client, citizen.national_code, PASSWORD, ip="203.0.113.7") == [LOCKED]
    assert attempt(client, citizen.national_code, PASSWORD, ip="203.0.113.8") == []


def test_a_forged_x_forwarded_for_does_not_dodge_the_address_limit(citizen):
    client = english()

    failures = failures_before_lock(
        lambda n: attempt(
            client, unknown_code(n), ip="203.0.113.7", HTTP_X_FORWARDED_FOR=f"192.0.2.{n + 1}"
        )
    )

    assert failures == 10
    assert attempt(
        client, citizen.national_code, PASSWORD, ip="203.0.113.7", HTTP_X_FORWARDED_FOR="192.0.2.77"
    ) == [LOCKED]


def test_the_client_address_ignores_x_forwarded_for_unless_proxies_are_trusted():
    def request():
        return RequestFactory().get(
            "/", REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR="192.0.2.1, 198.51.100.9"
        )

    assert settings.ALLAUTH_TRUSTED_PROXY_COUNT == 0
    assert client_address(request()) == "10.0.0.2"
    with override_settings(ALLAUTH_TRUSTED_PROXY_COUNT=1):
        # One proxy of ours: the address it saw connecting is the last one it appended.
        assert client_address(request()) == "198.51.100.9"


def test_the_admin_sign_in_is_allauths_with_the_same_limits(operator: User):
    client = english()
    # The admin's own form is gone: posting a right password to it signs nobody in.
    response = client.post(
        "/admin/login/", {"username": operator.national_code, "password": PASSWORD}
    )
    assert response.status_code == 302
    assert response["Location"].startswith(f"{LOGIN}?next=")
    assert SESSION_KEY not in client.session

    admin_login = f"{LOGIN}?next=/admin/"
    failures = failures_before_lock(
        lambda n: attempt(
            client, operator.national_code, ip=f"198.51.100.{n + 1}", path=admin_login
        )
    )

    print(f"\nattempts before the lock on the admin's sign-in: {failures}")
    assert failures == 5
    assert attempt(client, operator.national_code, PASSWORD, path=admin_login) == [LOCKED]


def test_the_old_isinsured_user_name_shares_the_accounts_count(citizen, settings):
    settings.ISINSURED_USERNAME_LOGIN_UNTIL = timezone.localdate()
    LegacyAccount.objects.create(user=citizen, legacy_user_id="L-1", username="Sara.Ahmadi")
    client = english()
    assert attempt(client, "sara.ahmadi", PASSWORD) == []  # the old name works in the window

    for n in range(3):
        assert attempt(client, citizen.national_code, ip=f"198.51.100.{n + 1}") == [WRONG]
    for n in range(2):
        assert attempt(client, "SARA.AHMADI", ip=f"198.51.100.{n + 10}") == [WRONG]

    assert attempt(client, "sara.ahmadi", PASSWORD, ip="192.0.2.1") == [LOCKED]
    assert attempt(client, citizen.national_code, PASSWORD, ip="192.0.2.2") == [LOCKED]


def test_the_second_factor_locks_after_5_wrong_codes(citizen):
    TOTP.activate(citizen, generate_totp_secret())
    client = english()
    response = client.post(
        LOGIN, {"login": citizen.national_code, "password": PASSWORD}, REMOTE_ADDR="198.51.100.1"
    )
    assert response["Location"] == MFA_AUTHENTICATE

    def wrong_code(n: int) -> list[str]:
        response = client.post(
            MFA_AUTHENTICATE, {"code": "000000"}, REMOTE_ADDR=f"198.51.100.{n + 1}"
        )
        assert response.status_code == 200
        errors = response.context["form"].errors["code"]
        return [WRONG] if errors == ["Incorrect code."] else errors

    failures = failures_before_lock(wrong_code)

    print(f"\nwrong codes before the lock at the second-factor step: {failures}")
    assert failures == 5
    assert SESSION_KEY not in client.session
