"""The public register of agreements (/transparency/agreements/): which agencies may look up
people's insurance and pension status, on what basis, for which data, and how often they did.

Reads only. The register is built from MoUs into plain records that hold nothing but what is
published (never a signatory, a contact person, a staff member or a looked-up person), so a page
or a JSON answer cannot show more than these records carry. It lists every MoU in force,
suspended, signed but not yet in force, or ended within the last year; ended includes expired
and superseded.

The lookup counts come from the disclosure log, which lives in a later app: the callable named
by AGENCIES_REGISTER_DISCLOSURE_COUNTS answers them in one aggregate query.
"""

import datetime
import math
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from enum import StrEnum

import jdatetime
from django.conf import settings
from django.core.cache import cache
from django.db.models import Prefetch, Q
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.module_loading import import_string
from django.utils.translation import gettext_lazy as _

from agencies.models import AgencyKind, Mou, MouAction, MouBasis, MouEvent, MouStatus
from agencies.scopes import scope_labels
from portal.digits import to_persian_digits

# How long an ended agreement stays on the register.
ENDED_SHOWN_DAYS = 365
# How many months of lookup counts an agency's page shows, the current one included.
COUNTED_MONTHS = 12
# The register and the counts are read from the cache for this long; a change to an MoU shows
# within this time.
CACHE_SECONDS = 300


class AgreementState(StrEnum):
    IN_FORCE = "in_force"
    SUSPENDED = "suspended"
    NOT_YET_IN_FORCE = "not_yet_in_force"
    ENDED = "ended"


STATE_LABELS = {
    AgreementState.IN_FORCE: _("In force"),
    AgreementState.SUSPENDED: _("Suspended"),
    AgreementState.NOT_YET_IN_FORCE: _("Signed, not yet in force"),
    AgreementState.ENDED: _("Ended"),
}


@dataclass(frozen=True)
class Suspension:
    start: datetime.date
    end: datetime.date | None  # None while it lasts


@dataclass(frozen=True)
class Agreement:
    """One MoU as the register publishes it."""

    number: str
    basis: str
    signed_on: datetime.date
    valid_from: datetime.date
    valid_until: datetime.date | None
    state: AgreementState
    ended_on: datetime.date | None
    legal_basis: str
    purpose: str
    scopes: tuple[str, ...]
    expected_per_month: int | None
    suspensions: tuple[Suspension, ...]

    @property
    def expected_per_day(self) -> int | None:
        return expected_daily_volume(self.expected_per_month)

    @property
    def basis_label(self) -> str:
        return str(MouBasis(self.basis).label)

    @property
    def state_label(self) -> str:
        return str(STATE_LABELS[self.state])

    @property
    def scope_labels(self) -> list[str]:
        return scope_labels(list(self.scopes))


@dataclass(frozen=True)
class RegisteredAgency:
    id: int
    name: str
    kind: str
    legal_id: str
    agreements: tuple[Agreement, ...]

    @property
    def kind_label(self) -> str:
        return str(AgencyKind(self.kind).label)

    @property
    def in_force(self) -> bool:
        return any(a.state == AgreementState.IN_FORCE for a in self.agreements)


def expected_daily_volume(monthly: int | None) -> int | None:
    """The declared monthly volume over GOV_INQUIRY_WORKING_DAYS working days, rounded up."""
    if monthly is None:
        return None
    return math.ceil(monthly / settings.GOV_INQUIRY_WORKING_DAYS)


def _local_day(moment: datetime.datetime) -> datetime.date:
    return timezone.localtime(moment).date()


def _suspensions(events: Iterable[MouEvent], ended_on: datetime.date | None) -> list[Suspension]:
    suspensions: list[Suspension] = []
    started: datetime.date | None = None
    for event in events:
        if event.action == MouAction.SUSPENDED and started is None:
            started = _local_day(event.at)
        elif event.action != MouAction.SUSPENDED and started is not None:
            suspensions.append(Suspension(started, _local_day(event.at)))
            started = None
    if started is not None:
        suspensions.append(Suspension(started, ended_on))
    return suspensions


def _ended_on(mou: Mou, events: list[MouEvent], today: datetime.date) -> datetime.date | None:
    """The day the MoU stopped granting access, or None if it has not."""
    expired_on = mou.valid_until if mou.valid_until and mou.valid_until < today else None
    if mou.status in (MouStatus.ENDED, MouStatus.SUPERSEDED):
        # Ended by the committee, or replaced by a newer MoU: the last event that was neither a
        # suspension nor its end.
        ends = [e for e in events if e.action not in (MouAction.SUSPENDED, MouAction.REINSTATED)]
        ended_on = _local_day(ends[-1].at) if ends else today
        # An MoU that ran out before the committee ended it ended when it ran out.
        return min(ended_on, expired_on) if expired_on else ended_on
    return expired_on


def _agreement(mou: Mou, today: datetime.date) -> Agreement:
    events = list(mou.events.all())
    ended_on = _ended_on(mou, events, today)
    if ended_on is not None:
        state = AgreementState.ENDED
    elif mou.in_force:  # type: ignore[attr-defined]  # Mou.objects.with_in_force_on(today)
        state = AgreementState.IN_FORCE
    elif mou.status == MouStatus.SUSPENDED:
        state = AgreementState.SUSPENDED
    else:
        state = AgreementState.NOT_YET_IN_FORCE
    access_request = mou.access_request
    return Agreement(
        number=mou.number,
        basis=mou.basis,
        signed_on=mou.signed_on,
        valid_from=mou.valid_from,
        valid_until=mou.valid_until,
        state=state,
        ended_on=ended_on,
        legal_basis=access_request.legal_basis if access_request else "",
        purpose=access_request.purpose if access_request else "",
        scopes=tuple(mou.scopes),
        expected_per_month=access_request.monthly_volume if access_request else None,
        suspensions=tuple(_suspensions(events, ended_on)),
    )


