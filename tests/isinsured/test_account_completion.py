"""A migrated isinsured account completes itself before anything else opens: a mobile that the
identity service confirms for its national code, proven with an SMS code, and a new password
under today's policy. Only then may it enrol TOTP or reach /gov/."""

import hashlib

import pytest
from django.contrib.auth import SESSION_KEY
from django.urls import reverse
from django.utils import timezone

import portal.sms
from accounts.identity.backends import locmem as identity_service
from accounts.models import User
from tests.accounts.conftest import code_in, last_sms_to
from tests.conftest import PASSWORD, make_user
from tests.isinsured.conftest import cell, legacy_rows, password_for, with_cell, write_export

pytestmark = pytest.mark.django_db

LOGIN = "/accounts/login/"
COMPLETE = "/accounts/complete/"
MOBILE_STEP = "/accounts/complete/mobile/"
CODE_STEP = "/accounts/complete/mobile/code/"
PASSWORD_STEP = "/accounts/complete/password/"
NEW_MOBILE = "+989351110099"
NEW_PASSWORD = "a fresh portal passphrase 31"


@pytest.fixture
def english(client):
    client.cookies["django_language"] = "en"
    return client


@pytest.fixture
def mobileless(tmp_path, migrate) -> User:
    """isinsured user number 2 (agency staff, unsalted MD5), migrated with an empty mobile."""
    rows = legacy_rows()
    rows[1] = with_cell(rows[1], "mobile", "")
    migrate(write_export(tmp_path / "no-mobile.csv", rows))
    user = User.objects.get(national_code=cell(rows[1], "national_code"))
    assert user.mobile is None
    return user


def sign_in(client, login: str, password: str):
    return client.post(LOGIN, {"login": login, "password": password})


def assert_sent_to_completion(client, path: str, method: str = "get") -> None:
    response = getattr(client, method)(path)
    assert response.status_code == 302, (path, response.status_code)
    assert response["Location"].startswith(COMPLETE), (path, response["Location"])


def prove_mobile(client, user: User, mobile: str = NEW_MOBILE) -> None:
    identity_service.register(user.national_code, mobile)
    assert client.post(MOBILE_STEP, {"mobile": mobile})["Location"] == CODE_STEP
    assert client.post(CODE_STEP, {"code": code_in(last_sms_to(mobile))})["Location"] == (
        PASSWORD_STEP
    )


def test_a_legacy_account_without_a_mobile_reaches_no_page_before_completing(mobileless, english):
    response = sign_in(english, mobileless.national_code, password_for(2))

    assert response.status_code == 302
    assert english.session[SESSION_KEY] == str(mobileless.pk)
    for path in [
        "/gov/",
        "/gov/inquiry/",
        "/me/",
        "/me/status/",
        reverse("mfa_activate_totp"),
        reverse("mfa_index"),
        reverse("accounts:password_change"),
        "/admin/",
    ]:
        assert_sent_to_completion(english, path)
    assert_sent_to_completion(english, reverse("mfa_activate_totp"), "post")
    assert english.get(COMPLETE)["Location"] == MOBILE_STEP


def test_a_session_from_before_the_fix_is_held_at_completion_too(mobileless, client):
    client.force_login(mobileless)
    assert_sent_to_completion(client, "/gov/")


