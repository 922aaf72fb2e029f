"""The migrated account's completion pages under every hostile value of the project's sweep.

They open only to an account the isinsured migration flagged, which the page-wide sweep in
tests/security/test_hostile_input.py has no role for; this test makes one and sweeps the three
steps the same way: no 500, nothing reflected unescaped, errors in the page's language.
"""

from functools import partial

import pytest
from django.core.cache import cache

from accounts.identity.backends import locmem as identity_service
from accounts.services import _COMPLETION_CODE_KEY
from tests.isinsured.conftest import password_for
from tests.isinsured.test_account_completion import (
    CODE_STEP,
    MOBILE_STEP,
    PASSWORD_STEP,
    mobileless,  # noqa: F401 (a fixture)
    prove_mobile,
    sign_in,
)
from tests.security.test_hostile_input import sweep

pytestmark = pytest.mark.django_db

STEPS = {MOBILE_STEP: "mobile", CODE_STEP: "code"}


def test_every_hostile_value_in_every_completion_step_is_refused_politely(mobileless, client):  # noqa: F811
    assert sign_in(client, mobileless.national_code, password_for(2)).status_code == 302
    identity_service.register(mobileless.national_code, "+989351110098")
    assert client.post(MOBILE_STEP, {"mobile": "+989351110098"})["Location"] == CODE_STEP
    for step, field in STEPS.items():
        problems = sweep(
            client,
            step,
            partial(_one_field, field),
            before_each=lambda: forget_the_code_tries(client),
        )
        assert problems == []


def test_every_hostile_password_is_refused_politely(mobileless, client):  # noqa: F811
    assert sign_in(client, mobileless.national_code, password_for(2)).status_code == 302
    prove_mobile(client, mobileless)
    problems = sweep(client, PASSWORD_STEP, lambda value: {"password1": value, "password2": value})
    assert problems == []


def _one_field(field: str, value: str) -> dict[str, str]:
    return {field: value}


def forget_the_code_tries(client) -> None:
    """The code step's five tries would void the code long before the sweep ends; the pending
    code itself lives in the cache too, so only the tries are forgotten."""
    user_id = client.session["_auth_user_id"]
    cache.delete(f"{_COMPLETION_CODE_KEY.format(user_id=user_id)}:attempts")
