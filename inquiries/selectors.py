"""Reads of the coverage registry shared by the citizen's pages, agency lookups and certificates."""

import datetime
from dataclasses import dataclass

from django.db.models import Prefetch
from django.utils import timezone

from inquiries.models import CoveragePeriod, InsuredPerson, PensionRecord
from inquiries.status import PersonStatus, compute_status


@dataclass(frozen=True)
class RegistryRecord:
    """A person as the registry knows them: their records, and the status computed from them."""

    person: InsuredPerson
    periods: tuple[CoveragePeriod, ...]
    pensions: tuple[PensionRecord, ...]
    status: PersonStatus


def registry_record(
    national_code: str, *, today: datetime.date | None = None
) -> RegistryRecord | None:
    """The person with this national code and their status, or None if the registry has no record.

    Two queries plus one per prefetched table, whatever the number of periods.
    """
    person = (
        InsuredPerson.objects.filter(national_code=national_code)
        .prefetch_related(
            Prefetch(
                "coverage_periods",
                queryset=CoveragePeriod.objects.order_by("-start_date", "workshop_code"),
            ),
            Prefetch("pension_records", queryset=PensionRecord.objects.order_by("-start_date")),
        )
        .first()
    )
    if person is None:
        return None
    periods = tuple(person.coverage_periods.all())
    pensions = tuple(person.pension_records.all())
    status = compute_status(periods=periods, pensions=pensions, today=today or timezone.localdate())
    return RegistryRecord(person=person, periods=periods, pensions=pensions, status=status)
