"""A person's insurance and pension status, computed from their records alone.

`compute_status` reads no database and no clock: callers pass the records and `today`, so the
same function serves the citizen's page, agency lookups and certificates, and is easy to test.
"""

import datetime
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Protocol

from inquiries.models import PensionStatus

# The organization credits a year of insurance as 365 days and a month as 30 days.
DAYS_PER_YEAR = 365
DAYS_PER_MONTH = 30


class PeriodRecord(Protocol):
    """What the status needs from a coverage period (a CoveragePeriod, or any look-alike)."""

    @property
    def workshop_code(self) -> str: ...
    @property
    def workshop_name(self) -> str: ...
    @property
    def coverage_kind(self) -> str: ...
    @property
    def start_date(self) -> datetime.date: ...
    @property
    def end_date(self) -> datetime.date | None: ...


class PensionRecordLike(Protocol):
    """What the status needs from a pension record (a PensionRecord, or any look-alike)."""

    @property
    def pension_number(self) -> str: ...
    @property
    def role(self) -> str: ...
    @property
    def kind(self) -> str: ...
    @property
    def start_date(self) -> datetime.date: ...
    @property
    def status(self) -> str: ...
    @property
    def main_national_code(self) -> str: ...


@dataclass(frozen=True)
class InsuredDuration:
    """A number of days as years, months and days: 365-day years, 30-day months.

    The remainder after whole years is 0-364 days, so `months` can be 12 (360-364 days);
    `years * 365 + months * 30 + days` always gives back the total.
    """

    years: int
    months: int
    days: int

    @classmethod
    def from_days(cls, total: int) -> "InsuredDuration":
        years, rest = divmod(total, DAYS_PER_YEAR)
        months, days = divmod(rest, DAYS_PER_MONTH)
        return cls(years=years, months=months, days=days)


@dataclass(frozen=True)
class CurrentCoverage:
    coverage_kind: str
    workshop_code: str
    workshop_name: str
    since: datetime.date


@dataclass(frozen=True)
class PensionSummary:
    pension_number: str
    role: str
    kind: str
    since: datetime.date
    status: str
    main_national_code: str


@dataclass(frozen=True)
class PersonStatus:
    insured_today: bool
    # Every period covering today, earliest first (a person may work at two workshops).
    current_coverages: tuple[CurrentCoverage, ...]
    total_insured_days: int
    insured_duration: InsuredDuration
    last_covered_date: datetime.date | None
    # The periods' own days up to today, added up: more than the total when periods overlap.
    days_in_periods: int
    # Active pensions first, then the most recent; `pension` is the first of them.
    pensions: tuple[PensionSummary, ...]

    @property
    def current_coverage(self) -> CurrentCoverage | None:
        return self.current_coverages[0] if self.current_coverages else None

    @property
    def overlap_days(self) -> int:
        """Days that two or more periods cover: each counts once in the total, so the periods'
        rows add up to the total plus these."""
        return self.days_in_periods - self.total_insured_days

    @property
    def pension(self) -> PensionSummary | None:
        return self.pensions[0] if self.pensions else None


def days_to_date(*, start: datetime.date, end: datetime.date | None, today: datetime.date) -> int:
    """One period's calendar days up to and including today, both ends inclusive: what its row
    shows. An open period counts to today, not the days its workshop reported so far, so the
    rows add up to the total (`covered_days`) except for overlaps."""
    if start > today:
        return 0
    return (min(end or today, today) - start).days + 1


def covered_days(periods: Iterable[PeriodRecord], *, today: datetime.date) -> int:
    """Distinct calendar days inside at least one period, up to and including today.

    Both ends are inclusive; an open period runs to today; days after today are not counted
    yet, so a period that starts in the future adds nothing.
    """
    spans = sorted(
        (period.start_date, min(period.end_date or today, today))
        for period in periods
        if period.start_date <= today
    )
    total = 0
    covered_until: datetime.date | None = None  # the last day already counted
    for start, end in spans:
        if end < start:
            continue
        if covered_until is not None and start <= covered_until:
            start = covered_until + datetime.timedelta(days=1)
        if start <= end:
            total += (end - start).days + 1
            covered_until = end
    return total


def compute_status(
    *,
    periods: Sequence[PeriodRecord],
    pensions: Sequence[PensionRecordLike] = (),
    today: datetime.date,
) -> PersonStatus:
    """The status of one person from their coverage periods and pension records."""
    current = sorted(
        (
            CurrentCoverage(
                coverage_kind=period.coverage_kind,
                workshop_code=period.workshop_code,
                workshop_name=period.workshop_name,
                since=period.start_date,
            )
            for period in periods
            if period.start_date <= today and (period.end_date is None or period.end_date >= today)
        ),
        key=lambda coverage: (coverage.since, coverage.workshop_code),
    )
    last_days = [
        min(period.end_date or today, today) for period in periods if period.start_date <= today
    ]
    total = covered_days(periods, today=today)
    return PersonStatus(
        insured_today=bool(current),
        current_coverages=tuple(current),
        total_insured_days=total,
        insured_duration=InsuredDuration.from_days(total),
        last_covered_date=max(last_days, default=None),
        days_in_periods=sum(
            days_to_date(start=period.start_date, end=period.end_date, today=today)
            for period in periods
        ),
        pensions=tuple(
            sorted(
                (
                    PensionSummary(
                        pension_number=pension.pension_number,
                        role=pension.role,
                        kind=pension.kind,
                        since=pension.start_date,
                        status=pension.status,
                        main_national_code=pension.main_national_code,
                    )
                    for pension in pensions
                ),
                key=lambda summary: (
                    summary.status != PensionStatus.ACTIVE,
                    -summary.since.toordinal(),
                    summary.pension_number,
                ),
            )
        ),
    )
