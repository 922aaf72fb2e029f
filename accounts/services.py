"""Actions that change accounts."""

import hashlib
import hmac
import secrets

from django.conf import settings
from django.contrib.auth.models import Group
from django.core.cache import cache
from django.db import transaction

from accounts.models import User
from accounts.roles import Role
from portal.sms import send_templated_sms

_RESET_KEY = "accounts:password-reset-sms:{national_code}"


def _code_digest(code: str) -> str:
    return hmac.new(settings.SECRET_KEY.encode(), code.encode(), hashlib.sha256).hexdigest()


def start_password_reset_by_sms(*, national_code: str, mobile: str) -> None:
    """Text a 6-digit code to the account's verified mobile, if the two match an account.

    Says nothing either way, so the form cannot tell anyone whether an account exists.
    """
    user = User.objects.filter(
        national_code=national_code, mobile=mobile, mobile_verified=True, is_active=True
    ).first()
    if user is None:
        return
    code = f"{secrets.randbelow(10**6):06d}"
    cache.set(
        _RESET_KEY.format(national_code=national_code),
        {"digest": _code_digest(code), "attempts": 0},
        timeout=int(settings.PASSWORD_RESET_SMS_TIMEOUT.total_seconds()),
    )
    send_templated_sms(
        to=mobile,
        template_name="password_reset_code",
        context={"code": code},
        language=user.language,
    )


def password_reset_code_matches(*, national_code: str, code: str) -> bool:
    """Check a reset code in constant time; too many wrong tries void the code."""
    key = _RESET_KEY.format(national_code=national_code)
    pending = cache.get(key)
    if pending is None:
        return False
    if hmac.compare_digest(pending["digest"], _code_digest(code)):
        return True
    pending["attempts"] += 1
    if pending["attempts"] >= settings.PASSWORD_RESET_SMS_MAX_ATTEMPTS:
        cache.delete(key)
    else:
        cache.set(key, pending, timeout=int(settings.PASSWORD_RESET_SMS_TIMEOUT.total_seconds()))
    return False


@transaction.atomic
def finish_password_reset_by_sms(*, national_code: str, code: str, new_password: str) -> bool:
    """Set a new password if the code is right. The code works once."""
    if not password_reset_code_matches(national_code=national_code, code=code):
        return False
    user = User.objects.select_for_update().get(national_code=national_code)
    user.set_password(new_password)
    user.save(update_fields=["password"])
    cache.delete(_RESET_KEY.format(national_code=national_code))
    return True


def assign_role(*, user: User, role: Role) -> None:
    user.groups.add(Group.objects.get(name=role.value))
    if hasattr(user, "_roles"):
        del user._roles
