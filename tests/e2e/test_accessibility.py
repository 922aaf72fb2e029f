"""The main pages of each role pass axe-core with no serious or critical violation, in Persian (on
a phone, right to left) and in English (on a desktop), and the sign-in form and the panel's
inquiry work with the keyboard alone.

axe-core is vendored in tests/e2e/vendor/ (see its README). It is injected as an init script
(Chrome DevTools' "evaluate on new document"), which the page's Content-Security-Policy does not
govern; so the pages are audited under their real CSP, and any CSP violation in the console
fails the test too.
"""

import io
import json
import re
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import cast

import pytest
from django.conf import settings
from django.core.management import call_command
from django.test import Client
from playwright.sync_api import BrowserContext, Page, ViewportSize, expect

from accounts.demo import DEMO_USERS, demo_user
from documents.demo import demo_access_code
from documents.models import Certificate
from tests.e2e.conftest import ARTIFACTS_DIR
from tests.e2e.support import DESKTOP, PHONE, path_is
from tests.e2e.test_agency_onboarding import totp_code

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

AXE = Path(__file__).resolve().parent / "vendor" / "axe-core" / "axe.min.js"
FAILING_IMPACTS = {"serious", "critical"}
# Each language on the device its users most often hold: Persian right to left on a phone,
# English on a desktop (where the navigation is unfolded and audited too).
LANGUAGES = {
    "fa": cast(ViewportSize, PHONE["viewport"]),
    "en": cast(ViewportSize, DESKTOP["viewport"]),
}

# What the audits found, for the figures in docs/security-headers.md.
FIGURES: dict[str, Counter] = {"pages": Counter(), "violations": Counter(), "rules": Counter()}


@pytest.fixture(scope="module", autouse=True)
def _report_figures() -> Iterator[None]:
    yield
    if FIGURES["pages"]:
        ARTIFACTS_DIR.mkdir(exist_ok=True)
        summary = {name: dict(counter) for name, counter in FIGURES.items()}
        (ARTIFACTS_DIR / "axe-summary.json").write_text(json.dumps(summary, indent=2))
        print(f"\naxe-core audits: {summary}")


@pytest.fixture
def demo(settings, tmp_path) -> Certificate:
    settings.MEDIA_ROOT = tmp_path / "media"
    call_command("seed_demo", stdout=io.StringIO())
    return Certificate.objects.get(holder=demo_user("citizen"))


# Every page keeps what its Content-Security-Policy blocked, for the test to read.
RECORD_CSP_VIOLATIONS = """
window.cspViolations = [];
document.addEventListener("securitypolicyviolation", (event) => {
    window.cspViolations.push(`${event.violatedDirective} ${event.blockedURI} ${event.sourceFile}`);
});
"""


def csp_violations(page: Page) -> list[str]:
    return page.evaluate("window.cspViolations")


@pytest.fixture
def audited_page(context: BrowserContext, page: Page) -> Page:
    context.add_init_script(path=str(AXE))
    context.add_init_script(script=RECORD_CSP_VIOLATIONS)
    return page


def sign_in_as(context: BrowserContext, live_server, key: str) -> None:
    """Open a session for the demo user `key`, as a finished sign-in would (TOTP included)."""
    client = Client()
    client.force_login(demo_user(key))
    context.add_cookies(
        [
            {
                "name": settings.SESSION_COOKIE_NAME,
                "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
                "url": live_server.url,
            }
        ]
    )


def use_language(context: BrowserContext, page: Page, live_server, language: str) -> None:
    context.add_cookies(
        [{"name": settings.LANGUAGE_COOKIE_NAME, "value": language, "url": live_server.url}]
    )
    page.set_viewport_size(LANGUAGES[language])


def run_axe(page: Page) -> list[dict]:
    return page.evaluate("async () => (await axe.run(document, {resultTypes: ['violations']}))")[
        "violations"
    ]


def audit(page: Page, language: str) -> None:
    """Run axe-core on the page as it is now; fail on a serious or critical violation."""
    expect(page.locator("html")).to_have_attribute("lang", language)
    expect(page.locator("html")).to_have_attribute("dir", "rtl" if language == "fa" else "ltr")
    path = page.url.split("://", 1)[1].split("/", 1)[1]
    violations = run_axe(page)
    FIGURES["pages"][language] += 1
    failing = []
    for violation in violations:
        FIGURES["violations"][violation["impact"]] += 1
        FIGURES["rules"][f"{violation['id']} ({violation['impact']}) /{path} {language}"] += 1
        if violation["impact"] in FAILING_IMPACTS:
            targets = [node["target"] for node in violation["nodes"]][:5]
            failing.append(f"{violation['id']} ({violation['impact']}): {targets}")
    assert not failing, f"/{path} in {language}: {failing}"
    # Nothing sticks out sideways: the layout fits the phone (and the desktop).
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth"), path
    assert csp_violations(page) == [], path


