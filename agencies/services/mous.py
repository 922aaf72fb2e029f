"""MoUs: recorded by the committee (or, for circular No. 1, found by the isinsured migration),
suspended, reinstated, ended, and actioned by IT; and the agencies the migration brings along."""

import datetime
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from django.core.files import File
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from accounts.models import User
from accounts.roles import Role
from accounts.services import assign_role
from agencies import outbox, selectors
from agencies.models import (
    MOU_TRANSITIONS,
    AccessRequest,
    Agency,
    Membership,
    MembershipRole,
    Mou,
    MouAction,
    MouBasis,
    MouEvent,
    MouStatus,
    RequestStatus,
)
from agencies.scopes import scope_labels
from agencies.services.common import (
    TransitionError,
    locked_request,
    require_allowed,
    require_committee,
    require_operator,
)


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
    # The agency's MoU in force or suspended, which this one replaces; the committee names it.
    supersedes: Mou | None = None


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
    open_mou = selectors.open_mou_of(agency) if agency is not None else None
    if open_mou is not None and (terms.supersedes is None or terms.supersedes.pk != open_mou.pk):
        problems["supersedes"] = _(
            "This agency already has MoU \u2066%(number)s\u2069 (%(status)s). An agency has one "
            "MoU at a time: choose it under “supersedes”; it stops granting access as soon as "
            "this one is recorded."
        ) % {"number": open_mou.number, "status": open_mou.get_status_display()}
    elif open_mou is None and terms.supersedes is not None:
        problems["supersedes"] = _("Only the agency's MoU in force or suspended can be superseded.")
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
    require_committee(recorded_by)
    # Two MoUs recorded at once for one agency: the second sees the first (and the database's
    # partial unique constraint is the last line).
    Agency.objects.select_for_update().filter(pk=agency.pk).values_list("pk").get()
    if access_request is not None:
        access_request = locked_request(access_request)
    problems = mou_problems(agency=agency, access_request=access_request, terms=terms)
    if problems:
        raise TransitionError(next(iter(problems.values())))
    superseded = None
    if terms.supersedes is not None:
        superseded = _supersede(mou=terms.supersedes, by_number=terms.number, actor=recorded_by)
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
        supersedes=superseded,
    )
    if terms.scan is not None:
        mou.scan = terms.scan
    mou.full_clean()
    mou.save()
    MouEvent.objects.create(
        mou=mou,
        action=MouAction.RECORDED,
        actor=recorded_by,
        reasons=_("Supersedes MoU \u2066%(number)s\u2069.") % {"number": superseded.number}
        if superseded is not None
        else "",
    )
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


def _supersede(*, mou: Mou, by_number: str, actor: User) -> Mou:
    """The agency's newer MoU replaces `mou`: it stops granting access now, for good (ending the
    newer one later does not bring it back)."""
    mou = Mou.objects.select_for_update().get(pk=mou.pk)
    require_allowed(mou, "supersede")
    mou.status = MOU_TRANSITIONS["supersede"].target
    mou.save(update_fields=["status"])
    MouEvent.objects.create(
        mou=mou,
        action=MouAction.SUPERSEDED,
        actor=actor,
        reasons=_("Superseded by MoU \u2066%(number)s\u2069.") % {"number": by_number},
    )
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
    was reviewed under the circular). The caller has checked that `recorded_by` may do it.

    If the agency already has a (newer) MoU in force or suspended, the circular one is recorded
    as superseded by it: an agency has one MoU at a time."""
    Agency.objects.select_for_update().filter(pk=agency.pk).values_list("pk").get()
    newer = selectors.open_mou_of(agency)
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
        status=MouStatus.ACTIVE if newer is None else MouStatus.SUPERSEDED,
        recorded_by=recorded_by,
    )
    MouEvent.objects.create(mou=mou, action=MouAction.RECORDED, actor=recorded_by, reasons=reasons)
    if newer is not None:
        MouEvent.objects.create(
            mou=mou,
            action=MouAction.SUPERSEDED,
            actor=recorded_by,
            reasons=_("Superseded by MoU \u2066%(number)s\u2069.") % {"number": newer.number},
        )
        if newer.supersedes_id is None:
            newer.supersedes = mou
            newer.save(update_fields=["supersedes"])
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
    require_committee(actor)
    mou = Mou.objects.select_for_update().get(pk=mou.pk)
    require_allowed(mou, transition)
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
    require_operator(operator)
    mou = Mou.objects.select_for_update().get(pk=mou.pk)
    if mou.it_actioned_at is not None:
        raise TransitionError(_("IT has already actioned this MoU."))
    mou.it_actioned_at = timezone.now()
    mou.it_actioned_by = operator
    mou.save(update_fields=["it_actioned_at", "it_actioned_by"])
    MouEvent.objects.create(mou=mou, action=MouAction.IT_ACTIONED, actor=operator)
    return mou
