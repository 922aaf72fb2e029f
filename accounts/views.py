from allauth.account.adapter import get_adapter
from allauth.account.decorators import reauthentication_required
from allauth.account.views import PasswordChangeView
from allauth.core import ratelimit
from django.contrib import messages
from django.contrib.auth import update_session_auth_hash
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from accounts import services
from accounts.forms import (
    CompletionCodeForm,
    CompletionMobileForm,
    CompletionPasswordForm,
    PasswordResetBySmsForm,
    PasswordResetCodeForm,
)
from accounts.identity import Ownership
from accounts.models import User
from accounts.services import CompletionStep, MobileAnswer
from portal import throttle

_PENDING_RESET = "password_reset_sms_national_code"
# Mobiles one migrated account may put to the identity service in an hour: each answer says
# whether a line is registered to the account's national code.
COMPLETION_MOBILE_CHECKS_PER_HOUR = 5


# allauth's password change asks for the current password but does not rate-limit that guess,
# and skips its own re-authentication: here it needs a fresh one, like the email, mobile and
# two-factor pages (ACCOUNT_REAUTHENTICATION_TIMEOUT).
password_change = login_required(
    reauthentication_required(PasswordChangeView.as_view(), app="allauth.account")
)


@login_required
def dashboard(request: HttpRequest) -> HttpResponse:
    return render(request, "accounts/dashboard.html")


@require_http_methods(["GET", "POST"])
def password_reset_by_sms(request: HttpRequest) -> HttpResponse:
    form = PasswordResetBySmsForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        # allauth's reset_password limits, keyed by the national code whether or not it has an
        # account: each request texts a new code, which also starts a fresh count of attempts.
        if not ratelimit.consume(
            request, action="reset_password", key=form.cleaned_data["national_code"]
        ):
            form.add_error(None, get_adapter().error_messages["rate_limited"])
            return render(request, "accounts/password_reset_sms.html", {"form": form}, status=429)
        services.start_password_reset_by_sms(**form.cleaned_data)
        request.session[_PENDING_RESET] = form.cleaned_data["national_code"]
        return redirect("accounts:password_reset_sms_confirm")
    return render(request, "accounts/password_reset_sms.html", {"form": form})


@require_http_methods(["GET", "POST"])
def password_reset_by_sms_confirm(request: HttpRequest) -> HttpResponse:
    national_code = request.session.get(_PENDING_RESET)
    if not national_code:
        return redirect("accounts:password_reset_sms")
    form = PasswordResetCodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if services.finish_password_reset_by_sms(
            national_code=national_code,
            code=form.cleaned_data["code"],
            new_password=form.cleaned_data["password1"],
        ):
            del request.session[_PENDING_RESET]
            messages.success(request, _("Your password has been changed. You can sign in now."))
            return redirect("account_login")
        form.add_error("code", _("This code is not correct or has expired."))
    return render(request, "accounts/password_reset_sms_confirm.html", {"form": form})


# --- Completing a migrated account (accounts.middleware.AccountCompletionMiddleware) ----------


def _mobile_refused() -> str:
    return _(
        "This mobile number is not registered to your national code, or another account uses "
        "it. Enter a mobile line registered in your own name."
    )


def _identity_unavailable() -> str:
    return _("The identity service cannot be reached just now. Please try again in a few minutes.")


def _step_or_redirect(user: User, step: CompletionStep) -> HttpResponse | None:
    """None if `step` is the account's next one; otherwise where the account should be."""
    if not user.must_complete_account:
        return redirect("accounts:dashboard")
    if services.next_completion_step(user=user) is not step:
        return redirect("accounts:complete")
    return None


def _to_next_step(user: User) -> HttpResponse:
    if services.finish_account_completion(user=user):
        return redirect("accounts:dashboard")
    return redirect(f"accounts:complete_{services.next_completion_step(user=user)}")


@login_required
@require_http_methods(["GET"])
def complete_account(request: HttpRequest) -> HttpResponse:
    user = request.user
    assert isinstance(user, User)  # noqa: S101 (login_required)
    if not user.must_complete_account:
        return redirect("accounts:dashboard")
    return _to_next_step(user)


@login_required
@require_http_methods(["GET", "POST"])
def complete_account_mobile(request: HttpRequest) -> HttpResponse:
    user = request.user
    assert isinstance(user, User)  # noqa: S101 (login_required)
    if elsewhere := _step_or_redirect(user, CompletionStep.MOBILE):
        return elsewhere
    initial = {"mobile": user.mobile} if user.mobile and user.mobile_verified else {}
    form = CompletionMobileForm(request.POST or None, initial=initial)
    status = 200
    if request.method == "POST" and form.is_valid():
        if not throttle.hit(
            f"completion-mobile:{user.pk}",
            limit=COMPLETION_MOBILE_CHECKS_PER_HOUR,
            window_seconds=3600,
        ):
            form.add_error(None, get_adapter().error_messages["rate_limited"])
            return render(request, "accounts/complete_mobile.html", {"form": form}, status=429)
        answer = services.start_completion_mobile(user=user, mobile=form.cleaned_data["mobile"])
        if answer is MobileAnswer.CODE_SENT:
            return redirect("accounts:complete_mobile_code")
        if answer is MobileAnswer.PROVEN:
            return _to_next_step(user)
        if answer is MobileAnswer.REFUSED:
            form.add_error("mobile", _mobile_refused())
        else:
            form.add_error(None, _identity_unavailable())
            status = 503
    return render(request, "accounts/complete_mobile.html", {"form": form}, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def complete_account_mobile_code(request: HttpRequest) -> HttpResponse:
    user = request.user
    assert isinstance(user, User)  # noqa: S101 (login_required)
    if elsewhere := _step_or_redirect(user, CompletionStep.MOBILE):
        return elsewhere
    mobile = services.completion_mobile_pending(user=user)
    if mobile is None:
        return redirect("accounts:complete_mobile")
    form = CompletionCodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        answer = services.confirm_completion_mobile(user=user, code=form.cleaned_data["code"])
        if answer is Ownership.YES:
            return _to_next_step(user)
        if answer is Ownership.UNAVAILABLE:
            messages.warning(request, _identity_unavailable())
            return redirect("accounts:complete_mobile")
        if answer is Ownership.NO:
            messages.error(request, _mobile_refused())
            return redirect("accounts:complete_mobile")
        form.add_error("code", _("This code is not correct or has expired."))
    context = {"form": form, "mobile": mobile}
    return render(request, "accounts/complete_mobile_code.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def complete_account_password(request: HttpRequest) -> HttpResponse:
    user = request.user
    assert isinstance(user, User)  # noqa: S101 (login_required)
    if elsewhere := _step_or_redirect(user, CompletionStep.PASSWORD):
        return elsewhere
    form = CompletionPasswordForm(request.POST or None, user=user)
    if request.method == "POST" and form.is_valid():
        services.replace_isinsured_password(user=user, password=form.cleaned_data["password1"])
        update_session_auth_hash(request, user)  # this session stays signed in
        services.finish_account_completion(user=user)
        messages.success(request, _("Your account is complete. Welcome to the portal."))
        return redirect("accounts:dashboard")
    return render(request, "accounts/complete_password.html", {"form": form})
