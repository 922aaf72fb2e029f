"""Whether a request's user has enrolled TOTP (the MFA middleware and the agency panel's gate
both ask on every /gov/ request; `User.totp_enrolled` reads it once, with the roles); and
whether it has just signed in, so that a first enrolment need not ask for the password again.
"""

import time

from allauth.account.internal.flows.login import get_authentication_records
from django.conf import settings
from django.http import HttpRequest


def has_totp(request: HttpRequest) -> bool:
    return request.user.is_authenticated and request.user.totp_enrolled


def signed_in_by_password_moments_ago(request: HttpRequest) -> bool:
    """Whether this session signed in with a password, and no second factor, within the
    reauthentication timeout.

    allauth asks for the password again before a factor is added, even seconds after the
    sign-in that just checked it: a staff member's first enrolment then asked twice in a row.
    Such a sign-in is the same proof a reauthentication would give, for as long as allauth
    trusts a reauthentication. A session that signed in with a second factor is left to
    allauth: changing an existing factor always asks again.
    """
    records = get_authentication_records(request, request.user)
    if any(record.get("method") == "mfa" for record in records):
        return False
    times = [record["at"] for record in records if record.get("method") == "password"]
    return bool(times) and time.time() - times[-1] < settings.ACCOUNT_REAUTHENTICATION_TIMEOUT


# Where a staff member was going when sent to enrol: allauth's enrolment ignores a `next`, so
# the recovery-codes page that ends it offers this as the way on.
DESTINATION_SESSION_KEY = "portal_after_enrolment"


def remember_destination(request: HttpRequest, path: str) -> None:
    session = getattr(request, "session", None)
    if session is not None:
        session[DESTINATION_SESSION_KEY] = path
