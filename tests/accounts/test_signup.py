"""Signing up with a national code, birth date and mobile, and verifying the mobile by SMS."""

import datetime
import re

import pytest
from django.contrib.auth import SESSION_KEY
from django.test import override_settings
from django.urls import reverse

import portal.sms
from accounts.identity.backends import locmem as identity_service
from accounts.models import User
from portal.digits import to_persian_digits
from tests.accounts import identity_hooks
from tests.accounts.conftest import (
    NEW_MOBILE,
    NEW_NATIONAL_CODE,
    code_in,
    field_errors,
    last_sms_to,
    rendered_value,
)
from tests.conftest import PASSWORD

SIGNUP = "/accounts/signup/"

# How a Persian speaker types them: Persian digits, dashes, spaces.
TYPED = {
    "username": "۰۴۹۹-۳۷۰۸۹۹",
    "birth_date": "۱۳۷۰/۰۵/۱۲",
    "phone": "۰۹۳۵ ۱۲۳ ۴۵۶۷",
    "password1": PASSWORD,
    "password2": PASSWORD,
}


def sign_up(client, *, follow: bool = False, **changes):
    return client.post(SIGNUP, {**TYPED, **changes}, follow=follow)


def verify_phone(client, code: str):
    return client.post(reverse("account_verify_phone"), {"code": code})


def test_a_citizen_signs_up_in_persian_digits_and_verifies_the_mobile(english_client):
    response = sign_up(english_client)

    assert response.status_code == 302
    assert response["Location"] == reverse("account_verify_phone")
    user = User.objects.get()
    assert user.national_code == NEW_NATIONAL_CODE
    assert user.mobile == NEW_MOBILE
    assert user.mobile_verified is False
    assert user.birth_date == datetime.date(1991, 8, 3)  # 1370/05/12
    assert user.check_password(PASSWORD)
    assert user.language == "en"
    assert set(user.groups.values_list("name", flat=True)) == {"citizen"}
    assert SESSION_KEY not in english_client.session  # not signed in before the mobile is proven

    body = last_sms_to(NEW_MOBILE)
    assert body.startswith("Your Social Security portal verification code:")
    response = verify_phone(english_client, code_in(body))

    assert response.status_code == 302
    assert response["Location"] == reverse("accounts:dashboard")
    user.refresh_from_db()
    assert user.mobile_verified is True
    assert english_client.session[SESSION_KEY] == str(user.pk)
    dashboard = english_client.get(response["Location"])
    assert dashboard.status_code == 200
    assert NEW_NATIONAL_CODE in dashboard.content.decode()


@pytest.mark.parametrize(("language", "shown"), [("en", "0935 123 4567"), ("fa", "⁦۰۹۳۵ ۱۲۳ ۴۵۶۷⁩")])
def test_the_messages_about_the_mobile_write_it_as_people_do(client, db, language, shown):
    """Not +989351234567: the way the page beside them writes it, left to right in Persian."""
    client.cookies["django_language"] = language
    code_page = sign_up(client, follow=True).content.decode()
    assert shown in code_page
    assert NEW_MOBILE not in code_page

    dashboard = verify_phone(client, code_in(last_sms_to(NEW_MOBILE)))
    assert shown in client.get(dashboard["Location"]).content.decode()


def test_it_records_persian_as_the_language_of_a_sign_up_on_a_persian_page(client, db):
    sign_up(client)  # LANGUAGE_CODE is fa
    assert User.objects.get().language == "fa"
    assert len(portal.sms.outbox) == 1


def test_the_code_is_six_digits_and_accepted_in_persian_digits_with_spaces(english_client):
    sign_up(english_client)
    code = code_in(last_sms_to(NEW_MOBILE))
    assert re.fullmatch(r"[0-9]{6}", code)
    response = verify_phone(
        english_client, f" {to_persian_digits(code[:3])} {to_persian_digits(code[3:])} "
    )
    assert response.status_code == 302
    assert User.objects.get().mobile_verified is True


def test_it_rejects_a_wrong_verification_code(english_client):
    sign_up(english_client)
    code = code_in(last_sms_to(NEW_MOBILE))
    wrong = "000000" if code != "000000" else "111111"

    response = verify_phone(english_client, wrong)

    assert response.status_code == 200
    assert field_errors(response, "code") == ["Incorrect code."]
    assert User.objects.get().mobile_verified is False
    assert SESSION_KEY not in english_client.session
    # The right code still works after one mistake.
    assert verify_phone(english_client, code).status_code == 302
    assert User.objects.get().mobile_verified is True


def test_it_gives_up_after_three_wrong_verification_codes(english_client):
    sign_up(english_client)
    code = code_in(last_sms_to(NEW_MOBILE))
    for _ in range(3):
        response = verify_phone(english_client, "0000-0000")
    assert response.status_code == 302
    assert response["Location"] == reverse("account_login")
    response = verify_phone(english_client, code)
    assert User.objects.get().mobile_verified is False
    assert SESSION_KEY not in english_client.session


