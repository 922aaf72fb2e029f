"""Resetting a forgotten password by email (allauth) and by SMS (our own pages)."""

import pickle
import re
import time

import pytest
from django.conf import settings
from django.contrib.auth import SESSION_KEY
from django.core import mail
from django.core.cache import cache
from django.urls import reverse

import portal.sms
from accounts import services
from tests.accounts.conftest import NEW_NATIONAL_CODE
from tests.conftest import PASSWORD
from tests.workers import wait_for

NEW_PASSWORD = "a brand new passphrase 77"
START = "/accounts/password/reset/sms/"
CONFIRM = "/accounts/password/reset/sms/confirm/"


def can_sign_in(client, national_code: str, password: str) -> bool:
    client.logout()
    response = client.post("/accounts/login/", {"login": national_code, "password": password})
    signed_in = SESSION_KEY in client.session
    assert signed_in == (response.status_code == 302 and response["Location"] == "/me/")
    client.logout()
    return signed_in


# --- By email ---------------------------------------------------------------------------------


def test_a_citizen_resets_the_password_by_the_link_in_the_email(english_client, citizen):
    citizen.email = "sara@example.org"
    citizen.save(update_fields=["email"])

    response = english_client.post("/accounts/password/reset/", {"email": "sara@example.org"})

    assert response.status_code == 302
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["sara@example.org"]
    link = re.search(
        r"https?://[^/\s]+(/accounts/password/reset/key/\S+/)", str(mail.outbox[0].body)
    )
    assert link, mail.outbox[0].body
    # allauth moves the key from the URL into the session, then shows the form.
    response = english_client.get(link.group(1), follow=True)
    assert response.status_code == 200
    form_url = response.redirect_chain[-1][0]
    response = english_client.post(form_url, {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD})
    assert response.status_code == 302

    citizen.refresh_from_db()
    assert citizen.check_password(NEW_PASSWORD)
    assert can_sign_in(english_client, "0010000011", NEW_PASSWORD)
    assert not can_sign_in(english_client, "0010000011", PASSWORD)


def test_an_unknown_email_gets_the_same_page_and_no_link(english_client, citizen):
    response = english_client.post("/accounts/password/reset/", {"email": "nobody@example.org"})
    assert response.status_code == 302
    assert response["Location"] == reverse("account_reset_password_done")
    assert all("/password/reset/key/" not in message.body for message in mail.outbox)


# --- By SMS -----------------------------------------------------------------------------------


def start_reset(client, national_code: str = "۰۰۱۰-۰۰۰-۰۱۱", mobile: str = "۰۹۱۲۱۱۱۰۰۰۱"):
    return client.post(START, {"national_code": national_code, "mobile": mobile})


def confirm_reset(client, code: str, password: str = NEW_PASSWORD):
    return client.post(CONFIRM, {"code": code, "password1": password, "password2": password})


def sms_code() -> str:
    assert len(portal.sms.outbox) == 1, portal.sms.outbox
    codes = re.findall(r"\b\d{6}\b", portal.sms.outbox[0].body)
    assert len(codes) == 1, portal.sms.outbox[0].body
    return codes[0]


def wrong_code(code: str) -> str:
    return f"{(int(code) + 1) % 10**6:06d}"


def test_a_citizen_resets_the_password_with_the_code_texted_to_the_mobile(english_client, citizen):
    assert english_client.get(START).status_code == 200

    response = start_reset(english_client)

    assert response.status_code == 302
    assert response["Location"] == CONFIRM
    assert portal.sms.outbox[0].to == citizen.mobile
    code = sms_code()
    assert english_client.get(CONFIRM).status_code == 200

    response = confirm_reset(english_client, code)

    assert response.status_code == 302
    assert response["Location"] == reverse("account_login")
    citizen.refresh_from_db()
    assert citizen.check_password(NEW_PASSWORD)
    assert can_sign_in(english_client, "0010000011", NEW_PASSWORD)
    assert not can_sign_in(english_client, "0010000011", PASSWORD)


def test_it_takes_the_code_typed_in_persian_digits(english_client, citizen):
    start_reset(english_client)
    code = sms_code().translate(str.maketrans("0123456789", "۰۱۲۳۴۵۶۷۸۹"))
    assert confirm_reset(english_client, code).status_code == 302
    citizen.refresh_from_db()
    assert citizen.check_password(NEW_PASSWORD)


