"""The steps of an agency's first day and of the committee and IT people who let it in."""

import datetime
import re
from dataclasses import dataclass

import jdatetime
from django.db.models import Model
from playwright.sync_api import FilePayload, Locator, expect

from agencies.models import AccessRequest, Mou, MouStatus, RequestStatus, StaffList
from tests.agencies.factories import PDF_BYTES, legal_id, national_code
from tests.e2e.journeys.people import Person, enrol_totp, follow_sms_link, sign_in
from tests.e2e.support import code_in, field, sms_sent_to
from tests.e2e.test_phone_layout import rows_are_cards


@dataclass(frozen=True)
class Court:
    """What a synthetic court tells the portal about itself, in one language."""

    name: str
    address: str
    purpose: str
    legal_basis: str
    answer: str  # what the court adds when the committee asks for more
    contact_name: str
    contact_position: str


COURTS = {
    "fa": Court(
        name="دادگاه خانواده آزمایشی",
        address="تبریز، خیابان نمونه، پلاک ۴",
        purpose="احراز وضعیت بیمه‌ای طرفین دعاوی نفقه و حضانت.",
        legal_basis="قانون آیین دادرسی مدنی.",
        answer="ماده ۲۹ قانون حمایت خانواده؛ دستور رئیس کل دادگستری استان، پیوست.",
        contact_name="مدیر دفتر آزمایشی",
        contact_position="مدیر دفتر",
    ),
    "en": Court(
        name="Synthetic Family Court",
        address="4 Synthetic Lane, Tabriz",
        purpose="Verifying the insurance status of parties to maintenance and custody cases.",
        legal_basis="Civil procedure law.",
        answer="Article 29 of the Family Protection Act; the provincial chief justice's order.",
        contact_name="Synthetic Registrar",
        contact_position="Registrar",
    ),
}
COURT_LEGAL_ID = legal_id(9201)
CONTACT_MOBILE = "09350009201"
CONTACT_E164 = "+989350009201"
MOU_NUMBER = "1405/T/9201"

STAFF_NATIONAL_CODE = national_code(9301)
STAFF_MOBILE = "+989350009301"
STAFF_MOBILE_TYPED = "09350009301"
STAFF_NAMES = {"fa": ("نیما", "آزمایشی", "کارشناس"), "en": ("Nima", "Synthetic", "Clerk")}


def typed_date(person: Person, day: datetime.date) -> str:
    """A date as the person types it: Jalali in Persian, ISO in English."""
    if person.device.language == "fa":
        return person.digits(jdatetime.date.fromgregorian(date=day).strftime("%Y/%m/%d"))
    return day.isoformat()


def pdf(name: str) -> FilePayload:
    return {"name": name, "mimeType": "application/pdf", "buffer": PDF_BYTES}


def admin_list(person: Person, model: type[Model]) -> Locator:
    """The admin's link to a model's list, as the admin names it (capitalised)."""
    plural = model._meta.verbose_name_plural
    assert plural is not None
    return person.page.get_by_role(
        "link", name=re.compile(re.escape(person.words(plural)), re.IGNORECASE)
    ).first


