"""An agency's own system joins: the court's admin asks for it on the panel, the committee's
reviewer finds it waiting on the admin's home page and approves it, the admin is told by SMS,
issues its secret (shown once) and sees its calls; the court's case system gets a token and
inquires; the citizen sees the lookup, naming the system; the admin revokes the system and its
next call is refused.

The court already has its MoU, its admin and a staff member (the agency's journey shows how);
everyone has their authenticator app. Everyone in their own browser; the case system is a
program calling the API over HTTP, as the court's would.
"""

import datetime
import re
from collections.abc import Iterator

import httpx
import pytest
from playwright.sync_api import expect

from accounts.roles import Role
from agencies.models import AgencyKind, ApiClient, ApiClientStatus, MembershipRole
from agencies.scopes import Scope
from inquiries.models import DisclosureChannel, DisclosureRecord
from tests.agencies.conftest import add_member, enrol_totp
from tests.agencies.factories import AgencyFactory, MouFactory, national_code
from tests.conftest import PASSWORD, make_user
from tests.e2e.journeys import agency as steps
from tests.e2e.journeys import citizen
from tests.e2e.journeys.people import (
    ENGLISH_DESKTOP,
    PERSIAN_PHONE,
    AuthenticatorApp,
    Device,
    Person,
    follow_sms_link,
    sign_in,
)
from tests.e2e.support import field

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

ADMIN_MOBILE = "+989350009601"
SYSTEM_NAMES = {"fa": "سامانهٔ مدیریت پرونده‌ها", "en": "Case management system"}
SCOPES = [Scope.COVERAGE_FLAG, Scope.COVERAGE_SUMMARY]


def a_court_with_its_mou(device: Device) -> dict[str, str]:
    """The court as the agency's journey leaves it: an MoU in force, its admin and a clerk."""
    court = steps.COURTS[device.language]
    reviewer = make_user(
        national_code(9611), "+989121119611", Role.COMMITTEE_REVIEWER, is_staff=True
    )
    operator = make_user(national_code(9612), "+989121119612", Role.OPERATOR, is_staff=True)
    today = datetime.date.today()
    mou = MouFactory.create(
        agency=AgencyFactory.create(name=court.name, kind=AgencyKind.JUDICIAL),
        recorded_by=reviewer,
        scopes=SCOPES,
        valid_from=today - datetime.timedelta(days=30),
        valid_until=today + datetime.timedelta(days=730),
    )
    first, last, _position = steps.STAFF_NAMES[device.language]
    admin = make_user(national_code(9601), ADMIN_MOBILE, first_name=court.contact_name)
    clerk = make_user(national_code(9602), "+989350009602", first_name=first, last_name=last)
    for user, role in ((admin, MembershipRole.ADMIN), (clerk, MembershipRole.STAFF)):
        membership = add_member(user, mou.agency, role, operator)
        membership.accepted_at = datetime.datetime.now(tz=datetime.UTC)
        membership.save(update_fields=["accepted_at"])
    return {
        "admin_secret": enrol_totp(admin),
        "reviewer_secret": enrol_totp(reviewer),
        "admin_code": admin.national_code,
        "reviewer_code": reviewer.national_code,
        "clerk_name": f"{first} {last}",
    }


@pytest.fixture
def case_system(live_server) -> Iterator[httpx.Client]:
    """The court's case system: a program calling the API over HTTP. Closed after the journey,
    so the live server's thread for its connection lets go of the test database."""
    with httpx.Client(base_url=live_server.url, timeout=10) as http:
        yield http


