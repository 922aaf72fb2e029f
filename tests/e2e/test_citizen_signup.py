"""A new citizen signs up on a phone, in Persian, with everything typed in Persian digits; the
SMS code and the identity service bind the account to the registry person, whose status shows."""

import datetime
import re

from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import translation
from playwright.sync_api import Locator, Page, expect

from accounts.identity.backends import locmem as identity_service
from accounts.models import User
from inquiries.models import CoveragePeriod, InsuredPerson
from portal.digits import to_persian_digits
from portal.validators import clean_national_code, national_code_is_valid
from tests.e2e.support import (
    code_in,
    field,
    form_posting_to,
    link_to,
    open_menu,
    path_is,
    sms_sent_to,
    submit_button,
)

# A synthetic person: a national code with a valid check digit that belongs to no one we know of.
NATIONAL_CODE = "0010001115"
BIRTH_DATE_JALALI = "۱۳۷۰/۰۵/۱۲"  # 3 August 1991
MOBILE_TYPED = "۰۹۱۲ ۱۱۱ ۰۰۹۹"
MOBILE_E164 = "+989121110099"
PASSWORD = "a long and unusual passphrase 7"


def fill_signup_form(page: Page, *, national_code: str) -> None:
    # Typed key by key, as on a Persian keyboard, so an input mask would have its say.
    field(page, "username").press_sequentially(national_code)
    field(page, "birth_date").press_sequentially(BIRTH_DATE_JALALI)
    field(page, "phone").press_sequentially(MOBILE_TYPED)
    field(page, "password1").fill(PASSWORD)
    field(page, "password2").fill(PASSWORD)


WORKSHOP = "کارگاه آزمایشی نمونه"


def _in_the_registry() -> None:
    """The person in the registry, and their mobile line registered to them."""
    person = InsuredPerson.objects.create(
        national_code=NATIONAL_CODE,
        first_name="سارا",
        last_name="نمونه",
        birth_date=datetime.date(1991, 8, 3),
        gender="F",
    )
    CoveragePeriod.objects.create(
        person=person,
        workshop_code="7700001",
        workshop_name=WORKSHOP,
        coverage_kind="mandatory",
        start_date=datetime.date(2015, 1, 1),
        end_date=None,
        days=3000,
    )
    identity_service.register(NATIONAL_CODE, MOBILE_E164)


def test_a_new_citizen_signs_up_verifies_the_phone_and_signs_in(page: Page):
    assert national_code_is_valid(NATIONAL_CODE)
    _in_the_registry()
    page.goto("/")
    expect(page.locator("html")).to_have_attribute("lang", "fa")
    expect(page.locator("html")).to_have_attribute("dir", "rtl")

    link_to(page, reverse("account_signup")).click()
    expect(page).to_have_url(path_is(reverse("account_signup")))
    fill_signup_form(page, national_code=to_persian_digits(NATIONAL_CODE))
    submit_button(page, "password2").click()

    expect(page).to_have_url(path_is(reverse("account_verify_phone")))
    code = code_in(sms_sent_to(MOBILE_E164))
    field(page, "code").fill(code)
    submit_button(page, "code").click()

    expect(page).to_have_url(path_is(reverse("accounts:dashboard")))
    citizen = User.objects.get(national_code=NATIONAL_CODE)
    assert (citizen.mobile, citizen.mobile_verified) == (MOBILE_E164, True)
    assert citizen.birth_date == datetime.date(1991, 8, 3)
    assert citizen.identity_proven
    # Bound to the registry person: the status and history show.
    link_to(page, reverse("inquiries:my_status")).click()
    expect(page).to_have_url(path_is(reverse("inquiries:my_status")))
    expect(page.get_by_role("main")).to_contain_text(WORKSHOP)

    open_menu(page)  # on a phone the navigation is folded behind the menu button
    form_posting_to(page, reverse("account_logout")).get_by_role("button").click()
    expect(page).to_have_url(path_is(reverse("home")))
    link_to(page, reverse("account_login")).click()

    expect(page).to_have_url(path_is(reverse("account_login")))
    field(page, "login").press_sequentially(to_persian_digits(NATIONAL_CODE))
    field(page, "password").fill(PASSWORD)
    submit_button(page, "password").click()

    expect(page).to_have_url(path_is(reverse("accounts:dashboard")))
    expect(page.locator("html")).to_have_attribute("lang", "fa")
    expect(page.locator("html")).to_have_attribute("dir", "rtl")
    expect(page.get_by_role("main")).to_contain_text(to_persian_digits(NATIONAL_CODE))