def audit_pages(page: Page, language: str, paths: list[str]) -> None:
    for path in paths:
        response = page.goto(path)
        assert response is not None and response.status == 200, path
        audit(page, language)


def test_the_audit_catches_what_it_should(audited_page):
    # The audits below would prove nothing if axe-core never ran or never failed.
    page = audited_page
    page.goto("/")
    page.evaluate(
        """() => {
            document.querySelector('main').insertAdjacentHTML(
                'beforeend', '<img src="/static/img/favicon.svg"><input type="text">');
        }"""
    )
    impacts = {violation["id"]: violation["impact"] for violation in run_axe(page)}
    assert impacts["image-alt"] == "critical"
    assert impacts["label"] == "critical"
    # And the browser enforces the CSP: an inline style is blocked and recorded.
    page.evaluate(
        """() => document.body.insertAdjacentHTML('beforeend', '<p style="color: red">')"""
    )
    page.wait_for_function("window.cspViolations.length > 0")
    assert csp_violations(page)[0].startswith("style-src")


@pytest.mark.parametrize("language", list(LANGUAGES))
def test_the_public_pages_pass_the_audit(audited_page, context, live_server, demo, language):
    page = audited_page
    use_language(context, page, live_server, language)
    audit_pages(
        page,
        language,
        [
            "/",
            "/accounts/login/",
            "/accounts/signup/",
            "/accounts/password/reset/",
            f"/verify/{demo.number}/",
            "/verify/pdf/",
            "/verify/offline/",
        ],
    )
    # The sign-in form with its error.
    page.goto("/accounts/login/")
    page.locator('[name="login"]').fill(demo.holder_national_code)
    page.locator('[name="password"]').fill("not the password")
    page.locator('main form[method="post"] button[type="submit"]').first.click()
    expect(
        page.locator("main .alert-danger, main .invalid-feedback, main .errorlist").first
    ).to_be_visible()
    audit(page, language)


@pytest.mark.parametrize("language", list(LANGUAGES))
def test_the_citizens_pages_pass_the_audit(audited_page, context, live_server, demo, language):
    sign_in_as(context, live_server, "citizen")
    use_language(context, audited_page, live_server, language)
    audit_pages(
        audited_page,
        language,
        [
            "/me/",
            "/me/status/",
            "/me/certificates/",
            f"/me/certificates/{demo.number}/",
            "/me/certificates/new/",
            "/me/inbox/",
            "/me/disclosures/",
            "/agencies/apply/",
            "/agencies/requests/",
            "/accounts/password/change/",
            "/accounts/2fa/",
            "/accounts/sessions/",
        ],
    )


@pytest.mark.parametrize("language", list(LANGUAGES))
def test_the_panels_pages_pass_the_audit(audited_page, context, live_server, demo, language):
    page = audited_page
    sign_in_as(context, live_server, "agency_staff")
    use_language(context, page, live_server, language)
    audit_pages(page, language, ["/gov/", "/gov/inquiry/", "/gov/history/", "/gov/documents/"])

    # A lookup's answer, and a form with its errors.
    page.goto("/gov/inquiry/")
    page.locator('[name="national_code"]').fill("12")
    page.locator("main form").first.locator("[type=submit]").click()
    expect(page.locator('[name="national_code"]')).to_have_attribute("aria-invalid", "true")
    audit(page, language)
    page.locator('[name="national_code"]').fill(demo.holder_national_code)
    page.select_option('select[name="purpose"]', "benefit_eligibility")
    page.locator("main form").first.locator("[type=submit]").click()
    expect(page.locator('[data-testid="lookup-result"]')).to_be_visible()
    audit(page, language)

    # Document inquiry: the redeemed certificate.
    page.goto("/gov/documents/")
    page.locator('[name="national_code"]').fill(demo.holder_national_code)
    page.locator('[name="access_code"]').fill(demo_access_code(demo))
    page.locator("main form").first.locator("[type=submit]").click()
    page.wait_for_url(re.compile(r"/gov/documents/\d+/$"))
    audit(page, language)


