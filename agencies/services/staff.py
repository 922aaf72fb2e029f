"""Staff lists and memberships: an agency admin asks, IT grants, the person accepts (from their
account or the invitation link); access ends by removal, whoever decides it."""

import hmac
from collections.abc import Mapping, Sequence
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone
from django.utils.module_loading import import_string
from django.utils.translation import gettext as _

from accounts.identity import Ownership
from accounts.models import User
from accounts.services import assign_role, drop_role, prove_identity, set_invited_password
from agencies import outbox
from agencies.admission import GrantReport, admit_row
from agencies.models import (
    Agency,
    Invitation,
    Membership,
    MembershipRole,
    NameCheck,
    RemovalRequest,
    RemovalRequestStatus,
    RowOutcome,
    StaffList,
    StaffListRow,
    StaffListStatus,
)
from agencies.services.common import (
    ROLE_FOR_MEMBERSHIP,
    TransitionError,
    require_agency_admin,
    require_operator,
)

STAFF_ROW_FIELDS = ("national_code", "first_name", "last_name", "position", "mobile", "email")


def compare_names_with_registry(rows: Sequence[StaffListRow]) -> dict[str, NameCheck]:
    """Whether each row's names match the coverage registry's, by national code.

    The registry lives in a later app (inquiries), so it plugs its comparison in through the
    `AGENCY_STAFF_NAME_CHECK` setting, as the sign-up check does; agencies never sees the
    registry's names, only the verdict.
    """
    compare = import_string(settings.AGENCY_STAFF_NAME_CHECK)
    verdicts: dict[str, NameCheck] = compare(
        people=[(row.national_code, row.first_name, row.last_name) for row in rows]
    )
    return verdicts


@transaction.atomic
def submit_staff_list(
    *, agency: Agency, submitted_by: User, rows: Sequence[Mapping[str, Any]]
) -> StaffList:
    """Record the staff an agency admin asks access for. Rows arrive validated by the form;
    the database's constraints are the last line. The typed names are compared with the
    registry now, so the operator sees any difference before granting. Side effect: operators
    are emailed after commit, and the list waits in their queue in the admin."""
    require_agency_admin(submitted_by, agency)
    if not rows:
        raise TransitionError(_("Add at least one staff member."))
    staff_list = StaffList.objects.create(agency=agency, submitted_by=submitted_by)
    staff_list_rows = []
    for row in rows:
        staff_list_row = StaffListRow(
            staff_list=staff_list, **{name: row.get(name, "") for name in STAFF_ROW_FIELDS}
        )
        staff_list_row.full_clean(exclude=["staff_list"])
        staff_list_rows.append(staff_list_row)
    verdicts = compare_names_with_registry(staff_list_rows)
    for staff_list_row in staff_list_rows:
        staff_list_row.name_check = verdicts.get(staff_list_row.national_code, NameCheck.UNCHECKED)
        staff_list_row.save()
    outbox.send_after_commit(outbox.notify_operators_of_staff_list, staff_list.pk)
    return staff_list


@transaction.atomic
def grant_staff_list(*, staff_list: StaffList, operator: User) -> GrantReport:
    """Grant each row of the list a membership of its agency that waits for the person to
    accept it (see `agencies.admission.admit_row`). The identity service is asked inside the
    transaction, which holds only this list's rows; once it fails to answer, the remaining rows
    are left pending without asking (the admission sweep asks again later). Running it again
    changes nothing. Side effects after commit: invitations by SMS to confirmed mobiles, and
    notices to people who have accounts."""
    require_operator(operator)
    staff_list = StaffList.objects.select_for_update().get(pk=staff_list.pk)
    report = GrantReport()
    if staff_list.status == StaffListStatus.GRANTED:
        return report
    ask = True
    for row in staff_list.rows.select_for_update().order_by("pk"):
        outcome = admit_row(
            row=row, agency=staff_list.agency, operator=operator, report=report, ask=ask
        )
        ask = ask and outcome is not RowOutcome.IDENTITY_PENDING
    staff_list.status = StaffListStatus.GRANTED
    staff_list.granted_by = operator
    staff_list.granted_at = timezone.now()
    staff_list.save(update_fields=["status", "granted_by", "granted_at"])
    return report


@transaction.atomic
def accept_membership(*, membership: Membership, user: User) -> Membership:
    """The person takes up a membership an agency asked for, from their own account. Only an
    account that proved it is the person its national code names may; an unproven one is
    proven now if its verified mobile is confirmed for the code. Side effect: the panel's role
    (two-factor sign-in required from now on)."""
    membership = Membership.objects.select_for_update().get(pk=membership.pk)
    if membership.user_id != user.pk or not user.is_active:
        raise PermissionDenied(_("Only the person this access is for may accept it."))
    if not membership.is_active or membership.accepted_at is not None:
        raise TransitionError(_("This access is not waiting for you to accept it."))
    if not user.identity_proven and prove_identity(user=user) is not Ownership.YES:
        raise TransitionError(
            _(
                "Before accepting, prove your identity: your verified mobile must be registered "
                "to your national code."
            )
        )
    membership.accepted_at = timezone.now()
    membership.save(update_fields=["accepted_at"])
    assign_role(user=user, role=ROLE_FOR_MEMBERSHIP[MembershipRole(membership.role)])
    return membership


