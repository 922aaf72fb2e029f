"""Who is who: the checks that tie an account to a national code.

Two checks, each behind a setting:

- `mobile_belongs_to(national_code, mobile)` asks the identity service whether a mobile line is
  registered to a national code, the way Iranian government portals ask the operators' shared
  register ("Shahkar"). `IDENTITY_BACKEND` chooses the backend: `demo` (pairs that `seed_demo`
  stores), `http` (the real service) or `locmem` (tests); see `accounts/identity/backends/`.
- `check_identity(national_code, birth_date)` compares a sign-up's birth date with the coverage
  registry; `PORTAL_SIGNUP_IDENTITY_CHECK` names the callable (the registry plugs its own in,
  since accounts may not import inquiries).
"""

import datetime
import enum
import functools
import logging
from collections.abc import Callable
from dataclasses import dataclass

from django.conf import settings
from django.core.signals import setting_changed
from django.dispatch import receiver
from django.utils.module_loading import import_string

from accounts.identity.backends.base import IdentityBackend, IdentityServiceUnavailable
from portal import metrics

logger = logging.getLogger(__name__)

BACKEND_ALIASES = {
    "demo": "accounts.identity.backends.demo.IdentityBackend",
    "http": "accounts.identity.backends.http.IdentityBackend",
    "locmem": "accounts.identity.backends.locmem.IdentityBackend",
}


class Ownership(enum.StrEnum):
    """The identity service's answer to "is this mobile line registered to this person?"."""

    YES = "yes"
    NO = "no"
    UNAVAILABLE = "unavailable"


@functools.cache
def get_backend() -> IdentityBackend:
    path = BACKEND_ALIASES.get(settings.IDENTITY_BACKEND, settings.IDENTITY_BACKEND)
    backend: IdentityBackend = import_string(path)()
    return backend


@receiver(setting_changed)
def _forget_backend(*, setting: str, **kwargs: object) -> None:
    if setting.startswith("IDENTITY_"):
        get_backend.cache_clear()


def mobile_belongs_to(national_code: str, mobile: str) -> Ownership:
    """Whether `mobile` (+989…) is registered to `national_code`; UNAVAILABLE when nobody knows.

    UNAVAILABLE is never taken for YES: callers keep the account unproven and try again later.
    """
    try:
        belongs = get_backend().mobile_belongs_to(national_code=national_code, mobile=mobile)
    except IdentityServiceUnavailable as error:
        logger.warning("identity service unavailable: %s", error)
        metrics.count_identity_failure()
        return Ownership.UNAVAILABLE
    return Ownership.YES if belongs else Ownership.NO


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