@pytest.mark.parametrize("device", [PERSIAN_PHONE, ENGLISH_DESKTOP], ids=lambda d: d.name)
def test_agency_system(device: Device, open_browser, camera, case_system):
    shots = camera(device)
    cast = a_court_with_its_mou(device)

    def person(role: str, code: str, secret: str | None = None) -> Person:
        someone = Person(
            role, open_browser(device), device, shots, national_code=code, password=PASSWORD
        )
        someone.app = AuthenticatorApp(secret) if secret else None
        return someone

    admin = person("agency", cast["admin_code"], cast["admin_secret"])
    reviewer = person("committee", cast["reviewer_code"], cast["reviewer_secret"])
    citizen.in_the_registry(citizen.MARYAM)
    make_user(
        citizen.MARYAM.national_code,
        citizen.MARYAM.mobile,
        Role.CITIZEN,
        birth_date=citizen.MARYAM.birth_date,
    )
    maryam = person("citizen", citizen.MARYAM.national_code)
    system_name = SYSTEM_NAMES[device.language]

    # The admin finds the page of the agency's systems in the panel, and asks for one.
    admin_asks_for_a_system(admin, system_name, cast["clerk_name"])

    # The committee's reviewer sees it waiting on the admin's home page, and approves it.
    page = reviewer.page
    page.goto("/admin/")
    sign_in(reviewer)
    waiting = page.locator("#api-clients-waiting")
    expect(waiting).to_contain_text(system_name)
    reviewer.shot("systems-waiting", "A system waits for approval", "سامانهٔ در انتظار تأیید")
    waiting.get_by_role("link", name=system_name).click()
    page.get_by_role("link", name=reviewer.words("Approve the client")).click()
    page.fill(
        '[name="reasons"]',
        {
            "fa": "دامنه‌ها و نشانی‌ها با تفاهم‌نامه سازگار است.",
            "en": "The scopes and addresses fit the MoU.",
        }[device.language],
    )
    reviewer.shot("approve-system", "Approves the system, with reasons", "تأیید سامانه")
    page.locator('#content [type="submit"]').first.click()
    reviewer.sees("The client's status has been changed.")
    system = ApiClient.objects.get(name=system_name)
    assert system.status == ApiClientStatus.ACTIVE

    # The admin is told by SMS; its link leads back to the page, where the secret is issued.
    follow_sms_link(admin, ADMIN_MOBILE, r"/gov/api-clients/")
    card = admin.page.get_by_test_id("api-client")
    expect(card).to_contain_text(admin.words(ApiClientStatus.ACTIVE.label))
    admin.button("Issue a new secret").click()
    secret = admin.page.get_by_test_id("secret").inner_text()
    # Copied in one tap, rather than selected across two lines on a phone.
    admin.page.context.grant_permissions(["clipboard-read", "clipboard-write"])
    copy = admin.page.get_by_role("button", name=admin.words("Copy the client secret"))
    copy.click()
    expect(admin.page.get_by_test_id("new-secret")).to_contain_text(admin.words("Copied"))
    assert admin.page.evaluate("navigator.clipboard.readText()") == secret
    admin.shot("secret", "Issues the system's secret, shown only once", "رمز سامانه")

    # The court's case system: a token, then an inquiry about the citizen.
    api = case_system
    token = api.post(
        "/api/v1/oauth/token",
        data={"grant_type": "client_credentials"},
        auth=(system.client_id, secret),
    ).json()["access_token"]
    asked = {
        "national_code": citizen.MARYAM.national_code,
        "purpose": "judicial_case",
        "case_reference": "1405/FC/912",
    }
    bearer = {"Authorization": f"Bearer {token}"}
    answer = api.post("/api/v1/inquiries", json=asked, headers=bearer)
    assert answer.status_code == 200, answer.text
    assert answer.json()["result"]["insured_today"] is True
    assert DisclosureRecord.objects.get().channel == DisclosureChannel.API

    # The admin comes back to the page and sees the call counted.
    admin.menu_link("Systems (API)").click()
    today = admin.page.get_by_test_id("api-calls").locator("tbody tr")
    expect(today.locator("td")).to_have_text(
        [re.compile(r"\S"), admin.digits("1"), admin.digits("0")]
    )
    admin.shot("calls", "Sees the system's calls and errors per day", "درخواست‌های سامانه")

    # The citizen sees the lookup, the court and its system named.
    page = maryam.page
    page.goto("/accounts/login/")
    sign_in(maryam)
    maryam.link(
        "Who looked at my data",
        within=page.get_by_role("navigation", name=maryam.words("My account")),
    ).click()
    disclosures = page.get_by_test_id("disclosures")
    expect(disclosures).to_contain_text(steps.COURTS[device.language].name)
    expect(disclosures).to_contain_text(maryam.words(DisclosureChannel.API.label))
    expect(disclosures.get_by_test_id("system")).to_contain_text(system_name)
    maryam.shot(
        "disclosures-api",
        "The citizen sees the court's system among those who looked",
        "استعلام سامانهٔ دادگاه",
    )

    # The admin revokes the system, with a reason; its next call is refused.
    admin.page.get_by_test_id("revoke").locator("summary").click()
    field(admin.page, "reasons").fill(
        {"fa": "سامانه جایگزین شد.", "en": "The system was replaced."}[device.language]
    )
    admin.shot("revoke-system", "Revokes the system, with a reason", "ابطال سامانه")
    admin.button("Revoke for good").click()
    expect(admin.page.get_by_test_id("api-client")).to_contain_text(
        admin.words(ApiClientStatus.REVOKED.label)
    )
    expect(admin.page.get_by_role("status")).to_contain_text(system_name)
    refused = api.post("/api/v1/inquiries", json=asked, headers=bearer)
    assert refused.status_code == 401
    assert refused.headers["Content-Type"] == "application/problem+json"


def admin_asks_for_a_system(admin: Person, system_name: str, clerk_name: str) -> None:
    """From the portal's door to the request for a system, waiting for approval."""
    page = admin.page
    page.goto("/")
    admin.link("Sign in").click()
    sign_in(admin)
    admin.link("Government agencies panel").click()
    expect(page).to_have_url(re.compile(r"/gov/$"))
    admin.menu_link("Systems (API)").click()
    expect(page.get_by_test_id("no-api-clients")).to_be_visible()
    admin.shot("systems", "The panel's page of the agency's own systems (API)", "سامانه‌های متصل")
    field(page, "name").fill(system_name)
    responsible = field(page, "responsible")
    responsible.select_option(
        responsible.locator("option", has_text=clerk_name).get_attribute("value")
    )
    for scope in SCOPES:
        page.check(f'[name="scopes"][value="{scope}"]')
    # The court's server calls from this machine in the test; typed as the admin's keyboard does.
    field(page, "allowed_addresses").fill(admin.digits("127.0.0.1"))
    admin.shot(
        "ask-system",
        "Asks for a system: who answers for it, what it sees, from where",
        "درخواست سامانه",
    )
    admin.button("Send for approval").click()
    card = page.get_by_test_id("api-client")
    expect(card).to_contain_text(system_name)
    expect(card).to_contain_text(admin.words(ApiClientStatus.REQUESTED.label))
    expect(page.get_by_role("status")).to_contain_text(system_name)
    admin.shot("system-waiting", "The system waits for the committee", "در انتظار تأیید کمیته")