@transaction.atomic
def request_removal(*, membership: Membership, requested_by: User, reasons: str) -> RemovalRequest:
    """An agency admin asks IT to remove a staff member's access."""
    require_agency_admin(requested_by, membership.agency)
    if not membership.is_active:
        raise TransitionError(_("This person's access has already been removed."))
    if not reasons.strip():
        raise TransitionError(_("Write why this access should be removed."))
    if membership.removal_requests.filter(status=RemovalRequestStatus.PENDING).exists():
        raise TransitionError(_("Removal of this access has already been asked for."))
    return RemovalRequest.objects.create(
        membership=membership, requested_by=requested_by, reasons=reasons.strip()
    )


@transaction.atomic
def remove_membership(*, membership: Membership, operator: User, reasons: str) -> Membership:
    """Remove a person's access to their agency's panel, at once. Pending removal requests are
    closed, unused invitations revoked, and the role dropped if no other membership needs it."""
    require_operator(operator)
    membership = Membership.objects.select_for_update().get(pk=membership.pk)
    if not membership.is_active:
        raise TransitionError(_("This person's access has already been removed."))
    if not reasons.strip():
        raise TransitionError(_("Write why this access is removed."))
    return deactivate_membership(membership=membership, by=operator, reasons=reasons.strip())


@transaction.atomic
def deactivate_membership(*, membership: Membership, by: User, reasons: str) -> Membership:
    """End a membership, whoever decided it (an operator, the isinsured migration): pending
    removal requests are closed, unused invitations revoked, and the role dropped if no other
    membership needs it. The caller has checked who may do it."""
    now = timezone.now()
    membership.is_active = False
    membership.removed_at = now
    membership.removed_by = by
    membership.removal_reasons = reasons
    membership.save(update_fields=["is_active", "removed_at", "removed_by", "removal_reasons"])
    membership.removal_requests.filter(status=RemovalRequestStatus.PENDING).update(
        status=RemovalRequestStatus.DONE
    )
    membership.invitations.filter(used_at=None, revoked_at=None).update(revoked_at=now)
    still_needed = Membership.objects.filter(
        user=membership.user, role=membership.role, is_active=True, accepted_at__isnull=False
    ).exists()
    if not still_needed:
        drop_role(user=membership.user, role=ROLE_FOR_MEMBERSHIP[MembershipRole(membership.role)])
    return membership


@transaction.atomic
def add_membership(
    *, user: User, agency: Agency, role: str, granted_by: User, position: str = ""
) -> Membership:
    """Give a person an active membership of an agency, with its role. No invitation: callers
    that need one call `invite_member`."""
    membership = Membership.objects.create(
        user=user, agency=agency, role=role, position=position, granted_by=granted_by
    )
    assign_role(user=user, role=ROLE_FOR_MEMBERSHIP[MembershipRole(role)])
    return membership


@transaction.atomic
def reactivate_membership(*, membership: Membership) -> Membership:
    """Give back a membership that was ended, with its role."""
    membership.is_active, membership.removed_at, membership.removed_by = True, None, None
    membership.removal_reasons = ""
    membership.save(update_fields=["is_active", "removed_at", "removed_by", "removal_reasons"])
    assign_role(user=membership.user, role=ROLE_FOR_MEMBERSHIP[MembershipRole(membership.role)])
    return membership


# --- Invitations -------------------------------------------------------------------------------


def find_invitation(*, token: str) -> Invitation | None:
    """The usable invitation this token opens, or None. Compared in constant time."""
    digest = Invitation.digest(token)
    invitation = (
        Invitation.objects.select_related("membership__user", "membership__agency")
        .filter(token_hash=digest)
        .first()
    )
    if invitation is None or not hmac.compare_digest(invitation.token_hash, digest):
        return None
    return invitation if invitation.is_usable() and invitation.membership.is_active else None


@transaction.atomic
def accept_invitation(*, token: str, password: str) -> User:
    """Set the invited person's password; the link then stops working. The link was texted to
    one mobile only, so using it proves that mobile: the account's identity is then proven if
    the identity service still confirms it, and the membership is taken up."""
    invitation = find_invitation(token=token)
    if invitation is None:
        raise TransitionError(_("This invitation link is not valid, has been used or has expired."))
    invitation = Invitation.objects.select_for_update().get(pk=invitation.pk)
    if not invitation.is_usable():
        raise TransitionError(_("This invitation link is not valid, has been used or has expired."))
    membership = invitation.membership
    user = User.objects.select_for_update().get(pk=membership.user_id)
    # An account IT deactivated stays deactivated: the link sets a password, nothing more.
    set_invited_password(
        user=user,
        password=password,
        proves_mobile=bool(invitation.sent_to) and invitation.sent_to == user.mobile,
    )
    invitation.used_at = timezone.now()
    invitation.save(update_fields=["used_at"])
    if (
        user.is_active
        and membership.accepted_at is None
        and prove_identity(user=user) is Ownership.YES
    ):
        accept_membership(membership=membership, user=user)
    return user