def test_the_legacy_account_completes_with_a_confirmed_mobile_and_a_new_password(
    mobileless, english
):
    sign_in(english, mobileless.national_code, password_for(2))

    # A mobile the identity service does not confirm for this national code is refused.
    response = english.post(MOBILE_STEP, {"mobile": "۰۹۳۵۱۱۱۰۰۹۹"})
    assert response.status_code == 200
    assert response.context["form"].errors["mobile"] == [
        "This mobile number is not registered to your national code, or another account "
        "uses it. Enter a mobile line registered in your own name."
    ]
    assert identity_service.asked == [(mobileless.national_code, NEW_MOBILE)]
    assert portal.sms.outbox == []
    assert_sent_to_completion(english, CODE_STEP)

    identity_service.register(mobileless.national_code, NEW_MOBILE)
    response = english.post(MOBILE_STEP, {"mobile": "۰۹۳۵۱۱۱۰۰۹۹"})
    assert response["Location"] == CODE_STEP
    code = code_in(last_sms_to(NEW_MOBILE))
    assert english.get(CODE_STEP).status_code == 200

    response = english.post(CODE_STEP, {"code": f"{(int(code) + 1) % 10**6:06d}"})
    assert response.status_code == 200
    assert response.context["form"].errors["code"] == ["This code is not correct or has expired."]
    assert_sent_to_completion(english, reverse("mfa_activate_totp"))

    response = english.post(CODE_STEP, {"code": code})
    assert response["Location"] == PASSWORD_STEP
    mobileless.refresh_from_db()
    assert (mobileless.mobile, mobileless.mobile_verified) == (NEW_MOBILE, True)
    assert mobileless.identity_proven
    # The password is still the one isinsured had: still nothing else.
    assert_sent_to_completion(english, "/gov/")
    assert_sent_to_completion(english, reverse("mfa_activate_totp"))

    response = english.post(PASSWORD_STEP, {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD})
    assert response["Location"] == reverse("accounts:dashboard")

    mobileless.refresh_from_db()
    assert not mobileless.must_complete_account
    assert mobileless.check_password(NEW_PASSWORD)
    assert english.session[SESSION_KEY] == str(mobileless.pk)  # still signed in
    assert english.get("/me/").status_code == 200
    # Agency staff: now TOTP enrolment, and only then the panel.
    assert english.get("/gov/")["Location"] == reverse("mfa_activate_totp")
    totp = english.get(reverse("mfa_activate_totp"))
    assert not (totp.status_code == 302 and totp["Location"].startswith(COMPLETE))


def test_a_weak_legacy_password_is_forced_to_change(tmp_path, migrate, english):
    weak = "12345678"
    rows = legacy_rows()
    rows[1] = with_cell(
        rows[1],
        "password_hash",
        "md5$" + hashlib.md5(weak.encode(), usedforsecurity=False).hexdigest(),
    )
    migrate(write_export(tmp_path / "weak.csv", rows))
    user = User.objects.get(national_code=cell(rows[1], "national_code"))
    migrated_mobile = cell(rows[1], "mobile")
    identity_service.register(user.national_code, migrated_mobile)

    # The mobile from the isinsured file is proven by a code at sign-in, as any other.
    response = sign_in(english, user.national_code, weak)
    assert response["Location"] == reverse("account_verify_phone")
    response = english.post(
        reverse("account_verify_phone"), {"code": code_in(last_sms_to(migrated_mobile))}
    )
    assert english.session[SESSION_KEY] == str(user.pk)
    assert_sent_to_completion(english, "/me/")

    # The code at sign-in proved the mobile and the identity service confirms it: the account
    # is proven already, so completing it asks only for a new password.
    user.refresh_from_db()
    assert user.identity_proven
    assert english.get(reverse("accounts:complete"))["Location"] == PASSWORD_STEP

    for refused in [weak, "87654321", "short"]:
        response = english.post(PASSWORD_STEP, {"password1": refused, "password2": refused})
        assert response.status_code == 200
        assert response.context["form"].errors["password1"]
    response = english.post(PASSWORD_STEP, {"password1": weak, "password2": weak})
    assert "This password is too common." in response.context["form"].errors["password1"]
    assert_sent_to_completion(english, "/gov/")

    english.post(PASSWORD_STEP, {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD})

    user.refresh_from_db()
    assert not user.check_password(weak)
    assert english.get("/me/").status_code == 200


