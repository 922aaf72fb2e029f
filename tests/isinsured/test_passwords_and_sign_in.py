"""Old passwords work through the wrapped hashes, are upgraded at the first sign-in, and no bare
MD5 or SHA-1 hash is ever stored; the old user name works inside the transition window only."""

import datetime
import hashlib

import pytest
from django.apps import apps
from django.contrib.auth import SESSION_KEY
from django.contrib.auth.hashers import check_password, get_hasher, identify_hasher
from django.db import models
from django.urls import reverse
from django.utils import timezone

from accounts.hashers import PBKDF2WrappedMD5PasswordHasher, PBKDF2WrappedSHA1PasswordHasher
from accounts.models import User
from tests.isinsured.conftest import cell, complete_account, legacy_rows, password_for

pytestmark = pytest.mark.django_db
LOGIN = "/accounts/login/"


def test_a_wrapped_md5_hash_checks_the_old_password():
    md5 = hashlib.md5(b"old secret", usedforsecurity=False).hexdigest()
    encoded = PBKDF2WrappedMD5PasswordHasher().wrap(md5)

    assert encoded.startswith("pbkdf2_wrapped_md5$1000$")
    assert md5 not in encoded
    assert check_password("old secret", encoded)
    assert not check_password("old secreT", encoded)


def test_a_wrapped_sha1_hash_keeps_the_legacy_salt_and_checks_the_old_password():
    sha1 = hashlib.sha1(b"NaCl" + b"old secret", usedforsecurity=False).hexdigest()
    encoded = PBKDF2WrappedSHA1PasswordHasher().wrap("NaCl", sha1)

    algorithm, iterations, salt, legacy_salt, _hash = encoded.split("$")
    assert (algorithm, iterations, legacy_salt) == ("pbkdf2_wrapped_sha1", "1000", "NaCl")
    assert salt != "NaCl"
    assert sha1 not in encoded
    assert check_password("old secret", encoded)
    assert not check_password("old secret", encoded.replace("$NaCl$", "$NaCI$"))


def test_the_wrapping_hashers_come_after_the_default():
    assert get_hasher("default").algorithm == "pbkdf2_sha256"
    assert get_hasher("pbkdf2_wrapped_md5").algorithm == "pbkdf2_wrapped_md5"


@pytest.mark.parametrize(("number", "algorithm"), [(2, "md5"), (1, "sha1")])
def test_a_migrated_user_signs_in_with_the_old_password_and_gets_the_default_hash(
    export, migrate, client, number, algorithm
):
    migrate(export)
    row = legacy_rows()[number - 1]
    user = User.objects.get(national_code=cell(row, "national_code"))
    assert identify_hasher(user.password).algorithm == f"pbkdf2_wrapped_{algorithm}"

    response = client.post(LOGIN, {"login": user.national_code, "password": password_for(number)})

    # Signed in; the mobile isinsured gave is checked next (a code by SMS) before the session.
    assert response.status_code == 302
    assert response["Location"] != LOGIN
    user.refresh_from_db()
    assert identify_hasher(user.password).algorithm == get_hasher("default").algorithm
    assert user.check_password(password_for(number))


def test_a_wrong_old_password_is_refused_and_the_wrapped_hash_stays(export, migrate, client):
    migrate(export)
    user = User.objects.get(national_code=cell(legacy_rows()[1], "national_code"))

    response = client.post(LOGIN, {"login": user.national_code, "password": "guess"})

    assert response.status_code == 200
    user.refresh_from_db()
    assert identify_hasher(user.password).algorithm == "pbkdf2_wrapped_md5"


def _text_in_the_database() -> list[str]:
    texts: list[str] = []
    for model in apps.get_models():
        names = [
            field.attname
            for field in model._meta.concrete_fields
            if isinstance(field, models.CharField | models.TextField | models.JSONField)
        ]
        if names:
            for values in model._default_manager.values_list(*names):
                texts.extend(str(value) for value in values)
    return texts


def test_no_row_in_the_database_holds_a_bare_legacy_hash(export, migrate, client):
    migrate(export)
    client.post(
        LOGIN,
        {"login": cell(legacy_rows()[1], "national_code"), "password": password_for(2)},
    )

    texts = "\n".join(_text_in_the_database())
    for row in legacy_rows():
        legacy = cell(row, "password_hash")
        digest = legacy.rsplit("$", 1)[1]
        assert digest not in texts
        assert legacy not in texts


def test_migrated_staff_complete_the_account_then_enrol_totp_before_the_panel_opens(
    export, migrate, client
):
    migrate(export)
    user = User.objects.get(national_code=cell(legacy_rows()[0], "national_code"))
    client.force_login(user)
    assert client.get("/gov/")["Location"] == reverse("accounts:complete")

    complete_account(user)
    client.force_login(user)
    response = client.get("/gov/")

    assert response.status_code == 302
    assert response["Location"] == reverse("mfa_activate_totp")


def _sign_in_with_username(client, number: int):
    return client.post(LOGIN, {"login": f"user{number}", "password": password_for(number)})


def test_the_old_user_name_signs_in_inside_the_window(export, migrate, client, settings):
    migrate(export)
    settings.ISINSURED_USERNAME_LOGIN_UNTIL = timezone.localdate()

    response = _sign_in_with_username(client, 2)

    assert response.status_code == 302
    user = User.objects.get(national_code=cell(legacy_rows()[1], "national_code"))
    assert identify_hasher(user.password).algorithm == "pbkdf2_sha256"


def test_the_old_user_name_is_case_blind(export, migrate, client, settings):
    migrate(export)
    settings.ISINSURED_USERNAME_LOGIN_UNTIL = timezone.localdate()

    response = client.post(LOGIN, {"login": "USER2", "password": password_for(2)})

    assert response.status_code == 302


@pytest.mark.parametrize("until", [None, "yesterday"])
def test_the_old_user_name_does_not_sign_in_outside_the_window(
    export, migrate, client, settings, until
):
    migrate(export)
    settings.ISINSURED_USERNAME_LOGIN_UNTIL = (
        timezone.localdate() - datetime.timedelta(days=1) if until else None
    )

    response = _sign_in_with_username(client, 2)

    assert response.status_code == 200
    assert SESSION_KEY not in client.session
    user = User.objects.get(national_code=cell(legacy_rows()[1], "national_code"))
    assert identify_hasher(user.password).algorithm == "pbkdf2_wrapped_md5"


def test_the_national_code_still_signs_in_during_the_window(export, migrate, client, settings):
    migrate(export)
    settings.ISINSURED_USERNAME_LOGIN_UNTIL = timezone.localdate()

    response = client.post(
        LOGIN, {"login": cell(legacy_rows()[0], "national_code"), "password": password_for(1)}
    )

    assert response.status_code == 302
