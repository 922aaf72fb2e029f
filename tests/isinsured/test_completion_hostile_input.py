"""The migrated account's completion pages under every hostile value of the project's sweep.

They open only to an account the isinsured migration flagged, which the page-wide sweep in
tests/security/test_hostile_input.py has no role for; this test makes one and sweeps the three
steps the same way: no 500, nothing reflected unescaped, errors in the page's language.
"""

import pytest
from django.db import transaction

from accounts.identity.backends import locmem as identity_service
from tests.conftest import clear_cache
from tests.isinsured.conftest import password_for
from tests.isinsured.test_account_completion import (
    CODE_STEP,
    MOBILE_STEP,
    PASSWORD_STEP,
    mobileless,  # noqa: F401 (a fixture)
    prove_mobile,
    sign_in,
)
from tests.security import hostile
from tests.security.test_hostile_input import check

pytestmark = pytest.mark.django_db

STEPS = {MOBILE_STEP: ["mobile"], CODE_STEP: ["code"], PASSWORD_STEP: ["password1", "password2"]}


def test_every_hostile_value_in_every_completion_step_is_refused_politely(mobileless, client):  # noqa: F811
    assert sign_in(client, mobileless.national_code, password_for(2)).status_code == 302
    identity_service.register(mobileless.national_code, "+989351110098")
    assert client.post(MOBILE_STEP, {"mobile": "+989351110098"})["Location"] == CODE_STEP
    problems: list[str] = []
    for index, value in enumerate(hostile.HOSTILE_VALUES):
        language = ("fa", "en")[index % 2]
        client.cookies["django_language"] = language
        for step, fields in STEPS.items():
            if step == PASSWORD_STEP:
                continue
            clear_cache_but_the_pending_code(client)
            with transaction.atomic():
                response = client.post(step, dict.fromkeys(fields, value))
                transaction.set_rollback(True)
            check(
                response,
                where=f"POST {step} ({language}) {value!r:.40}",
                language=language,
                sent=[str(value)],
                problems=problems,
            )
    assert problems == []


def test_every_hostile_password_is_refused_politely(mobileless, client):  # noqa: F811
    assert sign_in(client, mobileless.national_code, password_for(2)).status_code == 302
    prove_mobile(client, mobileless)
    problems: list[str] = []
    for index, value in enumerate(hostile.HOSTILE_VALUES):
        language = ("fa", "en")[index % 2]
        client.cookies["django_language"] = language
        clear_cache()
        with transaction.atomic():
            response = client.post(PASSWORD_STEP, {"password1": value, "password2": value})
            transaction.set_rollback(True)
        check(
            response,
            where=f"POST {PASSWORD_STEP} ({language}) {value!r:.40}",
            language=language,
            sent=[str(value)],
            problems=problems,
        )
    assert problems == []


def clear_cache_but_the_pending_code(client) -> None:
    """The code step's five tries would void the code long before the sweep ends; the pending
    code itself lives in the cache too, so only the tries are forgotten."""
    from django.core.cache import cache

    from accounts.services import _COMPLETION_CODE_KEY

    user_id = client.session["_auth_user_id"]
    cache.delete(f"{_COMPLETION_CODE_KEY.format(user_id=user_id)}:attempts")