def applicant_applies(applicant: Person, court: Court) -> None:
    """From the home page's agency steps, through signing up, to the submitted request."""
    page = applicant.page
    page.goto("/")
    applicant.link("The agency declares its need for the inquiry.").click()
    # Applying needs an account: the sign-in page offers to open one.
    applicant.link("Sign up").click()
    field(page, "username").press_sequentially(applicant.digits(applicant.national_code))
    field(page, "birth_date").press_sequentially(applicant.digits("1360/01/15"))
    field(page, "phone").press_sequentially(applicant.digits(CONTACT_MOBILE))
    field(page, "password1").fill(applicant.password)
    field(page, "password2").fill(applicant.password)
    applicant.button("Sign up").click()
    field(page, "code").fill(code_in(sms_sent_to(CONTACT_E164)))
    applicant.button("Confirm").click()
    expect(applicant.heading("Apply for access to insurance-status inquiries")).to_be_visible()

    page.fill('[name="agency_name"]', court.name)
    page.select_option('[name="agency_kind"]', "judicial")
    page.fill('[name="legal_id"]', applicant.digits(COURT_LEGAL_ID))
    page.fill('[name="address"]', court.address)
    page.fill('[name="letter_number"]', applicant.digits("1405/4471"))
    page.fill('[name="letter_date"]', typed_date(applicant, datetime.date.today()))
    page.set_input_files(
        '[name="letter"]',
        files=[pdf("letter.pdf")],
    )
    page.fill('[name="purpose"]', court.purpose)
    page.fill('[name="legal_basis"]', court.legal_basis)
    page.check('[name="scopes"][value="coverage_flag"]')
    page.check('[name="scopes"][value="coverage_summary"]')
    page.fill('[name="monthly_volume"]', applicant.digits("80"))
    page.fill('[name="contact_name"]', court.contact_name)
    page.fill('[name="contact_position"]', court.contact_position)
    page.fill('[name="contact_mobile"]', applicant.digits(CONTACT_MOBILE))
    page.fill('[name="contact_email"]', "registrar@court.example")
    applicant.shot(
        "apply", "Applies for access: the agency, its letter, the data it needs", "درخواست دسترسی"
    )
    applicant.button("Submit the request").click()
    expect(page.get_by_test_id("request-status")).to_have_text(
        applicant.words(RequestStatus.SUBMITTED.label)
    )
    applicant.shot("submitted", "The request is with the committee", "درخواست ثبت شد")


def reviewer_signs_in_the_first_time(reviewer: Person) -> None:
    """The admin's address, the sign-in form, and two-factor set-up on the way."""
    reviewer.page.goto("/admin/")
    sign_in(reviewer)
    enrol_totp(reviewer)
    expect(reviewer.page).to_have_url(re.compile(r"/admin/$"))
    # The admin speaks the reviewer's language, its name included.
    expect(reviewer.page.locator("#site-name")).to_have_text(reviewer.words("e-services portal"))
    reviewer.shot("admin-home", "The committee's admin: what waits on it", "پیشخوان کمیته")


def reviewer_opens_the_request(reviewer: Person, court: Court) -> None:
    page = reviewer.page
    admin_list(reviewer, AccessRequest).click()
    page.get_by_role("link", name=court.name).first.click()


def reviewer_returns_the_request(reviewer: Person, court: Court) -> None:
    page = reviewer.page
    reviewer_opens_the_request(reviewer, court)
    reviewer.shot("request", "Reads the request", "بررسی درخواست")
    page.get_by_role("button", name=reviewer.words("Start review")).click()
    page.get_by_role("link", name=reviewer.words("Decide")).click()
    page.check('[name="outcome"][value="return"]')
    page.fill(
        '[name="reasons"]',
        {
            "fa": "مبنای قانونی دسترسی به سابقه بیمه‌ای طرفین را دقیق ذکر کنید.",
            "en": "Name the exact legal basis for seeing the parties' insurance status.",
        }[reviewer.device.language],
    )
    reviewer.shot("return", "Returns it to the applicant with reasons", "بازگرداندن با دلایل")
    page.get_by_role("button", name=reviewer.words("Record the decision")).click()
    reviewer.sees("The decision is recorded and the applicant told.")


def applicant_answers(applicant: Person, court: Court) -> None:
    """The SMS says the committee has decided; its link leads to the request."""
    page = applicant.page
    follow_sms_link(applicant, CONTACT_E164, r"/agencies/requests/\d+/")
    applicant.shot("returned", "Reads the committee's reasons", "دلایل کمیته")
    applicant.link("Correct and resubmit").click()
    page.fill('[name="legal_basis"]', court.legal_basis + "\n" + court.answer)
    applicant.shot("resubmit", "Answers and resubmits", "پاسخ و ارسال دوباره")
    applicant.button("Resubmit").click()
    applicant.sees("Your request has been resubmitted to the committee.")


