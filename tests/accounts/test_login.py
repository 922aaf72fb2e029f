"""Signing in with the national code and password, signing out, and the dashboard's door."""

import re

import pytest
from django.contrib.auth import SESSION_KEY
from django.urls import reverse

import portal.sms
from accounts.models import User
from tests.accounts.conftest import NEW_NATIONAL_CODE, code_in, last_sms_to
from tests.conftest import PASSWORD

LOGIN = "/accounts/login/"


def sign_in(client, login: str, password: str = PASSWORD, **extra):
    return client.post(LOGIN, {"login": login, "password": password, **extra})


@pytest.mark.parametrize("typed", ["0010000011", "۰۰۱۰۰۰۰۰۱۱", "٠٠١٠-٠٠٠-٠١١", " 0010 000 011 "])
def test_a_citizen_signs_in_with_the_national_code_in_any_digits(english_client, citizen, typed):
    response = sign_in(english_client, typed)

    assert response.status_code == 302
    assert response["Location"] == "/me/"
    assert english_client.session[SESSION_KEY] == str(citizen.pk)
    dashboard = english_client.get("/me/")
    assert dashboard.status_code == 200
    assert "0010000011" in dashboard.content.decode()


def test_it_goes_to_the_next_page_after_signing_in(english_client, citizen):
    response = english_client.post(
        f"{LOGIN}?next=/me/%3Ftab%3Dcoverage", {"login": "0010000011", "password": PASSWORD}
    )
    assert response["Location"] == "/me/?tab=coverage"


def test_it_ignores_a_next_page_on_another_site(english_client, citizen):
    response = english_client.post(
        f"{LOGIN}?next=https://evil.example/", {"login": "0010000011", "password": PASSWORD}
    )
    assert response["Location"] == "/me/"


def test_it_rejects_a_wrong_password_and_keeps_no_session(english_client, citizen):
    response = sign_in(english_client, "0010000011", "not the password")

    assert response.status_code == 200
    assert response.context["form"].non_field_errors() == [
        "The national code or password is not correct."
    ]
    assert "The national code or password is not correct." in response.content.decode()
    assert SESSION_KEY not in english_client.session
    assert english_client.get("/me/").status_code == 302


def test_an_unknown_national_code_gets_the_same_answer_as_a_wrong_password(english_client, db):
    response = sign_in(english_client, NEW_NATIONAL_CODE)
    assert response.status_code == 200
    assert response.context["form"].non_field_errors() == [
        "The national code or password is not correct."
    ]


def test_it_refuses_an_inactive_user(english_client, citizen):
    citizen.is_active = False
    citizen.save(update_fields=["is_active"])

    response = sign_in(english_client, "0010000011")

    assert response.status_code == 302
    assert response["Location"] == reverse("account_inactive")
    assert SESSION_KEY not in english_client.session
    assert english_client.get("/me/").status_code == 302


def test_an_account_without_a_mobile_can_sign_in(english_client, db):
    # Accounts made with `createsuperuser` or in the admin have no mobile.
    user = User.objects.create_user(NEW_NATIONAL_CODE, PASSWORD)

    response = sign_in(english_client, NEW_NATIONAL_CODE)

    assert response.status_code == 302
    assert response["Location"] == "/me/"
    assert english_client.session[SESSION_KEY] == str(user.pk)


def test_an_unverified_mobile_is_verified_before_signing_in(english_client, db):
    user = User.objects.create_user(NEW_NATIONAL_CODE, PASSWORD, mobile="+989351234567")

    response = sign_in(english_client, NEW_NATIONAL_CODE)

    assert response["Location"] == reverse("account_verify_phone")
    assert SESSION_KEY not in english_client.session
    code = code_in(last_sms_to("+989351234567"))
    response = english_client.post(reverse("account_verify_phone"), {"code": code})
    assert response["Location"] == "/me/"
    assert english_client.session[SESSION_KEY] == str(user.pk)
    user.refresh_from_db()
    assert user.mobile_verified is True


def test_a_verified_mobile_gets_no_sms_at_sign_in(english_client, citizen):
    sign_in(english_client, "0010000011")
    assert portal.sms.outbox == []


def test_logout_by_post_ends_the_session(english_client, citizen):
    english_client.force_login(citizen)

    response = english_client.post(reverse("account_logout"))

    assert response.status_code == 302
    assert response["Location"] == reverse("home")
    assert SESSION_KEY not in english_client.session
    assert english_client.get("/me/").status_code == 302


def test_logout_by_get_only_asks_to_confirm(english_client, citizen):
    english_client.force_login(citizen)
    response = english_client.get(reverse("account_logout"))
    assert response.status_code == 200
    assert english_client.session[SESSION_KEY] == str(citizen.pk)


def test_the_dashboard_sends_anonymous_users_to_sign_in(client, db):
    response = client.get("/me/")
    assert response.status_code == 302
    assert response["Location"] == f"{reverse('account_login')}?next=/me/"


def test_the_sign_in_page_labels_the_field_national_code(english_client):
    page = english_client.get(LOGIN).content.decode()
    assert re.search(r'<label[^>]*for="id_login"[^>]*>\s*National code\s*<', page)
    login_input = re.search(r'<input[^>]*name="login"[^>]*>', page)
    assert login_input
    assert 'inputmode="numeric"' in login_input.group(0)
    assert 'maxlength="10"' not in login_input.group(0)
