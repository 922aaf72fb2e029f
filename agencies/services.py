"""Actions that change agencies, requests, MoUs, staff lists and memberships.

One function per verb, each in one transaction, each writing its record of who, when and why in
that transaction; messages go out after commit. Who may act is checked here, not in views, so
the admin, the views and the commands cannot disagree.
"""

import datetime
import hmac
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.core.files import File
from django.db import transaction
from django.utils import timezone
from django.utils.module_loading import import_string
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from accounts.identity import Ownership
from accounts.models import User
from accounts.roles import Role
from accounts.services import assign_role, drop_role, prove_identity
from agencies import outbox
from agencies.admission import GrantReport, admit_row
from agencies.admission import invite_member as invite_member  # callers' verb, kept here
from agencies.models import (
    MOU_TRANSITIONS,
    REQUEST_TRANSITIONS,
    AccessRequest,
    Agency,
    Decision,
    DecisionOutcome,
    Invitation,
    Membership,
    MembershipRole,
    Mou,
    MouAction,
    MouBasis,
    MouEvent,
    MouStatus,
    NameCheck,
    Notice,
    RemovalRequest,
    RemovalRequestStatus,
    RequestAction,
    RequestEvent,
    RequestStatus,
    RowOutcome,
    StaffList,
    StaffListRow,
    StaffListStatus,
)
from agencies.scopes import scope_labels


class TransitionError(Exception):
    """The action does not apply to the object in its current state."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class ApplicationLimitReached(Exception):
    """The person already submitted `limit` agency applications in the last 24 hours."""

    def __init__(self, *, limit: int) -> None:
        super().__init__(f"at most {limit} applications in 24 hours")
        self.limit = limit


# The fields an applicant fills in, on first submission and on resubmission.
APPLICATION_FIELDS = (
    "agency_name",
    "agency_kind",
    "legal_id",
    "address",
    "letter_number",
    "letter_date",
    "letter",
    "purpose",
    "legal_basis",
    "scopes",
    "monthly_volume",
    "contact_name",
    "contact_position",
    "contact_mobile",
    "contact_email",
)

ROLE_FOR_MEMBERSHIP = {
    MembershipRole.STAFF: Role.AGENCY_STAFF,
    MembershipRole.ADMIN: Role.AGENCY_ADMIN,
}


# --- Who may act -------------------------------------------------------------------------------


def _require_committee(user: User) -> None:
    if not user.is_committee_reviewer:
        raise PermissionDenied(_("Only the data-protection committee may do this."))


def _require_operator(user: User) -> None:
    if not user.is_operator:
        raise PermissionDenied(_("Only IT operators may do this."))


def _require_agency_admin(user: User, agency: Agency) -> None:
    is_admin = Membership.objects.filter(
        user=user, agency=agency, role=MembershipRole.ADMIN, is_active=True
    ).exists()
    if not (user.is_active and is_admin):
        raise PermissionDenied(_("Only this agency's admin may do this."))


def _require_allowed(obj: AccessRequest | Mou, action: str) -> None:
    """Refuse an action the workflow table (REQUEST_TRANSITIONS, MOU_TRANSITIONS) forbids now."""
    if refusal := obj.refusal(action):
        raise TransitionError(refusal)


# --- Notices -----------------------------------------------------------------------------------


_DECISION_SUBJECTS = {
    DecisionOutcome.APPROVED: gettext_noop("Your agency's request was approved"),
    DecisionOutcome.REJECTED: gettext_noop("Your agency's request was rejected"),
    DecisionOutcome.RETURNED: gettext_noop("Your agency's request needs more information"),
    DecisionOutcome.REOPENED: gettext_noop("Your agency's request is being reviewed again"),
}


def _decide(
    *,
    access_request: AccessRequest,
    reviewer: User,
    reasons: str,
    outcome: DecisionOutcome,
    action: str,
) -> Decision:
    reasons = reasons.strip()
    if not reasons:
        raise TransitionError(_("Write the reasons for the decision."))
    previous = access_request.decisions.order_by("-decided_at", "-pk").first()
    decision = Decision.objects.create(
        request=access_request,
        outcome=outcome,
        reasons=reasons,
        reviewer=reviewer,
        supersedes=previous,
    )
    access_request.status = REQUEST_TRANSITIONS[action].target
    access_request.save(update_fields=["status", "agency", "updated_at"])
    outbox.post_notice(
        recipient=access_request.applicant,
        access_request=access_request,
        template="decision",
        subject=_DECISION_SUBJECTS[outcome],
        context={"request": access_request, "decision": decision},
    )
    return decision


def _locked(access_request: AccessRequest) -> AccessRequest:
    # Two reviewers acting at once: the second sees the first one's result.
    return AccessRequest.objects.select_for_update().get(pk=access_request.pk)


def mark_notices_read(*, user: User, access_request: AccessRequest) -> int:
    """The person has seen their messages about this request."""
    return Notice.objects.filter(
        recipient=user, access_request=access_request, read_at=None
    ).update(read_at=timezone.now())


# --- Access requests ---------------------------------------------------------------------------


def _check_application_limit(*, applicant: User) -> None:
    """Count the applicant's applications of the last 24 hours under a lock on their row, so
    parallel submissions queue here and the last ones see the others'."""
    limit = settings.AGENCY_APPLICATIONS_PER_USER_PER_DAY
    User.objects.select_for_update().filter(pk=applicant.pk).values_list("pk").get()
    submitted = AccessRequest.objects.filter(
        applicant=applicant, submitted_at__gt=timezone.now() - datetime.timedelta(days=1)
    ).count()
    if submitted >= limit:
        raise ApplicationLimitReached(limit=limit)


