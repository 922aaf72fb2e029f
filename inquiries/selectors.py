"""Reads of the coverage registry shared by the citizen's pages, agency lookups and certificates."""

import datetime
import functools
from dataclasses import dataclass

from django.conf import settings
from django.db import connection
from django.db.models import Count, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import TruncDate
from django.utils import timezone

from accounts.identity import check_identity
from accounts.models import User
from inquiries.models import (
    Checkpoint,
    CoveragePeriod,
    DisclosureRecord,
    InsuredPerson,
    PensionRecord,
)
from inquiries.status import PersonStatus, compute_status, days_to_date
from portal.rows import instance_from_row, instances_from_json, json_array_sql, quoted_columns


@dataclass(frozen=True)
class RegistryRecord:
    """A person as the registry knows them: their records, and the status computed from them."""

    person: InsuredPerson
    periods: tuple[CoveragePeriod, ...]
    pensions: tuple[PensionRecord, ...]
    status: PersonStatus
    # Each period with its days to date (`inquiries.status.days_to_date`), as the pages list them.
    period_rows: tuple["PeriodRow", ...] = ()


@dataclass(frozen=True)
class PeriodRow:
    period: CoveragePeriod
    days: int


def registry_record(
    national_code: str, *, today: datetime.date | None = None
) -> RegistryRecord | None:
    """The person with this national code and their status, or None if the registry has no record.

    Every agency lookup, status page and certificate reads it, so on PostgreSQL it is one fixed
    statement: the person with their periods and pensions as JSON arrays. Elsewhere (the
    embedded SQLite default) it is the three ORM queries of `registry_rows_by_orm`, which
    `tests/inquiries/test_registry_record_sql.py` compares with the statement on random data.
    """
    if connection.vendor == "postgresql":
        rows = _registry_rows_by_sql(national_code)
    else:
        rows = registry_rows_by_orm(national_code)
    if rows is None:
        return None
    person, periods, pensions = rows
    today = today or timezone.localdate()
    status = compute_status(periods=periods, pensions=pensions, today=today)
    period_rows = tuple(
        PeriodRow(
            period=period,
            days=days_to_date(start=period.start_date, end=period.end_date, today=today),
        )
        for period in periods
    )
    return RegistryRecord(
        person=person, periods=periods, pensions=pensions, status=status, period_rows=period_rows
    )


RegistryRows = tuple[InsuredPerson, tuple[CoveragePeriod, ...], tuple[PensionRecord, ...]]
# Newest first; the natural keys break ties, so both reads give one order.
PERIOD_ORDER = ("-start_date", "workshop_code")
PENSION_ORDER = ("-start_date", "pension_number")


def registry_rows_by_orm(national_code: str) -> RegistryRows | None:
    """The person, their periods and their pensions in three queries."""
    person = InsuredPerson.objects.filter(national_code=national_code).first()
    if person is None:
        return None
    periods = tuple(CoveragePeriod.objects.filter(person_id=person.pk).order_by(*PERIOD_ORDER))
    pensions = tuple(PensionRecord.objects.filter(person_id=person.pk).order_by(*PENSION_ORDER))
    return person, periods, pensions


def _registry_rows_by_sql(national_code: str) -> RegistryRows | None:
    with connection.cursor() as cursor:
        cursor.execute(_registry_statement(), [national_code])
        row = cursor.fetchone()
    if row is None:
        return None
    *person_columns, periods, pensions = row
    return (
        instance_from_row(InsuredPerson, person_columns),
        tuple(instances_from_json(CoveragePeriod, periods)),
        tuple(instances_from_json(PensionRecord, pensions)),
    )


@functools.cache
def _registry_statement() -> str:
    quote = connection.ops.quote_name

    def order(fields: tuple[str, ...], alias: str) -> str:
        return ", ".join(
            f"{alias}.{quote(name.lstrip('-'))}{' DESC' if name.startswith('-') else ''}"
            for name in fields
        )

    # Built from the models' own table and column names, never from input; the code is a param.
    return (
        f"SELECT {quoted_columns(InsuredPerson, 'p')}, "  # noqa: S608
        f"(SELECT {json_array_sql(CoveragePeriod, 'c', order_by=order(PERIOD_ORDER, 'c'))} "
        f"FROM {quote(CoveragePeriod._meta.db_table)} c WHERE c.person_id = p.id), "
        f"(SELECT {json_array_sql(PensionRecord, 'r', order_by=order(PENSION_ORDER, 'r'))} "
        f"FROM {quote(PensionRecord._meta.db_table)} r WHERE r.person_id = p.id) "
        f"FROM {quote(InsuredPerson._meta.db_table)} p WHERE p.national_code = %s"
    )


