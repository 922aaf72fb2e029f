from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from inquiries.access import registry_data_required
from inquiries.selectors import disclosures_for_person, registry_record

DISCLOSURES_PAGE_SIZE = 50


@never_cache
@login_required
@registry_data_required
@require_GET
def my_status(request: HttpRequest) -> HttpResponse:
    """The signed-in person's own status and full history. Not a disclosure: it is their own."""
    record = registry_record(request.user.national_code)  # type: ignore[union-attr]
    return render(request, "inquiries/my_status.html", {"record": record})


@never_cache
@login_required
@registry_data_required
@require_GET
def my_disclosures(request: HttpRequest) -> HttpResponse:
    """Every time an agency saw the person's data (confidential ones once their delay is over)."""
    records = disclosures_for_person(request.user.national_code)  # type: ignore[union-attr]
    page = Paginator(records, DISCLOSURES_PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "inquiries/my_disclosures.html",
        {"page": page, "delay_days": settings.DISCLOSURE_CONFIDENTIAL_DELAY_DAYS},
    )
