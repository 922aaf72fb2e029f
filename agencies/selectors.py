"""Reads used by more than one view, the gate and the admin."""

import datetime

from django.db.models import FilteredRelation, QuerySet
from django.http import Http404
from django.utils import timezone

from accounts.models import User
from agencies.models import (
    AccessRequest,
    ApiClient,
    Membership,
    Mou,
    Notice,
    RemovalRequestStatus,
    StaffList,
    StaffListStatus,
    mou_in_force_on,
)


def today() -> datetime.date:
    return timezone.localdate()


def requests_of(user: User) -> QuerySet[AccessRequest]:
    return AccessRequest.objects.filter(applicant=user).select_related("agency")


def request_for_user(*, user: User, pk: int) -> AccessRequest:
    """The request if the user is its applicant or a committee reviewer; 404 for anyone else,
    so nobody learns which ids exist."""
    queryset = AccessRequest.objects.select_related("applicant", "agency")
    if not user.is_committee_reviewer:
        queryset = queryset.filter(applicant=user)
    try:
        return queryset.get(pk=pk)
    except AccessRequest.DoesNotExist:
        raise Http404 from None


def notices_for(*, user: User, access_request: AccessRequest) -> QuerySet[Notice]:
    return Notice.objects.filter(recipient=user, access_request=access_request)


def latest_notices_of(user: User, *, limit: int = 20) -> QuerySet[Notice]:
    """The person's newest messages about agency access (with or without a request)."""
    return Notice.objects.filter(recipient=user).select_related("access_request")[:limit]


def active_mous_on(day: datetime.date) -> QuerySet[Mou]:
    return Mou.objects.in_force_on(day)


def active_mou_for(*, agency_id: int, day: datetime.date | None = None) -> Mou | None:
    """The agency's MoU in force on `day` (today by default); the latest if several are."""
    return (
        active_mous_on(day or today())
        .filter(agency_id=agency_id)
        .order_by("-valid_from", "-pk")
        .first()
    )


def panel_membership_for(user: User) -> tuple[Membership, Mou] | None:
    """The user's active membership of an agency whose MoU is in force today, with that MoU.

    One query (the gate runs it on every panel request): the first such membership, and its
    agency's latest MoU in force.
    """
    if not user.is_authenticated or not user.is_active:
        return None
    day = today()
    in_force = mou_in_force_on(day, prefix="agency__mous__")
    membership = (
        Membership.objects.filter(user=user, is_active=True, accepted_at__isnull=False)
        .annotate(mou_in_force=FilteredRelation("agency__mous", condition=in_force))
        .filter(mou_in_force__isnull=False)
        .select_related("agency", "mou_in_force")  # type: ignore[misc]
        .order_by("pk", "-mou_in_force__valid_from", "-mou_in_force__pk")
        .first()
    )
    if membership is None:
        return None
    return membership, membership.mou_in_force


def offered_memberships_of(user: User) -> QuerySet[Membership]:
    """Memberships an agency asked for this person that wait for them to accept."""
    return Membership.objects.filter(
        user=user, is_active=True, accepted_at__isnull=True
    ).select_related("agency")


def offered_membership_for(*, user: User, pk: int) -> Membership:
    """Mine or 404: a membership waiting for this user's acceptance, nobody else's."""
    try:
        return offered_memberships_of(user).get(pk=pk)
    except Membership.DoesNotExist:
        raise Http404 from None


def staff_of(agency_id: int) -> QuerySet[Membership]:
    return (
        Membership.objects.filter(agency_id=agency_id, is_active=True, accepted_at__isnull=False)
        .select_related("user")
        .order_by("role", "user__last_name", "user__first_name", "pk")
    )


def pending_staff_lists_of(agency_id: int) -> QuerySet[StaffList]:
    return StaffList.objects.filter(agency_id=agency_id, status=StaffListStatus.SUBMITTED)


def pending_national_codes_of(agency_id: int) -> set[str]:
    """National codes already asked for in lists IT has not yet granted."""
    return set(
        StaffList.objects.filter(agency_id=agency_id, status=StaffListStatus.SUBMITTED).values_list(
            "rows__national_code", flat=True
        )
    )


def member_national_codes_of(agency_id: int) -> set[str]:
    return set(
        Membership.objects.filter(agency_id=agency_id, is_active=True).values_list(
            "user__national_code", flat=True
        )
    )


def pending_removal_ids_of(agency_id: int) -> set[int]:
    return set(
        Membership.objects.filter(
            agency_id=agency_id, removal_requests__status=RemovalRequestStatus.PENDING
        ).values_list("pk", flat=True)
    )


def api_clients_of(agency_id: int) -> QuerySet[ApiClient]:
    """The agency's API clients, newest first, with what the panel's page shows."""
    return ApiClient.objects.filter(agency_id=agency_id).select_related("responsible", "mou")
