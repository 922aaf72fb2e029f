"""The public register of agreements: pages in Persian and English and a JSON version beside
them, for everyone, no sign-in (docs/transparency.md describes the JSON)."""

import datetime
from typing import Any

from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.cache import patch_cache_control
from django.views.decorators.http import require_GET

from agencies import register
from agencies.models import AgencyKind, MouBasis
from agencies.scopes import Scope


@require_GET
def agreement_list(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "agencies/register/list.html",
        {"agencies": register.register(), "ended_shown_days": register.ENDED_SHOWN_DAYS},
    )


def _registered_or_404(agency_id: int) -> register.RegisteredAgency:
    try:
        return register.registered_agency(agency_id)
    except LookupError:
        raise Http404 from None


@require_GET
def agency_agreements(request: HttpRequest, agency_id: int) -> HttpResponse:
    agency = _registered_or_404(agency_id)
    calendar = "jalali" if translation.get_language() == "fa" else "gregorian"
    months = register.monthly_counts(agency.id)[calendar]
    return render(
        request,
        "agencies/register/agency.html",
        {"agency": agency, "months": months, "calendar": calendar},
    )


# --- JSON ----------------------------------------------------------------------------------------


def _both_languages(label: Any) -> dict[str, str]:
    labels = {}
    for language in ("fa", "en"):
        with translation.override(language):
            labels[language] = str(label)
    return labels


def _day(value: datetime.date | None) -> str | None:
    return value.isoformat() if value else None


def _agency_json(agency: register.RegisteredAgency) -> dict[str, Any]:
    return {
        "id": agency.id,
        "name": agency.name,
        "kind": agency.kind,
        "legal_id": agency.legal_id,
        "page": reverse("agreements:agency", args=[agency.id]),
        "json": reverse("agreements:agency_json", args=[agency.id]),
        "agreements": [
            {
                "number": agreement.number,
                "state": agreement.state.value,
                "basis": agreement.basis,
                "legal_basis": agreement.legal_basis,
                "purpose": agreement.purpose,
                "signed_on": _day(agreement.signed_on),
                "valid_from": _day(agreement.valid_from),
                "valid_until": _day(agreement.valid_until),
                "ended_on": _day(agreement.ended_on),
                "scopes": list(agreement.scopes),
                "expected_inquiries_per_month": agreement.expected_per_month,
                "expected_inquiries_per_day": agreement.expected_per_day,
                "suspensions": [
                    {"from": _day(s.start), "until": _day(s.end)} for s in agreement.suspensions
                ],
            }
            for agreement in agency.agreements
        ],
    }


def _labels() -> dict[str, dict[str, dict[str, str]]]:
    return {
        "kind": {kind.value: _both_languages(kind.label) for kind in AgencyKind},
        "state": {
            state.value: _both_languages(label) for state, label in register.STATE_LABELS.items()
        },
        "basis": {basis.value: _both_languages(basis.label) for basis in MouBasis},
        "scope": {scope.value: _both_languages(scope.label) for scope in Scope},
    }


def _public_json(body: dict[str, Any]) -> JsonResponse:
    response = JsonResponse(body, json_dumps_params={"ensure_ascii": False, "indent": 1})
    patch_cache_control(response, public=True, max_age=register.CACHE_SECONDS)
    response["Access-Control-Allow-Origin"] = "*"
    return response


@require_GET
def agreement_list_json(request: HttpRequest) -> JsonResponse:
    return _public_json(
        {
            "date": timezone.localdate().isoformat(),
            "ended_shown_days": register.ENDED_SHOWN_DAYS,
            "agencies": [_agency_json(agency) for agency in register.register()],
            "labels": _labels(),
        }
    )


@require_GET
def agency_agreements_json(request: HttpRequest, agency_id: int) -> JsonResponse:
    agency = _registered_or_404(agency_id)
    counts = register.monthly_counts(agency.id)
    body = _agency_json(agency)
    body["disclosures_per_month"] = {
        calendar: [
            {
                "month": month.key,
                "direct_inquiries": month.direct_inquiries,
                "certificates": month.certificates,
                "agency_systems": month.agency_systems,
                "total": month.total,
            }
            for month in months
        ]
        for calendar, months in counts.items()
    }
    return _public_json({"date": timezone.localdate().isoformat(), "agency": body})
