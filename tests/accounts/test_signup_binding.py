"""Issue 11: sign-up is no oracle, an account sees registry data only once it is bound to the
person, an unfinished account blocks nobody, and the SMS limits never turn into errors.

Each attack test was written first and seen failing on main (8700f21).
"""

import datetime

import pytest
import time_machine
from django.contrib.auth import SESSION_KEY
from django.test import Client
from django.urls import reverse

import portal.sms
from accounts.identity.backends import locmem as identity_service
from accounts.models import User
from inquiries.models import CoveragePeriod, InsuredPerson, PensionRecord
from portal.validators import national_code_check_digit
from tests.accounts.conftest import code_in, last_sms_to
from tests.accounts.test_enumeration import english, seen
from tests.conftest import PASSWORD, make_user

SIGNUP = "/accounts/signup/"
STATUS = "/me/status/"

# Synthetic people with valid check digits.
REGISTERED = "9900000013"  # in the registry
REGISTERED_BIRTH_DATE = datetime.date(1986, 7, 3)  # 1365/04/12
REGISTERED_MOBILE = "+989121119001"
UNKNOWN = "9900000021"  # not in the registry (yet)
ATTACKER_MOBILE = "+989351119002"
PENSION_NUMBER = "PN-424242"
WORKSHOP = "Synthetic Foundry"


@pytest.fixture
def registry_person(db) -> InsuredPerson:
    return _register(REGISTERED)


def _register(national_code: str) -> InsuredPerson:
    person = InsuredPerson.objects.create(
        national_code=national_code,
        insurance_number="INS-1",
        first_name="Sara",
        last_name="Example",
        birth_date=REGISTERED_BIRTH_DATE,
        gender="F",
    )
    CoveragePeriod.objects.create(
        person=person,
        workshop_code="7700001",
        workshop_name=WORKSHOP,
        coverage_kind="mandatory",
        start_date=datetime.date(2010, 1, 1),
        end_date=None,
        days=5000,
    )
    PensionRecord.objects.create(
        person=person,
        pension_number=PENSION_NUMBER,
        role="main",
        kind="retirement",
        start_date=datetime.date(2020, 1, 1),
        status="active",
    )
    return person


def sign_up(client: Client, national_code: str, mobile: str, birth_date: str, **extra):
    return client.post(
        SIGNUP,
        {
            "username": national_code,
            "birth_date": birth_date,
            "phone": mobile,
            "password1": PASSWORD,
            "password2": PASSWORD,
        },
        **extra,
    )


def verify(client: Client, mobile: str):
    return client.post(reverse("account_verify_phone"), {"code": code_in(last_sms_to(mobile))})


# --- 1. Sign-up is an oracle and a key ------------------------------------------------------------


def test_sign_up_does_not_tell_whether_a_code_is_in_the_registry(registry_person):
    in_registry = sign_up(english(), REGISTERED, ATTACKER_MOBILE, "1990-01-01")
    not_in_registry = sign_up(english(), UNKNOWN, "+989351119003", "1990-01-01")

    assert in_registry.status_code == 302
    assert seen(in_registry) == seen(not_in_registry)


def test_a_right_birth_date_and_a_verified_mobile_of_someone_else_show_no_registry_data(
    registry_person,
):
    """The attacker found the birth date; the identity service says the mobile is not theirs."""
    client = english()
    sign_up(client, REGISTERED, ATTACKER_MOBILE, "1365/04/12")
    verify(client, ATTACKER_MOBILE)
    user = User.objects.get(national_code=REGISTERED)
    assert user.mobile_verified and not user.identity_proven

    for url in (STATUS, "/me/disclosures/", "/me/certificates/", "/me/certificates/new/"):
        response = client.get(url)
        assert response.status_code == 302, url
        assert response["Location"] == reverse("accounts:identity")
    page = client.get(reverse("accounts:identity")).content.decode()
    assert WORKSHOP not in page and PENSION_NUMBER not in page
    assert "The identity service did not confirm" in page


def test_sign_up_attempts_are_limited_per_national_code_across_addresses(registry_person):
    answers = [
        sign_up(
            english(),
            REGISTERED,
            f"+98935111{n:04d}",
            "1990-01-01",
            REMOTE_ADDR=f"198.51.100.{n}",
        ).status_code
        for n in range(6)
    ]
    assert answers == [302] * 5 + [429]


# --- 2. Squatting ---------------------------------------------------------------------------------


def test_a_squatter_never_sees_the_registry_once_the_code_is_imported(db):
    client = english()
    sign_up(client, UNKNOWN, ATTACKER_MOBILE, "1365/04/12")
    verify(client, ATTACKER_MOBILE)
    _register(UNKNOWN)  # the import adds the code later

    response = client.get(STATUS)
    assert response.status_code == 302
    assert response["Location"] == reverse("accounts:identity")


