"""The API's endpoints under /api/v1/ (django-ninja; ADR 0012, docs/api.md).

Views stay thin: the panel's forms validate the input (same rules, same messages), `api.tokens`
authenticates, `api.services` acts. Everything that is refused is RFC 9457 problem+json.
"""

import base64
import binascii
import logging
from typing import Any

from django.conf import settings
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, JsonResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_noop
from ninja import NinjaAPI, Schema
from ninja.errors import AuthenticationError, HttpError, ValidationError
from ninja.security import HttpBearer
from pydantic import Field

from api import services
from api.mtls import presented_certificate
from api.problems import Problem, problem_response
from api.tokens import Caller, caller_for_token, issue_token
from documents.forms import DocumentInquiryForm
from documents.models import Redemption
from inquiries.forms import LookupForm
from portal.throttle import client_address

logger = logging.getLogger(__name__)

IDEMPOTENCY_KEY_MAX = 200


class BearerToken(HttpBearer):
    """RFC 6750 bearer tokens from the client-credentials grant. No cookie is ever read, so the
    API needs no CSRF token (ninja exempts it); a session alone gets a 401."""

    def authenticate(self, request: HttpRequest, token: str) -> Caller:
        return caller_for_token(
            token=token,
            address=client_address(request),
            certificate=presented_certificate(request),
        )


api = NinjaAPI(
    title="Insurance status inquiry API for agencies",
    version="1",
    description=(
        "Agencies' own systems inquire about insurance coverage and pension status and redeem "
        "certificates under their MoU, with the panel's scopes, limits and disclosure record. "
        "See docs/api.md."
    ),
    urls_namespace="api-v1",
    docs_url=None,
    openapi_url="/openapi.json",
    auth=BearerToken(),
)


# --- Schemas -------------------------------------------------------------------------------------


class TokenOut(Schema):
    access_token: str
    token_type: str
    expires_in: int
    scope: str


class InquiryIn(Schema):
    national_code: str = Field(description="10 digits; Persian and Arabic-Indic digits accepted")
    purpose: str = Field(
        description="judicial_case, benefit_eligibility, fund_coordination, employment_check "
        "or other (what the agency's kind allows)"
    )
    purpose_detail: str = Field("", description="Required when the purpose is `other`")
    case_reference: str = Field("", description="Required for judicial and quasi-judicial agencies")
    confidential: bool = Field(False, description="Judicial agencies only, with a case reference")


class CalendarDate(Schema):
    iso: str
    jalali: str


class CoverageOut(Schema):
    coverage_kind: str
    since: CalendarDate


class PeriodOut(Schema):
    workshop_code: str
    workshop_name: str
    coverage_kind: str
    start_date: CalendarDate
    end_date: CalendarDate | None
    days: int


class PensionOut(Schema):
    role: str
    kind: str
    since: CalendarDate
    status: str


class DurationOut(Schema):
    years: int
    months: int
    days: int


class InquiryResult(Schema):
    """Only the fields of the client's scopes appear."""

    national_code: str
    found: bool
    scopes: list[str]
    insured_today: bool | None = None
    current_coverages: list[CoverageOut] | None = None
    total_insured_days: int | None = None
    insured_duration: DurationOut | None = None
    periods: list[PeriodOut] | None = None
    is_pensioner: bool | None = None
    pensions: list[PensionOut] | None = None


class InquiryOut(Schema):
    id: int
    created_at: str
    result: InquiryResult


class RedeemIn(Schema):
    national_code: str = Field(description="The holder's national code")
    access_code: str = Field(description="The access code the holder gave, e.g. ABCDE-23456")


class CertificateOut(Schema):
    number: str
    issued_at: str
    valid_until: str
    status_as_of: dict[str, Any]


class RedemptionOut(Schema):
    redemption_id: int
    certificate: CertificateOut
    pdf_url: str
    pdf_available_until: str


class ProblemOut(Schema):
    type: str
    title: str
    status: int
    detail: str | None = None
    instance: str | None = None


PROBLEMS = {400: ProblemOut, 401: ProblemOut, 403: ProblemOut, 422: ProblemOut, 429: ProblemOut}


# --- Errors --------------------------------------------------------------------------------------