@pytest.mark.parametrize("language", list(LANGUAGES))
def test_the_agency_admins_staff_list_passes_the_audit(
    audited_page, context, live_server, demo, language
):
    sign_in_as(context, live_server, "agency_admin")
    use_language(context, audited_page, live_server, language)
    audit_pages(audited_page, language, ["/gov/", "/gov/staff/"])


def test_the_admin_works_under_the_content_security_policy(
    audited_page, context, live_server, demo
):
    """The Django admin (the committee's and IT's screens) runs its scripts under the CSP."""
    page = audited_page
    sign_in_as(context, live_server, "committee_reviewer")
    page.set_viewport_size(LANGUAGES["en"])
    for path in ["/admin/", "/admin/agencies/accessrequest/", "/admin/agencies/agency/"]:
        response = page.goto(path)
        assert response is not None and response.status == 200, path
        assert csp_violations(page) == [], path
    page.locator("#result_list tbody th a").first.click()
    expect(page.locator("#content-main form")).to_be_visible()
    # The admin's own scripts ran (they define `django`), and nothing was blocked.
    assert page.evaluate("typeof window.django !== 'undefined'")
    assert csp_violations(page) == [], page.url


# --- The keyboard alone ------------------------------------------------------------------------


def tab_to(page: Page, selector: str, *, limit: int = 40) -> None:
    """Press Tab until `selector` has the focus, and check that the focus can be seen."""
    target = page.locator(selector).first
    for _ in range(limit):
        page.keyboard.press("Tab")
        if target.evaluate("element => element === document.activeElement"):
            break
    else:
        raise AssertionError(f"{selector} never got the focus in {limit} presses of Tab")
    assert target.evaluate(
        """element => {
            const style = getComputedStyle(element);
            const outlined = style.outlineStyle !== 'none' && parseFloat(style.outlineWidth) > 0;
            return element.matches(':focus-visible') && (outlined || style.boxShadow !== 'none');
        }"""
    ), f"{selector} has the focus, but nothing shows it"


@pytest.mark.browser_context(**DESKTOP)
def test_a_person_signs_in_with_the_keyboard_alone(page, live_server, demo):
    citizen = next(spec for spec in DEMO_USERS if spec.key == "citizen")
    page.goto("/accounts/login/")
    tab_to(page, '[name="login"]')
    page.keyboard.type(citizen.national_code)
    tab_to(page, '[name="password"]', limit=3)
    page.keyboard.type(citizen.password)
    tab_to(page, 'main form[method="post"] button[type="submit"]', limit=5)
    page.keyboard.press("Enter")
    expect(page).to_have_url(path_is("/me/"))


@pytest.mark.browser_context(**DESKTOP, locale="en-US")
def test_a_staff_member_signs_in_and_looks_a_person_up_with_the_keyboard_alone(
    page, live_server, demo
):
    staff = next(spec for spec in DEMO_USERS if spec.key == "agency_staff")
    page.goto("/accounts/login/")
    tab_to(page, '[name="login"]')
    page.keyboard.type(staff.national_code)
    tab_to(page, '[name="password"]', limit=3)
    page.keyboard.type(staff.password)
    page.keyboard.press("Enter")
    page.wait_for_url("**/2fa/authenticate/**")
    tab_to(page, '[name="code"]')
    page.keyboard.type(totp_code(staff.totp_secret))
    page.keyboard.press("Enter")
    page.wait_for_url(lambda url: "/accounts/" not in url)

    page.goto("/gov/")
    tab_to(page, '#main a[href="/gov/inquiry/"]')
    page.keyboard.press("Enter")
    expect(page).to_have_url(path_is("/gov/inquiry/"))
    tab_to(page, '[name="national_code"]')
    page.keyboard.type(demo.holder_national_code)
    tab_to(page, '[name="purpose"]', limit=3)
    # A closed select takes the first letters of its option, as a person would type them.
    page.keyboard.type("Eligibility")
    expect(page.locator('[name="purpose"]')).to_have_value("benefit_eligibility")
    tab_to(page, '[name="purpose_detail"]', limit=3)
    page.keyboard.type("Support application 42")
    tab_to(page, "main form [type=submit]", limit=5)
    page.keyboard.press("Enter")
    expect(page.locator('[data-testid="lookup-result"]')).to_be_visible()
    expect(page.locator('[data-testid="lookup-result"]')).to_contain_text("Insured today")
