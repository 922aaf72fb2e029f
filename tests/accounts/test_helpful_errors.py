"""Errors that help: each says what is expected, in the page's language; a summary lists the
messages; a password survives an error elsewhere; SMS code fields ask for the digit keyboard."""

import datetime
import re

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse

from tests.accounts.conftest import field_errors, rendered_value
from tests.accounts.test_signup import TYPED
from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db
SIGNUP = "/accounts/signup/"
LOGIN = "/accounts/login/"


def in_language(client: Client, language: str) -> Client:
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    return client


def sign_up(client: Client, **changes):
    return client.post(SIGNUP, {**TYPED, **changes})


# What each message must say, in English and in Persian.
EXPECTED = {
    "birth_date_required": {
        "en": "Enter your birth date as on your national card, for example 1370/05/12.",
        "fa": "تاریخ تولد خود را مطابق کارت ملی وارد کنید؛ برای نمونه ۱۳۷۰/۰۵/۱۲.",
    },
    "password_required": {
        "en": "Choose a password of at least 8 characters.",
        "fa": "گذرواژه‌ای با دست‌کم ۸ نویسه انتخاب کنید.",
    },
    "no_such_date": {
        "en": "This date does not exist in the calendar: check the day and the month.",
        "fa": "این تاریخ در تقویم وجود ندارد: روز و ماه را بررسی کنید.",
    },
    "bad_check_digit": {
        "en": "This national code is not valid; please check it against the national card.",
        "fa": "این کد ملی معتبر نیست؛ لطفاً آن را با کارت ملی مطابقت دهید.",
    },
}


@pytest.mark.parametrize("language", ["en", "fa"])
def test_a_missing_birth_date_says_what_is_expected(client, language):
    response = sign_up(in_language(client, language), birth_date="")
    assert field_errors(response, "birth_date") == [EXPECTED["birth_date_required"][language]]


@pytest.mark.parametrize("language", ["en", "fa"])
def test_a_missing_password_says_what_is_expected(client, language):
    response = sign_up(in_language(client, language), password1="", password2="")
    assert field_errors(response, "password1") == [EXPECTED["password_required"][language]]


@pytest.mark.parametrize("language", ["en", "fa"])
@pytest.mark.parametrize("typed", ["1404/12/30", "۱۴۰۴/۱۲/۳۰", "1403/07/31", "2023-02-30"])
def test_a_date_that_does_not_exist_is_called_so(client, language, typed):
    response = sign_up(in_language(client, language), birth_date=typed)
    assert field_errors(response, "birth_date") == [EXPECTED["no_such_date"][language]]


@pytest.mark.parametrize("language", ["en", "fa"])
def test_a_wrong_check_digit_at_sign_in_says_the_national_code_is_not_valid(
    client, citizen, language
):
    wrong = citizen.national_code[:-1] + str((int(citizen.national_code[-1]) + 1) % 10)
    response = in_language(client, language).post(LOGIN, {"login": wrong, "password": PASSWORD})
    assert response.status_code == 200
    assert field_errors(response, "login") == [EXPECTED["bad_check_digit"][language]]


@pytest.mark.parametrize("language", ["en", "fa"])
def test_the_error_summary_lists_the_messages_not_only_the_fields(client, language):
    response = sign_up(in_language(client, language), birth_date="", password1="", password2="")
    summary = re.search(r"data-error-summary>(.*?)</div>", response.content.decode(), re.S)
    assert summary
    assert EXPECTED["birth_date_required"][language] in summary.group(1)
    assert EXPECTED["password_required"][language] in summary.group(1)
    assert 'href="#id_birth_date"' in summary.group(1)


def test_the_password_is_kept_after_an_error_in_another_field(client):
    response = sign_up(in_language(client, "en"), birth_date="1404/12/30")
    assert response.status_code == 200
    assert rendered_value(response, "password1") == PASSWORD
    assert rendered_value(response, "password2") == PASSWORD


def test_a_password_with_its_own_error_is_cleared(client):
    response = sign_up(in_language(client, "en"), password1="short", password2="short")
    assert field_errors(response, "password1")
    assert rendered_value(response, "password1") is None


def test_the_sms_code_fields_ask_for_the_digit_keyboard(client):
    client = in_language(client, "en")
    assert sign_up(client).status_code == 302  # to the phone verification page
    page = client.get(reverse("account_verify_phone")).content.decode()
    code_input = re.search(r'<input[^>]*name="code"[^>]*>', page)
    assert code_input, page
    assert 'inputmode="numeric"' in code_input.group(0)
    assert 'autocomplete="one-time-code"' in code_input.group(0)
    assert 'dir="ltr"' in code_input.group(0)


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        ("en", "You can ask for a new code 30 seconds after the last one."),
        ("fa", "درخواست کد جدید ۳۰ ثانیه پس از ارسال کد قبلی امکان‌پذیر است."),
    ],
)
def test_the_code_page_says_when_a_new_code_can_be_asked_for(client, language, expected):
    client = in_language(client, language)
    assert sign_up(client).status_code == 302
    page = client.get(reverse("account_verify_phone")).content.decode()
    assert expected in page


def test_while_old_user_names_sign_in_ten_digits_go_to_the_sign_in_as_typed(
    client, citizen, settings
):
    # An isinsured user name may be ten digits that are no national code.
    settings.ISINSURED_USERNAME_LOGIN_UNTIL = datetime.date(2999, 1, 1)
    wrong = citizen.national_code[:-1] + str((int(citizen.national_code[-1]) + 1) % 10)
    response = in_language(client, "en").post(LOGIN, {"login": wrong, "password": PASSWORD})
    assert response.status_code == 200
    assert field_errors(response, "login") == []
