"""The agency panel's sections served by inquiries: the status inquiry and the agency's history.

Both are behind `agencies.gate.agency_panel_required`. A lookup is a POST and its national code
never appears in a URL; the history's filter goes by POST too and is kept in the session.
"""

import logging

from django.conf import settings
from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import HttpResponse, StreamingHttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.functional import SimpleLazyObject
from django.utils.translation import get_language
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods

from agencies.gate import PanelRequest, agency_panel_required
from inquiries import limits, selectors, services
from inquiries.exports import history_csv_lines
from inquiries.forms import HistoryFilterForm, LookupForm
from inquiries.models import DisclosureRecord
from portal.frames import render_framed
from portal.jalali import jalali_date_for_data
from portal.throttle import client_address

logger = logging.getLogger(__name__)

HISTORY_PAGE_SIZE = 25
HISTORY_FILTER_SESSION_KEY = "gov_history_filter"


def _lookup_form(request: PanelRequest, data: object = None) -> LookupForm:
    return LookupForm(
        data,
        agency_kind=request.panel.agency.kind,
        confidential_delay_days=settings.DISCLOSURE_CONFIDENTIAL_DELAY_DAYS,
    )


def _blank_form(request: PanelRequest) -> dict:
    """The page's blank form, built only if the page's cache does not hold its HTML yet."""
    return {
        "form": SimpleLazyObject(lambda: _lookup_form(request)),
        "form_key": LookupForm.blank_rendering_key(
            agency_kind=request.panel.agency.kind,
            confidential_delay_days=settings.DISCLOSURE_CONFIDENTIAL_DELAY_DAYS,
        ),
    }


def _render_inquiry_page(request: PanelRequest, context: dict) -> HttpResponse:
    """The page with its blank form: the same for every member in a language but for its
    per-request blocks (the result, the MoU's scopes, CSRF tokens, the inbox badge, messages),
    so drawn as a frame once per process for what the rest depends on."""
    blank = _blank_form(request)
    key = (get_language(), request.path, request.panel.is_agency_admin, blank["form_key"])
    return render_framed(request, "inquiries/gov/inquiry.html", {**context, **blank}, key=key)


@never_cache
@agency_panel_required
@require_http_methods(["GET", "POST"])
def inquiry(request: PanelRequest) -> HttpResponse:
    panel = request.panel
    context = {"panel": panel}
    if request.method == "GET":
        return _render_inquiry_page(request, context)
    form = _lookup_form(request, request.POST)
    if not form.is_valid():
        return render(
            request,
            "inquiries/gov/inquiry.html",
            {**context, "form": form, "form_bound": True},
            status=400,
        )
    exceeded = limits.count_lookup(staff_member_id=request.user.pk, mou=panel.mou)
    if exceeded is not None:
        return render(
            request, "inquiries/gov/limit.html", {**context, "exceeded": exceeded}, status=429
        )
    data = form.cleaned_data
    lookup = services.look_up_person(
        staff_member=request.user,
        mou=panel.mou,
        agency_kind=panel.agency.kind,
        national_code=data["national_code"],
        purpose=data["purpose"],
        purpose_detail=data["purpose_detail"].strip(),
        case_reference=data["case_reference"],
        confidential=data.get("confidential", False),
        client_ip=client_address(request),
    )
    return _render_inquiry_page(request, {**context, "result": lookup.result})


def _history_records(request: PanelRequest, filters: dict) -> QuerySet[DisclosureRecord]:
    panel = request.panel
    return selectors.disclosures_of_agency(
        agency_id=panel.agency.pk,
        # Staff see their own lookups; the agency admin sees the whole agency's.
        staff_member_id=None if panel.is_agency_admin else request.user.pk,
        date_from=filters.get("date_from"),
        date_to=filters.get("date_to"),
        national_code=filters.get("national_code", ""),
    )


def _saved_filter(request: PanelRequest) -> HistoryFilterForm:
    return HistoryFilterForm(request.session.get(HISTORY_FILTER_SESSION_KEY) or None)


def _cleaned(form: HistoryFilterForm) -> dict:
    return form.cleaned_data if form.is_bound and form.is_valid() else {}


@never_cache
@agency_panel_required
@require_http_methods(["GET", "POST"])
def history(request: PanelRequest) -> HttpResponse:
    panel = request.panel
    if request.method == "POST":
        if "clear" in request.POST:
            request.session.pop(HISTORY_FILTER_SESSION_KEY, None)
            return redirect("gov:history")
        form = HistoryFilterForm(request.POST)
        if form.is_valid():
            request.session[HISTORY_FILTER_SESSION_KEY] = {
                name: request.POST.get(name, "") for name in form.fields
            }
            return redirect("gov:history")
        status = 400
    else:
        form = _saved_filter(request)
        status = 200
    filters = _cleaned(form)
    records = _history_records(request, filters)
    page = Paginator(records, HISTORY_PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "inquiries/gov/history.html",
        {"panel": panel, "form": form, "page": page, "filtered": any(filters.values())},
        status=status,
    )


@never_cache
@agency_panel_required
@require_GET
def history_export(request: PanelRequest) -> HttpResponseBase:
    """The history page's rows, with its saved filter, as a CSV file.

    Not a new disclosure, so no disclosure record: every row is a lookup this agency already
    made and the log already holds, and the file carries only what the page shows (who looked,
    whose national code, why, which fields were disclosed), never the person's registry data.
    The agency keeps its own register of what it asked; the person's log is unchanged.
    """
    filters = _cleaned(_saved_filter(request))
    records = _history_records(request, filters)
    with_staff = request.panel.is_agency_admin
    logger.info(
        "history exported",
        extra={"agency_id": request.panel.agency.pk, "staff_member_id": request.user.pk},
    )
    response = StreamingHttpResponse(
        history_csv_lines(records, with_staff=with_staff), content_type="text/csv; charset=utf-8"
    )
    today = jalali_date_for_data(timezone.localdate()).replace("/", "-")
    response["Content-Disposition"] = f'attachment; filename="inquiries-{today}.csv"'
    return response