def test_the_real_person_takes_the_code_from_an_unproven_account(db):
    squatter = english()
    sign_up(squatter, UNKNOWN, ATTACKER_MOBILE, "1990-01-01")
    verify(squatter, ATTACKER_MOBILE)
    assert squatter.get("/me/").status_code == 200
    squatter_pk = User.objects.get(national_code=UNKNOWN).pk
    portal.sms.outbox.clear()

    identity_service.register(UNKNOWN, REGISTERED_MOBILE)
    person = english()
    response = sign_up(person, UNKNOWN, REGISTERED_MOBILE, "1365/04/12")
    assert response["Location"] == reverse("account_verify_phone")  # as any sign-up
    response = verify(person, REGISTERED_MOBILE)

    assert response.status_code == 302
    user = User.objects.get(national_code=UNKNOWN)
    assert user.pk != squatter_pk
    assert (user.mobile, user.mobile_verified, user.identity_proven) == (
        REGISTERED_MOBILE,
        True,
        True,
    )
    assert person.session[SESSION_KEY] == str(user.pk)
    assert squatter.get("/me/").status_code == 302  # the squatter's session ended


def test_a_squatted_mobile_does_not_block_its_owner(db):
    squatter = english()
    sign_up(squatter, "0499370899", REGISTERED_MOBILE, "1990-01-01")  # never verified
    identity_service.register(UNKNOWN, REGISTERED_MOBILE)
    portal.sms.outbox.clear()

    person = english()
    with time_machine.travel(datetime.datetime.now(datetime.UTC) + datetime.timedelta(minutes=1)):
        sign_up(person, UNKNOWN, REGISTERED_MOBILE, "1365/04/12")
        response = verify(person, REGISTERED_MOBILE)

    assert response.status_code == 302
    user = User.objects.get()
    assert (user.national_code, user.mobile, user.identity_proven) == (
        UNKNOWN,
        REGISTERED_MOBILE,
        True,
    )


def test_a_claim_the_identity_service_refuses_takes_nothing(db):
    squatter = english()
    sign_up(squatter, UNKNOWN, ATTACKER_MOBILE, "1990-01-01")
    verify(squatter, ATTACKER_MOBILE)
    squatter_account = User.objects.get()

    other = english()
    sign_up(other, UNKNOWN, "+989351119099", "1990-01-01")
    response = verify(other, "+989351119099")

    assert response["Location"] == SIGNUP
    assert list(User.objects.all()) == [squatter_account]
    assert squatter.get("/me/").status_code == 200


def test_a_proven_account_is_never_taken(db):
    owner = make_user(UNKNOWN, REGISTERED_MOBILE)
    client = english()
    sign_up(client, UNKNOWN, ATTACKER_MOBILE, "1990-01-01")
    response = client.post(reverse("account_verify_phone"), {"code": "000000"})
    assert response.status_code == 200
    assert list(User.objects.all()) == [owner]
    assert [message.to for message in portal.sms.outbox] == [REGISTERED_MOBILE]


# --- 7. Rate limits are pages, not errors ---------------------------------------------------------


def test_an_sms_refused_to_one_address_is_a_friendly_page_and_leaves_no_account(db):
    for n in range(3):  # ACCOUNT_RATE_LIMITS["verify_phone"]: 3 a minute from one address
        assert sign_up(english(), _code(n), f"+98935123{n:04d}", "1990-01-01").status_code == 302
    response = sign_up(english(), _code(3), "+989351230003", "1990-01-01")

    assert response.status_code == 429
    assert "try again in 1 minute" in response.content.decode()
    assert not User.objects.filter(national_code=_code(3)).exists()
    assert User.objects.count() == 3
    assert len(portal.sms.outbox) == 3


def test_signing_in_twice_within_30_seconds_to_an_unverified_mobile_is_a_friendly_page(db):
    User.objects.create_user("0499370899", PASSWORD, mobile="+989351234567")
    credentials = {"login": "0499370899", "password": PASSWORD}
    assert english().post("/accounts/login/", credentials).status_code == 302

    response = english().post("/accounts/login/", credentials)

    assert response.status_code == 429
    assert "try again in" in response.content.decode()


def test_a_fourth_mobile_change_from_one_address_in_a_minute_is_a_friendly_page(db):
    """The identity page sends an unproven account to change its mobile; the per-address SMS
    limit there is a page too, and leaves the account's mobile as it was."""

    def change_mobile(n: int):
        user = User.objects.create_user(_code(n), PASSWORD, mobile=f"+98935123{n:04d}")
        client = english()
        client.force_login(user)
        assert client.post("/accounts/reauthenticate/", {"password": PASSWORD}).status_code == 302
        return user, client.post(reverse("account_change_phone"), {"phone": f"0936123{n:04d}"})

    for n in range(3):  # ACCOUNT_RATE_LIMITS["verify_phone"]: 3 a minute from one address
        assert change_mobile(n)[1].status_code == 302
    user, response = change_mobile(3)

    assert response.status_code == 429
    assert "try again in 1 minute" in response.content.decode()
    user.refresh_from_db()
    assert user.mobile == "+989351230003"
    assert len(portal.sms.outbox) == 3


def _code(n: int) -> str:
    prefix = f"049937{n:03d}"
    return prefix + national_code_check_digit(prefix)
