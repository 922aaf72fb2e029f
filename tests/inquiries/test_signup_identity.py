"""The sign-up identity check against the registry (inquiries/identity.py)."""

import datetime

import pytest
from django.utils import timezone

from accounts.forms import SignupForm
from accounts.identity import check_identity
from accounts.models import User
from inquiries.identity import check_identity_against_registry
from inquiries.models import InsuredPerson
from inquiries.selectors import may_see_registry_data

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


def test_the_sign_up_form_does_not_compare_the_birth_date(registered_person, settings):
    """Refusing here told anyone whether a code is in the registry (issue 11)."""
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
    assert form.is_valid(), form.errors


@pytest.mark.parametrize(
    ("proven", "birth_date", "in_registry", "may_see"),
    [
        (True, BIRTH_DATE, True, True),
        (True, BIRTH_DATE + datetime.timedelta(days=1), True, False),
        (True, None, True, False),
        (False, BIRTH_DATE, True, False),
        (True, BIRTH_DATE, False, True),  # nothing to see but "no record"
        (False, BIRTH_DATE, False, False),
    ],
)
def test_only_a_proven_account_with_the_registry_birth_date_sees_registry_data(
    db, proven, birth_date, in_registry, may_see
):
    if in_registry:
        InsuredPerson.objects.create(
            national_code=REGISTERED,
            first_name="S",
            last_name="E",
            birth_date=BIRTH_DATE,
            gender="F",
        )
    user = User.objects.create_user(
        REGISTERED,
        "correct horse battery staple 42",
        mobile="+989121110009",
        mobile_verified=True,
        birth_date=birth_date,
        identity_verified_at=timezone.now() if proven else None,
    )
    assert may_see_registry_data(user) is may_see


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