def may_see_registry_data(user: User) -> bool:
    """The one place that decides whether an account may see the registry's data about the
    person its national code names (status, certificates, disclosures).

    The SMS code proved the mobile, the identity service said the mobile is that person's
    (`identity_proven`), and the birth date the account gave is the registry's. A national code
    the registry does not know passes the last check: there is nothing to show but "no record".
    """
    if not (user.is_authenticated and user.identity_proven and user.birth_date):
        return False
    # PORTAL_SIGNUP_IDENTITY_CHECK: inquiries.identity.check_identity_against_registry.
    return check_identity(national_code=user.national_code, birth_date=user.birth_date).accepted


def registry_name(user: User) -> str:
    """The registry's name of the account's person, or "" while the account is not bound to
    it: until then the account may have typed someone else's national code, and the name
    would tell it whose code that is."""
    if not may_see_registry_data(user):
        return ""
    person = (
        InsuredPerson.objects.filter(national_code=user.national_code)
        .values_list("first_name", "last_name")
        .first()
    )
    return " ".join(part for part in person if part) if person else ""


def disclosures_of_agency(
    *,
    agency_id: int,
    staff_member_id: int | None = None,
    date_from: datetime.date | None = None,
    date_to: datetime.date | None = None,
    national_code: str = "",
) -> QuerySet[DisclosureRecord]:
    """An agency's disclosures, newest first; only one staff member's when given. Dates are
    calendar days in the portal's time zone, both ends inclusive."""
    records = DisclosureRecord.objects.filter(agency_id=agency_id).select_related(
        "staff_member", "api_client"
    )
    if staff_member_id is not None:
        records = records.filter(staff_member_id=staff_member_id)
    if date_from is not None:
        records = records.filter(created_at__gte=_start_of(date_from))
    if date_to is not None:
        records = records.filter(created_at__lt=_start_of(date_to + datetime.timedelta(days=1)))
    if national_code:
        records = records.filter(national_code=national_code)
    return records.order_by("-created_at", "-pk")


def disclosures_for_person(
    national_code: str, *, now: datetime.datetime | None = None
) -> QuerySet[DisclosureRecord]:
    """What the person may see of who looked at their data, newest first: everything except a
    confidential lookup younger than DISCLOSURE_CONFIDENTIAL_DELAY_DAYS."""
    now = now or timezone.now()
    delay = datetime.timedelta(days=settings.DISCLOSURE_CONFIDENTIAL_DELAY_DAYS)
    first_checkpoint = Checkpoint.objects.filter(tree_size__gt=OuterRef("leaf__index"))
    return (
        DisclosureRecord.objects.filter(national_code=national_code)
        .filter(Q(confidential=False) | Q(created_at__lte=now - delay))
        .select_related("agency", "leaf", "api_client")
        # The first checkpoint that covers the record's leaf: where it was sealed.
        .annotate(
            sealed_in=Subquery(first_checkpoint.order_by("tree_size").values("tree_size")[:1])
        )
        .order_by("-created_at", "-pk")
    )


def agency_disclosures_per_day(
    *, agency_id: int, since: datetime.date, now: datetime.datetime | None = None
) -> dict[tuple[datetime.date, str], int]:
    """How many records the agency left per day (in the portal's time zone) and channel, from
    `since` on: counts only, in one aggregate query, for the public register of agreements
    (AGENCIES_REGISTER_DISCLOSURE_COUNTS). A confidential lookup counts once the person may see
    it, so a count that moves cannot tell anyone of a secret case before they would learn of it."""
    now = now or timezone.now()
    delay = datetime.timedelta(days=settings.DISCLOSURE_CONFIDENTIAL_DELAY_DAYS)
    rows = (
        DisclosureRecord.objects.filter(agency_id=agency_id, created_at__gte=_start_of(since))
        .filter(Q(confidential=False) | Q(created_at__lte=now - delay))
        .annotate(day=TruncDate("created_at"))
        .values("day", "channel")
        .annotate(count=Count("pk"))
        .order_by()
    )
    return {(row["day"], row["channel"]): row["count"] for row in rows}


def _start_of(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))
