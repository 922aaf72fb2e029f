"""Reads used by more than one view, the gate and the admin."""

import datetime
import functools
from dataclasses import dataclass

from django.db import connection, models
from django.db.models import QuerySet
from django.http import Http404
from django.utils import timezone

from accounts.models import User
from agencies.models import (
    AWAITING_MOU,
    OPEN_MOU_STATUSES,
    OPEN_REQUEST_STATUSES,
    AccessRequest,
    Agency,
    ApiClient,
    ApiClientStatus,
    Membership,
    Mou,
    MouStatus,
    Notice,
    RemovalRequestStatus,
    RequestStatus,
    StaffList,
    StaffListStatus,
)
from portal.rows import instance_from_row, quoted_columns


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


def open_application_for(legal_id: str, *, other_than: int | None = None) -> AccessRequest | None:
    """The application for this legal ID that is still with the committee or the applicant, or
    approved and waiting for its MoU; None if there is none (besides `other_than`)."""
    open_or_awaiting_mou = models.Q(status__in=OPEN_REQUEST_STATUSES) | AWAITING_MOU
    candidates = AccessRequest.objects.filter(open_or_awaiting_mou, legal_id=legal_id)
    if other_than is not None:
        candidates = candidates.exclude(pk=other_than)
    return candidates.order_by("submitted_at", "pk").first()


def open_mou_of(agency: Agency) -> Mou | None:
    """The agency's MoU in force or suspended (a constraint allows at most one)."""
    return Mou.objects.filter(agency=agency, status__in=OPEN_MOU_STATUSES).first()


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

    The gate runs it on every panel request, so it is one fixed SQL statement: the first such
    membership (lowest id), with its agency, and that agency's MoU in force (a constraint allows
    one open MoU per agency). Building the
    same query with the ORM (a FilteredRelation over three models) cost more CPU than the rest
    of the gate; `tests/agencies/test_panel_membership_sql.py` checks the statement against
    that ORM query, which reads "in force" from `mou_in_force_on`, on random data.
    """
    if not user.is_authenticated or not user.is_active:
        return None
    day = today()
    with connection.cursor() as cursor:
        cursor.execute(_panel_statement(), [user.pk, MouStatus.ACTIVE, day, day])
        row = cursor.fetchone()
    if row is None:
        return None
    agency_starts = len(Membership._meta.concrete_fields)
    mou_starts = agency_starts + len(Agency._meta.concrete_fields)
    membership = instance_from_row(Membership, row[:agency_starts])
    agency = instance_from_row(Agency, row[agency_starts:mou_starts])
    *mou_columns, expected_volume = row[mou_starts:]
    mou = instance_from_row(Mou, mou_columns).with_expected_monthly_volume(expected_volume)
    # As select_related would: reading membership.agency or mou.agency costs no query.
    Membership.agency.field.set_cached_value(membership, agency)
    Mou.agency.field.set_cached_value(mou, agency)
    return membership, mou


@functools.cache
def _panel_statement() -> str:
    """Every column of the three rows, so the instances are the ones the ORM would give, and
    the MoU's expected volume (its daily limit)."""
    quote = connection.ops.quote_name
    columns = quoted_columns
    # Built from the models' own table and column names, never from input; values go as params.
    return (
        f"SELECT {columns(Membership, 'm')}, {columns(Agency, 'a')}, {columns(Mou, 'u')}, "  # noqa: S608
        "r.monthly_volume "
        f"FROM {quote(Membership._meta.db_table)} m "
        f"JOIN {quote(Agency._meta.db_table)} a ON a.id = m.agency_id "
        f"JOIN {quote(Mou._meta.db_table)} u ON u.agency_id = m.agency_id "
        f"LEFT JOIN {quote(AccessRequest._meta.db_table)} r ON r.id = u.access_request_id "
        "WHERE m.user_id = %s AND m.is_active AND m.accepted_at IS NOT NULL "
        # mou_in_force_on: active, started, not yet ended.
        "AND u.status = %s AND u.valid_from <= %s "
        "AND (u.valid_until IS NULL OR u.valid_until >= %s) "
        "ORDER BY m.id LIMIT 1"
    )


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


# What waits on whom: each request state the committee's queue shows, in the order it reads.
COMMITTEE = "committee"
APPLICANT = "applicant"
_QUEUE_STATES: tuple[tuple[str, models.Q, str], ...] = (
    ("submitted", models.Q(status=RequestStatus.SUBMITTED), COMMITTEE),
    ("resubmitted", models.Q(status=RequestStatus.RESUBMITTED), COMMITTEE),
    ("in_review", models.Q(status=RequestStatus.IN_REVIEW), COMMITTEE),
    ("awaiting_mou", AWAITING_MOU, COMMITTEE),
    ("returned", models.Q(status=RequestStatus.RETURNED), APPLICANT),
)


@dataclass(frozen=True)
class QueuedRequest:
    access_request: AccessRequest
    state: str  # a key of _QUEUE_STATES
    waiting_on: str  # COMMITTEE or APPLICANT
    waiting_since: datetime.datetime
    age_days: int


@dataclass(frozen=True)
class CommitteeQueue:
    counts: list[tuple[str, int, str]]  # (state, how many, waiting on)
    requests: list[QueuedRequest]  # oldest first


def committee_queue(*, limit: int = 50) -> CommitteeQueue:
    """What waits on the committee (and what it sent back to applicants): counts per state and
    the oldest `limit` requests, each with how long it has waited in its state. Two queries."""
    waiting = models.Q()
    for _state, condition, _whom in _QUEUE_STATES:
        waiting |= condition
    counts = AccessRequest.objects.aggregate(
        **{state: models.Count("pk", filter=condition) for state, condition, _whom in _QUEUE_STATES}
    )
    day = today()
    rows = []
    queued = (
        AccessRequest.objects.filter(waiting)
        .annotate(
            queue_state=models.Case(
                *(
                    models.When(condition, then=models.Value(state))
                    for state, condition, _w in _QUEUE_STATES
                ),
                output_field=models.CharField(),
            )
        )
        .select_related("applicant")
        .order_by("updated_at", "pk")[:limit]
    )
    whom = {state: waiting_on for state, _condition, waiting_on in _QUEUE_STATES}
    for access_request in queued:
        # Every change of state saves the request, so `updated_at` is when this wait began.
        since = access_request.updated_at
        rows.append(
            QueuedRequest(
                access_request=access_request,
                state=access_request.queue_state,
                waiting_on=whom[access_request.queue_state],
                waiting_since=since,
                age_days=(day - timezone.localtime(since).date()).days,
            )
        )
    return CommitteeQueue(
        counts=[(state, counts[state], waiting_on) for state, _c, waiting_on in _QUEUE_STATES],
        requests=rows,
    )


def api_clients_waiting_for_approval() -> QuerySet[ApiClient]:
    """Agencies' systems the committee or an operator has yet to approve, oldest first."""
    return (
        ApiClient.objects.filter(status=ApiClientStatus.REQUESTED)
        .select_related("agency")
        .order_by("requested_at", "pk")
    )


def api_clients_of(agency_id: int) -> QuerySet[ApiClient]:
    """The agency's API clients, newest first, with what the panel's page shows."""
    return ApiClient.objects.filter(agency_id=agency_id).select_related("responsible", "mou")