def _count(request: HttpRequest, *, error: bool) -> None:
    caller = getattr(request, "auth", None)
    if isinstance(caller, Caller):
        caller.tally.count(error=error)


@api.exception_handler(Problem)
def _problem(request: HttpRequest, problem: Problem) -> HttpResponse:
    _count(request, error=True)
    return problem_response(request, problem)


@api.exception_handler(AuthenticationError)
def _unauthenticated(request: HttpRequest, error: AuthenticationError) -> HttpResponse:
    return problem_response(
        request,
        Problem(
            "invalid-token",
            headers={"WWW-Authenticate": 'Bearer realm="api"'},
        ),
    )


@api.exception_handler(ValidationError)
def _invalid(request: HttpRequest, error: ValidationError) -> HttpResponse:
    errors = [
        {"field": ".".join(str(part) for part in item.get("loc", [])[1:]), "message": item["msg"]}
        for item in error.errors
    ]
    return _problem(request, Problem("invalid-request", extra={"errors": errors}))


@api.exception_handler(Http404)
def _not_found(request: HttpRequest, error: Http404) -> HttpResponse:
    return _problem(request, Problem("not-found"))


@api.exception_handler(HttpError)
def _http_error(request: HttpRequest, error: HttpError) -> HttpResponse:
    slug = {405: "method-not-allowed", 404: "not-found"}.get(error.status_code, "invalid-request")
    return _problem(request, Problem(slug))


@api.exception_handler(Exception)
def _failure(request: HttpRequest, error: Exception) -> HttpResponse:
    """Anything unforeseen: logged with its traceback, answered as a problem (no details)."""
    logger.exception("API call failed", exc_info=error)
    return _problem(request, Problem("server-error"))


def _form_problem(form: Any) -> Problem:
    errors = [
        {"field": field, "message": str(message)}
        for field, messages in form.errors.items()
        for message in messages
    ]
    return Problem("invalid-request", extra={"errors": errors})


def _idempotency_key(request: HttpRequest) -> str | None:
    key = request.headers.get("Idempotency-Key")
    if key is None:
        return None
    key = key.strip()
    # Visible ASCII only: a key is stored and compared, never shown, and NUL cannot be stored.
    if not key or len(key) > IDEMPOTENCY_KEY_MAX or not all(" " <= char <= "~" for char in key):
        raise Problem(
            "invalid-request",
            extra={
                "errors": [
                    {"field": "Idempotency-Key", "message": "1-200 visible ASCII characters"}
                ]
            },
        )
    return key


def _answer(answered: services.Answered) -> JsonResponse:
    answer = answered.answer
    response = JsonResponse(
        answer.document(),
        status=answer.status_code,
        content_type="application/json" if answer.status_code < 400 else "application/problem+json",
        json_dumps_params={"ensure_ascii": False},
    )
    response["Cache-Control"] = "no-store"
    if answered.replayed:
        response["Idempotent-Replayed"] = "true"
    return response


# --- Endpoints -----------------------------------------------------------------------------------


def _basic_credentials(request: HttpRequest) -> tuple[str, str] | None:
    header = request.headers.get("Authorization", "")
    scheme, _, value = header.partition(" ")
    if scheme.lower() != "basic":
        return None
    try:
        decoded = base64.b64decode(value.strip(), validate=True).decode()
    except (binascii.Error, ValueError):  # not base64, not ASCII, not UTF-8
        return None
    client_id, sep, secret = decoded.partition(":")
    return (client_id, secret) if sep else None


@api.post(
    "/oauth/token",
    auth=None,
    response={200: TokenOut, **PROBLEMS},
    summary=gettext_noop("Get a bearer token (OAuth 2.0 client credentials)"),
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {
                "application/x-www-form-urlencoded": {
                    "schema": {
                        "type": "object",
                        "required": ["grant_type"],
                        "properties": {
                            "grant_type": {"type": "string", "enum": ["client_credentials"]},
                            "client_id": {"type": "string"},
                            "client_secret": {"type": "string"},
                        },
                    }
                }
            },
        }
    },
)
def token(request: HttpRequest) -> HttpResponse:
    if request.POST.get("grant_type") != "client_credentials":
        return problem_response(
            request, Problem("unsupported-grant-type", extra={"error": "unsupported_grant_type"})
        )
    credentials = _basic_credentials(request) or (
        request.POST.get("client_id", ""),
        request.POST.get("client_secret", ""),
    )
    issued = issue_token(
        client_id=credentials[0],
        client_secret=credentials[1],
        address=client_address(request),
        certificate=presented_certificate(request),
    )
    response = JsonResponse(
        {
            "access_token": issued.token,
            "token_type": "Bearer",
            "expires_in": issued.expires_in,
            "scope": " ".join(issued.scopes),
        }
    )
    response["Cache-Control"] = "no-store"
    response["Pragma"] = "no-cache"
    return response


