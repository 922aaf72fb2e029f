"""The portal's roles, kept as auth groups (created by a data migration)."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    CITIZEN = "citizen", _("Citizen")
    AGENCY_STAFF = "agency_staff", _("Agency staff")
    AGENCY_ADMIN = "agency_admin", _("Agency admin")
    COMMITTEE_REVIEWER = "committee_reviewer", _("Committee reviewer")
    OPERATOR = "operator", _("Operator")


# Roles that see other people's data or run the portal: they must sign in with a second factor.
MFA_REQUIRED_ROLES = frozenset(
    {Role.AGENCY_STAFF, Role.AGENCY_ADMIN, Role.COMMITTEE_REVIEWER, Role.OPERATOR}
)
