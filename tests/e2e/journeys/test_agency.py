"""An agency's first day, with the committee and IT who let it in: the court applies, a committee
reviewer returns the request with reasons, the court answers, the reviewer approves and records
the MoU, the court's admin sends the staff list, an operator grants it, the staff member accepts
the invitation, looks a citizen up and opens the citizen's certificate with its code; the citizen
sees both; the committee suspends the MoU and the staff member's next click is refused.

Everyone in their own browser, in English on a desktop. The committee's reviewer and IT's
operator have accounts already (operators make them); everyone else starts from nothing. The
registry and the identity service, outside the portal, know the people involved.
"""

import pytest
from playwright.sync_api import expect

from accounts.identity.backends import locmem as identity_service
from accounts.roles import Role
from inquiries.models import DisclosureChannel
from tests.agencies.factories import national_code
from tests.conftest import PASSWORD as CAST_PASSWORD
from tests.conftest import make_user
from tests.e2e.journeys import agency as steps
from tests.e2e.journeys import citizen
from tests.e2e.journeys.people import ENGLISH_DESKTOP, PERSIAN_PHONE, Device, Person

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
PASSWORD = "a long and unusual passphrase 7"


# Both: the Persian phone found what the desktop did not (the admin's queue covering the list of
# models, a framed PDF scrolling the request's page).
@pytest.mark.parametrize("device", [PERSIAN_PHONE, ENGLISH_DESKTOP], ids=lambda d: d.name)
def test_agency(device: Device, open_browser, camera):
    shots = camera(device)

    def person(role: str, code: str, *, pictures: bool = True) -> Person:
        return Person(
            role,
            open_browser(device),
            device,
            shots if pictures else None,
            national_code=code,
            password=PASSWORD,
        )

    court = steps.COURTS[device.language]
    # The committee's reviewer and IT's operator: accounts operators made, no second factor yet.
    names = {
        "fa": (("رضا", "داوری"), ("سمیرا", "فنی")),
        "en": (("Reza", "Davari"), ("Samira", "Fanni")),
    }
    (reviewer_first, reviewer_last), (operator_first, operator_last) = names[device.language]
    make_user(
        national_code(9401),
        "+989121119401",
        Role.COMMITTEE_REVIEWER,
        is_staff=True,
        first_name=reviewer_first,
        last_name=reviewer_last,
    )
    make_user(
        national_code(9402),
        "+989121119402",
        Role.OPERATOR,
        is_staff=True,
        first_name=operator_first,
        last_name=operator_last,
    )
    reviewer = person("committee", national_code(9401))
    reviewer.password = CAST_PASSWORD
    operator = person("operator", national_code(9402))
    operator.password = CAST_PASSWORD
    applicant = person("agency", national_code(9501))
    identity_service.register(applicant.national_code, steps.CONTACT_E164)
    identity_service.register(steps.STAFF_NATIONAL_CODE, steps.STAFF_MOBILE)

    # The citizen whose certificate the court will ask for (their own journey shows these steps).
    citizen.in_the_registry(citizen.MARYAM)
    maryam = person("citizen", citizen.MARYAM.national_code, pictures=False)
    citizen.signs_up(maryam, citizen.MARYAM)
    citizen.reads_status(maryam, citizen.MARYAM)
    citizen.issues_and_downloads_a_certificate(
        maryam, note={"fa": "برای دادگاه خانواده", "en": "For the family court"}[device.language]
    )
    access_code = citizen.shares_the_code(maryam, citizen.MARYAM)

    steps.applicant_applies(applicant, court)
    steps.reviewer_signs_in_the_first_time(reviewer)
    steps.reviewer_returns_the_request(reviewer, court)
    steps.applicant_answers(applicant, court)
    steps.reviewer_approves_and_records_the_mou(reviewer, court)
    steps.agency_admin_sends_the_staff_list(applicant, court)
    steps.operator_grants_the_list(operator)

    staff = person("staff", steps.STAFF_NATIONAL_CODE)
    steps.staff_member_accepts_and_looks_up(staff, maryam.national_code, access_code)

    # The citizen sees the lookup and the redemption.
    maryam.camera = shots
    maryam.link(
        "Who looked at my data",
        within=maryam.page.get_by_role("navigation", name=maryam.words("My account")),
    ).click()
    disclosures = maryam.page.get_by_test_id("disclosures")
    expect(disclosures).to_contain_text(court.name)
    expect(disclosures).to_contain_text(maryam.words(DisclosureChannel.DIRECT_INQUIRY.label))
    expect(disclosures).to_contain_text(maryam.words(DisclosureChannel.CERTIFICATE.label))
    maryam.shot(
        "disclosures",
        "The citizen sees who looked at their data, and why",
        "چه کسانی داده‌های مرا دیده‌اند",
    )

    steps.staff_member_comes_back(staff)
    steps.reviewer_suspends_the_mou(reviewer)

    # The staff member's next click is refused.
    with staff.page.expect_response(lambda response: "/gov/" in response.url) as refusal:
        staff.menu_link("Our agency's history").click()
    assert refusal.value.status == 403
    expect(staff.heading("The government agencies panel is not open to you")).to_be_visible()
    staff.shot(
        "refused", "After the suspension, the panel is closed at the next click", "دسترسی بسته شد"
    )