def test_a_taken_national_code_makes_no_account_and_its_owner_is_told_by_sms(
    english_client, citizen
):
    response = sign_up(english_client, username="۰۰۱۰-۰۰۰۰۱۱")

    # Enumeration prevention: the page looks like any other sign-up's.
    assert response.status_code == 302
    assert response["Location"] == reverse("account_verify_phone")
    assert list(User.objects.all()) == [citizen]
    assert [message.to for message in portal.sms.outbox] == [citizen.mobile]
    # In the owner's language (Persian here), whatever the page's.
    assert "با کد ملی شما" in portal.sms.outbox[0].body
    assert not re.search(r"\d{6}", portal.sms.outbox[0].body)


def test_a_taken_mobile_makes_no_account_and_its_owner_is_told_by_sms(english_client, citizen):
    response = sign_up(english_client, phone="۰۹۱۲۱۱۱۰۰۰۱")

    # Enumeration prevention: the page looks like any other sign-up's.
    assert response.status_code == 302
    assert response["Location"] == reverse("account_verify_phone")
    assert list(User.objects.all()) == [citizen]
    assert [message.to for message in portal.sms.outbox] == [citizen.mobile]
    assert "already belongs to an account" in portal.sms.outbox[0].body
    assert "code" not in portal.sms.outbox[0].body


@pytest.mark.parametrize(
    ("field", "typed", "message"),
    [
        ("username", "۰۴۹۹۳۷۰۸۹", "Enter exactly 10 digits; you entered 9."),
        ("username", "0499370898", "This national code is not valid; please check it against"),
        ("username", "04993708a9", "Enter digits only."),
        ("username", "", "Enter the national code."),
        ("phone", "021-8877-6655", "Enter an Iranian mobile number, for example 09121234567."),
        ("phone", "+14155552671", "Enter an Iranian mobile number, for example 09121234567."),
        (
            "birth_date",
            "1402/12/30",
            "This date does not exist in the calendar: check the day and the month.",
        ),
        ("birth_date", "31/12/1990", "Enter a date like 1370/05/12 (Solar Hijri) or 1991-08-03."),
        ("birth_date", "1500/01/01", "Enter your real birth date."),
        ("birth_date", "2999-01-01", "Enter your real birth date."),
        ("password2", "another password 43", "You must type the same password each time."),
    ],
)
def test_it_shows_each_error_next_to_its_field_and_keeps_what_was_typed(
    english_client, db, field, typed, message
):
    response = sign_up(english_client, **{field: typed})

    assert response.status_code == 200
    errors = field_errors(response, field)
    assert len(errors) == 1
    assert errors[0].startswith(message)
    for kept in ("username", "birth_date", "phone"):
        expected = typed if kept == field else TYPED[kept]
        assert rendered_value(response, kept) == (expected or None)
    assert not User.objects.exists()
    assert portal.sms.outbox == []


@pytest.mark.parametrize(
    "changes",
    [
        {"username": "\x00" * 3},
        {"username": "۰" * 5000},
        {"birth_date": "\u202b۱۳۷۰/۰۵/۱۲\u202c"},
        {"birth_date": "0000/00/00"},
        {"birth_date": "99999/1/1"},
        {"phone": "😀"},
        {"phone": "+" + "9" * 200},
        {"email": "not an email"},
        {"username": ["0499370899", "0010000011"]},
        {"password1": "", "password2": ""},
    ],
)
def test_no_input_makes_sign_up_answer_500(english_client, db, changes):
    response = sign_up(english_client, **changes)
    assert response.status_code in (200, 302)
    if response.status_code == 200:
        assert response.context["form"].errors


def test_sign_up_itself_never_asks_the_registry(english_client):
    """The registry is compared only once the account proved its mobile and identity."""
    identity_hooks.calls.clear()
    with override_settings(PORTAL_SIGNUP_IDENTITY_CHECK="tests.accounts.identity_hooks.record"):
        sign_up(english_client)
    assert identity_hooks.calls == []


def test_a_refusing_registry_check_does_not_change_the_sign_up_page(db):
    from tests.accounts.test_enumeration import english, seen

    with override_settings(PORTAL_SIGNUP_IDENTITY_CHECK="tests.accounts.identity_hooks.refuse"):
        refused = sign_up(english())
    accepted = sign_up(english(), username="0499370902", phone="09351234568")

    assert refused.status_code == 302
    assert seen(refused) == seen(accepted)


def test_the_phone_code_and_the_identity_service_prove_the_account(english_client):
    identity_service.register(NEW_NATIONAL_CODE, NEW_MOBILE)
    sign_up(english_client)
    assert not User.objects.get().identity_proven

    verify_phone(english_client, code_in(last_sms_to(NEW_MOBILE)))

    user = User.objects.get()
    assert user.identity_proven
    assert user.unproven_expires_at is None
    assert identity_service.asked == [(NEW_NATIONAL_CODE, NEW_MOBILE)]


def test_a_birth_date_the_registry_refuses_keeps_the_registry_hidden(english_client):
    identity_service.register(NEW_NATIONAL_CODE, NEW_MOBILE)
    with override_settings(PORTAL_SIGNUP_IDENTITY_CHECK="tests.accounts.identity_hooks.refuse"):
        sign_up(english_client)
        verify_phone(english_client, code_in(last_sms_to(NEW_MOBILE)))
        response = english_client.get(reverse("inquiries:my_status"))
        assert response["Location"] == reverse("accounts:identity")
        page = english_client.get(response["Location"]).content.decode()
    assert User.objects.get().identity_proven
    assert "Does not match" in page
