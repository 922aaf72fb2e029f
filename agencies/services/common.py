"""What the agencies' services share: who may act, the workflow tables' refusal, the error
they raise, and the role each kind of membership carries."""

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _

from accounts.models import User
from accounts.roles import Role
from agencies.models import (
    AccessRequest,
    Agency,
    Membership,
    MembershipRole,
    Mou,
)


class TransitionError(Exception):
    """The action does not apply to the object in its current state."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


ROLE_FOR_MEMBERSHIP = {
    MembershipRole.STAFF: Role.AGENCY_STAFF,
    MembershipRole.ADMIN: Role.AGENCY_ADMIN,
}


def require_committee(user: User) -> None:
    if not user.is_committee_reviewer:
        raise PermissionDenied(_("Only the data-protection committee may do this."))


def require_operator(user: User) -> None:
    if not user.is_operator:
        raise PermissionDenied(_("Only IT operators may do this."))


def require_agency_admin(user: User, agency: Agency) -> None:
    is_admin = Membership.objects.filter(
        user=user, agency=agency, role=MembershipRole.ADMIN, is_active=True
    ).exists()
    if not (user.is_active and is_admin):
        raise PermissionDenied(_("Only this agency's admin may do this."))


def require_allowed(obj: AccessRequest | Mou, action: str) -> None:
    """Refuse an action the workflow table (REQUEST_TRANSITIONS, MOU_TRANSITIONS) forbids now."""
    if refusal := obj.refusal(action):
        raise TransitionError(refusal)


def locked_request(access_request: AccessRequest) -> AccessRequest:
    # Two reviewers acting at once: the second sees the first one's result.
    return AccessRequest.objects.select_for_update().get(pk=access_request.pk)
