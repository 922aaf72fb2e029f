"""RFC 9457 problem details: every refusal of the API, with a stable `type` URI, its title and
detail in the client's language (Accept-Language: Persian by default, or English).

The catalogue below is the API's contract; docs/api.md lists it for the agencies' developers.
"""

from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.http import HttpRequest, JsonResponse
from django.utils import translation
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

PROBLEM_CONTENT_TYPE = "application/problem+json"


@dataclass(frozen=True)
class ProblemType:
    slug: str
    status: int
    title: str | Promise


CATALOGUE: dict[str, ProblemType] = {
    problem.slug: problem
    for problem in (
        ProblemType("invalid-request", 400, _("The request is not valid")),
        ProblemType("unsupported-grant-type", 400, _("Only the client-credentials grant is used")),
        ProblemType("invalid-client", 401, _("The client could not be authenticated")),
        ProblemType("invalid-token", 401, _("The access token is missing, expired or revoked")),
        ProblemType("address-not-allowed", 403, _("This address may not call for this client")),
        ProblemType("client-not-allowed", 403, _("This client may not get tokens now")),
        ProblemType("not-found", 404, _("Not found")),
        ProblemType("method-not-allowed", 405, _("This method is not allowed here")),
        ProblemType("lookup-refused", 422, _("The inquiry's terms are not allowed")),
        ProblemType("document-refused", 422, _("No document can be opened")),
        ProblemType("idempotency-key-reused", 422, _("This idempotency key was used")),
        ProblemType("rate-limited", 429, _("Too many requests")),
        ProblemType("server-error", 500, _("The portal could not answer")),
    )
}


def type_uri(slug: str) -> str:
    return f"{settings.API_PROBLEM_BASE}{slug}"


@dataclass
class Problem(Exception):
    """Raise to answer with a problem document. `detail` is already in the request's language."""

    slug: str
    detail: str | Promise = ""
    headers: dict[str, str] = field(default_factory=dict)
    extra: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        super().__init__(self.slug)

    @property
    def status(self) -> int:
        return CATALOGUE[self.slug].status

    def document(self, instance: str = "") -> dict[str, Any]:
        problem = CATALOGUE[self.slug]
        body: dict[str, Any] = {
            "type": type_uri(problem.slug),
            "title": str(problem.title),
            "status": problem.status,
        }
        if self.detail:
            body["detail"] = str(self.detail)
        if instance:
            body["instance"] = instance
        body.update(self.extra)
        return body


def problem_response(request: HttpRequest, problem: Problem) -> JsonResponse:
    response = JsonResponse(
        problem.document(instance=request.path),
        status=problem.status,
        content_type=PROBLEM_CONTENT_TYPE,
        json_dumps_params={"ensure_ascii": False},
    )
    response["Content-Language"] = translation.get_language() or settings.LANGUAGE_CODE
    response["Cache-Control"] = "no-store"
    for name, value in problem.headers.items():
        response[name] = value
    return response