def reviewer_approves_and_records_the_mou(reviewer: Person, court: Court) -> None:
    page = reviewer.page
    page.get_by_role("link", name=reviewer.words("Home")).first.click()
    reviewer_opens_the_request(reviewer, court)
    expect(reviewer.main).to_contain_text(court.answer)
    start = page.get_by_role("button", name=reviewer.words("Start review"))
    if start.count():
        start.click()
    page.get_by_role("link", name=reviewer.words("Decide")).click()
    page.check('[name="outcome"][value="approve"]')
    page.fill(
        '[name="reasons"]',
        {
            "fa": "نیاز دادگاه قانونی و متناسب است.",
            "en": "The court's need is lawful and proportionate.",
        }[reviewer.device.language],
    )
    page.get_by_role("button", name=reviewer.words("Record the decision")).click()

    page.get_by_role("link", name=reviewer.words("Record the MoU")).click()
    today = datetime.date.today()
    page.fill('[name="number"]', MOU_NUMBER)
    for name in ("signed_on", "valid_from"):
        page.fill(f'[name="{name}"]', typed_date(reviewer, today - datetime.timedelta(days=1)))
    page.fill('[name="valid_until"]', typed_date(reviewer, today + datetime.timedelta(days=730)))
    signatories = {
        "fa": ("معاون بیمه‌ای (آزمایشی)", "مدیرکل مستمری‌ها (آزمایشی)", "مدیرکل نام‌نویسی (آزمایشی)"),
        "en": (
            "Insurance deputy (synthetic)",
            "GM Pensions (synthetic)",
            "GM Registration (synthetic)",
        ),
    }[reviewer.device.language]
    for name, signatory in zip(
        (
            "signed_by_insurance_deputy",
            "signed_by_pensions_manager",
            "signed_by_registration_manager",
        ),
        signatories,
        strict=True,
    ):
        page.fill(f'[name="{name}"]', signatory)
    page.set_input_files(
        '[name="scan"]',
        files=[pdf("mou.pdf")],
    )
    reviewer.shot("mou", "Approves, then records the signed MoU", "ثبت تفاهم‌نامه")
    page.locator('[name="_save"]').click()
    expect(page).to_have_url(re.compile(r"/admin/agencies/mou/$"))
    assert Mou.objects.get().number == MOU_NUMBER
    reviewer.shot("mous", "The MoU is in force", "تفاهم‌نامه‌ها")


def agency_admin_sends_the_staff_list(applicant: Person, court: Court) -> None:
    """The MoU's SMS leads to the request page, and from there to the panel's staff page."""
    page = applicant.page
    follow_sms_link(applicant, CONTACT_E164, r"/agencies/requests/\d+/")
    applicant.shot("mou-recorded", "Told by SMS that the MoU is recorded", "ثبت تفاهم‌نامه")
    applicant.link("Go to the staff page").click()
    enrol_totp(applicant)
    expect(page).to_have_url(re.compile(r"/gov/staff/$"))
    first, last, position = STAFF_NAMES[applicant.device.language]
    page.fill('[name="form-0-national_code"]', applicant.digits(STAFF_NATIONAL_CODE))
    page.fill('[name="form-0-first_name"]', first)
    page.fill('[name="form-0-last_name"]', last)
    page.fill('[name="form-0-position"]', position)
    page.fill('[name="form-0-mobile"]', applicant.digits(STAFF_MOBILE_TYPED))
    if applicant.device.is_phone:
        # On a phone each row of the list is a card of its own, every field under its name.
        assert rows_are_cards(page, "staff-list-rows")
    applicant.shot("staff-list", "Sends the list of staff who need access", "فهرست کارکنان")
    applicant.button("Send the list to IT").click()
    applicant.sees("Lists waiting for IT")
    applicant.shot("staff-sent", "The list waits for IT", "فهرست در انتظار فناوری اطلاعات")


