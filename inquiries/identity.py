"""The registry's sign-up identity check: plug in with
`PORTAL_SIGNUP_IDENTITY_CHECK=inquiries.identity.check_identity_against_registry`.
"""

import datetime

from django.utils.translation import gettext as _

from accounts.identity import IdentityCheck
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
