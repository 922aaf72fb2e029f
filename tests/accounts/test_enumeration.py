"""Sign-in, sign-up and password reset answer alike whether an account exists or not.

Each test makes the same request twice, once about an account that exists and once about one
that does not, and compares what a visitor sees: status, redirect, template and the page's text
(with the CSRF token and the typed value itself blanked out).
"""

import re

import pytest
from django.conf import settings
from django.test import Client

from accounts.models import User
from tests.accounts.conftest import NEW_MOBILE, NEW_NATIONAL_CODE
from tests.conftest import PASSWORD

pytestmark = pytest.mark.usefixtures("whole_renders")

# Another valid national code and a free mobile, for the second sign-up.
OTHER_NEW_NATIONAL_CODE = "0499370902"
OTHER_NEW_MOBILE = "+989351234568"


def english() -> Client:
    client = Client()
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


def seen(response, *typed: str) -> tuple:
    """What a visitor can compare between two answers."""
    text = response.content.decode()
    text = re.sub(r'name="csrfmiddlewaretoken" value="[^"]*"', "", text)
    text = re.sub(r'nonce="[^"]*"', "", text)
    for value in typed:
        text = text.replace(value, "TYPED")
    # Texts and emails go to the account's owner, not to the page: leave them out.
    templates = [
        t.name for t in response.templates if not t.name.startswith(("sms/", "account/email/"))
    ]
    return response.status_code, response.get("Location"), templates, text


def test_sign_in_answers_alike_for_a_wrong_password_and_an_unknown_national_code(citizen):
    known = english().post(
        "/accounts/login/", {"login": citizen.national_code, "password": "a wrong password"}
    )
    unknown = english().post(
        "/accounts/login/", {"login": NEW_NATIONAL_CODE, "password": "a wrong password"}
    )

    assert known.status_code == 200
    assert seen(known, citizen.national_code) == seen(unknown, NEW_NATIONAL_CODE)


@pytest.mark.redis
def test_an_unknown_national_code_locks_like_an_account(citizen):
    def answers(national_code: str) -> list[tuple]:
        client = english()
        return [
            seen(
                client.post(
                    "/accounts/login/",
                    {"login": national_code, "password": "a wrong password"},
                    REMOTE_ADDR=f"198.51.100.{n}",
                ),
                national_code,
            )
            for n in range(7)
        ]

    assert answers(citizen.national_code) == answers(NEW_NATIONAL_CODE)


def sign_up(client: Client, national_code: str, mobile: str):
    return client.post(
        "/accounts/signup/",
        {
            "username": national_code,
            "birth_date": "1370/05/12",
            "phone": mobile,
            "password1": PASSWORD,
            "password2": PASSWORD,
        },
    )


def test_sign_up_answers_alike_for_a_taken_and_a_new_national_code(citizen):
    taken_client, new_client = english(), english()

    taken = sign_up(taken_client, citizen.national_code, NEW_MOBILE)
    new = sign_up(new_client, OTHER_NEW_NATIONAL_CODE, OTHER_NEW_MOBILE)

    assert new.status_code == 302
    assert seen(taken) == seen(new)
    assert not User.objects.filter(mobile=NEW_MOBILE).exists()
    # The next page, and a wrong code typed on it, look the same too.
    typed = ("0935 123 4567", "0935 123 4568", NEW_MOBILE, OTHER_NEW_MOBILE)
    assert seen(taken_client.get(taken["Location"]), *typed) == seen(
        new_client.get(new["Location"]), *typed
    )
    assert seen(taken_client.post(taken["Location"], {"code": "000000"}), *typed) == seen(
        new_client.post(new["Location"], {"code": "000000"}), *typed
    )


def test_the_email_reset_answers_alike_for_a_known_and_an_unknown_address(citizen):
    citizen.email = "sara@example.org"
    citizen.save(update_fields=["email"])
    known_client, unknown_client = english(), english()

    known = known_client.post("/accounts/password/reset/", {"email": "sara@example.org"})
    unknown = unknown_client.post("/accounts/password/reset/", {"email": "nobody@example.org"})

    assert known.status_code == 302
    assert seen(known) == seen(unknown)
    assert seen(known_client.get(known["Location"])) == seen(
        unknown_client.get(unknown["Location"])
    )


def test_the_sms_reset_answers_alike_for_a_known_and_an_unknown_account(citizen):
    known_client, unknown_client = english(), english()
    start = "/accounts/password/reset/sms/"

    known = known_client.post(
        start, {"national_code": citizen.national_code, "mobile": "09121110001"}
    )
    unknown = unknown_client.post(
        start, {"national_code": NEW_NATIONAL_CODE, "mobile": "09351234567"}
    )

    assert known.status_code == 302
    assert seen(known) == seen(unknown)
    assert seen(known_client.get(known["Location"])) == seen(
        unknown_client.get(unknown["Location"])
    )
    wrong = {
        "code": "000000",
        "password1": "a new passphrase 88",
        "password2": "a new passphrase 88",
    }
    assert seen(known_client.post(known["Location"], wrong)) == seen(
        unknown_client.post(unknown["Location"], wrong)
    )
