"""Public, unauthenticated, cached: the log's latest checkpoint, its keys and proofs (hashes
only, never a record's content). Any client or witness checks the log with these alone."""

import base64
from collections.abc import Callable

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils.cache import patch_cache_control
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from inquiries import transparency
from inquiries.transparency import CHECKPOINT_CACHE_KEY

# A proof between two published sizes never changes.
PROOF_SECONDS = 24 * 3600


def _public(response: HttpResponse, seconds: int) -> HttpResponse:
    patch_cache_control(response, public=True, max_age=seconds)
    response["Access-Control-Allow-Origin"] = "*"
    return response


def _checkpoint_seconds() -> int:
    return max(1, settings.TRANSPARENCY_SEAL_SECONDS // 2)


@require_GET
def checkpoint(request: HttpRequest) -> HttpResponse:
    note = cache.get(CHECKPOINT_CACHE_KEY)
    if note is None:
        latest = transparency.latest_checkpoint()
        if latest is None:
            return HttpResponse(
                _("The log has no checkpoint yet."), status=404, content_type="text/plain"
            )
        note = latest.note
        cache.set(CHECKPOINT_CACHE_KEY, note, _checkpoint_seconds())
    response = HttpResponse(note, content_type="text/plain; charset=utf-8")
    return _public(response, _checkpoint_seconds())


@require_GET
def key(request: HttpRequest) -> HttpResponse:
    """The verifier keys, current first, one per line (c2sp.org/signed-note vkey format)."""
    body = "".join(f"{vkey}\n" for vkey in transparency.verifier_keys())
    return _public(HttpResponse(body, content_type="text/plain; charset=utf-8"), 3600)


def _numbers(request: HttpRequest, *names: str) -> list[int] | None:
    values = []
    for name in names:
        raw = request.GET.get(name, "")
        if not raw.isascii() or not raw.isdigit() or len(raw) > 18:
            return None
        values.append(int(raw))
    return values


def _proof(
    request: HttpRequest, names: tuple[str, str], compute: Callable[[int, int], list[bytes]]
) -> HttpResponse:
    numbers = _numbers(request, *names)
    if numbers is None:
        message = _("Give %(first)s and %(second)s as whole numbers.") % {
            "first": names[0],
            "second": names[1],
        }
        return JsonResponse({"error": message}, status=400)
    cache_key = f"transparency:proof:{compute.__name__}:{numbers[0]}:{numbers[1]}"
    hashes = cache.get(cache_key)
    if hashes is None:
        try:
            hashes = [base64.b64encode(value).decode() for value in compute(*numbers)]
        except transparency.ProofUnavailable:
            message = _("There is no such proof in the published log.")
            return JsonResponse({"error": message}, status=404)
        cache.set(cache_key, hashes, PROOF_SECONDS)
    body = {names[0]: numbers[0], names[1]: numbers[1], "hashes": hashes}
    return _public(JsonResponse(body), PROOF_SECONDS)


@require_GET
def consistency_proof(request: HttpRequest) -> HttpResponse:
    return _proof(request, ("old", "new"), transparency.consistency)


@require_GET
def inclusion_proof(request: HttpRequest) -> HttpResponse:
    return _proof(request, ("index", "size"), transparency.inclusion)
