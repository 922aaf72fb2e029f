"""Document inquiry (/gov/documents/): agency staff open a citizen's certificate with its code.

Behind `agency_panel_required` like every /gov/ page. The inquiry is a POST to a fixed path; a
success redirects to the redemption's own page, so reloading it never spends another use.
"""

from typing import TypeVar

from django.http import FileResponse, Http404, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.utils.cache import add_never_cache_headers, patch_cache_control
from django.utils.translation import gettext as _
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_GET, require_http_methods

from agencies.gate import PanelRequest, agency_panel_required
from documents import redemptions, selectors
from documents.forms import DocumentInquiryForm
from documents.models import Redemption
from documents.snapshot import display_snapshot
from portal import throttle

ResponseT = TypeVar("ResponseT", bound=HttpResponseBase)


def _private(response: ResponseT) -> ResponseT:
    add_never_cache_headers(response)
    patch_cache_control(response, no_store=True, private=True)
    return response


def refusal_message() -> str:
    """The one answer to every refused inquiry, whatever was wrong (no oracle)."""
    return _(
        "No document can be opened with this national code and access code. Check both with "
        "the holder; the code may be wrong, expired, revoked, used up or meant for another agency."
    )


@sensitive_post_parameters("access_code")
@agency_panel_required
@require_http_methods(["GET", "POST"])
def document_inquiry(request: PanelRequest) -> HttpResponse:
    if request.GET:
        # Whatever was put in the query string by hand is dropped, not echoed in the page.
        return redirect(request.path)
    form = DocumentInquiryForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            redemption = redemptions.redeem_access_code(
                staff_member=request.user,
                mou=request.panel.mou,
                national_code=form.cleaned_data["national_code"],
                code=form.cleaned_data["access_code"],
                client_ip=throttle.client_address(request),
            )
        except redemptions.RedemptionThrottled as throttled:
            response = render(
                request,
                "documents/gov/too_many_attempts.html",
                {
                    "panel": request.panel,
                    "limit": throttled.limit.value,
                    "minutes": max(throttled.retry_after // 60, 1),
                },
                status=429,
            )
            response["Retry-After"] = str(throttled.retry_after)
            return _private(response)
        except redemptions.RedemptionRefused:
            form.add_error(None, refusal_message())
        else:
            return redirect("gov:redeemed_document", pk=redemption.pk)
    response = render(
        request,
        "documents/gov/document_inquiry.html",
        {"form": form, "panel": request.panel},
        status=400 if form.errors else 200,
    )
    return _private(response)


def _open_redemption_or_404(request: PanelRequest, pk: int) -> Redemption:
    redemption = selectors.redemption_for_staff_or_404(
        staff_member=request.user, agency=request.panel.agency, pk=pk
    )
    if not redemption.is_open():
        raise Http404("The document is no longer available to this redemption.")
    return redemption


@agency_panel_required
@require_GET
def redeemed_document(request: PanelRequest, pk: int) -> HttpResponse:
    redemption = selectors.redemption_for_staff_or_404(
        staff_member=request.user, agency=request.panel.agency, pk=pk
    )
    certificate = redemption.certificate
    context = {
        "panel": request.panel,
        "redemption": redemption,
        "certificate": certificate,
        "is_open": redemption.is_open(),
        "snapshot": display_snapshot(certificate.snapshot),
    }
    status = 200 if context["is_open"] else 410
    return _private(render(request, "documents/gov/redeemed_document.html", context, status=status))


@agency_panel_required
@require_GET
def redeemed_document_pdf(request: PanelRequest, pk: int) -> HttpResponse:
    redemption = _open_redemption_or_404(request, pk)
    certificate = redemption.certificate
    if not certificate.has_pdf:
        raise Http404("The PDF is not available.")
    try:
        pdf_file = certificate.pdf.open("rb")
    except FileNotFoundError:
        raise Http404("The PDF is not available.") from None
    response = FileResponse(
        pdf_file,
        as_attachment=True,
        filename=certificate.download_name(),
        content_type="application/pdf",
    )
    return _private(response)  # type: ignore[return-value]  # a FileResponse streams
