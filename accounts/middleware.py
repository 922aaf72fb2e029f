import time
from collections.abc import Callable
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse
from django.utils.translation import ngettext

from accounts import services
from accounts.mfa import has_totp, remember_destination
from portal.middleware import pages_only

# Pages that show other people's data or run the portal.
PROTECTED_PREFIXES = ("/gov/", "/admin/")


class RequireMFAForStaffRolesMiddleware:
    """Sends staff roles to TOTP enrolment until they have enrolled.

    Agency staff and admins, committee reviewers and operators see other people's data; a
    password alone is not enough for them. Citizens may enrol, but are not made to.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    @pages_only
    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = request.user
        if (
            user.is_authenticated
            and request.path.startswith(PROTECTED_PREFIXES)
            and user.requires_mfa
            and not has_totp(request)
        ):
            if request.method == "GET":
                remember_destination(request, request.path)
            return HttpResponseRedirect(reverse("mfa_activate_totp"))
        return self.get_response(request)


class AccountCompletionMiddleware:
    """Holds an account that must complete itself (migrated from isinsured) at the completion
    pages: every other page sends it there, TOTP enrolment and the password change included.

    Signing in does not stop at an account with no mobile (accounts.stages), so this is what
    stands between an isinsured password, typed by whoever knows it, and the portal. The flag
    is on the user row, which authentication loads anyway: other accounts pay no query.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    @pages_only
    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = request.user
        if (
            user.is_authenticated
            and user.must_complete_account
            and not request.path.startswith(self._open_prefixes())
        ):
            return HttpResponseRedirect(reverse("accounts:complete"))
        return self.get_response(request)

    @staticmethod
    def _open_prefixes() -> tuple[str, ...]:
        return (
            reverse("accounts:complete"),
            reverse("account_logout"),
            reverse("set_language"),
            f"/{settings.STATIC_URL.lstrip('/')}",
            reverse("healthz"),
        )


class StaffSessionTimeoutMiddleware:
    """Signs staff roles out after STAFF_SESSION_IDLE_TIMEOUT without a request, and
    STAFF_SESSION_ABSOLUTE_TIMEOUT after signing in, then sends them to sign in again.

    Citizens keep the browser session as before. Only this session ends: a timeout on one
    device is not a sign-out everywhere.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    @pages_only
    def __call__(self, request: HttpRequest) -> HttpResponse:
        if self._is_staff_session(request):
            now = time.time()
            signed_in_at = request.session.setdefault(services.SIGNED_IN_AT, now)
            last_seen_at = request.session.get(services.LAST_SEEN_AT, now)
            idle = settings.STAFF_SESSION_IDLE_TIMEOUT.total_seconds()
            absolute = settings.STAFF_SESSION_ABSOLUTE_TIMEOUT.total_seconds()
            if now - signed_in_at > absolute:
                return self._signed_out(request, self._absolute_message(absolute))
            if now - last_seen_at > idle:
                return self._signed_out(request, self._idle_message(idle))
            # Written at most once a minute: the idle limit may run up to a minute longer, and
            # a staff member's busy page does not rewrite its session row on every request.
            if now - last_seen_at >= 60 or services.LAST_SEEN_AT not in request.session:
                request.session[services.LAST_SEEN_AT] = now
        return self.get_response(request)

    @staticmethod
    def _is_staff_session(request: HttpRequest) -> bool:
        """Whether the user had a staff role at sign-in, or has one now on a staff page.

        The role is looked up at sign-in and kept in the session, so a citizen's pages cost no
        query for it; a citizen given a staff role meanwhile is caught on the first staff page,
        where the role is looked up anyway.
        """
        user = request.user
        if not user.is_authenticated:
            return False
        if request.session.get(services.STAFF_SESSION):
            return True
        if request.path.startswith(PROTECTED_PREFIXES) and user.has_staff_role:
            request.session[services.STAFF_SESSION] = True
            return True
        return False

    @staticmethod
    def _idle_message(seconds: float) -> str:
        minutes = round(seconds / 60)
        return ngettext(
            "For your security you were signed out after %(minutes)d minute without activity. "
            "Please sign in again.",
            "For your security you were signed out after %(minutes)d minutes without activity. "
            "Please sign in again.",
            minutes,
        ) % {"minutes": minutes}

    @staticmethod
    def _absolute_message(seconds: float) -> str:
        hours = round(seconds / 3600)
        return ngettext(
            "For your security a staff session ends %(hours)d hour after signing in. "
            "Please sign in again.",
            "For your security a staff session ends %(hours)d hours after signing in. "
            "Please sign in again.",
            hours,
        ) % {"hours": hours}

    @staticmethod
    def _signed_out(request: HttpRequest, message: str) -> HttpResponse:
        services.end_current_session(request)
        messages.warning(request, message)
        login_url = reverse(settings.LOGIN_URL)
        if request.method == "GET":
            login_url = f"{login_url}?{urlencode({'next': request.get_full_path()})}"
        return HttpResponseRedirect(login_url)