@transaction.atomic
def submit_request(*, applicant: User, details: Mapping[str, Any]) -> AccessRequest:
    """Record a new agency's application. It waits in the committee's queue.

    Raises `ApplicationLimitReached`, writing nothing (not even the letter), once the applicant
    submitted AGENCY_APPLICATIONS_PER_USER_PER_DAY applications in the last 24 hours.
    """
    if not applicant.is_active:
        raise PermissionDenied(_("Sign in to apply."))
    _check_application_limit(applicant=applicant)
    access_request = AccessRequest(
        applicant=applicant, **{name: details[name] for name in APPLICATION_FIELDS}
    )
    access_request.full_clean()
    access_request.save()
    return access_request


@transaction.atomic
def resubmit_request(
    *, access_request: AccessRequest, applicant: User, details: Mapping[str, Any]
) -> AccessRequest:
    """The applicant answers a return with corrected details; the request goes back in the
    queue. A new letter replaces the old one only if one is given."""
    access_request = _locked(access_request)
    if access_request.applicant_id != applicant.pk:
        raise PermissionDenied(_("Only the applicant may resubmit this request."))
    _require_allowed(access_request, "resubmit")
    judged = _application_details(access_request)
    for name in APPLICATION_FIELDS:
        if name == "letter" and not details.get("letter"):
            continue
        setattr(access_request, name, details[name])
    access_request.status = REQUEST_TRANSITIONS["resubmit"].target
    access_request.full_clean()
    access_request.save()
    RequestEvent.objects.create(
        request=access_request,
        action=RequestAction.RESUBMITTED,
        actor=applicant,
        previous_details=judged,
    )
    return access_request


def _application_details(access_request: AccessRequest) -> dict[str, Any]:
    """The application as the committee saw it, as JSON (the letter by its stored name)."""
    values = {name: getattr(access_request, name) for name in APPLICATION_FIELDS}
    values["letter"] = access_request.letter.name
    values["letter_date"] = access_request.letter_date.isoformat()
    return values


@transaction.atomic
def start_review(*, access_request: AccessRequest, reviewer: User) -> AccessRequest:
    _require_committee(reviewer)
    access_request = _locked(access_request)
    _require_allowed(access_request, "start_review")
    access_request.status = REQUEST_TRANSITIONS["start_review"].target
    access_request.save(update_fields=["status", "updated_at"])
    RequestEvent.objects.create(
        request=access_request, action=RequestAction.REVIEW_STARTED, actor=reviewer
    )
    return access_request


