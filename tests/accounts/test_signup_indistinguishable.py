"""Property: a sign-up's answer says nothing about the national code (issue 11, item 1).

For any synthetic person, the answer to a sign-up for (a registry code, its birth date), (a
registry code, another date), (a code the registry does not know) and (a code that has an
account) is the same to the visitor: status, redirect, templates, and the text of the answer and
of the page it leads to (with what was typed blanked out).
"""

import datetime
import itertools

import pytest
from django.test import Client
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from accounts.models import User
from inquiries.models import InsuredPerson
from portal.phones import display_mobile
from portal.validators import national_code_check_digit
from tests.accounts.test_enumeration import english, seen
from tests.conftest import PASSWORD, clear_cache, make_user

pytestmark = pytest.mark.usefixtures("whole_renders")

CASES = ("registry_right_date", "registry_wrong_date", "unknown", "has_account")
_addresses = itertools.count(1)


def _national_code(body: int) -> str:
    prefix = f"{body:09d}"
    return prefix + national_code_check_digit(prefix)


def _answer(national_code: str, mobile: str, birth_date: datetime.date) -> tuple:
    client: Client = english()
    n = next(_addresses)
    address = f"10.{n // 65536 % 256}.{n // 256 % 256}.{n % 256}"
    response = client.post(
        "/accounts/signup/",
        {
            "username": national_code,
            "birth_date": birth_date.isoformat(),
            "phone": "0" + mobile[3:],
            "password1": PASSWORD,
            "password2": PASSWORD,
        },
        REMOTE_ADDR=address,
    )
    typed = (national_code, mobile, display_mobile(mobile), "0" + mobile[3:])
    following = (
        client.get(response["Location"], REMOTE_ADDR=address)
        if response.has_header("Location")
        else response
    )
    return seen(response, *typed), seen(following, *typed)


@settings(
    max_examples=8,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    case=st.sampled_from(CASES),
    # Below 899,999,999: its baseline would be 9999999999, which is refused as all one digit.
    body=st.integers(min_value=100_000_000, max_value=899_999_998),
    mobile_number=st.integers(min_value=0, max_value=9_999_999),
    birth_date=st.dates(datetime.date(1940, 1, 1), datetime.date(2005, 12, 31)),
    shift=st.integers(min_value=1, max_value=3000),
)
@example(
    case="registry_right_date",
    body=123_456_780,
    mobile_number=1,
    birth_date=datetime.date(1986, 7, 3),
    shift=1,
)
@example(
    case="registry_wrong_date",
    body=123_456_781,
    mobile_number=2,
    birth_date=datetime.date(1986, 7, 3),
    shift=1,
)
@example(
    case="unknown",
    body=123_456_782,
    mobile_number=3,
    birth_date=datetime.date(1986, 7, 3),
    shift=1,
)
@example(
    case="has_account",
    body=123_456_783,
    mobile_number=4,
    birth_date=datetime.date(1986, 7, 3),
    shift=1,
)
def test_a_sign_up_answers_alike_whatever_the_registry_and_accounts_hold(
    db, case, body, mobile_number, birth_date, shift
):
    # Each example starts with no SMS sent: Hypothesis may repeat a mobile, and allauth limits
    # codes per number (fixtures run once for all the examples).
    clear_cache()
    national_code, baseline_code = _national_code(body), _national_code(body + 100_000_000)
    mobile, baseline_mobile = f"+98935{mobile_number:07d}", f"+98936{mobile_number:07d}"
    User.objects.filter(national_code__in=[national_code, baseline_code]).delete()
    User.objects.filter(mobile__in=[mobile, baseline_mobile, f"+98937{mobile_number:07d}"]).delete()
    InsuredPerson.objects.filter(national_code__in=[national_code, baseline_code]).delete()

    typed_date = birth_date
    if case.startswith("registry"):
        InsuredPerson.objects.create(
            national_code=national_code,
            first_name="S",
            last_name="E",
            birth_date=birth_date,
            gender="F",
        )
        if case == "registry_wrong_date":
            typed_date = birth_date + datetime.timedelta(days=shift)
    elif case == "has_account":
        make_user(national_code, f"+98937{mobile_number:07d}")

    assert _answer(national_code, mobile, typed_date) == _answer(
        baseline_code, baseline_mobile, typed_date
    )
