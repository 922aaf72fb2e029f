from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from inquiries import transparency
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


@never_cache
@login_required
@registry_data_required
@require_GET
def my_disclosure_proof(request: HttpRequest, pk: int) -> HttpResponse:
    """The inclusion proof of one of the person's own disclosures, as JSON to keep and check
    against the published checkpoint; 404 for anyone else's, and until it is sealed."""
    visible = disclosures_for_person(request.user.national_code)  # type: ignore[union-attr]
    record = get_object_or_404(visible, pk=pk)
    proof = transparency.record_proof(record)
    if proof is None:
        raise Http404
    response = JsonResponse(proof, json_dumps_params={"ensure_ascii": False, "indent": 1})
    response["Content-Disposition"] = f'attachment; filename="disclosure-{record.pk}-proof.json"'
    return response
