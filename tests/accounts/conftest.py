"""Helpers for the account tests: an English-speaking client and the SMS codes it was sent."""

import re

import pytest
from django.conf import settings
from django.test import Client

import portal.sms

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
