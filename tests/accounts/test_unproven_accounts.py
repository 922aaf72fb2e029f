"""Unproven sign-ups are deleted after a day by housekeeping, so they block nobody; the identity
page tells an unproven account what is missing and lets it finish."""

import datetime

import time_machine
from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from accounts import tasks
from accounts.identity.backends import locmem as identity_service
from accounts.models import User
from tests.accounts.test_signup_binding import (
    ATTACKER_MOBILE,
    UNKNOWN,
    english,
    sign_up,
    verify,
)
from tests.conftest import PASSWORD, make_user

IDENTITY = reverse("accounts:identity")


def test_unproven_sign_ups_are_deleted_after_a_day_and_a_second_run_finds_nothing(db):
    client = english()
    sign_up(client, UNKNOWN, ATTACKER_MOBILE, "1990-01-01")
    verify(client, ATTACKER_MOBILE)
    assert client.get("/me/").status_code == 200
    older = User.objects.create_user("0499370899", PASSWORD)  # from before issue 11: kept
    proven = make_user("0010000011", "+989121110001")

    assert tasks.delete_expired_unproven_accounts.delay().get() == 0
    with time_machine.travel(timezone.now() + datetime.timedelta(hours=24, minutes=1)):
        assert tasks.delete_expired_unproven_accounts.delay().get() == 1
        assert tasks.delete_expired_unproven_accounts.delay().get() == 0

    assert set(User.objects.all()) == {older, proven}
    assert client.get("/me/").status_code == 302  # its session ended with it


def test_housekeeping_is_scheduled():
    entry = settings.CELERY_BEAT_SCHEDULE["accounts-delete-expired-unproven-accounts"]
    assert entry["task"] == "accounts.tasks.delete_expired_unproven_accounts"


def test_the_identity_page_lets_an_account_ask_again_once_the_service_answers(db):
    identity_service.register(UNKNOWN, ATTACKER_MOBILE)
    identity_service.unavailable = True
    client = english()
    sign_up(client, UNKNOWN, ATTACKER_MOBILE, "1990-01-01")
    verify(client, ATTACKER_MOBILE)
    assert not User.objects.get().identity_proven
    assert client.get("/me/status/")["Location"] == IDENTITY

    identity_service.unavailable = False
    response = client.post(IDENTITY, {"action": "check"})

    assert response["Location"] == IDENTITY
    assert User.objects.get().identity_proven
    assert client.get("/me/status/").status_code == 200


def test_a_proven_account_corrects_its_birth_date_on_the_identity_page(db):
    from tests.accounts.test_signup_binding import REGISTERED_BIRTH_DATE, _register

    _register(UNKNOWN)
    identity_service.register(UNKNOWN, ATTACKER_MOBILE)
    client = english()
    sign_up(client, UNKNOWN, ATTACKER_MOBILE, "1990-01-01")
    verify(client, ATTACKER_MOBILE)
    assert client.get("/me/status/")["Location"] == IDENTITY
    assert "Does not match" in client.get(IDENTITY).content.decode()

    wrong = client.post(IDENTITY, {"action": "birth_date", "birth_date": "1365/04/13"})
    assert wrong.status_code == 302
    assert client.get("/me/status/")["Location"] == IDENTITY
    client.post(IDENTITY, {"action": "birth_date", "birth_date": "1365/04/12"})

    assert User.objects.get().birth_date == REGISTERED_BIRTH_DATE
    assert client.get("/me/status/").status_code == 200


def test_an_unproven_account_cannot_compare_birth_dates(db):
    from tests.accounts.test_signup_binding import _register

    _register(UNKNOWN)
    client = english()
    sign_up(client, UNKNOWN, ATTACKER_MOBILE, "1990-01-01")
    verify(client, ATTACKER_MOBILE)

    page = client.post(IDENTITY, {"action": "birth_date", "birth_date": "1365/04/12"})

    assert User.objects.get().birth_date == datetime.date(1990, 1, 1)
    assert "Does not match" not in page.content.decode()
    assert "Matches" not in page.content.decode()


def test_the_dashboard_points_an_unproven_account_to_the_identity_page(db):
    client = english()
    sign_up(client, UNKNOWN, ATTACKER_MOBILE, "1990-01-01")
    verify(client, ATTACKER_MOBILE)

    page = client.get("/me/").content.decode()

    assert "Your identity is not proven yet" in page
    assert f'href="{IDENTITY}"' in page
