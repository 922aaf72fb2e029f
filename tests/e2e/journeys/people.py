"""The people of the journeys: a browser each, the words of their language, an authenticator app
on their phone, and a camera that keeps a picture of every step they take.

A person's sitting starts with one address typed or followed (the portal's home page, the admin's
address, the link in an SMS); from there on they only click and type. Things are found as a person
finds them: by role and by the words on the screen in the person's language (Django's own
catalogue gives them, so a changed translation moves the test along with the page), or by a form
field's `name`, the contract with the server.
"""

import json
import re
import time
from dataclasses import dataclass
from pathlib import Path

from allauth.mfa import app_settings as mfa_settings
from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value
from django.utils import translation
from django.utils.functional import Promise
from playwright.sync_api import Locator, Page, expect

from tests.e2e.support import PHONE, sms_sent_to

PERSIAN_DIGITS = str.maketrans("0123456789", "۰۱۲۳۴۵۶۷۸۹")


@dataclass(frozen=True)
class Device:
    """How a journey is seen: a language and a screen."""

    name: str
    language: str
    options: dict

    @property
    def is_phone(self) -> bool:
        return bool(self.options.get("is_mobile"))


PERSIAN_PHONE = Device("fa-phone", "fa", {"locale": "fa-IR", "timezone_id": "Asia/Tehran", **PHONE})
ENGLISH_DESKTOP = Device(
    "en-desktop",
    "en",
    {"locale": "en-US", "timezone_id": "Asia/Tehran", "viewport": {"width": 1366, "height": 768}},
)


class Camera:
    """Saves a full-page picture of each step into `folder` with a `steps.json` that names them
    (scripts/screenshots.sh makes the docs/screenshots gallery from these)."""

    def __init__(self, folder: Path, device: Device) -> None:
        self.folder = folder
        self.device = device
        self.steps: list[dict[str, str]] = []
        folder.mkdir(parents=True, exist_ok=True)

    def shot(self, page: Page, *, role: str, name: str, caption: str, persian: str) -> None:
        # Let web fonts and the page's own scripts settle, so the picture shows the page as seen.
        page.wait_for_load_state("load")
        page.evaluate("document.fonts.ready.then(() => true)")
        # Every step fits its screen: wide tables scroll inside their own box, never the page.
        wider = page.evaluate("document.scrollingElement.scrollWidth - window.innerWidth")
        assert wider <= 0, f"{name} on {self.device.name} is {wider} px wider than the screen"
        file = f"{len(self.steps) + 1:02d}-{name}.png"
        page.screenshot(
            path=self.folder / file, full_page=True, animations="disabled", caret="hide"
        )
        self.steps.append({"file": file, "role": role, "caption": caption, "persian": persian})
        manifest = {"device": self.device.name, "steps": self.steps}
        (self.folder / "steps.json").write_text(
            json.dumps(manifest, ensure_ascii=False, indent=1), encoding="utf-8"
        )


class AuthenticatorApp:
    """The app on a person's phone that shows TOTP codes, computed with allauth's own helpers.

    The portal takes each code once, and a code of the step before or after the current one too
    (MFA_TOTP_TOLERANCE), so a person who signs in twice within thirty seconds gets the next
    code, as they would by waiting for the app to turn over.
    """

    def __init__(self, secret: str) -> None:
        self.secret = secret
        self._typed: set[str] = set()

    def code(self) -> str:
        while True:
            now = int(time.time()) // mfa_settings.TOTP_PERIOD
            for counter in (now, now + 1, now - 1):
                code = format_hotp_value(hotp_value(self.secret, counter))
                if code not in self._typed:
                    self._typed.add(code)
                    return code
            time.sleep(1)


