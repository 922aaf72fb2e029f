"""Helpers for browser tests: find things as a person does, whatever the templates look like."""

import re
import time

from playwright.sync_api import Locator, Page, expect

import portal.sms
from portal.sms import SmsMessage

# Device profiles for `@pytest.mark.browser_context(**PROFILE)`.
PHONE = {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True}
DESKTOP = {"viewport": {"width": 1280, "height": 800}}


def path_is(path: str) -> re.Pattern[str]:
    """Matches a page's URL by its path, whatever the live server's host and port."""
    return re.compile(rf"^https?://[^/]+{re.escape(path)}(\?.*)?$")


def link_to(page: Page, url: str) -> Locator:
    """The first link to `url` (the header's, on most pages), whatever its words."""
    return page.locator(f'a[href="{url}"]:visible').first


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


def form_posting_to(page: Page, action: str) -> Locator:
    """The form that posts to `action`, e.g. the header's sign-out button."""
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


def open_menu(page: Page) -> None:
    """Unfold the header's navigation if the screen is narrow enough to fold it."""
    toggler = page.locator('button[aria-controls="portal-nav"]')
    if toggler.is_visible() and toggler.get_attribute("aria-expanded") != "true":
        toggler.click()
        # Bootstrap's "show" comes when the unfolding ends: a click while it moves can miss.
        expect(page.locator("#portal-nav")).to_have_class(re.compile(r"(^|\s)show(\s|$)"))