@pytest.mark.parametrize(
    ("national_code", "mobile"),
    [
        ("0010000011", "09121110002"),  # someone else's mobile
        (NEW_NATIONAL_CODE, "09121110001"),  # no such account
        ("0010000021", "09121110001"),  # another account's national code
    ],
)
def test_a_wrong_pair_gets_the_same_answer_and_no_sms(
    english_client, citizen, other_citizen, national_code, mobile
):
    right = start_reset(english_client)
    portal.sms.outbox.clear()
    english_client.cookies.pop(settings.SESSION_COOKIE_NAME)

    wrong = start_reset(english_client, national_code, mobile)

    assert (wrong.status_code, wrong["Location"]) == (right.status_code, right["Location"])
    assert portal.sms.outbox == []
    page = english_client.get(CONFIRM)
    assert page.status_code == 200
    assert confirm_reset(english_client, "123456").status_code == 200


def test_a_right_pair_answers_without_waiting_for_the_gateway(
    english_client, citizen, slow_gateway_in_background, monkeypatch
):
    """Otherwise the answer's time would tell whether a mobile is an account's: the text leaves
    from a thread after the answer (a wrong pair texts nobody)."""
    monkeypatch.setattr(slow_gateway_in_background, "seconds", 1.0)
    started = time.perf_counter()
    response = start_reset(english_client)
    elapsed = time.perf_counter() - started

    assert response.status_code == 302
    assert elapsed < 1.0
    wait_for(lambda: len(portal.sms.outbox) == 1, timeout=10, what="the reset code")
    assert portal.sms.outbox[0].to == citizen.mobile


def test_it_stops_texting_codes_for_a_national_code_asked_too_often(english_client, citizen):
    for _ in range(5):
        assert start_reset(english_client).status_code == 302
    assert len(portal.sms.outbox) == 5

    response = start_reset(english_client)

    assert response.status_code == 429
    assert response.context["form"].non_field_errors() == [
        "Be patient, you are sending too many requests."
    ]
    assert "Be patient, you are sending too many requests." in response.content.decode()
    assert len(portal.sms.outbox) == 5
    # An unknown national code is limited alike, so the limit tells nothing about accounts.
    for _ in range(5):
        start_reset(english_client, NEW_NATIONAL_CODE)
    assert start_reset(english_client, NEW_NATIONAL_CODE).status_code == 429


def test_an_unverified_mobile_gets_no_reset_code(english_client, citizen):
    citizen.mobile_verified = False
    citizen.save(update_fields=["mobile_verified"])
    start_reset(english_client)
    assert portal.sms.outbox == []


def test_it_rejects_a_wrong_code(english_client, citizen):
    start_reset(english_client)
    code = sms_code()

    response = confirm_reset(english_client, wrong_code(code))

    assert response.status_code == 200
    assert response.context["form"].errors["code"] == ["This code is not correct or has expired."]
    citizen.refresh_from_db()
    assert citizen.check_password(PASSWORD)
    # One mistake does not spend the code.
    assert confirm_reset(english_client, code).status_code == 302


def test_five_wrong_codes_void_the_code(english_client, citizen):
    start_reset(english_client)
    code = sms_code()
    for _ in range(settings.PASSWORD_RESET_SMS_MAX_ATTEMPTS):
        assert confirm_reset(english_client, wrong_code(code)).status_code == 200

    response = confirm_reset(english_client, code)

    assert response.status_code == 200
    assert response.context["form"].errors["code"] == ["This code is not correct or has expired."]
    citizen.refresh_from_db()
    assert citizen.check_password(PASSWORD)


def test_four_wrong_codes_leave_the_code_usable(english_client, citizen):
    start_reset(english_client)
    code = sms_code()
    for _ in range(settings.PASSWORD_RESET_SMS_MAX_ATTEMPTS - 1):
        confirm_reset(english_client, wrong_code(code))
    assert confirm_reset(english_client, code).status_code == 302


def test_the_code_works_once(english_client, citizen):
    start_reset(english_client)
    code = sms_code()
    assert confirm_reset(english_client, code).status_code == 302

    # The page forgets the reset, and the code itself is spent.
    assert english_client.get(CONFIRM)["Location"] == START
    assert not services.finish_password_reset_by_sms(
        national_code="0010000011", code=code, new_password="yet another passphrase 9"
    )
    citizen.refresh_from_db()
    assert citizen.check_password(NEW_PASSWORD)


def test_the_confirm_page_without_a_pending_reset_goes_back_to_the_start(english_client):
    assert english_client.get(CONFIRM)["Location"] == START


def test_mismatched_new_passwords_are_refused_without_spending_an_attempt(english_client, citizen):
    start_reset(english_client)
    code = sms_code()
    response = english_client.post(
        CONFIRM, {"code": code, "password1": NEW_PASSWORD, "password2": NEW_PASSWORD + "x"}
    )
    assert response.status_code == 200
    assert response.context["form"].errors["password2"]
    assert confirm_reset(english_client, code).status_code == 302


