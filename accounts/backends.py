"""Signing in with the old isinsured user name, during the transition window only."""

import datetime
from typing import Any

from django.conf import settings
from django.contrib.auth.backends import ModelBackend
from django.http import HttpRequest
from django.utils import timezone

from accounts.models import LegacyAccount, User, legacy_username_key


def legacy_username_login_open(today: datetime.date | None = None) -> bool:
    """Whether ISINSURED_USERNAME_LOGIN_UNTIL is set and today is not after it."""
    until: datetime.date | None = settings.ISINSURED_USERNAME_LOGIN_UNTIL
    return until is not None and (today or timezone.localdate()) <= until


class LegacyUsernameBackend(ModelBackend):
    """Accepts an isinsured user name in place of the national code, inside the window.

    Listed after the national-code backends, so a national code is always tried first. The
    password check is the usual one (`check_password`), which also upgrades a wrapped legacy
    hash to the default hasher.
    """

    def authenticate(
        self,
        request: HttpRequest | None,
        username: str | None = None,
        password: str | None = None,
        **kwargs: Any,
    ) -> User | None:
        if not username or password is None or not legacy_username_login_open():
            return None
        legacy = (
            LegacyAccount.objects.select_related("user")
            .filter(username_key=legacy_username_key(username))
            .first()
        )
        if legacy is None:
            # Like ModelBackend: spend the time of one hash, so a miss does not show.
            User().set_password(password)
            return None
        user = legacy.user
        if user.check_password(password) and self.user_can_authenticate(user):
            return user
        return None
