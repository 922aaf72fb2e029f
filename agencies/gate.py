"""The government panel's gate: every /gov/ view goes through `agency_panel_required`.

It runs on every request, so a suspended, ended or expired MoU, or a removed membership, closes
the panel at once for sessions already open.
"""

from collections.abc import Callable
from dataclasses import dataclass
from functools import wraps
from typing import Any

from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.http.response import HttpResponseBase
from django.shortcuts import render
from django.urls import reverse

from accounts.mfa import has_totp, remember_destination
from accounts.models import User
from agencies import selectors
from agencies.models import Agency, Membership, MembershipRole, Mou


class AuthenticatedRequest(HttpRequest):
    """A request behind `login_required`: its user is a real account."""

    user: User


@dataclass(frozen=True)
class PanelAccess:
    membership: Membership
    mou: Mou

    @property
    def agency(self) -> Agency:
        return self.membership.agency

    @property
    def is_agency_admin(self) -> bool:
        return self.membership.role == MembershipRole.ADMIN


class PanelRequest(AuthenticatedRequest):
    """A request that passed the gate."""

    panel: PanelAccess


def _closed(request: HttpRequest, reason: str) -> HttpResponse:
    return render(request, "agencies/gov/closed.html", {"reason": reason}, status=403)


def agency_panel_required(
    view: Callable[..., HttpResponseBase] | None = None, *, admin_only: bool = False
) -> Any:
    """Open the view only to an active member of an agency whose MoU is in force today, with
    TOTP enrolled; with `admin_only`, only to that agency's admin. Sets `request.panel`."""

    def decorator(view_func: Callable[..., HttpResponseBase]) -> Callable[..., HttpResponseBase]:
        @wraps(view_func)
        def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
            user = request.user
            if not user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            if not has_totp(request):
                # Like the MFA middleware: allauth's enrolment ignores a `next`.
                if request.method == "GET":
                    remember_destination(request, request.path)
                return HttpResponseRedirect(reverse("mfa_activate_totp"))
            found = selectors.panel_membership_for(user)
            if found is None:
                return _closed(request, "no_access")
            access = PanelAccess(membership=found[0], mou=found[1])
            if admin_only and not access.is_agency_admin:
                return _closed(request, "not_admin")
            request.panel = access  # type: ignore[attr-defined]
            return view_func(request, *args, **kwargs)

        return wrapper

    return decorator(view) if view is not None else decorator
