"""A citizen's steps, shared by the citizen's journey and the agency's (whose staff redeem the code
the citizen shares)."""

import datetime
import re
from dataclasses import dataclass

from playwright.sync_api import expect

from accounts.identity.backends import locmem as identity_service
from inquiries.models import CoveragePeriod, InsuredPerson
from tests.agencies.factories import national_code
from tests.e2e.journeys.people import Person
from tests.e2e.support import code_in, field, sms_sent_to


@dataclass(frozen=True)
class RegistryPerson:
    """A synthetic insured person, as the registry and the identity service know them."""

    national_code: str
    first_name: str
    last_name: str
    birth_date: datetime.date
    birth_date_typed: str  # as typed in the sign-up form: Jalali, year/month/day
    mobile_typed: str
    mobile: str  # E.164
    workshop: str


MARYAM = RegistryPerson(
    national_code=national_code(9101),
    first_name="مریم",
    last_name="نمونه‌ای",
    birth_date=datetime.date(1988, 6, 21),
    birth_date_typed="1367/03/31",
    mobile_typed="0912 310 9101",
    mobile="+989123109101",
    workshop="کارگاه نساجی آزمایشی",
)


def in_the_registry(person: RegistryPerson) -> None:
    """The world outside the portal: the organization's registry holds the person's insurance
    history, and the identity service knows their mobile line."""
    registered = InsuredPerson.objects.create(
        national_code=person.national_code,
        first_name=person.first_name,
        last_name=person.last_name,
        birth_date=person.birth_date,
        gender="F",
    )
    CoveragePeriod.objects.create(
        person=registered,
        workshop_code="7700101",
        workshop_name="کارگاه خیاطی نمونه",
        coverage_kind="mandatory",
        start_date=datetime.date(2010, 4, 1),
        end_date=datetime.date(2015, 3, 20),
        days=1800,
    )
    CoveragePeriod.objects.create(
        person=registered,
        workshop_code="7700102",
        workshop_name=person.workshop,
        coverage_kind="mandatory",
        start_date=datetime.date(2015, 5, 1),
        end_date=None,
        days=3700,
    )
    identity_service.register(person.national_code, person.mobile)


def signs_up(citizen: Person, person: RegistryPerson) -> None:
    """From the home page to the dashboard: the sign-up form and the code sent by SMS."""
    page = citizen.page
    page.goto("/")
    citizen.shot("home", "The home page: what the portal is for", "صفحه اصلی")
    citizen.link("Sign up").click()
    expect(citizen.heading("Sign up")).to_be_visible()
    field(page, "username").press_sequentially(citizen.digits(person.national_code))
    field(page, "birth_date").press_sequentially(citizen.digits(person.birth_date_typed))
    field(page, "phone").press_sequentially(citizen.digits(person.mobile_typed))
    field(page, "password1").fill(citizen.password)
    field(page, "password2").fill(citizen.password)
    citizen.shot(
        "sign-up", "Signs up with national code, birth date, mobile and a password", "ثبت‌نام"
    )
    citizen.button("Sign up").click()

    expect(page).to_have_url(re.compile(r"/accounts/phone/verify/"))
    field(page, "code").fill(code_in(sms_sent_to(person.mobile)))
    citizen.shot("phone-code", "Types the code the SMS brought", "کد تأیید پیامکی")
    citizen.button("Confirm").click()
    expect(page).to_have_url(re.compile(r"/me/$"))
    # Greeted by the name the registry holds.
    expect(citizen.main).to_contain_text(f"{person.first_name} {person.last_name}")
    citizen.shot("dashboard", "The dashboard: one button per task", "پیشخوان من")


def reads_status(citizen: Person, person: RegistryPerson) -> None:
    """From the dashboard's start buttons to the insurance status and history."""
    tasks = citizen.page.get_by_test_id("start-tasks")
    citizen.link("See my insurance status", within=tasks).click()
    expect(citizen.main).to_contain_text(person.workshop)
    citizen.shot("status", "Reads their insurance status and history", "وضعیت بیمه‌ای من")


def issues_and_downloads_a_certificate(citizen: Person, note: str) -> None:
    page = citizen.page
    citizen.link("Issue a certificate of this status").click()
    field(page, "note").fill(note)
    citizen.shot("issue", "Issues a certificate of that status", "صدور گواهی")
    citizen.button("Issue the certificate").click()

    download_link = citizen.link("Download the PDF")
    # The PDF is made by a task; the page waits for it and then offers it.
    expect(download_link).to_be_visible(timeout=30_000)
    citizen.shot("certificate", "The certificate, its PDF ready", "گواهی صادرشده")
    with page.expect_download() as download:
        download_link.click()
    assert re.fullmatch(r"certificate-\w+\.pdf", download.value.suggested_filename)
    with open(download.value.path(), "rb") as pdf:
        assert pdf.read(5) == b"%PDF-"


def shares_the_code(citizen: Person, person: RegistryPerson) -> str:
    """Moves the certificate to the personal inbox and gets the access code to give the agency."""
    page = citizen.page
    citizen.link("Move to my inbox").click()
    field(page, "valid_days").fill(citizen.digits("7"))
    field(page, "max_uses").fill(citizen.digits("2"))
    citizen.shot(
        "to-inbox",
        "Moves it to the personal inbox: how long and how often the code works",
        "انتقال به صندوق شخصی",
    )
    citizen.button("Move to my inbox and make the code").click()

    shown = page.locator("[data-access-code]")
    expect(shown).to_have_text(re.compile(r"^[A-Z2-9]{5}-[A-Z2-9]{5}$"))
    code = shown.inner_text()
    assert code in sms_sent_to(person.mobile).body
    citizen.shot(
        "access-code", "The access code to give the agency, also sent by SMS", "رمز بهره‌برداری"
    )
    citizen.link("Go to my inbox").click()
    expect(page.locator('[data-code-state="active"]')).to_be_visible()
    citizen.shot("inbox", "The personal inbox: the code is active", "صندوق شخصی")
    return code