@transaction.atomic
def approve_request(*, access_request: AccessRequest, reviewer: User, reasons: str) -> Decision:
    """Approve an agency's request. The agency is created (or found by its legal ID) so an MoU
    can be recorded. Side effect: the applicant is notified after commit."""
    _require_committee(reviewer)
    access_request = _locked(access_request)
    _require_allowed(access_request, "approve")
    agency, _created = Agency.objects.get_or_create(
        legal_id=access_request.legal_id,
        defaults={
            "name": access_request.agency_name,
            "kind": access_request.agency_kind,
            "address": access_request.address,
            "email": access_request.contact_email,
        },
    )
    access_request.agency = agency
    return _decide(
        access_request=access_request,
        reviewer=reviewer,
        reasons=reasons,
        outcome=DecisionOutcome.APPROVED,
        action="approve",
    )


@transaction.atomic
def reject_request(*, access_request: AccessRequest, reviewer: User, reasons: str) -> Decision:
    """Reject a request. Side effect: the applicant is notified after commit."""
    _require_committee(reviewer)
    access_request = _locked(access_request)
    _require_allowed(access_request, "reject")
    return _decide(
        access_request=access_request,
        reviewer=reviewer,
        reasons=reasons,
        outcome=DecisionOutcome.REJECTED,
        action="reject",
    )


@transaction.atomic
def return_request(*, access_request: AccessRequest, reviewer: User, reasons: str) -> Decision:
    """Send a request back to the applicant for more information, saying what is missing.
    Side effect: the applicant is notified after commit."""
    _require_committee(reviewer)
    access_request = _locked(access_request)
    _require_allowed(access_request, "return")
    return _decide(
        access_request=access_request,
        reviewer=reviewer,
        reasons=reasons,
        outcome=DecisionOutcome.RETURNED,
        action="return",
    )


@transaction.atomic
def reopen_request(*, access_request: AccessRequest, reviewer: User, reasons: str) -> Decision:
    """Take a decided request back into review; the next decision supersedes the earlier one,
    and both stay in the history. An approved request with an MoU cannot be reopened: the MoU
    is suspended or ended instead. Side effect: the applicant is notified after commit."""
    _require_committee(reviewer)
    access_request = _locked(access_request)
    _require_allowed(access_request, "reopen")
    return _decide(
        access_request=access_request,
        reviewer=reviewer,
        reasons=reasons,
        outcome=DecisionOutcome.REOPENED,
        action="reopen",
    )


# --- MoUs --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class MouTerms:
    number: str
    signed_on: datetime.date
    valid_from: datetime.date
    valid_until: datetime.date | None
    signed_by_insurance_deputy: str
    signed_by_pensions_manager: str
    signed_by_registration_manager: str
    scopes: list[str]
    basis: str = MouBasis.THIS_ORDER
    scan: File | None = None


def mou_problems(
    *, agency: Agency | None, access_request: AccessRequest | None, terms: MouTerms
) -> dict[str, str]:
    """Why these terms cannot be recorded, by field; empty if they can. Forms show these next
    to the fields; `record_mou` refuses on any of them."""
    problems: dict[str, str] = {}
    if access_request is not None:
        if access_request.status != RequestStatus.APPROVED:
            problems["access_request"] = _("An MoU can be recorded only for an approved request.")
        elif agency is not None and access_request.agency_id != agency.pk:
            problems["agency"] = _("The MoU's agency must be the approved request's agency.")
        elif Mou.objects.filter(access_request=access_request).exists():
            problems["access_request"] = _("An MoU has already been recorded for this request.")
        if not set(terms.scopes) <= set(access_request.scopes):
            problems["scopes"] = _("An MoU cannot grant scopes that the agency did not ask for.")
    elif terms.basis != MouBasis.CIRCULAR_1:
        problems["access_request"] = _(
            "An MoU under this order needs an approved request; only circular No. 1 MoUs "
            "stand alone."
        )
    if not terms.scopes:
        problems["scopes"] = _("Grant at least one scope.")
    if terms.basis == MouBasis.THIS_ORDER and not terms.scan:
        # Older circular No. 1 MoUs may predate scanning; new ones are filed with their scan.
        problems["scan"] = _("Attach the scan of the signed MoU.")
    if terms.valid_until and terms.valid_until < terms.valid_from:
        problems["valid_until"] = _("The end of validity cannot be before its start.")
    if Mou.objects.filter(number=terms.number).exists():
        problems["number"] = _("An MoU with this number has already been recorded.")
    return problems


