"""The sign-up identity check against the registry (inquiries/identity.py)."""

import datetime

import pytest

from accounts.forms import SignupForm
from accounts.identity import check_identity
from inquiries.identity import check_identity_against_registry
from inquiries.models import InsuredPerson

REGISTERED = "9900000013"
UNREGISTERED = "9900000021"
BIRTH_DATE = datetime.date(1986, 7, 3)


@pytest.fixture
def registered_person(db) -> InsuredPerson:
    return InsuredPerson.objects.create(
        national_code=REGISTERED,
        first_name="Sara",
        last_name="Example",
        birth_date=BIRTH_DATE,
        gender="F",
    )


def test_a_registered_person_with_the_right_birth_date_is_accepted(registered_person):
    result = check_identity_against_registry(national_code=REGISTERED, birth_date=BIRTH_DATE)
    assert result.accepted
    assert result.message == ""


def test_a_registered_person_with_another_birth_date_is_refused(registered_person):
    result = check_identity_against_registry(
        national_code=REGISTERED, birth_date=BIRTH_DATE + datetime.timedelta(days=1)
    )
    assert not result.accepted
    assert "does not match" in result.message


def test_a_person_with_no_record_is_accepted_and_told_so(db):
    result = check_identity_against_registry(national_code=UNREGISTERED, birth_date=BIRTH_DATE)
    assert result.accepted
    assert "no insurance record" in result.message


def test_it_plugs_into_the_sign_up_hook(registered_person, settings):
    settings.PORTAL_SIGNUP_IDENTITY_CHECK = "inquiries.identity.check_identity_against_registry"
    result = check_identity(national_code=REGISTERED, birth_date=datetime.date(1990, 1, 1))
    assert not result.accepted


def test_the_sign_up_form_refuses_a_wrong_birth_date(registered_person, settings):
    settings.PORTAL_SIGNUP_IDENTITY_CHECK = "inquiries.identity.check_identity_against_registry"
    form = SignupForm(
        data={
            "username": "۹۹۰۰۰۰۰۰۱۳",
            "birth_date": "1370/01/01",
            "phone": "09121110009",
            "password1": "correct horse battery staple 42",
            "password2": "correct horse battery staple 42",
        }
    )
    assert not form.is_valid()
    assert "does not match" in " ".join(form.errors["birth_date"])


def test_the_sign_up_form_accepts_the_registered_birth_date_in_jalali(registered_person, settings):
    settings.PORTAL_SIGNUP_IDENTITY_CHECK = "inquiries.identity.check_identity_against_registry"
    form = SignupForm(
        data={
            "username": REGISTERED,
            "birth_date": "۱۳۶۵/۰۴/۱۲",
            "phone": "09121110009",
            "password1": "correct horse battery staple 42",
            "password2": "correct horse battery staple 42",
        }
    )
    form.is_valid()
    assert "birth_date" not in form.errors
