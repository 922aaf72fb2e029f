"""A citizen's pages on a 375 px phone: nothing scrolls sideways, and the tables of periods,
disclosures and certificates become one card per row, in Persian and in English; so do an agency
panel's answer and history."""

import datetime
import io

import pytest
from django.conf import settings
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from playwright.sync_api import BrowserContext, Page

from accounts.demo import demo_user
from agencies.models import AgencyKind, MembershipRole
from agencies.scopes import Scope
from documents.models import Certificate
from inquiries.models import CoveragePeriod, InsuredPerson
from tests.agencies.conftest import add_member, enrol_totp
from tests.agencies.factories import MouFactory
from tests.e2e.conftest import ARTIFACTS_DIR
from tests.e2e.support import field, submit_button
from tests.e2e.test_agency_onboarding import sign_in

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    pytest.mark.browser_context(viewport={"width": 375, "height": 740}),
]

SCREENSHOTS = ARTIFACTS_DIR / "phone-375"


@pytest.fixture
def certificate(settings, tmp_path) -> Certificate:
    settings.MEDIA_ROOT = tmp_path / "media"
    call_command("seed_demo", stdout=io.StringIO())
    return Certificate.objects.get(holder=demo_user("citizen"))


def signed_in(context: BrowserContext, live_server, language: str) -> None:
    client = Client()
    client.force_login(demo_user("citizen"))
    context.add_cookies(
        [
            {
                "name": settings.SESSION_COOKIE_NAME,
                "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
                "url": live_server.url,
            },
            {"name": settings.LANGUAGE_COOKIE_NAME, "value": language, "url": live_server.url},
        ]
    )


def citizen_pages(certificate: Certificate) -> list[str]:
    return [
        "/me/",
        "/me/status/",
        "/me/certificates/",
        "/me/certificates/new/",
        reverse("documents:certificate_detail", args=[certificate.number]),
        "/me/inbox/",
        "/me/disclosures/",
        "/me/identity/",
        "/agencies/apply/",
        "/agencies/requests/",
        "/accounts/password/change/",
        "/accounts/sessions/",
        "/accounts/2fa/",
    ]


def sideways_overflow(page: Page) -> int:
    """How many pixels the page is wider than the screen (0: no sideways scrolling)."""
    return page.evaluate("document.scrollingElement.scrollWidth - window.innerWidth")


def rows_are_cards(page: Page, testid: str) -> bool:
    """Each row as wide as the table and its cells stacked, one below the other."""
    return page.evaluate(
        """(testid) => {
            const table = document.querySelector(`[data-testid="${testid}"]`);
            const row = table.querySelector("tbody tr");
            const cells = [...row.querySelectorAll("td")].map((c) => c.getBoundingClientRect());
            const header = table.querySelector("thead").getBoundingClientRect();
            const stacked = cells.every((c, i) => i === 0 || c.top >= cells[i - 1].bottom - 1);
            return stacked && header.height <= 1
                && row.getBoundingClientRect().width >= table.getBoundingClientRect().width - 1;
        }""",
        testid,
    )


@pytest.mark.parametrize("language", ["fa", "en"])
def test_no_page_of_the_citizen_scrolls_sideways_on_a_phone(
    context, page, live_server, certificate, language
):
    signed_in(context, live_server, language)
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    overflowing = {}
    for path in citizen_pages(certificate):
        response = page.goto(path)
        assert response is not None and response.status == 200, path
        name = path.strip("/").replace("/", "_") or "home"
        page.screenshot(path=str(SCREENSHOTS / f"{language}-{name}.png"), full_page=True)
        if (extra := sideways_overflow(page)) > 0:
            overflowing[path] = extra
    assert overflowing == {}, f"pages wider than a 375 px phone (extra pixels): {overflowing}"


@pytest.mark.parametrize("language", ["fa", "en"])
@pytest.mark.parametrize(
    ("path", "testid"),
    [
        ("/me/status/", "periods"),
        ("/me/disclosures/", "disclosures"),
        ("/me/certificates/", "certificates"),
    ],
)
def test_the_tables_show_as_cards_on_a_phone(
    context, page, live_server, certificate, language, path, testid
):
    signed_in(context, live_server, language)
    page.goto(path)
    assert rows_are_cards(page, testid), f"{path}: rows are not cards"
    assert sideways_overflow(page) <= 0


def test_the_cards_are_tables_again_on_a_desktop(context, page, live_server, certificate):
    signed_in(context, live_server, "en")
    page.set_viewport_size({"width": 1280, "height": 800})
    page.goto("/me/status/")
    assert not rows_are_cards(page, "periods")


@pytest.mark.parametrize("language", ["fa", "en"])
def test_an_agency_admins_lookup_and_history_fit_a_phone(
    context, page, live_server, citizen, agency_staff, committee_reviewer, operator, language
):
    """The panel's answer (its periods) and the agency's history, the widest table (an admin
    sees the staff member's column too), are cards on a phone as well."""
    person = InsuredPerson.objects.create(
        national_code=citizen.national_code,
        first_name="Sara",
        last_name="Ahmadi",
        birth_date=citizen.birth_date,
        gender="F",
    )
    for start, workshop in (
        (datetime.date(2012, 3, 1), "5500111"),
        (datetime.date(2019, 2, 1), "5500222"),
    ):
        CoveragePeriod.objects.create(
            person=person,
            workshop_code=workshop,
            workshop_name="Synthetic Bakery Co",
            coverage_kind="mandatory",
            start_date=start,
            days=700,
        )
    mou = MouFactory.create(
        recorded_by=committee_reviewer,
        agency__kind=AgencyKind.JUDICIAL,
        scopes=list(Scope.values),
        valid_from=datetime.date(2020, 1, 1),
        valid_until=datetime.date(2099, 1, 1),
    )
    secret = enrol_totp(agency_staff)
    add_member(agency_staff, mou.agency, MembershipRole.ADMIN, operator)
    context.add_cookies(
        [{"name": settings.LANGUAGE_COOKIE_NAME, "value": language, "url": live_server.url}]
    )
    sign_in(page, agency_staff, secret)
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)

    page.goto("/gov/inquiry/")
    field(page, "national_code").fill(citizen.national_code)
    page.select_option('select[name="purpose"]', "judicial_case")
    field(page, "case_reference").fill("1404/FC/88")
    submit_button(page, "national_code").click()
    page.locator('[data-testid="lookup-periods"]').wait_for()
    page.screenshot(path=str(SCREENSHOTS / f"{language}-gov-inquiry.png"), full_page=True)
    assert rows_are_cards(page, "lookup-periods")
    assert sideways_overflow(page) <= 0

    page.goto("/gov/history/")
    page.screenshot(path=str(SCREENSHOTS / f"{language}-gov-history.png"), full_page=True)
    assert rows_are_cards(page, "history")
    assert sideways_overflow(page) <= 0