def test_a_mobile_not_registered_to_the_code_is_told_what_is_missing_and_sees_nothing(
    page: Page,
):
    _in_the_registry()
    identity_service.reset()  # the identity service does not know this mobile for the code
    page.goto(reverse("account_signup"))
    fill_signup_form(page, national_code=to_persian_digits(NATIONAL_CODE))
    submit_button(page, "password2").click()
    field(page, "code").fill(code_in(sms_sent_to(MOBILE_E164)))
    submit_button(page, "code").click()
    expect(page).to_have_url(path_is(reverse("accounts:dashboard")))

    page.goto(reverse("inquiries:my_status"))

    expect(page).to_have_url(path_is(reverse("accounts:identity")))
    main = page.get_by_role("main")
    with translation.override("fa"):
        not_confirmed = translation.gettext("Not confirmed")
    assert not_confirmed != "Not confirmed"
    expect(main.locator("#step-service")).to_contain_text(not_confirmed)
    expect(main).not_to_contain_text(WORKSHOP)


def test_a_bad_national_code_is_shown_next_to_its_field_and_the_rest_is_kept(page: Page):
    wrong_check_digit = NATIONAL_CODE[:9] + str((int(NATIONAL_CODE[9]) + 1) % 10)
    assert not national_code_is_valid(wrong_check_digit)
    bad_code = to_persian_digits(wrong_check_digit)
    page.goto(reverse("account_signup"))
    fill_signup_form(page, national_code=bad_code)

    with page.expect_response(
        lambda response: (
            response.request.method == "POST"
            and path_is(reverse("account_signup")).match(response.url) is not None
        )
    ) as answer:
        submit_button(page, "password2").click()

    assert answer.value.status == 200
    expect(page).to_have_url(path_is(reverse("account_signup")))
    message = _error_for(bad_code)
    national_code = field(page, "username")
    # Next to the field for a screen reader: the error is the field's description...
    expect(national_code).to_have_attribute("aria-invalid", "true")
    expect(national_code).to_have_accessible_description(re.compile(re.escape(message)))
    # ...and on the screen: no other field is nearer to it.
    error = page.get_by_text(message, exact=True)
    expect(error).to_be_visible()
    assert _nearest_field(error) == "username"
    # What was typed stays, as typed (the passwords, by design, do not come back).
    expect(national_code).to_have_value(bad_code)
    expect(field(page, "birth_date")).to_have_value(BIRTH_DATE_JALALI)
    expect(field(page, "phone")).to_have_value(MOBILE_TYPED)
    for other in ("birth_date", "phone"):
        expect(field(page, other)).not_to_have_attribute("aria-invalid", "true")
    assert not User.objects.exists()


def _error_for(bad_code: str) -> str:
    """The message the portal gives for `bad_code`, in Persian."""
    with translation.override("fa"):
        try:
            clean_national_code(bad_code)
        except ValidationError as error:
            return error.messages[0]
    raise AssertionError(f"{bad_code} was accepted")


def _nearest_field(error: Locator) -> str:
    """The name of the visible form field whose box is closest to the error's box."""
    return error.evaluate(
        """(error) => {
            const box = error.getBoundingClientRect();
            const distance = (other) => {
                const r = other.getBoundingClientRect();
                const dx = Math.max(r.left - box.right, box.left - r.right, 0);
                const dy = Math.max(r.top - box.bottom, box.top - r.bottom, 0);
                return Math.hypot(dx, dy);
            };
            const fields = [...error.closest("form").querySelectorAll("input, select, textarea")]
                .filter((f) => f.type !== "hidden" && f.getClientRects().length > 0);
            fields.sort((a, b) => distance(a) - distance(b));
            return fields[0].name;
        }"""
    )
