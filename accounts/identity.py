"""The identity check run at sign-up.

`settings.PORTAL_SIGNUP_IDENTITY_CHECK` names a callable taking the national code and birth
date and returning an `IdentityCheck`. The default accepts everyone; the coverage registry
plugs in a stricter check that compares the birth date with its records.
"""

import datetime
from collections.abc import Callable
from dataclasses import dataclass

from django.conf import settings
from django.utils.module_loading import import_string


@dataclass(frozen=True)
class IdentityCheck:
    accepted: bool
    # Shown to the person: why they were refused, or something they should know.
    message: str = ""


def accept_everyone(*, national_code: str, birth_date: datetime.date) -> IdentityCheck:
    return IdentityCheck(accepted=True)


def check_identity(*, national_code: str, birth_date: datetime.date) -> IdentityCheck:
    check: Callable[..., IdentityCheck] = import_string(settings.PORTAL_SIGNUP_IDENTITY_CHECK)
    return check(national_code=national_code, birth_date=birth_date)
