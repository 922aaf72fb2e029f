import logging

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import OperationalError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.cache import add_never_cache_headers, patch_cache_control
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from documents import qr_tokens, selectors, services, throttle
from documents.forms import AccessCodeForm, IssueCertificateForm
from documents.masking import mask_name, mask_national_code
from documents.models import Certificate, Validity
from inquiries.access import registry_data_required
from portal.digits import LocalNumber

logger = logging.getLogger(__name__)

# --- Certificates ------------------------------------------------------------------------------


@login_required
@registry_data_required
@require_GET
def certificate_list(request: HttpRequest) -> HttpResponse:
    certificates = list(selectors.certificates_of(request.user))  # type: ignore[arg-type]
    return render(request, "documents/certificate_list.html", {"certificates": certificates})


@login_required
@registry_data_required
@require_http_methods(["GET", "POST"])
def certificate_new(request: HttpRequest) -> HttpResponse:
    form = IssueCertificateForm(request.POST or None, initial={"language": get_language()})
    if request.method == "POST" and form.is_valid():
        try:
            certificate = services.issue_certificate(
                holder=request.user,  # type: ignore[arg-type]
                language=form.cleaned_data["language"],
                note=form.cleaned_data["note"],
                addressed_to=form.cleaned_data["addressed_to"],
                submission=form.cleaned_data["submission"],
            )
        except OperationalError:
            # SQLite (the embedded default) waited `timeout` seconds for its write lock in
            # vain. Nothing was written; the same form may be sent again safely.
            logger.warning("issuing a certificate found the database busy", exc_info=True)
            response = render(
                request,
                "503.html",
                {
                    "message": _(
                        "The portal is busy just now. Please send the form again in a minute."
                    )
                },
                status=503,
            )
            response["Retry-After"] = "60"
            return response
        except services.IssuingLimitReached as reached:
            return render(
                request,
                "429.html",
                {
                    "heading": _("Daily limit reached"),
                    "message": issuing_limit_message(reached.limit),
                },
                status=429,
            )
        messages.success(request, _("Your certificate has been issued. Its PDF is being prepared."))
        return redirect("documents:certificate_detail", number=certificate.number)
    return render(
        request,
        "documents/certificate_new.html",
        {"form": form, "daily_limit": settings.CERTIFICATES_PER_PERSON_PER_DAY},
    )


def issuing_limit_message(limit: int) -> str:
    return _(
        "You can issue at most %(limit)s certificates in 24 hours. Please try again later; the "
        "certificates you have issued are in “My certificates”."
    ) % {"limit": LocalNumber(limit)}


@login_required
@registry_data_required
@require_GET
def certificate_detail(request: HttpRequest, number: str) -> HttpResponse:
    certificate = selectors.certificate_of_holder_or_404(holder=request.user, number=number)  # type: ignore[arg-type]
    context = {
        "certificate": certificate,
        "access_code": selectors.live_access_code(certificate),
        "redemptions": list(selectors.redemptions_of(certificate)),
        "status_url": reverse("documents:certificate_status", args=[certificate.number]),
    }
    return render(request, "documents/certificate_detail.html", context)


@login_required
@registry_data_required
@require_GET
@never_cache
def certificate_status(request: HttpRequest, number: str) -> JsonResponse:
    """Polled by static/js/certificate_status.js while the PDF is being prepared."""
    certificate = selectors.certificate_of_holder_or_404(holder=request.user, number=number)  # type: ignore[arg-type]
    return JsonResponse(
        {"rendering_status": certificate.rendering_status, "ready": certificate.has_pdf}
    )


@login_required
@registry_data_required
@require_POST
def certificate_retry(request: HttpRequest, number: str) -> HttpResponse:
    certificate = selectors.certificate_of_holder_or_404(holder=request.user, number=number)  # type: ignore[arg-type]
    services.retry_rendering(certificate=certificate)
    messages.info(request, _("We are preparing the PDF again."))
    return redirect("documents:certificate_detail", number=certificate.number)


@login_required
@registry_data_required
@require_http_methods(["GET", "POST"])
def certificate_revoke(request: HttpRequest, number: str) -> HttpResponse:
    """GET asks (revoking cannot be undone), POST revokes."""
    certificate = selectors.certificate_of_holder_or_404(holder=request.user, number=number)  # type: ignore[arg-type]
    if certificate.revoked_at is not None:
        return redirect("documents:certificate_detail", number=certificate.number)
    if request.method == "POST":
        services.revoke_certificate(certificate=certificate)
        messages.success(
            request, _("The certificate has been revoked. Its access code no longer works.")
        )
        return redirect("documents:certificate_detail", number=certificate.number)
    return render(
        request,
        "documents/revoke_confirm.html",
        {"certificate": certificate, "what": "certificate"},
    )


@login_required
@registry_data_required
@require_GET
def certificate_pdf(request: HttpRequest, number: str) -> FileResponse:
    certificate = selectors.certificate_of_holder_or_404(holder=request.user, number=number)  # type: ignore[arg-type]
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
    add_never_cache_headers(response)
    patch_cache_control(response, no_store=True, private=True)
    return response


# --- The personal inbox and access codes -------------------------------------------------------


