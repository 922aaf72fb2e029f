"""A sign-up for a national code or a mobile that only unproven accounts hold.

The page answers as for any sign-up ("a code was sent"); the new mobile gets the same SMS code a
new account gets. The claim waits in the claimant's session (never in a form the browser could
alter); typing the code on the usual verification page proves the mobile, and
`services.claim_national_code` asks the identity service before the code changes hands.
"""

import datetime
import hashlib
import hmac
import secrets
import time

from allauth.account import app_settings as allauth_settings
from django.conf import settings
from django.http import HttpRequest

from accounts.services import NationalCodeClaim

SESSION_KEY = "portal_national_code_claim"
MAX_ATTEMPTS = 3


def _digest(code: str) -> str:
    return hmac.new(settings.SECRET_KEY.encode(), code.encode(), hashlib.sha256).hexdigest()


def start(request: HttpRequest, *, claim: NationalCodeClaim) -> str:
    """Keep the claim in the session and return the code to text to the claimant's mobile."""
    code = f"{secrets.randbelow(10**6):06d}"
    request.session[SESSION_KEY] = {
        "national_code": claim.national_code,
        "mobile": claim.mobile,
        "password_hash": claim.password_hash,
        "birth_date": claim.birth_date.isoformat() if claim.birth_date else None,
        "language": claim.language,
        "digest": _digest(code),
        "attempts": 0,
        "expires": time.time() + allauth_settings.PHONE_VERIFICATION_TIMEOUT,
    }
    return code


def pending(request: HttpRequest) -> bool:
    return SESSION_KEY in request.session


def forget(request: HttpRequest) -> None:
    request.session.pop(SESSION_KEY, None)


def redeem(request: HttpRequest, *, code: str) -> NationalCodeClaim | None:
    """The claim if `code` is its code (compared in constant time); None otherwise. Each wrong
    code counts; the third one, or an expired claim, ends it."""
    state = request.session.get(SESSION_KEY)
    if not state:
        return None
    if time.time() > state["expires"]:
        forget(request)
        return None
    if not hmac.compare_digest(state["digest"], _digest(code)):
        state["attempts"] += 1
        if state["attempts"] >= MAX_ATTEMPTS:
            forget(request)
        else:
            request.session[SESSION_KEY] = state
        return None
    forget(request)
    birth_date = state["birth_date"]
    return NationalCodeClaim(
        national_code=state["national_code"],
        mobile=state["mobile"],
        password_hash=state["password_hash"],
        birth_date=datetime.date.fromisoformat(birth_date) if birth_date else None,
        language=state["language"],
    )