def _build_register(today: datetime.date) -> tuple[RegisteredAgency, ...]:
    cutoff = today - datetime.timedelta(days=ENDED_SHOWN_DAYS)
    mous = (
        Mou.objects.with_in_force_on(today)
        .filter(Q(valid_until__isnull=True) | Q(valid_until__gte=cutoff))
        .select_related("agency", "access_request")
        .prefetch_related(
            Prefetch(
                "events",
                # Who acted and why stay out: the register shows what changed and when.
                queryset=MouEvent.objects.exclude(
                    action__in=[MouAction.RECORDED, MouAction.IT_ACTIONED]
                )
                .only("mou", "action", "at")
                .order_by("at", "pk"),
            )
        )
        .order_by("agency__name", "agency_id", "-valid_from", "-pk")
    )
    agencies: dict[int, tuple[Mou, list[Agreement]]] = {}
    for mou in mous:
        agreement = _agreement(mou, today)
        if agreement.ended_on is not None and agreement.ended_on < cutoff:
            continue
        agencies.setdefault(mou.agency_id, (mou, []))[1].append(agreement)
    return tuple(
        RegisteredAgency(
            id=mou.agency.pk,
            name=mou.agency.name,
            kind=mou.agency.kind,
            legal_id=mou.agency.legal_id,
            agreements=tuple(agreements),
        )
        for mou, agreements in agencies.values()
    )


def register(today: datetime.date | None = None) -> tuple[RegisteredAgency, ...]:
    """Every agency on the register, by name, each with its agreements, newest first."""
    today = today or timezone.localdate()
    key = f"agencies:register:{today.isoformat()}"
    entries = cache.get(key)
    if entries is None:
        entries = _build_register(today)
        cache.set(key, entries, CACHE_SECONDS)
    return entries


def registered_agency(agency_id: int, today: datetime.date | None = None) -> RegisteredAgency:
    """The agency's entry; LookupError if it is not on the register."""
    for agency in register(today):
        if agency.id == agency_id:
            return agency
    raise LookupError(agency_id)


# --- Lookups per month ---------------------------------------------------------------------------


@dataclass(frozen=True)
class MonthCount:
    year: int
    month: int
    calendar: str  # "gregorian" or "jalali"
    direct_inquiries: int
    certificates: int
    # Lookups and redemptions by the agency's own systems through the API.
    agency_systems: int

    @property
    def total(self) -> int:
        return self.direct_inquiries + self.certificates + self.agency_systems

    @property
    def key(self) -> str:
        return f"{self.year:04d}-{self.month:02d}"

    @property
    def label(self) -> str:
        """'آذر ۱۴۰۵' for a Jalali month, 'December 2026' for a Gregorian one."""
        if self.calendar == "jalali":
            name = jdatetime.date.j_months_fa[self.month - 1]
            return f"{name} {to_persian_digits(str(self.year))}"
        return date_format(datetime.date(self.year, self.month, 1), "YEAR_MONTH_FORMAT")


# (day, channel) -> how many disclosure records; channel is "direct_inquiry", "certificate" or
# "api".
DailyCounts = dict[tuple[datetime.date, str], int]


def _daily_counts(agency_id: int, since: datetime.date) -> DailyCounts:
    counts: Callable[..., DailyCounts] = import_string(settings.AGENCIES_REGISTER_DISCLOSURE_COUNTS)
    return counts(agency_id=agency_id, since=since)


def _last_months(today: datetime.date, calendar: str) -> list[tuple[int, int]]:
    if calendar == "jalali":
        current = jdatetime.date.fromgregorian(date=today)
        year, month = current.year, current.month
    else:
        year, month = today.year, today.month
    months = []
    for _month in range(COUNTED_MONTHS):
        months.append((year, month))
        year, month = (year, month - 1) if month > 1 else (year - 1, 12)
    return months[::-1]


def _month_of(day: datetime.date, calendar: str) -> tuple[int, int]:
    if calendar == "jalali":
        jalali = jdatetime.date.fromgregorian(date=day)
        return jalali.year, jalali.month
    return day.year, day.month


def monthly_counts(
    agency_id: int, *, today: datetime.date | None = None
) -> dict[str, list[MonthCount]]:
    """The agency's disclosures per month over the last COUNTED_MONTHS months, oldest first, in
    both calendars ("gregorian", "jalali"): counts only, from one aggregate query."""
    today = today or timezone.localdate()
    key = f"agencies:register:counts:{agency_id}:{today.isoformat()}"
    cached = cache.get(key)
    if cached is not None:
        return cached
    # A year of months in either calendar starts within the last 13 Gregorian months.
    since = today - datetime.timedelta(days=31 * (COUNTED_MONTHS + 1))
    days = _daily_counts(agency_id, since)
    result = {}
    for calendar in ("gregorian", "jalali"):
        tally: Counter[tuple[int, int, str]] = Counter()
        for (day, channel), count in days.items():
            tally[(*_month_of(day, calendar), channel)] += count
        result[calendar] = [
            MonthCount(
                year=year,
                month=month,
                calendar=calendar,
                direct_inquiries=tally[(year, month, "direct_inquiry")],
                certificates=tally[(year, month, "certificate")],
                agency_systems=tally[(year, month, "api")],
            )
            for year, month in _last_months(today, calendar)
        ]
    cache.set(key, result, CACHE_SECONDS)
    return result