@dataclass
class Person:
    """Someone using the portal in their own browser."""

    role: str
    page: Page
    device: Device
    camera: Camera | None
    national_code: str = ""
    password: str = ""
    app: AuthenticatorApp | None = None

    def words(self, message: "str | Promise") -> str:
        """`message` (a msgid or a lazy translation) as the portal shows it in this person's
        language."""
        with translation.override(self.device.language):
            return translation.gettext(message) if isinstance(message, str) else str(message)

    def digits(self, number: str) -> str:
        """A number as this person types it: Persian digits on a Persian keyboard."""
        return number.translate(PERSIAN_DIGITS) if self.device.language == "fa" else number

    def shot(self, name: str, caption: str, persian: str) -> None:
        """A picture of this step for the gallery (none for a person whose steps another journey
        already shows)."""
        if self.camera is not None:
            self.camera.shot(self.page, role=self.role, name=name, caption=caption, persian=persian)

    @property
    def main(self) -> Locator:
        return self.page.get_by_role("main")

    def link(self, message: "str | Promise", *, within: Locator | None = None) -> Locator:
        """The first visible link reading `message` (translated), in the main part by default."""
        return self._named("link", message, within)

    def button(self, message: "str | Promise", *, within: Locator | None = None) -> Locator:
        return self._named("button", message, within)

    def _named(self, role: str, message: "str | Promise", within: Locator | None) -> Locator:
        place = within if within is not None else self.main
        return place.get_by_role(role, name=self.words(message), exact=True).first  # type: ignore[arg-type]

    def heading(self, message: str) -> Locator:
        return self.page.get_by_role("heading", level=1, name=self.words(message))

    def sees(self, message: str) -> None:
        expect(self.main).to_contain_text(self.words(message))

    def open_menu(self) -> None:
        """Unfold the header's navigation on a phone."""
        toggler = self.page.locator('button[aria-controls="portal-nav"]')
        if toggler.is_visible() and toggler.get_attribute("aria-expanded") != "true":
            toggler.click()
            expect(self.page.locator("#portal-nav")).to_have_class(re.compile(r"\bshow\b"))

    def menu_link(self, message: str) -> Locator:
        """A link of the header's navigation, unfolded first on a phone."""
        self.open_menu()
        return self.page.locator("#portal-nav").get_by_role(
            "link", name=self.words(message), exact=True
        )


def sign_in(person: Person) -> None:
    """On the sign-in page: national code and password, then the app's code if asked for it."""
    page = person.page
    expect(page).to_have_url(re.compile(r"/accounts/login/"))
    page.locator('[name="login"]').press_sequentially(person.digits(person.national_code))
    page.locator('[name="password"]').fill(person.password)
    person.button("Sign in").click()
    page.wait_for_url(lambda url: "/accounts/login/" not in url)
    if "/accounts/2fa/authenticate/" in page.url:
        assert person.app, f"{person.role} was asked for a code but has no authenticator app"
        page.locator('[name="code"]').fill(person.app.code())
        page.locator('[name="code"]').press("Enter")
        page.wait_for_url(lambda url: "/accounts/2fa/authenticate/" not in url)


def enrol_totp(person: Person) -> None:
    """Sent to two-factor set-up: add the key to the app, type its code, keep the recovery codes,
    and continue to where the person was going."""
    page = person.page
    page.wait_for_url(re.compile(r"/accounts/(2fa/totp/activate|reauthenticate)/"))
    if "/accounts/reauthenticate/" in page.url:
        # allauth asks for the password before a factor is added unless the person typed it
        # moments ago (accounts.mfa); signing up does not count.
        page.locator('[name="password"]').fill(person.password)
        person.shot("password-again", "Confirms the password first", "تأیید گذرواژه")
        page.locator('[name="password"]').press("Enter")
    expect(page).to_have_url(re.compile(r"/accounts/2fa/totp/activate/"))
    person.app = AuthenticatorApp(page.locator("#authenticator_secret").input_value())
    page.locator('[name="code"]').fill(person.app.code())
    person.shot(
        "totp", "Turns on two-factor sign-in with an authenticator app", "فعال‌سازی ورود دومرحله‌ای"
    )
    person.button("Turn on").click()
    expect(page).to_have_url(re.compile(r"/accounts/2fa/recovery-codes/"))
    person.shot("recovery-codes", "Keeps the recovery codes", "کدهای بازیابی")
    page.get_by_test_id("after-enrolment").click()


def follow_sms_link(person: Person, mobile: str, path: str) -> None:
    """Open the link of the last SMS to `mobile`, whose path matches the regex `path`, as the
    person taps it on their phone (the live server's address stands in for SITE_URL's)."""
    body = sms_sent_to(mobile).body
    link = re.search(rf"https?://\S+?({path})", body)
    assert link, f"no link to {path} in {body!r}"
    person.page.goto(link.group(1))