def _code_shown_once(request: HttpRequest, issued: services.IssuedAccessCode) -> HttpResponse:
    """The one page that shows a code. Rendered straight from the POST, never stored (not even
    in the session), and never cached."""
    response = render(
        request,
        "documents/access_code_issued.html",
        {"issued": issued, "certificate": issued.access_code.certificate},
    )
    add_never_cache_headers(response)
    patch_cache_control(response, no_store=True, private=True)
    return response


@login_required
@registry_data_required
@require_http_methods(["GET", "POST"])
def certificate_move_to_inbox(request: HttpRequest, number: str) -> HttpResponse:
    certificate = selectors.certificate_of_holder_or_404(holder=request.user, number=number)  # type: ignore[arg-type]
    if certificate.inboxed_at is not None:
        return redirect("documents:inbox")
    form = AccessCodeForm(
        request.POST or None, initial={"bound_agency": certificate.addressed_to_id}
    )
    if request.method == "POST" and form.is_valid():
        try:
            issued = services.move_to_inbox(certificate=certificate, **form.cleaned_data)
        except services.DocumentError:
            form.add_error(None, _("Only a valid certificate can be moved to the inbox."))
        else:
            return _code_shown_once(request, issued)
    return render(
        request,
        "documents/access_code_form.html",
        {"form": form, "certificate": certificate, "replacing": False},
    )


@login_required
@registry_data_required
@require_http_methods(["GET", "POST"])
def access_code_replace(request: HttpRequest, number: str) -> HttpResponse:
    certificate = selectors.certificate_of_holder_or_404(holder=request.user, number=number)  # type: ignore[arg-type]
    if certificate.inboxed_at is None:
        return redirect("documents:certificate_move_to_inbox", number=certificate.number)
    current = selectors.live_access_code(certificate)
    form = AccessCodeForm(
        request.POST or None,
        initial={
            "bound_agency": current.bound_agency_id if current else certificate.addressed_to_id
        },
    )
    if request.method == "POST" and form.is_valid():
        try:
            issued = services.replace_access_code(certificate=certificate, **form.cleaned_data)
        except services.DocumentError:
            form.add_error(None, _("Only a valid certificate can get a new access code."))
        else:
            return _code_shown_once(request, issued)
    return render(
        request,
        "documents/access_code_form.html",
        {"form": form, "certificate": certificate, "replacing": True},
    )


@login_required
@registry_data_required
@require_http_methods(["GET", "POST"])
def access_code_revoke(request: HttpRequest, number: str) -> HttpResponse:
    """GET asks (a revoked code cannot be used again), POST revokes."""
    certificate = selectors.certificate_of_holder_or_404(holder=request.user, number=number)  # type: ignore[arg-type]
    access_code = selectors.live_access_code(certificate)
    if access_code is None:
        return redirect("documents:inbox")
    if request.method == "POST":
        services.revoke_access_code(access_code=access_code)
        messages.success(request, _("The access code has been revoked. It no longer works."))
        return redirect("documents:inbox")
    return render(
        request,
        "documents/revoke_confirm.html",
        {"certificate": certificate, "access_code": access_code, "what": "code"},
    )


@login_required
@registry_data_required
@require_GET
def inbox(request: HttpRequest) -> HttpResponse:
    certificates = list(selectors.inbox_certificates(request.user))  # type: ignore[arg-type]
    notices = list(selectors.notices_of(request.user)[:50])  # type: ignore[arg-type]
    return render(
        request, "documents/inbox.html", {"certificates": certificates, "notices": notices}
    )


@login_required
@registry_data_required
@require_POST
def inbox_mark_read(request: HttpRequest) -> HttpResponse:
    services.mark_notices_read(recipient=request.user)  # type: ignore[arg-type]
    return redirect("documents:inbox")


# --- Public verification -----------------------------------------------------------------------


@require_GET
def verify(request: HttpRequest, number: str) -> HttpResponse:
    """The QR code's target: is this certificate authentic, and is it still valid?

    Shows only what a printed copy already shows, masked; unknown and malformed numbers get the
    same page and status code as known ones, so the page cannot be used to list certificates.
    """
    limit, window = settings.CERTIFICATE_VERIFY_RATE
    if not throttle.hit(
        f"verify:{throttle.client_address(request)}", limit=limit, window_seconds=window
    ):
        return render(request, "429.html", status=429)
    certificate = selectors.certificate_by_number(number)
    context: dict = {"number": number[:40], "certificate": certificate}
    if certificate is not None:
        context.update(
            validity=certificate.validity(),
            Validity=Validity,
            masked_name=mask_name(certificate.holder_name),
            masked_national_code=mask_national_code(certificate.holder_national_code),
            pdf_sha256=certificate.pdf_sha256
            if certificate.rendering_status == Certificate.Rendering.READY
            else "",
        )
    response = render(request, "documents/verify.html", context)
    patch_cache_control(response, no_store=True)
    response["X-Robots-Tag"] = "noindex"
    return response


@require_GET
def jwks(request: HttpRequest) -> JsonResponse:
    """The public keys of the QR tokens (RFC 7517), current first, for any verifier to cache."""
    response = JsonResponse(qr_tokens.jwks())
    patch_cache_control(response, public=True, max_age=3600)
    response["Access-Control-Allow-Origin"] = "*"
    return response
