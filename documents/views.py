import hashlib
import json
import logging

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ImproperlyConfigured
from django.core.files.uploadhandler import MemoryFileUploadHandler
from django.core.serializers.json import DjangoJSONEncoder
from django.db import OperationalError, models
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.cache import add_never_cache_headers, patch_cache_control
from django.utils.translation import get_language, pgettext
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from documents import qr_tokens, selectors, services, signing, throttle
from documents.forms import AccessCodeForm, IssueCertificateForm, VerifyPdfForm
from documents.models import Certificate, Validity
from inquiries.access import registry_data_required
from inquiries.models import CoverageKind, PensionRole
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


def _verify_rate_allows(request: HttpRequest) -> bool:
    limit, window = settings.CERTIFICATE_VERIFY_RATE
    return throttle.hit(
        f"verify:{throttle.client_address(request)}", limit=limit, window_seconds=window
    )


def _public_page(response: HttpResponse) -> HttpResponse:
    patch_cache_control(response, no_store=True)
    response["X-Robots-Tag"] = "noindex"
    return response


def _labels(choices: type[models.TextChoices], codes: list[str]) -> list[str]:
    known = dict(choices.choices)
    return [str(known.get(code, code)) for code in codes]


@require_GET
def verify(request: HttpRequest, number: str) -> HttpResponse:
    """The QR code's target: is this certificate genuine, and is it still valid?

    The facts come first in plain words (the same facts the QR token signs), then the masked
    holder, then the technical details. Unknown and malformed numbers get the same page and
    status code as known ones, so the page cannot be used to list certificates.
    """
    if not _verify_rate_allows(request):
        return render(request, "429.html", status=429)
    certificate = selectors.certificate_by_number(number)
    context: dict = {"number": number[:40], "certificate": certificate}
    if certificate is not None:
        facts = qr_tokens.claims_of(certificate)
        context.update(
            validity=certificate.validity(),
            Validity=Validity,
            masked_name=facts["name"],
            masked_national_code=facts["nc"],
            insured_on_issue=facts["ins"],
            coverage_kinds=_labels(CoverageKind, facts["cov"]),
            pension_roles=_labels(PensionRole, facts["pen"]),
            pdf_sha256=certificate.pdf_sha256
            if certificate.rendering_status == Certificate.Rendering.READY
            else "",
            signer=signing.signer_name(),
            token_key_ids=_token_key_ids(),
            upload_form=VerifyPdfForm(),
        )
    return _public_page(render(request, "documents/verify.html", context))


def _token_key_ids() -> list[str]:
    try:
        return [key["kid"] for key in qr_tokens.jwks()["keys"]]
    except ImproperlyConfigured:  # `check --deploy` reports it; the page still answers
        return []


# A stateless check: a cross-site POST can only show the visitor the check of a file they chose,
# so no CSRF token; without one, the body is parsed here, after its size is known.
@csrf_exempt
@require_http_methods(["GET", "POST"])
def verify_pdf(request: HttpRequest) -> HttpResponse:
    """Is this PDF signed by the organization, unchanged, and which certificate is it?

    The upload is read into memory (never a temporary file) and dropped with the request.
    """
    if not _verify_rate_allows(request):
        return render(request, "429.html", status=429)
    context: dict = {}
    status = 200
    if request.method == "POST":
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = -1
        # Room for the form's boundaries around the largest file accepted.
        if not 0 < length <= settings.CERTIFICATE_VERIFY_UPLOAD_MAX_BYTES + 16 * 1024:
            # The body is left unread; the form answers as its own size check would.
            form = VerifyPdfForm(data={})
            form.is_valid()
            form.errors.clear()
            form.add_error("pdf", _("This file is too large to be a certificate."))
            context["form"] = form
            return _public_page(render(request, "documents/verify_pdf.html", context, status=400))
        request.upload_handlers = [MemoryFileUploadHandler(request)]
        form = VerifyPdfForm(request.POST, request.FILES)
        if form.is_valid():
            data = form.cleaned_data["pdf"]
            check = signing.check_pdf(data)
            certificate = selectors.certificate_by_number(check.number) if check.number else None
            context.update(
                check=check,
                certificate=certificate,
                validity=certificate.validity() if certificate else None,
                same_file=bool(
                    certificate
                    and certificate.pdf_sha256
                    and hashlib.sha256(data).hexdigest() == certificate.pdf_sha256
                ),
            )
            del data
        else:
            status = 400
    else:
        form = VerifyPdfForm()
    context["form"] = form
    return _public_page(render(request, "documents/verify_pdf.html", context, status=status))


@require_GET
def verify_offline(request: HttpRequest) -> HttpResponse:
    """Checks a QR token in the browser (static/js/verify_offline.js) with cached keys only."""
    messages = {
        "keysNone": _("No keys kept yet: open this page once while online."),
        "keysRefreshed": _("The organization's keys were last refreshed on %(date)s."),
        "keysStale": _("Offline: using the organization's keys as last refreshed on %(date)s."),
        "valid": _("Genuine: the organization signed these facts."),
        "validExpired": _("Genuine, but expired: the organization signed these facts."),
        "invalid": _("Not genuine: this code was not signed by the organization, or was changed."),
        "malformed": _("This is not the address of a certificate's QR code."),
        "unknownKey": _(
            "This code was signed with a key this page does not know: go online once to "
            "refresh the keys, then check again."
        ),
        "noCrypto": _("This browser cannot check Ed25519 signatures; use a recent browser."),
        "number": _("Certificate number"),
        "name": _("Holder"),
        "nationalCode": _("National code"),
        "insured": _("Insured on the issue date"),
        "yes": _("Yes"),
        "no": _("No"),
        "noRecord": _("No record with the organization"),
        "coverage": _("Coverage then"),
        "pension": _("Pension"),
        "issued": _("Issued on"),
        "until": _("Valid until"),
        "addressedTo": _("Addressed to"),
        "none": "—",
        "separator": pgettext("list separator", ", "),
        "labels": {**dict(CoverageKind.choices), **dict(PensionRole.choices)},
    }
    response = render(
        request,
        "documents/verify_offline.html",
        {
            "messages_json": json.dumps(messages, cls=DjangoJSONEncoder, ensure_ascii=False),
            "date_locale": "fa-IR-u-ca-persian" if get_language() == "fa" else "en-GB",
        },
    )
    # The camera, for reading the QR code, on this page only.
    response["Permissions-Policy"] = settings.PERMISSIONS_POLICY.replace(
        "camera=()", "camera=(self)"
    )
    return response


@require_GET
def jwks(request: HttpRequest) -> JsonResponse:
    """The public keys of the QR tokens (RFC 7517), current first, for any verifier to cache."""
    response = JsonResponse(qr_tokens.jwks())
    patch_cache_control(response, public=True, max_age=3600)
    response["Access-Control-Allow-Origin"] = "*"
    return response
