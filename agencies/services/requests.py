"""An agency's application and the committee's review of it: submit, resubmit, take into
review, approve, reject, return, reopen. Each decision is a row, and the applicant is told."""

import datetime
from collections.abc import Mapping
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from accounts.models import User
from agencies import outbox, selectors
from agencies.models import (
    REQUEST_TRANSITIONS,
    AccessRequest,
    Agency,
    Decision,
    DecisionOutcome,
    Notice,
    RequestAction,
    RequestEvent,
)
from agencies.services.common import (
    TransitionError,
    locked_request,
    require_allowed,
    require_committee,
)


class ApplicationLimitReached(Exception):
    """The person already submitted `limit` agency applications in the last 24 hours."""

    def __init__(self, *, limit: int) -> None:
        super().__init__(f"at most {limit} applications in 24 hours")
        self.limit = limit


class DuplicateApplication(TransitionError):
    """Another application for the same legal ID is open. Refused rather than linked: the
    committee decides one application per agency at a time, and the applicant follows that one
    (a second one had become a second MoU in force)."""

    def __init__(self) -> None:
        super().__init__(
            _(
                "An application for this legal-entity national ID is already open with the "
                "committee. The committee decides one application per agency at a time: follow "
                "that application, or apply again once it is decided."
            )
        )


def _refuse_duplicate(*, legal_id: str, other_than: int | None = None) -> None:
    if selectors.open_application_for(legal_id, other_than=other_than) is not None:
        raise DuplicateApplication


def _save_open_application(access_request: AccessRequest) -> None:
    """Save, turning a parallel application that got there first (the database's partial
    unique constraint) into the same refusal."""
    try:
        with transaction.atomic():
            access_request.save()
    except IntegrityError as error:
        if "access_request_one_open_per_legal_id" in str(error):
            raise DuplicateApplication from error
        raise


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


def mark_notices_read(*, user: User, access_request: AccessRequest) -> int:
    """The person has seen their messages about this request."""
    return Notice.objects.filter(
        recipient=user, access_request=access_request, read_at=None
    ).update(read_at=timezone.now())


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
    submitted AGENCY_APPLICATIONS_PER_USER_PER_DAY applications in the last 24 hours, and
    `DuplicateApplication` while another application for the same legal ID is open. An agency
    with an MoU in force may apply again (for other scopes, or to renew): the MoU recorded for
    that application supersedes the one in force.
    """
    if not applicant.is_active:
        raise PermissionDenied(_("Sign in to apply."))
    _check_application_limit(applicant=applicant)
    _refuse_duplicate(legal_id=details["legal_id"])
    access_request = AccessRequest(
        applicant=applicant, **{name: details[name] for name in APPLICATION_FIELDS}
    )
    access_request.full_clean(validate_constraints=False)
    _save_open_application(access_request)
    return access_request


@transaction.atomic
def resubmit_request(
    *, access_request: AccessRequest, applicant: User, details: Mapping[str, Any]
) -> AccessRequest:
    """The applicant answers a return with corrected details; the request goes back in the
    queue. A new letter replaces the old one only if one is given."""
    access_request = locked_request(access_request)
    if access_request.applicant_id != applicant.pk:
        raise PermissionDenied(_("Only the applicant may resubmit this request."))
    require_allowed(access_request, "resubmit")
    judged = _application_details(access_request)
    for name in APPLICATION_FIELDS:
        if name == "letter" and not details.get("letter"):
            continue
        setattr(access_request, name, details[name])
    access_request.status = REQUEST_TRANSITIONS["resubmit"].target
    _refuse_duplicate(legal_id=access_request.legal_id, other_than=access_request.pk)
    access_request.full_clean(validate_constraints=False)
    _save_open_application(access_request)
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
    require_committee(reviewer)
    access_request = locked_request(access_request)
    require_allowed(access_request, "start_review")
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
    require_committee(reviewer)
    access_request = locked_request(access_request)
    require_allowed(access_request, "approve")
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
    require_committee(reviewer)
    access_request = locked_request(access_request)
    require_allowed(access_request, "reject")
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
    require_committee(reviewer)
    access_request = locked_request(access_request)
    require_allowed(access_request, "return")
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
    require_committee(reviewer)
    access_request = locked_request(access_request)
    require_allowed(access_request, "reopen")
    _refuse_duplicate(legal_id=access_request.legal_id, other_than=access_request.pk)
    return _decide(
        access_request=access_request,
        reviewer=reviewer,
        reasons=reasons,
        outcome=DecisionOutcome.REOPENED,
        action="reopen",
    )
