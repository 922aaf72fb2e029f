"""Admitting the people of a granted staff list: a membership each that waits for the person to
accept it, and a new account with an invitation only for a mobile the identity service confirms.

`grant_staff_list` (agencies.services) admits each row when an operator grants the list. The
identity service may not answer then; the sweep here (`admit_identity_pending_rows`, beat every
15 minutes) asks again about those rows. Invitations and notices go out through the outbox.
"""

from dataclasses import dataclass, field

from celery import shared_task
from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_noop

from accounts.identity import Ownership, mobile_belongs_to
from accounts.models import User
from accounts.services import open_account
from agencies import outbox
from agencies.models import (
    Agency,
    Invitation,
    Membership,
    RowOutcome,
    StaffListRow,
    StaffListStatus,
)


@dataclass
class GrantReport:
    created_accounts: list[str] = field(default_factory=list)
    existing_accounts: list[str] = field(default_factory=list)
    already_members: list[str] = field(default_factory=list)
    invitations: int = 0
    # Granted, but the invitation cannot reach them (no mobile or email) or the account is
    # deactivated: IT follows these up by hand.
    unreachable: list[str] = field(default_factory=list)
    # The identity service says the typed mobile is not this person's: nobody was invited.
    mobile_not_confirmed: list[str] = field(default_factory=list)
    # The identity service did not answer: the sweep asks again (`admit_identity_pending_rows`).
    identity_pending: list[str] = field(default_factory=list)
    # The confirmed mobile is on another account already: IT follows these up by hand.
    mobile_in_use: list[str] = field(default_factory=list)


_REPORT_LISTS = {
    RowOutcome.MOBILE_NOT_CONFIRMED: "mobile_not_confirmed",
    RowOutcome.IDENTITY_PENDING: "identity_pending",
    RowOutcome.MOBILE_IN_USE: "mobile_in_use",
    RowOutcome.ALREADY_MEMBER: "already_members",
}


@transaction.atomic
def invite_member(*, membership: Membership) -> Invitation:
    """A new invitation to set a password; earlier unused ones stop working. The token is made
    and sent by a task after commit (`outbox.send_invitation`)."""
    now = timezone.now()
    membership.invitations.filter(used_at=None, revoked_at=None).update(revoked_at=now)
    invitation = Invitation.objects.create(
        membership=membership, expires_at=now + settings.AGENCY_INVITATION_TTL
    )
    outbox.send_after_commit(outbox.send_invitation, invitation.pk)
    return invitation


def _new_account_for_row(row: StaffListRow, *, ask: bool) -> tuple[User | None, RowOutcome]:
    """An account for a person the portal does not know yet, made only once the identity
    service confirms the typed mobile is theirs. The list's email is never put on it: nobody
    proved it is the person's, and a password reset could go there."""
    if not ask:
        return None, RowOutcome.IDENTITY_PENDING
    answer = mobile_belongs_to(row.national_code, row.mobile)
    if answer is Ownership.UNAVAILABLE:
        return None, RowOutcome.IDENTITY_PENDING
    if answer is Ownership.NO:
        return None, RowOutcome.MOBILE_NOT_CONFIRMED
    if User.objects.filter(mobile=row.mobile).exists():
        return None, RowOutcome.MOBILE_IN_USE
    # The mobile is proven when the person uses the link texted to it, and sets a password then.
    user = open_account(
        national_code=row.national_code,
        first_name=row.first_name,
        last_name=row.last_name,
        mobile=row.mobile,
    )
    return user, RowOutcome.INVITED


def admit_row(
    *, row: StaffListRow, agency: Agency, operator: User, report: GrantReport, ask: bool
) -> RowOutcome:
    """Give one row's person a membership that waits for them to accept it.

    A person with an account is matched by national code; nothing the list typed (mobile,
    email, names) touches that account, and they are told on their own account to accept. A
    person without one gets an account and an invitation only if the identity service confirms
    the typed mobile for the national code; NO and UNAVAILABLE make nothing. The caller holds
    the row's lock in its transaction.
    """
    user = User.objects.filter(national_code=row.national_code).first()
    if user is not None:
        report.existing_accounts.append(row.national_code)
        outcome = RowOutcome.AWAITING_ACCEPTANCE
    else:
        user, outcome = _new_account_for_row(row, ask=ask)
        if user is None:
            getattr(report, _REPORT_LISTS[outcome]).append(row.national_code)
            row.outcome = outcome
            row.save(update_fields=["outcome"])
            return outcome
        report.created_accounts.append(row.national_code)
    membership, created = Membership.objects.get_or_create(
        user=user,
        agency=agency,
        defaults={
            "role": row.role,
            "position": row.position,
            "granted_by": operator,
            "accepted_at": None,
        },
    )
    if not created and membership.is_active:
        outcome = RowOutcome.ALREADY_MEMBER
        report.already_members.append(row.national_code)
    else:
        if not created:  # access removed earlier, now asked for again: asked again, too
            membership.is_active, membership.removed_at = True, None
            membership.role, membership.granted_by = row.role, operator
            membership.granted_at, membership.accepted_at = timezone.now(), None
            membership.save()
        if outcome is RowOutcome.INVITED or not user.has_usable_password():
            invite_member(membership=membership)
            outcome = RowOutcome.INVITED
            reachable = bool(user.mobile)  # the link goes by SMS only
        else:
            outbox.post_notice(
                recipient=user,
                template="membership_offered",
                subject=gettext_noop("An agency asks you to join its panel"),
                context={"membership": membership},
            )
            reachable = bool(user.mobile or user.email)
        report.invitations += 1
        if not user.is_active or not reachable:
            report.unreachable.append(row.national_code)
    row.membership = membership
    row.outcome = outcome
    row.save(update_fields=["membership", "outcome"])
    return outcome


@shared_task(name="agencies.tasks.admit_identity_pending_rows")
def admit_identity_pending_rows() -> int:
    """Every 15 minutes (beat): ask the identity service again about granted rows it did not
    answer for, each in its own transaction; stops at the first that is still unanswered.
    Returns how many were settled. Safe to run twice: a row is locked and re-read before it is
    admitted."""
    settled = 0
    pending = StaffListRow.objects.filter(
        outcome=RowOutcome.IDENTITY_PENDING, staff_list__status=StaffListStatus.GRANTED
    ).values_list("pk", flat=True)
    for row_id in list(pending):
        with transaction.atomic():
            row = (
                StaffListRow.objects.select_for_update(of=("self",))
                .select_related("staff_list__agency", "staff_list__granted_by")
                .filter(pk=row_id, outcome=RowOutcome.IDENTITY_PENDING)
                .first()
            )
            if row is None:  # another sweep settled it
                continue
            staff_list = row.staff_list
            outcome = admit_row(
                row=row,
                agency=staff_list.agency,
                operator=staff_list.granted_by or staff_list.submitted_by,
                report=GrantReport(),
                ask=True,
            )
        if outcome is RowOutcome.IDENTITY_PENDING:
            break
        settled += 1
    return settled
