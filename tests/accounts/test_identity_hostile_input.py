"""The identity page's birth-date form under every hostile value of the project's sweep.

The form shows only to a proven account whose birth date differs from the registry's, which the
page-wide sweep in tests/security/test_hostile_input.py has no role for.
"""

from django.db import transaction

from accounts.identity.backends import locmem as identity_service
from tests.accounts.test_signup_binding import ATTACKER_MOBILE, UNKNOWN, _register, sign_up, verify
from tests.conftest import clear_cache
from tests.security import hostile
from tests.security.test_hostile_input import check

IDENTITY = "/me/identity/"


def test_every_hostile_birth_date_is_refused_politely(db, client):
    _register(UNKNOWN)
    identity_service.register(UNKNOWN, ATTACKER_MOBILE)
    sign_up(client, UNKNOWN, ATTACKER_MOBILE, "1990-01-01")
    verify(client, ATTACKER_MOBILE)
    assert 'name="birth_date"' in client.get(IDENTITY).content.decode()
    problems: list[str] = []
    for index, value in enumerate(hostile.HOSTILE_VALUES):
        language = ("fa", "en")[index % 2]
        client.cookies["django_language"] = language
        clear_cache()  # five corrections a day would refuse the rest before any validation
        with transaction.atomic():
            response = client.post(IDENTITY, {"action": "birth_date", "birth_date": value})
            transaction.set_rollback(True)
        check(
            response,
            where=f"POST {IDENTITY} ({language}) {value!r:.40}",
            language=language,
            sent=[str(value)],
            problems=problems,
        )
    assert problems == []
