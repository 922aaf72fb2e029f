from collections.abc import Callable

from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse

from accounts.mfa import has_totp

# Pages that show other people's data or run the portal.
PROTECTED_PREFIXES = ("/gov/", "/admin/")


class RequireMFAForStaffRolesMiddleware:
    """Sends staff roles to TOTP enrolment until they have enrolled.

    Agency staff and admins, committee reviewers and operators see other people's data; a
    password alone is not enough for them. Citizens may enrol, but are not made to.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = request.user
        if (
            user.is_authenticated
            and request.path.startswith(PROTECTED_PREFIXES)
            and user.requires_mfa
            and not has_totp(request)
        ):
            return HttpResponseRedirect(reverse("mfa_activate_totp"))
        return self.get_response(request)
