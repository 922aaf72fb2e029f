"""In Chromium at 1366 px, the committee's MoU list shows every column: the last one is not
cut off (in Persian the columns run right to left, so the last is the leftmost), and the page
does not scroll sideways; the committee's queue on the admin's home page reads on a laptop and
a phone."""

import datetime
import re

import pytest
from django.conf import settings
from django.test import Client
from playwright.sync_api import BrowserContext, Page, expect

from agencies import services
from agencies.admin.mous import MouAdmin
from agencies.models import MembershipRole
from agencies.scopes import Scope
from tests.agencies.conftest import add_member, enrol_totp
from tests.agencies.factories import AgencyFactory, MouFactory, details, national_code
from tests.e2e.conftest import ARTIFACTS_DIR

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

LAPTOP = {"width": 1366, "height": 768}
PHONE = {"width": 375, "height": 740}


def sign_in(context: BrowserContext, live_server, user, language: str | None = None) -> None:
    """The user's session in the browser, and the page language chosen if `language` is given."""
    enrol_totp(user)
    client = Client()
    client.force_login(user)
    cookies = {settings.SESSION_COOKIE_NAME: client.cookies[settings.SESSION_COOKIE_NAME].value}
    if language:
        cookies[settings.LANGUAGE_COOKIE_NAME] = language
    context.add_cookies(
        [{"name": name, "value": value, "url": live_server.url} for name, value in cookies.items()]
    )


def column_edges(page: Page) -> list[dict[str, float]]:
    return page.eval_on_selector_all(
        "#result_list thead th",
        "cells => cells.map(c => { const r = c.getBoundingClientRect();"
        " return {left: r.left, right: r.right}; })",
    )


@pytest.mark.parametrize("language", ["fa", "en"])
def test_the_mou_lists_last_column_is_within_the_viewport_at_1366px(
    context, page, live_server, committee_reviewer, language
):
    for serial in range(3):
        MouFactory.create(
            recorded_by=committee_reviewer,
            agency=AgencyFactory.create(
                name=f"Synthetic Provincial Social Welfare and Relief Organization {serial}"
            ),
            number=f"1404/MOU/LONG-NUMBER-{serial:04d}",
            valid_until=datetime.date(2099, 1, 1),
            scopes=[Scope.COVERAGE_FLAG],
        )
    sign_in(context, live_server, committee_reviewer, language)
    page.set_viewport_size(LAPTOP)
    page.goto("/admin/agencies/mou/")
    page.wait_for_selector("#result_list")
    ARTIFACTS_DIR.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS_DIR / f"admin-mou-list-1366-{language}.png"))
    edges = column_edges(page)
    assert len(edges) == len(MouAdmin.list_display)
    # The list scrolls inside its box; what matters is what that box shows.
    box = page.eval_on_selector(
        "#changelist-form .results",
        "b => { const r = b.getBoundingClientRect();"
        " return {left: r.left, right: r.right, scroll: b.scrollWidth, client: b.clientWidth}; }",
    )
    last = edges[-1]
    if language == "fa":
        assert last["left"] >= box["left"] - 1, f"the last column starts at {last}, box {box}"
    else:
        assert last["right"] <= box["right"] + 1, f"the last column ends at {last}, box {box}"
    assert box["scroll"] <= box["client"] + 1, f"the list scrolls sideways: {box}"
    width = page.evaluate("document.documentElement.clientWidth")
    assert page.evaluate("document.documentElement.scrollWidth") <= width


@pytest.mark.browser_context(viewport=LAPTOP, locale="en-US")
def test_the_request_page_frames_the_letter_without_breaking_the_csp(
    context, page, live_server, committee_reviewer, citizen
):
    access_request = services.submit_request(applicant=citizen, details=details())
    refusals: list[str] = []
    page.on(
        "console",
        lambda message: (
            refusals.append(message.text)
            if "Content Security Policy" in message.text or "Refused" in message.text
            else None
        ),
    )
    sign_in(context, live_server, committee_reviewer)
    page.goto(f"/admin/agencies/accessrequest/{access_request.pk}/change/")
    summary = page.locator("#request-summary")
    expect(summary).to_contain_text("The foundation's statute, article 5.")
    letter = summary.locator("iframe.request-letter")
    expect(letter).to_be_visible()
    with page.expect_response(lambda r: r.url.endswith("/letter/")) as framed:
        page.reload()
    assert framed.value.status == 200
    # Chromium's PDF viewer may report the frame's response without its headers: ask for the
    # letter as the frame does, with the reviewer's session.
    assert context.request.get(framed.value.url).headers["content-type"] == "application/pdf"
    page.wait_for_timeout(500)
    assert not refusals, refusals


@pytest.mark.parametrize(
    ("viewport", "language"), [(LAPTOP, "en"), (LAPTOP, "fa"), (PHONE, "fa"), (PHONE, "en")]
)
def test_the_committees_queue_reads_on_a_laptop_and_a_phone(
    context, page, live_server, committee_reviewer, citizen, viewport, language
):
    """Its column headers stay on one line (Django's dashboard gave each th the whole width, and
    "Requests" stood a letter a line), and on a phone the counts stay in view."""
    services.submit_request(applicant=citizen, details=details())
    sign_in(context, live_server, committee_reviewer, language)
    page.set_viewport_size(viewport)
    page.goto("/admin/")
    page.wait_for_selector("#committee-queue-requests")
    ARTIFACTS_DIR.mkdir(parents=True, exist_ok=True)
    page.screenshot(
        path=str(ARTIFACTS_DIR / f"admin-queue-{viewport['width']}-{language}.png"), full_page=True
    )
    line = page.eval_on_selector("#committee-queue td", "c => c.getBoundingClientRect().height")
    headers = page.eval_on_selector_all(
        "#committee-queue thead th", "cells => cells.map(c => c.getBoundingClientRect().height)"
    )
    assert len(headers) == 3 + 5
    assert max(headers) < line, f"a column header wraps: {headers}, a row {line}"
    counts = page.eval_on_selector_all(
        "#committee-queue table:first-of-type td",
        "cells => cells.map(c => { const r = c.getBoundingClientRect();"
        " return {left: r.left, right: r.right}; })",
    )
    width = page.evaluate("document.documentElement.clientWidth")
    assert all(cell["left"] >= 0 and cell["right"] <= width for cell in counts), counts


@pytest.mark.browser_context(viewport=LAPTOP)
def test_the_admins_own_scripts_write_persian_digits_on_a_persian_page(
    context, page, live_server, committee_reviewer, operator, agency_admin
):
    """Django's actions.js rewrites "0 of 1 selected" as the page loads and as rows are ticked;
    the server's Persian digits must not turn ASCII under it."""
    mou = MouFactory.create(recorded_by=committee_reviewer, valid_until=datetime.date(2099, 1, 1))
    add_member(agency_admin, mou.agency, MembershipRole.ADMIN, operator)
    services.submit_staff_list(
        agency=mou.agency,
        submitted_by=agency_admin,
        rows=[
            {
                "national_code": national_code(102),
                "first_name": "Sima",
                "last_name": "Synthetic",
                "position": "Clerk",
                "mobile": "+989350000102",
                "email": "",
            }
        ],
    )
    sign_in(context, live_server, operator, "fa")
    page.goto("/admin/agencies/stafflist/")
    counter = page.locator("#changelist-form .action-counter")
    expect(counter).to_have_text(re.compile(r"^\s*۰ از ۱ "))
    page.locator("#result_list input.action-select").first.check()
    expect(counter).to_have_text(re.compile(r"^\s*۱ از ۱ "))