def test_the_old_password_cannot_be_kept(mobileless, english):
    sign_in(english, mobileless.national_code, password_for(2))
    prove_mobile(english, mobileless)

    response = english.post(
        PASSWORD_STEP, {"password1": password_for(2), "password2": password_for(2)}
    )

    assert response.status_code == 200
    assert response.context["form"].errors["password1"] == [
        "Choose a new password, not the one you used on isinsured."
    ]


def test_old_user_names_still_sign_in_before_and_after_completing(mobileless, english, settings):
    settings.ISINSURED_USERNAME_LOGIN_UNTIL = timezone.localdate()

    assert sign_in(english, "user2", password_for(2)).status_code == 302
    assert_sent_to_completion(english, "/me/")
    prove_mobile(english, mobileless)
    english.post(PASSWORD_STEP, {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD})
    english.logout()

    response = sign_in(english, "USER2", NEW_PASSWORD)

    assert response.status_code == 302
    assert response["Location"] == "/me/"
    assert english.get("/me/").status_code == 200


def test_a_mobile_that_another_account_uses_is_refused_without_a_code(mobileless, english, citizen):
    sign_in(english, mobileless.national_code, password_for(2))
    identity_service.register(mobileless.national_code, citizen.mobile)
    portal.sms.outbox.clear()

    response = english.post(MOBILE_STEP, {"mobile": citizen.mobile})

    assert response.status_code == 200
    assert response.context["form"].errors["mobile"]
    assert portal.sms.outbox == []


def test_an_unavailable_identity_service_gets_a_clear_answer_and_no_code(mobileless, english):
    sign_in(english, mobileless.national_code, password_for(2))
    identity_service.unavailable = True

    response = english.post(MOBILE_STEP, {"mobile": NEW_MOBILE})

    assert response.status_code == 503
    assert response.context["form"].non_field_errors() == [
        "The identity service cannot be reached just now. Please try again in a few minutes."
    ]
    assert portal.sms.outbox == []


def test_five_wrong_codes_void_the_mobile_code(mobileless, english):
    sign_in(english, mobileless.national_code, password_for(2))
    identity_service.register(mobileless.national_code, NEW_MOBILE)
    english.post(MOBILE_STEP, {"mobile": NEW_MOBILE})
    code = code_in(last_sms_to(NEW_MOBILE))
    for _ in range(5):
        english.post(CODE_STEP, {"code": f"{(int(code) + 1) % 10**6:06d}"})

    response = english.post(CODE_STEP, {"code": code})

    assert response.status_code == 200
    mobileless.refresh_from_db()
    assert mobileless.mobile is None and not mobileless.identity_proven


def test_a_person_whose_proven_account_existed_is_not_held(tmp_path, migrate, client):
    rows = legacy_rows()
    existing = make_user(cell(rows[2], "national_code"), "+989121119999")
    migrate(write_export(tmp_path / "isinsured.csv", rows))

    client.force_login(existing)

    assert client.get("/me/").status_code == 200
    assert existing.check_password(PASSWORD)


def test_an_account_without_a_mobile_that_was_not_migrated_is_not_held(client, db):
    # Made with `createsuperuser`: an operator's own account (docs/security.md, issue 11).
    user = User.objects.create_user("0499370899", PASSWORD)
    client.force_login(user)
    assert client.get("/me/").status_code == 200


def test_a_mobile_another_account_took_after_the_code_was_sent_is_refused(mobileless, english):
    sign_in(english, mobileless.national_code, password_for(2))
    identity_service.register(mobileless.national_code, NEW_MOBILE)
    english.post(MOBILE_STEP, {"mobile": NEW_MOBILE})
    code = code_in(last_sms_to(NEW_MOBILE))
    make_user("0010000097", NEW_MOBILE)

    response = english.post(CODE_STEP, {"code": code}, follow=True)

    assert response.redirect_chain[-1][0] == MOBILE_STEP
    assert "another account uses it" in response.content.decode()
    mobileless.refresh_from_db()
    assert mobileless.mobile is None and not mobileless.identity_proven