@transaction.atomic
def record_mou(
    *,
    agency: Agency,
    terms: MouTerms,
    recorded_by: User,
    access_request: AccessRequest | None = None,
) -> Mou:
    """Record a signed MoU. For an approved request, the applicant becomes the agency's admin
    (TOTP required before the panel opens). Side effects after commit: operators are emailed,
    and the applicant is told they may send the staff list."""
    _require_committee(recorded_by)
    if access_request is not None:
        access_request = _locked(access_request)
    problems = mou_problems(agency=agency, access_request=access_request, terms=terms)
    if problems:
        raise TransitionError(next(iter(problems.values())))
    mou = Mou(
        agency=agency,
        access_request=access_request,
        recorded_by=recorded_by,
        number=terms.number,
        signed_on=terms.signed_on,
        valid_from=terms.valid_from,
        valid_until=terms.valid_until,
        signed_by_insurance_deputy=terms.signed_by_insurance_deputy,
        signed_by_pensions_manager=terms.signed_by_pensions_manager,
        signed_by_registration_manager=terms.signed_by_registration_manager,
        scopes=terms.scopes,
        basis=terms.basis,
        status=MouStatus.ACTIVE,
    )
    if terms.scan is not None:
        mou.scan = terms.scan
    mou.full_clean()
    mou.save()
    MouEvent.objects.create(mou=mou, action=MouAction.RECORDED, actor=recorded_by)
    if access_request is not None:
        applicant = access_request.applicant
        membership, _created = Membership.objects.get_or_create(
            user=applicant,
            agency=agency,
            defaults={"role": MembershipRole.ADMIN, "granted_by": recorded_by},
        )
        if not membership.is_active or membership.role != MembershipRole.ADMIN:
            membership.is_active, membership.role, membership.removed_at = (
                True,
                MembershipRole.ADMIN,
                None,
            )
            membership.save(update_fields=["is_active", "role", "removed_at"])
        assign_role(user=applicant, role=Role.AGENCY_ADMIN)
        outbox.post_notice(
            recipient=applicant,
            access_request=access_request,
            template="mou_recorded",
            subject=gettext_noop("Your agency's MoU is recorded: send the staff list"),
            context={"mou": mou, "scopes": scope_labels(mou.scopes)},
        )
    outbox.send_after_commit(outbox.notify_operators_of_mou, mou.pk)
    return mou


@transaction.atomic
def register_legacy_agency(*, name: str, kind: str, legal_id: str, legacy_code: str) -> Agency:
    """An agency that used isinsured, as the migration finds it (no application of its own)."""
    return Agency.objects.create(name=name, kind=kind, legal_id=legal_id, legacy_code=legacy_code)


@transaction.atomic
def correct_agency(*, agency: Agency, changes: Mapping[str, Any]) -> Agency:
    """Write corrected details (name, kind, legal ID, isinsured code) of an agency."""
    for name, value in changes.items():
        setattr(agency, name, value)
    if changes:
        agency.save(update_fields=list(changes))
    return agency


@transaction.atomic
def record_circular_mou(
    *,
    agency: Agency,
    number: str,
    signed_on: datetime.date,
    scopes: list[str],
    recorded_by: User,
    reasons: str,
    signatory: str,
) -> Mou:
    """Record an MoU signed under circular No. 1 before this portal, as the isinsured migration
    finds it: in force from its signing date, open-ended, without the committee's review (it
    was reviewed under the circular). The caller has checked that `recorded_by` may do it."""
    mou = Mou.objects.create(
        agency=agency,
        number=number,
        signed_on=signed_on,
        valid_from=signed_on,
        valid_until=None,
        signed_by_insurance_deputy=signatory,
        signed_by_pensions_manager=signatory,
        signed_by_registration_manager=signatory,
        scopes=scopes,
        basis=MouBasis.CIRCULAR_1,
        status=MouStatus.ACTIVE,
        recorded_by=recorded_by,
    )
    MouEvent.objects.create(mou=mou, action=MouAction.RECORDED, actor=recorded_by, reasons=reasons)
    return mou


