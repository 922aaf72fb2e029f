"""A citizen's pages on a 375 px phone: nothing scrolls sideways, and the tables of periods,
disclosures and certificates become one card per row, in Persian and in English."""

import io

import pytest
from django.conf import settings
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from playwright.sync_api import BrowserContext, Page

from accounts.demo import demo_user
from documents.models import Certificate
from tests.e2e.conftest import ARTIFACTS_DIR

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