@api.post(
    "/inquiries",
    response={200: InquiryOut, **PROBLEMS},
    summary=gettext_noop("Inquire about a person's insurance and pension status"),
)
def create_inquiry(request: HttpRequest, payload: InquiryIn) -> HttpResponse:
    caller: Caller = request.auth  # type: ignore[attr-defined]
    key = _idempotency_key(request)
    form = LookupForm(
        payload.model_dump(),
        agency_kind=caller.client.agency.kind,
        confidential_delay_days=0,
    )
    if not form.is_valid():
        raise _form_problem(form)
    data = form.cleaned_data
    answered = services.make_inquiry(
        caller=caller,
        fields={
            "national_code": data["national_code"],
            "purpose": data["purpose"],
            "purpose_detail": data["purpose_detail"].strip(),
            "case_reference": data["case_reference"],
            "confidential": data.get("confidential", False),
        },
        key=key,
        client_ip=client_address(request),
    )
    _count(request, error=False)
    return _answer(answered)


@api.get(
    "/inquiries/{inquiry_id}",
    response={200: InquiryOut, **PROBLEMS},
    summary=gettext_noop("Read one of this client's past inquiry answers again"),
)
def read_inquiry(request: HttpRequest, inquiry_id: int) -> HttpResponse:
    caller: Caller = request.auth  # type: ignore[attr-defined]
    answer = services.past_inquiry(caller=caller, answer_id=inquiry_id)
    _count(request, error=False)
    return _answer(services.Answered(answer=answer, replayed=True))


@api.post(
    "/certificates/redeem",
    response={200: RedemptionOut, **PROBLEMS},
    summary=gettext_noop("Open a holder's certificate with the access code they gave"),
)
def redeem(request: HttpRequest, payload: RedeemIn) -> HttpResponse:
    caller: Caller = request.auth  # type: ignore[attr-defined]
    key = _idempotency_key(request)
    form = DocumentInquiryForm(payload.model_dump())
    if not form.is_valid():
        raise _form_problem(form)

    def pdf_url(redemption_id: int) -> str:
        # From SITE_URL, like every link the portal hands out, never from the request's Host.
        path = reverse("api-v1:redemption_pdf", kwargs={"redemption_id": redemption_id})
        return f"{settings.SITE_URL}{path}"

    answered = services.redeem_certificate(
        caller=caller,
        national_code=form.cleaned_data["national_code"],
        access_code=form.cleaned_data["access_code"],
        key=key,
        client_ip=client_address(request),
        pdf_url=pdf_url,
    )
    _count(request, error=answered.answer.status_code >= 400)
    return _answer(answered)


@api.get(
    "/certificates/redemptions/{redemption_id}/pdf",
    url_name="redemption_pdf",
    response={200: None, **PROBLEMS},
    summary=gettext_noop("The redeemed certificate's PDF, while the redemption is open"),
)
def redemption_pdf(request: HttpRequest, redemption_id: int) -> HttpResponse:
    caller: Caller = request.auth  # type: ignore[attr-defined]
    redemption = (
        Redemption.objects.select_related("certificate")
        .filter(pk=redemption_id, disclosure__api_client=caller.client)
        .first()
    )
    if redemption is None or not redemption.is_open(timezone.now()):
        raise Problem("not-found")
    certificate = redemption.certificate
    try:
        pdf_file = certificate.pdf.open("rb")
    except (FileNotFoundError, ValueError):
        raise Problem("not-found") from None
    _count(request, error=False)
    response = FileResponse(
        pdf_file,
        as_attachment=True,
        filename=certificate.download_name(),
        content_type="application/pdf",
    )
    response["Cache-Control"] = "no-store"
    return response  # type: ignore[return-value]
