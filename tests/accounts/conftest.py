"""Helpers for the account tests: an English-speaking client, SMS and TOTP codes, a superuser."""

import re
import time

import pytest
from allauth.mfa import app_settings as mfa_settings
from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value
from django.conf import settings
from django.test import Client

import portal.sms
from accounts.models import User
from tests.conftest import make_user

# A national code with a valid check digit that nobody in the shared cast uses.
NEW_NATIONAL_CODE = "0499370899"
NEW_MOBILE = "+989351234567"


@pytest.fixture
def english_client(client: Client, db: None) -> Client:
    """The test client with English chosen, so messages can be compared with the source text."""
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


def last_sms_to(mobile: str) -> str:
    bodies = [message.body for message in portal.sms.outbox if message.to == mobile]
    assert bodies, f"no SMS was sent to {mobile}; outbox: {portal.sms.outbox}"
    return bodies[-1]


def code_in(body: str) -> str:
    """The verification code in an SMS: the text after the last colon."""
    match = re.search(r":\s*([0-9A-Z][0-9A-Z\-]*[0-9A-Z])", body)
    assert match, f"no code in {body!r}"
    return match.group(1)


@pytest.fixture
def superuser(db) -> User:
    return make_user("0010000089", "+989121110008", is_staff=True, is_superuser=True)


@pytest.fixture(
    params=["agency_staff", "agency_admin", "committee_reviewer", "operator", "superuser"]
)
def staff_member(request: pytest.FixtureRequest, db: None) -> User:
    """Each role that must enrol a second factor, in turn.

    `db` is named here so pytest-django orders these tests with the other database tests, not
    after the transactional ones, which flush the role groups the data migration made.
    """
    return request.getfixturevalue(request.param)


def totp_code(secret: str) -> str:
    """The current code, computed as an authenticator app would (with allauth's helpers)."""
    counter = int(time.time()) // mfa_settings.TOTP_PERIOD
    return format_hotp_value(hotp_value(secret, counter))
