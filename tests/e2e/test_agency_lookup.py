"""In a real browser: a court's staff member signs in with TOTP and looks a person up within
the MoU's scopes; then that person signs in, reads their status, and finds the lookup in
"who looked at my data"."""

import datetime

import pytest
from playwright.sync_api import expect

from agencies.models import AgencyKind
from agencies.scopes import Scope
from inquiries.models import CoveragePeriod, DisclosureRecord, InsuredPerson
from portal.digits import to_persian_digits
from tests.agencies.conftest import add_member, enrol_totp
from tests.agencies.factories import MouFactory
from tests.e2e.support import DESKTOP, field, path_is, submit_button
from tests.e2e.test_agency_onboarding import sign_in, sign_out

pytestmark = [
    pytest.mark.browser,
    pytest.mark.browser_context(**DESKTOP, locale="en-US"),
    pytest.mark.django_db(transaction=True),
]
WORKSHOP = "Synthetic Bakery Co"


def test_a_staff_lookup_and_the_citizen_reading_status_and_disclosures(
    page, citizen, agency_staff, committee_reviewer, operator
):
    person = InsuredPerson.objects.create(
        national_code=citizen.national_code,
        first_name="Sara",
        last_name="Ahmadi",
        birth_date=citizen.birth_date,  # the account is bound to this person
        gender="F",
    )
    CoveragePeriod.objects.create(
        person=person,
        workshop_code="5500111",
        workshop_name=WORKSHOP,
        coverage_kind="mandatory",
        start_date=datetime.date(2019, 2, 1),
        days=2000,
    )
    mou = MouFactory.create(
        recorded_by=committee_reviewer,
        agency__kind=AgencyKind.JUDICIAL,
        agency__name="Synthetic Family Court",
        scopes=[Scope.COVERAGE_FLAG, Scope.COVERAGE_SUMMARY],
        valid_from=datetime.date(2020, 1, 1),
        valid_until=datetime.date(2099, 1, 1),
    )
    secret = enrol_totp(agency_staff)
    add_member(agency_staff, mou.agency, "staff", operator)

    # The court's staff member signs in with TOTP and opens the inquiry from the panel.
    sign_in(page, agency_staff, secret)
    page.goto("/gov/")
    page.locator("#main").get_by_role("link", name="Status inquiry").click()
    expect(page).to_have_url(path_is("/gov/inquiry/"))

    # Without a case reference the court is asked for one, next to the field.
    field(page, "national_code").fill(citizen.national_code)
    page.select_option('select[name="purpose"]', "judicial_case")
    submit_button(page, "national_code").click()
    expect(page.locator("#id_case_reference_error")).to_contain_text("case reference")
    assert not DisclosureRecord.objects.exists()

    # Persian digits are fine; the answer shows what the MoU allows, and no workshop.
    field(page, "national_code").fill(to_persian_digits(citizen.national_code))
    page.select_option('select[name="purpose"]', "judicial_case")
    field(page, "case_reference").fill("1404/FC/88")
    submit_button(page, "national_code").click()
    result = page.locator('[data-testid="lookup-result"]')
    expect(result).to_contain_text("Insured today")
    expect(result).to_contain_text("Mandatory, since 2019-02-01")
    assert WORKSHOP not in page.content() and "Ahmadi" not in page.content()
    assert citizen.national_code not in page.url
    assert DisclosureRecord.objects.get().case_reference == "1404/FC/88"

    page.get_by_role("link", name="Our agency's history").first.click()
    expect(page.locator('[data-testid="history"]')).to_contain_text("1404/FC/88")
    sign_out(page)

    # The citizen reads their status, then who looked at their data.
    sign_in(page, citizen)
    page.goto("/me/")
    main = page.locator("#main")
    main.get_by_role("link", name="See my insurance status").click()
    expect(page.locator("main")).to_contain_text(WORKSHOP)
    main.get_by_role("link", name="Who looked at my data").first.click()
    table = page.locator('[data-testid="disclosures"]')
    expect(table).to_contain_text("Synthetic Family Court")
    expect(table).to_contain_text("Direct inquiry")
    expect(table).to_contain_text("A judicial or quasi-judicial case")
    expect(table).to_contain_text("Insured now (yes/no)")
    assert "1404/FC/88" not in page.content()
