"""Helpers for the account tests: an English-speaking client, SMS and TOTP codes, a superuser."""

import html
import re
import time
from html.parser import HTMLParser

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


class _TextsInside(HTMLParser):
    """The text pieces inside the element with a given id."""

    def __init__(self, element_id: str) -> None:
        super().__init__()
        self.element_id = element_id
        self.depth = 0
        self.found = False
        self.texts: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if self.depth:
            self.depth += 1
        elif ("id", self.element_id) in attrs:
            self.depth, self.found = 1, True

    def handle_endtag(self, tag: str) -> None:
        if self.depth:
            self.depth -= 1

    def handle_data(self, data: str) -> None:
        if self.depth and data.strip():
            self.texts.append(data.strip())


def field_errors(response, field: str) -> list[str]:
    """The errors shown for `field`: the element its input names in aria-describedby."""
    page = response.content.decode()
    error_id = f"id_{field}_error"
    parser = _TextsInside(error_id)
    parser.feed(page)
    if not parser.found:
        return []
    field_input = re.search(rf'<input[^>]*name="{field}"[^>]*>', page)
    assert field_input, f"no input named {field}"
    described_by = re.search(r'aria-describedby="([^"]*)"', field_input.group(0))
    assert described_by and error_id in described_by.group(1).split(), "error not tied to field"
    return parser.texts


def rendered_value(response, field: str) -> str | None:
    """The value the page shows in the input named `field`."""
    field_input = re.search(rf'<input[^>]*name="{field}"[^>]*>', response.content.decode())
    assert field_input, f"no input named {field}"
    value = re.search(r'value="([^"]*)"', field_input.group(0))
    return html.unescape(value.group(1)) if value else None


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


def totp_code(secret: str, steps_back: int = 0) -> str:
    """The current code, computed as an authenticator app would (with allauth's helpers), or the
    code of `steps_back` periods ago."""
    counter = int(time.time()) // mfa_settings.TOTP_PERIOD - steps_back
    return format_hotp_value(hotp_value(secret, counter))


@pytest.fixture
def whole_renders(settings) -> None:
    """No page fragments from the process's layout cache, so two answers that are compared
    render the same templates whichever came first (the cache holds the same for everyone)."""
    settings.CACHES = {
        **settings.CACHES,
        "local": {"BACKEND": "django.core.cache.backends.dummy.DummyCache"},
    }
