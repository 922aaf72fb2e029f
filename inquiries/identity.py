"""The registry's identity checks, plugged into earlier apps by settings (they may not import
the registry): the sign-up check, `PORTAL_SIGNUP_IDENTITY_CHECK=inquiries.identity.
check_identity_against_registry`, and the staff list's name comparison,
`AGENCY_STAFF_NAME_CHECK=inquiries.identity.compare_staff_names`.
"""

import datetime
import re
import unicodedata
from collections.abc import Sequence

from django.utils.translation import gettext as _

from accounts.identity import IdentityCheck
from agencies.models import NameCheck
from inquiries.models import InsuredPerson


def check_identity_against_registry(
    *, national_code: str, birth_date: datetime.date
) -> IdentityCheck:
    """A person in the registry must give the birth date it holds; anyone else may sign up."""
    registered_birth_date = (
        InsuredPerson.objects.filter(national_code=national_code)
        .values_list("birth_date", flat=True)
        .first()
    )
    if registered_birth_date is None:
        return IdentityCheck(
            accepted=True,
            message=_(
                "The Social Security Organization has no insurance record for this national "
                "code. You can still create an account; your status will show that no record "
                "was found."
            ),
        )
    if registered_birth_date != birth_date:
        return IdentityCheck(
            accepted=False,
            message=_(
                "This birth date does not match the organization's records for this national "
                "code. Check it against your national card; if it is right, contact the "
                "organization to correct its records."
            ),
        )
    return IdentityCheck(accepted=True)


# Arabic letters a keyboard may give for the Persian ones, and what is not part of a name's
# spelling: diacritics, the tatweel, spaces and (zero-width) joiners.
_PERSIAN_LETTERS = str.maketrans(
    {"ي": "ی", "ى": "ی", "ك": "ک", "ۀ": "ه", "ة": "ه", "أ": "ا", "إ": "ا"}
)
_NOT_SPELLING = re.compile(r"[\s\u064b-\u065f\u0670\u0640\u200b-\u200f]+")


def comparable_name(name: str) -> str:
    """A name as it is spelled, whichever keyboard or spacing typed it."""
    name = unicodedata.normalize("NFKC", name).translate(_PERSIAN_LETTERS)
    return _NOT_SPELLING.sub("", name).casefold()


def compare_staff_names(*, people: Sequence[tuple[str, str, str]]) -> dict[str, NameCheck]:
    """For each (national code, first name, last name): whether the names match the registry's.

    Only the verdict leaves the registry; the names it holds are not handed to the agencies app.
    """
    codes = [code for code, _first, _last in people]
    registered = {
        code: (comparable_name(first), comparable_name(last))
        for code, first, last in InsuredPerson.objects.filter(national_code__in=codes).values_list(
            "national_code", "first_name", "last_name"
        )
    }
    verdicts: dict[str, NameCheck] = {}
    for code, first, last in people:
        if code not in registered:
            verdicts[code] = NameCheck.NOT_IN_REGISTRY
        elif registered[code] == (comparable_name(first), comparable_name(last)):
            verdicts[code] = NameCheck.MATCH
        else:
            verdicts[code] = NameCheck.DIFFERS
    return verdicts