@transaction.atomic
def correct_circular_mou_date(*, mou: Mou, signed_on: datetime.date) -> Mou:
    """A corrected signing date for a circular No. 1 MoU that no one has relied on otherwise."""
    mou.signed_on = mou.valid_from = signed_on
    if mou.valid_until and mou.valid_until < mou.valid_from:
        mou.valid_until = None
    mou.save(update_fields=["signed_on", "valid_from", "valid_until"])
    return mou


def _change_mou_status(*, mou: Mou, actor: User, reasons: str, transition: str) -> Mou:
    _require_committee(actor)
    mou = Mou.objects.select_for_update().get(pk=mou.pk)
    _require_allowed(mou, transition)
    if not reasons.strip():
        raise TransitionError(_("Write the reasons for this change."))
    mou.status = MOU_TRANSITIONS[transition].target
    mou.save(update_fields=["status"])
    action = _MOU_EVENTS[transition]
    MouEvent.objects.create(mou=mou, action=action, actor=actor, reasons=reasons.strip())
    admins = Membership.objects.filter(
        agency=mou.agency_id, role=MembershipRole.ADMIN, is_active=True
    ).select_related("user")
    for membership in admins:
        outbox.post_notice(
            recipient=membership.user,
            access_request=mou.access_request,
            template="mou_status",
            subject=_MOU_SUBJECTS[action],
            context={"mou": mou, "action": action, "reasons": reasons.strip()},
        )
    return mou


_MOU_EVENTS = {
    "suspend": MouAction.SUSPENDED,
    "reinstate": MouAction.REINSTATED,
    "end": MouAction.ENDED,
}
_MOU_SUBJECTS = {
    MouAction.SUSPENDED: gettext_noop("Your agency's MoU is suspended"),
    MouAction.REINSTATED: gettext_noop("Your agency's MoU is in force again"),
    MouAction.ENDED: gettext_noop("Your agency's MoU has ended"),
}


@transaction.atomic
def suspend_mou(*, mou: Mou, actor: User, reasons: str) -> Mou:
    """Suspend an MoU: its agency's panel closes at once, for open sessions too. Side effect:
    the agency's admins are told after commit."""
    return _change_mou_status(mou=mou, actor=actor, reasons=reasons, transition="suspend")


@transaction.atomic
def reinstate_mou(*, mou: Mou, actor: User, reasons: str) -> Mou:
    """Lift a suspension: the panel opens again while the MoU is within its dates. Side effect:
    the agency's admins are told after commit."""
    return _change_mou_status(mou=mou, actor=actor, reasons=reasons, transition="reinstate")


@transaction.atomic
def end_mou(*, mou: Mou, actor: User, reasons: str) -> Mou:
    """End an MoU for good: its agency's panel closes at once. Side effect: the agency's
    admins are told after commit."""
    return _change_mou_status(mou=mou, actor=actor, reasons=reasons, transition="end")


@transaction.atomic
def mark_mou_actioned(*, mou: Mou, operator: User) -> Mou:
    """IT confirms it has seen the MoU and will act on the staff list."""
    _require_operator(operator)
    mou = Mou.objects.select_for_update().get(pk=mou.pk)
    if mou.it_actioned_at is not None:
        raise TransitionError(_("IT has already actioned this MoU."))
    mou.it_actioned_at = timezone.now()
    mou.it_actioned_by = operator
    mou.save(update_fields=["it_actioned_at", "it_actioned_by"])
    MouEvent.objects.create(mou=mou, action=MouAction.IT_ACTIONED, actor=operator)
    return mou


# --- Staff lists and memberships ---------------------------------------------------------------

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
    _require_agency_admin(submitted_by, agency)
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
    _require_operator(operator)
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
    _require_agency_admin(requested_by, membership.agency)
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
    _require_operator(operator)
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
    user.set_password(password)
    if invitation.sent_to and invitation.sent_to == user.mobile:
        user.mobile_verified = True
    user.save(update_fields=["password", "mobile_verified"])
    invitation.used_at = timezone.now()
    invitation.save(update_fields=["used_at"])
    if (
        user.is_active
        and membership.accepted_at is None
        and prove_identity(user=user) is Ownership.YES
    ):
        accept_membership(membership=membership, user=user)
    return user
