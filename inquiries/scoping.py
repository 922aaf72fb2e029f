"""What an agency may see of a person: the registry record cut down to its MoU's scopes.

`restrict_to_scopes` is pure: it copies only the granted fields into a `ScopedResult`, so the
page can render whatever it is given and nothing outside the scopes ever reaches a template.
"""

import datetime
from collections.abc import Collection
from dataclasses import dataclass

from agencies.scopes import Scope
from inquiries.models import PensionStatus
from inquiries.selectors import RegistryRecord
from inquiries.status import InsuredDuration


@dataclass(frozen=True)
class ScopedCoverage:
    """Current coverage under `coverage_summary`: its kind and start, no workshop."""

    coverage_kind: str
    since: datetime.date


@dataclass(frozen=True)
class ScopedPeriod:
    """One coverage period under `coverage_history`: with its workshop, without the wage."""

    workshop_code: str
    workshop_name: str
    coverage_kind: str
    start_date: datetime.date
    end_date: datetime.date | None
    days: int


@dataclass(frozen=True)
class ScopedPension:
    """One pension under `pension_detail`: no pension number, no main pensioner's code."""

    role: str
    kind: str
    since: datetime.date
    status: str


@dataclass(frozen=True)
class ScopedResult:
    """A lookup's answer. A field is None when its scope was not granted (or, for lists,
    empty); `found` is False when the registry has no record, and then nothing else is set."""

    national_code: str
    found: bool
    scopes: tuple[str, ...]
    insured_today: bool | None = None
    current_coverages: tuple[ScopedCoverage, ...] | None = None
    total_insured_days: int | None = None
    insured_duration: InsuredDuration | None = None
    periods: tuple[ScopedPeriod, ...] | None = None
    is_pensioner: bool | None = None
    pensions: tuple[ScopedPension, ...] | None = None


def restrict_to_scopes(
    record: RegistryRecord | None, scopes: Collection[str], *, national_code: str
) -> ScopedResult:
    """The parts of `record` that `scopes` allow, and nothing else."""
    granted = tuple(scope for scope in Scope.values if scope in scopes)
    if record is None:
        return ScopedResult(national_code=national_code, found=False, scopes=granted)
    status = record.status
    summary = Scope.COVERAGE_SUMMARY in granted
    return ScopedResult(
        national_code=national_code,
        found=True,
        scopes=granted,
        insured_today=status.insured_today if Scope.COVERAGE_FLAG in granted else None,
        current_coverages=tuple(
            ScopedCoverage(coverage_kind=coverage.coverage_kind, since=coverage.since)
            for coverage in status.current_coverages
        )
        if summary
        else None,
        total_insured_days=status.total_insured_days if summary else None,
        insured_duration=status.insured_duration if summary else None,
        periods=tuple(
            ScopedPeriod(
                workshop_code=period.workshop_code,
                workshop_name=period.workshop_name,
                coverage_kind=period.coverage_kind,
                start_date=period.start_date,
                end_date=period.end_date,
                days=period.days,
            )
            for period in record.periods
        )
        if Scope.COVERAGE_HISTORY in granted
        else None,
        is_pensioner=any(pension.status == PensionStatus.ACTIVE for pension in status.pensions)
        if Scope.PENSION_FLAG in granted
        else None,
        pensions=tuple(
            ScopedPension(
                role=pension.role, kind=pension.kind, since=pension.since, status=pension.status
            )
            for pension in status.pensions
        )
        if Scope.PENSION_DETAIL in granted
        else None,
    )
