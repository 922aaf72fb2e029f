"""Identity checks for the sign-up tests, named in PORTAL_SIGNUP_IDENTITY_CHECK."""

import datetime

from accounts.identity import IdentityCheck

REFUSAL = "The registry has no person with this national code and birth date."
NOTICE = "Your coverage records will appear within a day."


def refuse(*, national_code: str, birth_date: datetime.date) -> IdentityCheck:
    return IdentityCheck(accepted=False, message=REFUSAL)


def accept_with_notice(*, national_code: str, birth_date: datetime.date) -> IdentityCheck:
    return IdentityCheck(accepted=True, message=NOTICE)


calls: list[tuple[str, datetime.date]] = []


def record(*, national_code: str, birth_date: datetime.date) -> IdentityCheck:
    calls.append((national_code, birth_date))
    return IdentityCheck(accepted=True)