def test_a_weak_new_password_is_refused(english_client, citizen):
    start_reset(english_client)
    response = confirm_reset(english_client, sms_code(), password="12345678")
    assert response.status_code == 200
    assert response.context["form"].errors["password1"]
    citizen.refresh_from_db()
    assert citizen.check_password(PASSWORD)


def test_bad_input_on_the_start_page_is_shown_next_to_the_field(english_client, citizen):
    response = start_reset(english_client, "۰۰۱۰۰۰۰۰۱", "02188776655")
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert errors["national_code"] == ["Enter exactly 10 digits; you entered 9."]
    assert errors["mobile"] == ["Enter an Iranian mobile number, for example 09121234567."]
    page = response.content.decode()
    assert 'value="۰۰۱۰۰۰۰۰۱"' in page
    assert portal.sms.outbox == []


def stored_cache_values() -> list[bytes]:
    """Every value in the cache as the backend stores it."""
    if settings.REDIS_URL:
        client = cache._cache.get_client(write=False)  # type: ignore[attr-defined]
        prefix = settings.CACHES["default"]["KEY_PREFIX"]
        return [client.get(key) for key in client.scan_iter(f"{prefix}:*")]
    return list(cache._cache.values())  # type: ignore[attr-defined]


def test_the_stored_code_is_not_kept_in_plain_text(english_client, citizen):
    before = stored_cache_values()
    start_reset(english_client)
    code = sms_code()

    written = [raw for raw in stored_cache_values() if raw not in before]

    assert written, "the reset left nothing in the cache"
    for raw in written:
        assert code.encode() not in raw
        assert code not in repr(pickle.loads(raw))  # noqa: S301 (our own cache)


def ten_minutes_pass(national_code: str = "0010000011") -> None:
    """The code's own try count expires with the code (PASSWORD_RESET_SMS_TIMEOUT)."""
    cache.delete(services._RESET_KEY.format(national_code=national_code) + ":attempts")


def test_eleven_wrong_guesses_across_codes_in_a_day_close_sms_reset(english_client, citizen):
    citizen.language = "en"
    citizen.save(update_fields=["language"])
    guesses = 0
    while guesses <= settings.PASSWORD_RESET_SMS_DAILY_MAX_ATTEMPTS:
        portal.sms.outbox.clear()
        ten_minutes_pass()
        start_reset(english_client)
        code = sms_code()
        for _ in range(settings.PASSWORD_RESET_SMS_MAX_ATTEMPTS):
            if guesses > settings.PASSWORD_RESET_SMS_DAILY_MAX_ATTEMPTS:
                break
            confirm_reset(english_client, wrong_code(code))
            guesses += 1
    assert guesses == settings.PASSWORD_RESET_SMS_DAILY_MAX_ATTEMPTS + 1 == 11

    # The owner is told once, in their language.
    closed = [m for m in portal.sms.outbox if m.to == citizen.mobile and "24 hours" in m.body]
    assert len(closed) == 1, portal.sms.outbox
    # The code of the last SMS, right as it is, no longer works...
    response = confirm_reset(english_client, code)
    assert response.status_code == 200
    assert response.context["form"].errors["code"] == ["This code is not correct or has expired."]
    # ...and no new code is sent, however long the per-code count waits.
    portal.sms.outbox.clear()
    ten_minutes_pass()
    assert start_reset(english_client).status_code == 302
    assert portal.sms.outbox == []
    citizen.refresh_from_db()
    assert citizen.check_password(PASSWORD)


def test_the_tenth_guess_of_the_day_may_still_be_the_right_code(english_client, citizen):
    # Every guess counts, the right one too: counted before comparing, parallel guesses
    # cannot slip past the cap together.
    for wrong_guesses in (5, 4):
        portal.sms.outbox.clear()
        ten_minutes_pass()
        start_reset(english_client)
        code = sms_code()
        for _ in range(wrong_guesses):
            confirm_reset(english_client, wrong_code(code))
    assert settings.PASSWORD_RESET_SMS_DAILY_MAX_ATTEMPTS == 10

    assert confirm_reset(english_client, code).status_code == 302
    assert len(portal.sms.outbox) == 1  # the code; no closing message


def test_the_closing_sms_is_in_persian_for_a_persian_speaker(client, citizen, settings):
    settings.PASSWORD_RESET_SMS_DAILY_MAX_ATTEMPTS = 0
    start_reset(client)
    code = sms_code()
    portal.sms.outbox.clear()

    confirm_reset(client, wrong_code(code))

    assert len(portal.sms.outbox) == 1
    body = portal.sms.outbox[0].body
    assert "۲۴" in body and "24" not in body
