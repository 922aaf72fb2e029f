import math
from collections.abc import Callable
from typing import cast

from allauth.account import views as allauth_views
from allauth.account.adapter import get_adapter
from allauth.account.decorators import reauthentication_required
from allauth.account.internal.stagekit import clear_login
from allauth.account.views import PasswordChangeView
from allauth.core import ratelimit
from allauth.core.exceptions import RateLimited
from allauth.core.internal.ratelimit import parse_rates
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import update_session_auth_hash
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from accounts import claims, services
from accounts.forms import (
    BirthDateForm,
    CompletionCodeForm,
    CompletionMobileForm,
    CompletionPasswordForm,
    PasswordResetBySmsForm,
    PasswordResetCodeForm,
    SignupForm,
)
from accounts.identity import Ownership, check_identity
from accounts.models import User
from accounts.services import CompletionStep, MobileAnswer
from portal import throttle
from portal.digits import normalize_digits

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


# --- Sign-up, sign-in and the SMS limits --------------------------------------------------------


def _sms_wait_minutes() -> int:
    """How long until allauth's SMS limits (ACCOUNT_RATE_LIMITS["verify_phone"]) let go."""
    rates = parse_rates(settings.ACCOUNT_RATE_LIMITS["verify_phone"])
    return max(1, math.ceil(max(rate.duration for rate in rates) / 60))


def sms_refused(request: HttpRequest) -> HttpResponse:
    """A refused SMS (too many from this address or to this number) is a page, not an error.

    Carriers put many people behind one address, so ordinary citizens meet this limit.
    """
    minutes = _sms_wait_minutes()
    response = render(
        request, "accounts/sms_refused.html", {"minutes": minutes, "daily": False}, status=429
    )
    response["Retry-After"] = str(minutes * 60)
    return response


def _refusing_sms_politely(
    view: Callable[..., HttpResponseBase],
) -> Callable[..., HttpResponseBase]:
    """Run an allauth view in one transaction: if it is refused an SMS, nothing it wrote stays
    (no half-made account) and the person gets the page saying when to try again."""

    def wrapped(request: HttpRequest, *args: object, **kwargs: object) -> HttpResponseBase:
        try:
            with transaction.atomic():
                return view(request, *args, **kwargs)
        except RateLimited:
            return sms_refused(request)

    return wrapped


class SignupView(allauth_views.SignupView):
    """allauth's sign-up, with a few attempts a day per national code, from any address."""

    def form_valid(self, form: SignupForm) -> HttpResponseBase:
        if not ratelimit.consume(
            self.request, action="signup_national_code", key=form.cleaned_data["username"]
        ):
            response = render(
                self.request, "accounts/sms_refused.html", {"daily": True}, status=429
            )
            response["Retry-After"] = str(24 * 3600)
            return response
        return super().form_valid(form)


signup = _refusing_sms_politely(SignupView.as_view())
login = _refusing_sms_politely(allauth_views.login)
change_phone = _refusing_sms_politely(allauth_views.change_phone)
_allauth_verify_phone = _refusing_sms_politely(allauth_views.verify_phone)


def verify_phone(request: HttpRequest) -> HttpResponseBase:
    """allauth's page for the SMS code, which also completes a claim of a national code held by
    an unproven account (accounts/claims.py) when the code is the claim's."""
    if (
        request.method == "POST"
        and not request.user.is_authenticated
        and request.POST.get("action", "verify") == "verify"
        and claims.pending(request)
    ):
        claim = claims.redeem(request, code=normalize_digits(request.POST.get("code", "")))
        if claim is not None:
            outcome, user = services.claim_national_code(claim=claim)
            clear_login(request)
            if user is not None:
                get_adapter().login(request, user)
                messages.success(
                    request, _("Your mobile number is confirmed and your account is ready.")
                )
                return redirect(settings.LOGIN_REDIRECT_URL)
            messages.error(request, _claim_refusal(outcome))
            return redirect("account_signup")
    return _allauth_verify_phone(request)


def _claim_refusal(outcome: services.ClaimOutcome) -> str:
    if outcome is services.ClaimOutcome.UNAVAILABLE:
        return _(
            "The identity service is not answering just now, so we could not open your account. "
            "Please sign up again in a few minutes."
        )
    return _(
        "We could not open an account for this national code with this mobile number. Sign up "
        "with a mobile line registered to your own national code, or contact the organization."
    )


# --- Proving one's identity -----------------------------------------------------------------------


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


# --- Proving one's identity -----------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def identity(request: HttpRequest) -> HttpResponse:
    """What the account still has to prove before it sees registry data, and the ways to do it:
    verify the mobile, ask the identity service again, give the birth date again."""
    user = cast(User, request.user)
    birth_date_form = BirthDateForm(initial={"birth_date": user.birth_date})
    status = 200
    action = request.POST.get("action")
    if request.method == "POST" and action == "check":
        if services.prove_identity(user=user) is Ownership.UNAVAILABLE:
            messages.warning(
                request,
                _(
                    "The identity service is not answering just now. "
                    "Please try again in a few minutes."
                ),
            )
        return redirect("accounts:identity")
    if request.method == "POST" and action == "birth_date" and user.identity_proven:
        birth_date_form = BirthDateForm(request.POST)
        if not ratelimit.consume(request, action="compare_birth_date", key=str(user.pk)):
            birth_date_form.add_error(None, get_adapter().error_messages["rate_limited"])
            status = 429
        elif birth_date_form.is_valid():
            services.set_birth_date(
                user=user, birth_date=birth_date_form.cleaned_data["birth_date"]
            )
            return redirect("accounts:identity")
        else:
            status = 400
    birth_date_matches = None
    if user.identity_proven and user.birth_date:
        # Only a proven account learns whether its birth date matches the registry's.
        birth_date_matches = check_identity(
            national_code=user.national_code, birth_date=user.birth_date
        ).accepted
    context = {"birth_date_form": birth_date_form, "birth_date_matches": birth_date_matches}
    return render(request, "accounts/identity.html", context, status=status)
