"""Helpers for browser tests: find things as a person does, whatever the templates look like."""

import re
import time

from django.utils import translation
from playwright.sync_api import Locator, Page

import portal.sms
from portal.sms import SmsMessage

# Device profiles for `@pytest.mark.browser_context(**PROFILE)`.
PHONE = {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True}
DESKTOP = {"viewport": {"width": 1280, "height": 800}}


def fa(message: str) -> str:
    """`message` as a Persian page shows it, translated or not (the test follows the catalogue)."""
    with translation.override("fa"):
        return translation.gettext(message)


def field(page: Page, name: str) -> Locator:
    """The form control named `name` (the name is the contract with the server, not the look)."""
    return page.locator(f'[name="{name}"]:not([type="hidden"])')


def submit_button(page: Page, field_name: str) -> Locator:
    """The submit button of the form that holds the field `field_name`.

    Buttons with a `form` attribute sit inside this form but submit another (allauth's "request
    a new code" and "cancel"), so they are left out.
    """
    form = page.locator("form").filter(has=field(page, field_name))
    return form.locator(
        ":is(button:not([type]), button[type=submit], input[type=submit]):not([form])"
    )


def nav_form(page: Page, action: str) -> Locator:
    """A form in the page's header posting to `action`, e.g. sign-out."""
    return page.locator(f'form[action="{action}"]')


_CODE = re.compile(r"(?<![\w-])[0-9۰-۹A-Z]{3,}(?:-[0-9۰-۹A-Z]{3,})?(?![\w-])")


def sms_sent_to(mobile: str, *, timeout: float = 5) -> SmsMessage:
    """The last SMS the portal sent to `mobile` (E.164), waiting a moment for it."""
    deadline = time.monotonic() + timeout
    while True:
        messages = [sms for sms in portal.sms.outbox if sms.to == mobile]
        if messages:
            return messages[-1]
        if time.monotonic() > deadline:
            raise AssertionError(f"no SMS to {mobile}; the outbox holds {portal.sms.outbox!r}")
        time.sleep(0.05)


def code_in(sms: SmsMessage) -> str:
    """The one verification code in an SMS, as the person would read and type it."""
    codes = _CODE.findall(sms.body)
    assert len(codes) == 1, f"expected one code in {sms.body!r}, found {codes}"
    return codes[0]
