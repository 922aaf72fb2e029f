"""The status a certificate freezes: a plain JSON object, built once when it is issued.

Later registry changes never touch an issued certificate; the PDF, the holder's pages and the
agency's view all read this snapshot. `version` lets a later format keep reading old ones.
"""

import datetime
from dataclasses import dataclass
from typing import Any, overload

from accounts.models import User
from inquiries.selectors import registry_record
from inquiries.status import days_to_date

SNAPSHOT_VERSION = 1


def _date(value: datetime.date | None) -> str | None:
    return value.isoformat() if value else None


def build_snapshot(*, holder: User, today: datetime.date) -> dict[str, Any]:
    """The holder's identity and status as of `today`, from the coverage registry."""
    record = registry_record(holder.national_code, today=today)
    if record is None:
        # People with no relationship to the organization ask for exactly this statement.
        return {
            "version": SNAPSHOT_VERSION,
            "as_of": today.isoformat(),
            "has_record": False,
            "national_code": holder.national_code,
            "first_name": holder.first_name,
            "last_name": holder.last_name,
        }
    person, status = record.person, record.status
    return {
        "version": SNAPSHOT_VERSION,
        "as_of": today.isoformat(),
        "has_record": True,
        "national_code": person.national_code,
        "first_name": person.first_name,
        "last_name": person.last_name,
        "insurance_number": person.insurance_number,
        "insured_today": status.insured_today,
        "current_coverages": [
            {
                "coverage_kind": coverage.coverage_kind,
                "workshop_code": coverage.workshop_code,
                "workshop_name": coverage.workshop_name,
                "since": _date(coverage.since),
            }
            for coverage in status.current_coverages
        ],
        "total_insured_days": status.total_insured_days,
        "insured_duration": {
            "years": status.insured_duration.years,
            "months": status.insured_duration.months,
            "days": status.insured_duration.days,
        },
        "last_covered_date": _date(status.last_covered_date),
        "periods": [
            {
                "workshop_code": period.workshop_code,
                "workshop_name": period.workshop_name,
                "coverage_kind": period.coverage_kind,
                "start_date": _date(period.start_date),
                "end_date": _date(period.end_date),
                "days": period.days,
            }
            for period in sorted(record.periods, key=lambda p: (p.start_date, p.workshop_code))
        ],
        "pensions": [
            {
                "pension_number": pension.pension_number,
                "role": pension.role,
                "kind": pension.kind,
                "since": _date(pension.since),
                "status": pension.status,
            }
            for pension in status.pensions
        ],
    }


@overload
def _parse(value: str) -> datetime.date: ...
@overload
def _parse(value: str | None) -> datetime.date | None: ...
def _parse(value: str | None) -> datetime.date | None:
    return datetime.date.fromisoformat(value) if value else None


def _label(choices: Any, value: str) -> str:
    try:
        return str(choices(value).label)
    except ValueError:
        return value


def display_snapshot(snapshot: dict[str, Any]) -> dict[str, Any]:
    """The snapshot with dates as dates and codes as words of the active language."""
    from inquiries.models import CoverageKind, PensionKind, PensionRole, PensionStatus

    shown = dict(snapshot)
    shown["as_of"] = _parse(snapshot.get("as_of"))
    if not snapshot.get("has_record"):
        return shown
    shown["last_covered_date"] = _parse(snapshot.get("last_covered_date"))
    shown["current_coverages"] = [
        {
            **coverage,
            "coverage_kind": _label(CoverageKind, coverage["coverage_kind"]),
            "since": _parse(coverage["since"]),
        }
        for coverage in snapshot.get("current_coverages", [])
    ]
    as_of = shown["as_of"]
    periods = [
        {
            **period,
            "coverage_kind": _label(CoverageKind, period["coverage_kind"]),
            "start_date": _parse(period["start_date"]),
            "end_date": _parse(period["end_date"]),
            # What the workshop reported stays in the snapshot; the row shows the days the
            # total counts, so that the rows add up to it (an open period: up to `as_of`).
            "reported_days": period["days"],
            "days": days_to_date(
                start=_parse(period["start_date"]), end=_parse(period["end_date"]), today=as_of
            ),
        }
        for period in snapshot.get("periods", [])
    ]
    # Newest first, as the holder's status page lists them.
    shown["periods"] = sorted(
        periods, key=lambda period: (period["start_date"], period["workshop_code"]), reverse=True
    )
    shown["overlap_days"] = max(
        sum(period["days"] for period in periods) - snapshot.get("total_insured_days", 0), 0
    )
    shown["pensions"] = [
        {
            **pension,
            "role": _label(PensionRole, pension["role"]),
            "kind": _label(PensionKind, pension["kind"]),
            "status": _label(PensionStatus, pension["status"]),
            "since": _parse(pension["since"]),
        }
        for pension in snapshot.get("pensions", [])
    ]
    return shown


@dataclass(frozen=True)
class PrintedPeriods:
    """The coverage periods a certificate prints: the latest ones, and a line for the rest."""

    shown: list[dict[str, Any]]
    earlier_count: int = 0
    earlier_days: int = 0
    earlier_from: datetime.date | None = None
    earlier_to: datetime.date | None = None


def periods_to_print(periods: list[dict[str, Any]], limit: int) -> PrintedPeriods:
    """The latest `limit` periods (newest first, as `display_snapshot` orders them) and a summary
    of the earlier ones, whose days still count in the totals the certificate states."""
    if len(periods) <= limit:
        return PrintedPeriods(shown=periods)
    shown, earlier = periods[:limit], periods[limit:]
    ends = [period["end_date"] or period["start_date"] for period in earlier]
    return PrintedPeriods(
        shown=shown,
        earlier_count=len(earlier),
        earlier_days=sum(period["days"] or 0 for period in earlier),
        earlier_from=min(period["start_date"] for period in earlier),
        earlier_to=max(ends),
    )
