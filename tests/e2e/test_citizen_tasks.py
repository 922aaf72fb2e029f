"""A citizen on a phone, in Persian, goes from the dashboard to a certificate and revokes it,
confirming first: the whole way by the buttons a person sees, no URL typed after signing in.
Screenshots of each step are kept in the test's temporary directory."""

import re

import pytest
from django.urls import reverse
from playwright.sync_api import Page, expect

from documents.models import Certificate
from portal.digits import to_persian_digits
from tests.conftest import PASSWORD
from tests.documents.conftest import citizen_record  # noqa: F401 - a fixture
from tests.e2e.support import field, open_menu, path_is, submit_button


@pytest.mark.usefixtures("citizen_record")
def test_from_the_dashboard_to_a_certificate_and_a_confirmed_revocation(
    page: Page, citizen, tmp_path
):
    page.goto(reverse("account_login"))
    field(page, "login").press_sequentially(to_persian_digits(citizen.national_code))
    field(page, "password").fill(PASSWORD)
    field(page, "password").press("Enter")
    expect(page).to_have_url(path_is(reverse("accounts:dashboard")))
    # Greeted by the registry's name, not the one typed at sign-up (Sara Ahmadi).
    expect(page.locator("p.lead")).to_contain_text("سارا احمدی")
    page.screenshot(path=tmp_path / "1-dashboard.png", full_page=True)

    open_menu(page)
    # Bootstrap marks the menu "show" once it has finished unfolding.
    expect(page.locator("#portal-nav")).to_have_class(re.compile(r"\bshow\b"))
    expect(page.locator("#portal-nav").get_by_role("link", name="گواهی‌های من")).to_be_visible()
    page.screenshot(path=tmp_path / "2-menu.png")

    page.get_by_test_id("start-tasks").get_by_role("link", name="صدور گواهی").click()
    expect(page).to_have_url(path_is(reverse("documents:certificate_new")))
    page.screenshot(path=tmp_path / "3-new.png", full_page=True)
    submit_button(page, "note").click()

    certificate = Certificate.objects.get(holder=citizen)
    detail = reverse("documents:certificate_detail", args=[certificate.number])
    expect(page).to_have_url(path_is(detail))
    page.screenshot(path=tmp_path / "4-certificate.png", full_page=True)

    page.get_by_role("link", name="ابطال این گواهی").click()
    expect(page).to_have_url(
        path_is(reverse("documents:certificate_revoke", args=[certificate.number]))
    )
    expect(page.get_by_role("heading", level=1)).to_have_text("آیا این گواهی ابطال شود؟")
    page.screenshot(path=tmp_path / "5-confirm.png", full_page=True)
    certificate.refresh_from_db()
    assert certificate.revoked_at is None, "the confirmation page revoked already"

    page.get_by_role("button", name="بله، گواهی ابطال شود").click()
    expect(page).to_have_url(path_is(detail))
    expect(page.get_by_role("status").or_(page.get_by_role("alert")).first).to_contain_text(
        re.compile("باطل")
    )
    page.screenshot(path=tmp_path / "6-revoked.png", full_page=True)
    certificate.refresh_from_db()
    assert certificate.revoked_at is not None