def operator_grants_the_list(operator: Person) -> None:
    page = operator.page
    page.goto("/admin/")
    sign_in(operator)
    enrol_totp(operator)
    admin_list(operator, StaffList).click()
    page.locator('[name="_selected_action"]').first.check()
    page.select_option('[name="action"]', "grant_access")
    operator.shot("grant", "Grants the staff list: invitations go out by SMS", "اعطای دسترسی")
    page.locator('[name="index"]').first.click()
    expect(page.locator(".messagelist, ul.messagelist")).to_be_visible()
    operator.shot("granted", "Granted", "دسترسی داده شد")


def staff_member_accepts_and_looks_up(staff: Person, citizen_code: str, access_code: str) -> None:
    page = staff.page
    follow_sms_link(staff, STAFF_MOBILE, r"/agencies/invitations/[^/\s]+/")
    field(page, "new_password1").fill(staff.password)
    field(page, "new_password2").fill(staff.password)
    staff.shot("invitation", "Follows the invitation's link and sets a password", "پذیرش دعوت")
    staff.button("Set password").click()
    enrol_totp(staff)
    expect(page).to_have_url(re.compile(r"/gov/$"))
    staff.shot("panel", "The government agencies panel", "پنل دستگاه‌ها")

    staff.link("Status inquiry").click()
    field(page, "national_code").press_sequentially(staff.digits(citizen_code))
    page.select_option('[name="purpose"]', "judicial_case")
    field(page, "case_reference").fill(staff.digits("1405/FC/88"))
    staff.button("Inquire").click()
    expect(page.get_by_test_id("lookup-result")).to_be_visible()
    staff.shot("lookup", "Looks a person up within the MoU's scope", "استعلام وضعیت")

    staff.menu_link("Document inquiry").click()
    field(page, "national_code").press_sequentially(staff.digits(citizen_code))
    field(page, "access_code").fill(access_code)
    staff.shot(
        "document-inquiry", "Opens the citizen's certificate with the access code", "استعلام سند"
    )
    staff.button("Open the document").click()
    expect(page.get_by_test_id("document-verified")).to_be_visible()
    if staff.device.is_phone:
        assert rows_are_cards(page, "document-periods")
    staff.shot("document", "The certificate, verified", "سند تأییدشده")


def reviewer_suspends_the_mou(reviewer: Person) -> None:
    page = reviewer.page
    page.get_by_role("link", name=MOU_NUMBER).first.click()
    page.get_by_role("link", name=reviewer.words("Suspend")).click()
    page.fill(
        '[name="reasons"]',
        {
            "fa": "گزارش استعلام‌های خارج از موضوع پرونده‌ها؛ تا رسیدگی.",
            "en": "Reports of inquiries beyond the cases' needs; until reviewed.",
        }[reviewer.device.language],
    )
    reviewer.shot("suspend", "Suspends the MoU, with reasons", "تعلیق تفاهم‌نامه")
    page.locator('#content [type="submit"]').first.click()
    expect(reviewer.main).to_contain_text(reviewer.words(MouStatus.SUSPENDED.label))


def staff_member_comes_back(staff: Person) -> None:
    """Another day: signs in at the door with the app's code and finds the way to the panel."""
    page = staff.page
    staff.open_menu()
    page.locator("#portal-nav").get_by_role("button", name=staff.words("Sign out")).click()
    expect(page).to_have_url(re.compile(r"^https?://[^/]+/$"))
    staff.link("Sign in").click()
    sign_in(staff)
    expect(page).to_have_url(re.compile(r"/me/$"))
    staff.shot("dashboard", "Another day: signs in, the panel is one button away", "ورود دوباره")
    staff.link("Government agencies panel").click()
    expect(page).to_have_url(re.compile(r"/gov/$"))
