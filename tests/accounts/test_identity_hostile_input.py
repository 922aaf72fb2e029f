"""The identity page's birth-date form under every hostile value of the project's sweep.

The form shows only to a proven account whose birth date differs from the registry's, which the
page-wide sweep in tests/security/test_hostile_input.py has no role for.
"""

from accounts.identity.backends import locmem as identity_service
from tests.accounts.test_signup_binding import ATTACKER_MOBILE, UNKNOWN, _register, sign_up, verify
from tests.security.test_hostile_input import sweep

IDENTITY = "/me/identity/"


def test_every_hostile_birth_date_is_refused_politely(db, client):
    _register(UNKNOWN)
    identity_service.register(UNKNOWN, ATTACKER_MOBILE)
    sign_up(client, UNKNOWN, ATTACKER_MOBILE, "1990-01-01")
    verify(client, ATTACKER_MOBILE)
    assert 'name="birth_date"' in client.get(IDENTITY).content.decode()
    problems = sweep(client, IDENTITY, lambda value: {"action": "birth_date", "birth_date": value})
    assert problems == []
