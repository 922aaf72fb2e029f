from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.http.request import split_domain_port, validate_host

from isinsured.services import isinsured_is_retired
from isinsured.views import retired_notice

PATH_PREFIX = "/isinsured/"


class RetiredIsinsuredMiddleware:
    """After the cut-over, answers every request under /isinsured/ and on isinsured's old host
    names with the "service moved" page (410). Before it, those requests go on as any other
    (the portal has no /isinsured/ pages: 404). The database decides, not a setting, so the
    cut-over and its undo take effect on every web process at once. The old host names work
    only if the operator lists them in ALLOWED_HOSTS as well (isinsured.checks warns)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response
        self.legacy_hosts = frozenset(settings.ISINSURED_LEGACY_HOSTS)

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if self._is_legacy_request(request) and isinsured_is_retired():
            return retired_notice(request)
        return self.get_response(request)

    def _is_legacy_request(self, request: HttpRequest) -> bool:
        path = request.path_info
        if path == PATH_PREFIX.rstrip("/") or path.startswith(PATH_PREFIX):
            return True
        if not self.legacy_hosts:
            return False
        domain, _port = split_domain_port(request.META.get("HTTP_HOST", ""))
        # Only a name the operator allowed: any other gets Django's 400 for a bad Host, as on
        # every other page (nothing adds these names to ALLOWED_HOSTS behind the operator's back).
        return domain.lower() in self.legacy_hosts and validate_host(domain, settings.ALLOWED_HOSTS)
