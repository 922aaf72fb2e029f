"""In a real browser, English, a 1366 px desktop: an invited staff member goes from the texted
link to their first lookup in one guided flow, typing the password once; and the panel's
navigation fits on one line."""

import datetime
import re

import pytest
from playwright.sync_api import Page, expect

import portal.sms
from accounts.identity.backends import locmem as identity_service
from agencies import services
from agencies.models import AgencyKind, MembershipRole
from agencies.scopes import Scope
from inquiries.models import CoveragePeriod, InsuredPerson
from tests.accounts.conftest import totp_code
from tests.agencies.conftest import add_member, enrol_totp
from tests.agencies.factories import MouFactory, national_code
from tests.e2e.conftest import ARTIFACTS_DIR
from tests.e2e.support import field, path_is
from tests.e2e.test_agency_onboarding import sign_in

WIDE_DESKTOP = {"viewport": {"width": 1366, "height": 768}}
pytestmark = [
    pytest.mark.browser,
    pytest.mark.browser_context(**WIDE_DESKTOP, locale="en-US"),
    pytest.mark.django_db(transaction=True),
]
NEWCOMER_MOBILE = "+989350000101"
NEW_PASSWORD = "a long synthetic passphrase 7"
LOOKED_UP = "0010000011"


def court_with_admin(committee_reviewer, operator, agency_admin):
    mou = MouFactory.create(
        recorded_by=committee_reviewer,
        agency__kind=AgencyKind.JUDICIAL,
        agency__name="Synthetic Family Court",
        scopes=[Scope.COVERAGE_FLAG, Scope.COVERAGE_SUMMARY],
        valid_from=datetime.date(2020, 1, 1),
        valid_until=datetime.date(2099, 1, 1),
    )
    secret = enrol_totp(agency_admin)
    add_member(agency_admin, mou.agency, MembershipRole.ADMIN, operator)
    return mou, secret


def invitation_path(mou, agency_admin, operator) -> str:
    identity_service.register(national_code(101), NEWCOMER_MOBILE)
    staff_list = services.submit_staff_list(
        agency=mou.agency,
        submitted_by=agency_admin,
        rows=[
            {
                "national_code": national_code(101),
                "first_name": "Nima",
                "last_name": "Synthetic",
                "position": "Clerk",
                "mobile": NEWCOMER_MOBILE,
                "email": "nima@court.example",
            }
        ],
    )
    services.grant_staff_list(staff_list=staff_list, operator=operator)
    sms = next(s for s in portal.sms.outbox if s.to == NEWCOMER_MOBILE)
    match = re.search(r"https?://[^\s]+(/agencies/invitations/[^/\s]+/)", sms.body)
    assert match, sms.body
    return match.group(1)


def assert_nav_fits(page: Page, name: str) -> None:
    """Every link and button of the header's navigation whole on the screen: none folded onto
    two lines, at most two rows of them, and the page not pushed sideways; and a picture of it
    to look at."""
    nav = page.locator("nav.portal-navbar")
    ARTIFACTS_DIR.mkdir(exist_ok=True)
    nav.screenshot(path=ARTIFACTS_DIR / f"{name}.png")
    boxes = [item.bounding_box() for item in nav.locator(".nav-link:visible").all()]
    assert len(boxes) >= 6
    tops = {round(box["y"]) for box in boxes if box}
    heights = {round(box["height"]) for box in boxes if box}
    line = page.evaluate(
        "parseFloat(getComputedStyle(document.querySelector('.portal-navbar .nav-link'))"
        ".lineHeight)"
    )
    assert len(tops) <= 2, f"the navigation wraps onto {len(tops)} rows: {sorted(tops)}"
    assert max(heights) < 2 * line, f"a link is folded onto two lines: heights {sorted(heights)}"
    wider = page.evaluate("document.scrollingElement.scrollWidth - window.innerWidth")
    assert wider <= 0, f"the navigation pushes the page {wider} px sideways"


def test_an_invited_staff_member_reaches_the_first_lookup_with_one_password(
    page, committee_reviewer, operator, agency_admin, citizen
):
    person = InsuredPerson.objects.create(
        national_code=LOOKED_UP,
        first_name="Sara",
        last_name="Ahmadi",
        birth_date=datetime.date(1990, 3, 21),
        gender="F",
    )
    CoveragePeriod.objects.create(
        person=person,
        workshop_code="5500111",
        workshop_name="Synthetic Bakery Co",
        coverage_kind="mandatory",
        start_date=datetime.date(2019, 2, 1),
        days=2000,
    )
    mou, _ = court_with_admin(committee_reviewer, operator, agency_admin)
    link = invitation_path(mou, agency_admin, operator)

    visited: list[str] = []
    page.on(
        "framenavigated",
        lambda frame: visited.append(frame.url) if frame == page.main_frame else None,
    )
    steps = 0

    # 1. The link from the SMS: choose a password (the only direct address in this test).
    page.goto(link)
    field(page, "new_password1").fill(NEW_PASSWORD)
    field(page, "new_password2").fill(NEW_PASSWORD)
    page.locator("main form [type=submit]").click()
    steps += 1

    # 2. Straight to two-factor set-up: scan (here: read) the key, type the app's code.
    expect(page).to_have_url(path_is("/accounts/2fa/totp/activate/"))
    secret = page.locator("#authenticator_secret").input_value()
    field(page, "code").fill(totp_code(secret))
    page.locator("main form [type=submit]").click()
    steps += 1

    # 3. The recovery codes, and the way on to the panel.
    expect(page).to_have_url(path_is("/accounts/2fa/recovery-codes/"))
    page.locator('[data-testid="after-enrolment"]').click()
    steps += 1
    expect(page).to_have_url(path_is("/gov/"))
    assert_nav_fits(page, "gov-nav-staff-1366-en")

    # 4. The panel's status inquiry, and the first lookup.
    page.locator("#main").get_by_role("link", name="Status inquiry").click()
    steps += 1
    expect(page).to_have_url(path_is("/gov/inquiry/"))
    expect(page.locator('select[name="purpose"]')).to_have_value("")
    field(page, "national_code").fill(LOOKED_UP)
    page.select_option('select[name="purpose"]', "judicial_case")
    field(page, "case_reference").fill("1404-FAM-7")
    page.locator("main form [type=submit]").click()
    steps += 1
    expect(page.locator('[data-testid="lookup-result"]')).to_be_visible()

    assert steps == 5
    # No sign-in page, no SMS code, no second password prompt on the way.
    assert not [url for url in visited if "/accounts/login/" in url]
    assert not [url for url in visited if "/reauthenticate/" in url]
    assert not [url for url in visited if "/accounts/phone/" in url]
    password_pages = [url for url in visited if "/agencies/invitations/" in url]
    assert len(set(password_pages)) == 1
    ARTIFACTS_DIR.mkdir(exist_ok=True)
    page.screenshot(path=ARTIFACTS_DIR / "first-lookup-1366-en.png", full_page=True)


@pytest.mark.parametrize("language", ["en", "fa"])
def test_the_agency_admins_navigation_fits_the_screen_at_1366(
    page, context, live_server, committee_reviewer, operator, agency_admin, language
):
    _, secret = court_with_admin(committee_reviewer, operator, agency_admin)
    context.add_cookies([{"name": "django_language", "value": language, "url": live_server.url}])
    sign_in(page, agency_admin, secret)
    page.goto("/gov/")
    expect(page.locator("html")).to_have_attribute("lang", language)
    assert_nav_fits(page, f"gov-nav-admin-1366-{language}")
