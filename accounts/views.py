from allauth.account.adapter import get_adapter
from allauth.account.decorators import reauthentication_required
from allauth.account.views import PasswordChangeView
from allauth.core import ratelimit
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from accounts import services
from accounts.forms import PasswordResetBySmsForm, PasswordResetCodeForm

_PENDING_RESET = "password_reset_sms_national_code"


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
