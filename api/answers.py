"""What the API answers, as JSON: the panel's lookup result and a redeemed certificate.

Dates carry both calendars, `{"iso": "2024-03-20", "jalali": "1403/01/01"}`, as the panel shows
them; a field outside the client's scopes is absent, never null-with-a-value.
"""

import datetime
from typing import Any

from documents.models import Redemption
from inquiries.scoping import ScopedResult
from portal.jalali import jalali_date_for_data


def both_calendars(value: datetime.date | datetime.datetime | None) -> dict[str, str] | None:
    if value is None:
        return None
    iso = value.isoformat()
    return {"iso": iso, "jalali": jalali_date_for_data(value)}


def inquiry_result(result: ScopedResult) -> dict[str, Any]:
    body: dict[str, Any] = {
        "national_code": result.national_code,
        "found": result.found,
        "scopes": list(result.scopes),
    }
    if not result.found:
        return body
    if result.insured_today is not None:
        body["insured_today"] = result.insured_today
    if result.current_coverages is not None:
        body["current_coverages"] = [
            {"coverage_kind": coverage.coverage_kind, "since": both_calendars(coverage.since)}
            for coverage in result.current_coverages
        ]
    if result.total_insured_days is not None:
        body["total_insured_days"] = result.total_insured_days
    if result.insured_duration is not None:
        duration = result.insured_duration
        body["insured_duration"] = {
            "years": duration.years,
            "months": duration.months,
            "days": duration.days,
        }
    if result.periods is not None:
        body["periods"] = [
            {
                "workshop_code": period.workshop_code,
                "workshop_name": period.workshop_name,
                "coverage_kind": period.coverage_kind,
                "start_date": both_calendars(period.start_date),
                "end_date": both_calendars(period.end_date),
                "days": period.days,
            }
            for period in result.periods
        ]
    if result.is_pensioner is not None:
        body["is_pensioner"] = result.is_pensioner
    if result.pensions is not None:
        body["pensions"] = [
            {
                "role": pension.role,
                "kind": pension.kind,
                "since": both_calendars(pension.since),
                "status": pension.status,
            }
            for pension in result.pensions
        ]
    return body


def redemption_result(redemption: Redemption, *, pdf_url: str) -> dict[str, Any]:
    certificate = redemption.certificate
    return {
        "redemption_id": redemption.pk,
        "certificate": {
            "number": certificate.number,
            "issued_at": certificate.issued_at.isoformat(),
            "valid_until": certificate.valid_until.isoformat(),
            "status_as_of": certificate.snapshot,
        },
        "pdf_url": pdf_url,
        "pdf_available_until": redemption.pdf_available_until.isoformat(),
    }
