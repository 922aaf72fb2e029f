"""Response headers Django does not set by itself, and the Content-Security-Policy (django-csp's
on people's pages)."""

from collections.abc import Callable

from csp.constants import HEADER
from csp.middleware import CSPMiddleware
from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.utils.cache import add_never_cache_headers, patch_cache_control

from portal.middleware import is_api_call, pages_only

# A JSON answer loads nothing and is never framed (OWASP's REST Security Cheat Sheet).
API_CONTENT_SECURITY_POLICY = "default-src 'none'; frame-ancestors 'none'"


class ContentSecurityPolicyMiddleware(CSPMiddleware):
    """django-csp's policy (settings.CONTENT_SECURITY_POLICY) on people's pages, with their
    nonces; on the API's answers the fixed policy above, which also spares building the pages'
    policy for every call."""

    def process_request(self, request: HttpRequest) -> None:
        if not is_api_call(request):
            super().process_request(request)

    def process_response(
        self, request: HttpRequest, response: HttpResponseBase
    ) -> HttpResponseBase:
        if is_api_call(request):
            response.headers.setdefault(HEADER, API_CONTENT_SECURITY_POLICY)
            return response
        return super().process_response(request, response)


class PermissionsPolicyMiddleware:
    """Switches off the browser features that no page of the portal uses (camera, location...)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if settings.PERMISSIONS_POLICY:
            response.headers.setdefault("Permissions-Policy", settings.PERMISSIONS_POLICY)
        return response


class PrivatePagesNotStoredMiddleware:
    """Nothing answered to a signed-in person is kept by the browser or any cache on the way.

    A signed-in person's pages hold their own data or, in the panel and the admin, other
    people's: a back button on a shared computer, or a proxy's cache, must not show them again.
    One rule here instead of a decorator on every personal view, so a new view cannot forget it.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    @pages_only
    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            add_never_cache_headers(response)
            patch_cache_control(response, no_store=True, private=True)
        return response
