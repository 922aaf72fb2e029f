import datetime
import re

from allauth.account import forms as allauth_forms
from allauth.account.adapter import get_adapter
from allauth.account.forms import PasswordField, SetPasswordField
from django import forms
from django.contrib.auth.hashers import make_password
from django.contrib.auth.password_validation import (
    MinimumLengthValidator,
    get_default_password_validators,
)
from django.db.models import Q
from django.http import HttpRequest
from django.utils import timezone
from django.utils.functional import lazy
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from accounts.backends import legacy_username_login_open
from accounts.models import User
from accounts.services import NationalCodeClaim, may_be_replaced
from portal.digits import local_digits, normalize_digits
from portal.fields import DigitsField, JalaliDateField, MobileField, NationalCodeField
from portal.validators import clean_national_code


def _password_required_message() -> str:
    """What an empty password field should say: how long a password must be."""
    min_length = next(
        (
            v.min_length
            for v in get_default_password_validators()
            if isinstance(v, MinimumLengthValidator)
        ),
        1,
    )
    return gettext("Choose a password of at least %(min_length)s characters.") % {
        "min_length": local_digits(str(min_length))
    }


# Worded when shown, in the language of the page it is shown on.
password_required_message = lazy(_password_required_message, str)


class KeepPasswordsMixin:
    """An error in another field does not clear the passwords already typed (the page is never
    stored: `Cache-Control: no-store`); a password with an error of its own is cleared."""

    password_fields = ("password1", "password2")

    def full_clean(self) -> None:
        super().full_clean()  # type: ignore[misc]
        fields, errors = self.fields, self.errors  # type: ignore[attr-defined]
        keep = not any(name in errors for name in self.password_fields)
        for name in self.password_fields:
            if name in fields:
                fields[name].widget.render_value = keep


class LoginForm(allauth_forms.LoginForm):
    """Sign in with the national code (any digits) and password."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        # allauth's username field is capped at the username's 10 characters, which turns away
        # "0010-000-011" before its digits are normalised (and stops a browser at 10 keys).
        self.fields["login"] = DigitsField(
            label=_("National code"),
            max_length=40,
            widget=forms.TextInput(attrs={"autocomplete": "username"}),
        )
        self.order_fields(["login", "password"])

    def clean_login(self) -> str:
        """Ten digits with a wrong check digit is a national code mistyped: say so, rather than
        "wrong national code or password". While isinsured's old user names still sign in, such
        a name may be ten digits too, so it goes to the sign-in as typed."""
        login = self.cleaned_data["login"]
        if re.fullmatch(r"[0-9]{10}", login) and not legacy_username_login_open():
            clean_national_code(login)
        return login


class SignupForm(KeepPasswordsMixin, allauth_forms.SignupForm):
    """Sign up with national code, birth date, mobile and password.

    The form never tells the visitor anything about the national code: not whether the registry
    knows it, nor whether the birth date matches, nor whether an account holds it. Every valid
    form gets the same "a code was sent" page. The account is bound to the registry person only
    after the SMS code, the identity service and the birth date all agree
    (AccountAdapter.set_phone_verified, inquiries.selectors.may_see_registry_data).
    """

    birth_date = JalaliDateField(
        label=_("Birth date"),
        error_messages={
            "required": _("Enter your birth date as on your national card, for example 1370/05/12.")
        },
    )

    field_order = ["username", "birth_date", "phone", "email", "password1", "password2"]

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["username"] = NationalCodeField(
            help_text=_("The 10-digit code on your national card.")
        )
        self.fields["birth_date"].help_text = _("As on your national card, e.g. 1370/05/12.")
        self.fields["password1"].error_messages["required"] = password_required_message()
        self.fields["password2"].error_messages["required"] = _("Type the same password again.")
        self.order_fields(self.field_order)
        self.taken_national_code = ""

    def clean_username(self) -> str:
        # A national code that has an account gets the page every sign-up gets ("a code was
        # sent"), like allauth's taken mobile. If the account proved its identity, its owner is
        # told by SMS (AccountAdapter.send_account_already_exists_sms); if it never did, the new
        # sign-up may take the code by proving it (try_save, accounts.claims).
        value = self.cleaned_data["username"]
        try:
            return super().clean_username()
        except forms.ValidationError as error:
            if error.code != "username_taken":
                raise
        self.taken_national_code = get_adapter().clean_username(value, shallow=True)
        self.account_already_exists = True
        return self.taken_national_code

    def try_save(self, request: HttpRequest):
        request.portal_taken_national_code = self.taken_national_code  # type: ignore[attr-defined]
        if self.account_already_exists:
            # A new account hashes its password; this path must take as long.
            password_hash = make_password(self.cleaned_data.get("password1"))
            national_code = self.cleaned_data["username"]
            phone = self.cleaned_data.get("phone")
            holders = User.objects.filter(Q(national_code=national_code) | Q(mobile=phone))
            if all(may_be_replaced(holder) for holder in holders):
                # Only unproven accounts hold the code or the mobile (squatters, or this person's
                # own unfinished try): proving both may take them over.
                request.portal_claim = NationalCodeClaim(  # type: ignore[attr-defined]
                    national_code=national_code,
                    mobile=phone,
                    password_hash=password_hash,
                    birth_date=self.cleaned_data.get("birth_date"),
                    language=getattr(request, "LANGUAGE_CODE", None) or "fa",
                )
        return super().try_save(request)

    def clean_birth_date(self) -> datetime.date | None:
        birth_date = self.cleaned_data["birth_date"]
        today = timezone.localdate()
        if birth_date and not (datetime.date(1900, 1, 1) <= birth_date <= today):
            raise forms.ValidationError(_("Enter your real birth date."), code="out_of_range")
        return birth_date


class BirthDateForm(forms.Form):
    """The birth date as on the national card, compared with the registry's on the identity page."""

    birth_date = JalaliDateField(
        label=_("Birth date"), help_text=_("As on your national card, e.g. 1370/05/12.")
    )

    def clean_birth_date(self) -> datetime.date:
        birth_date = self.cleaned_data["birth_date"]
        if not (datetime.date(1900, 1, 1) <= birth_date <= timezone.localdate()):
            raise forms.ValidationError(_("Enter your real birth date."), code="out_of_range")
        return birth_date


class PasswordResetBySmsForm(forms.Form):
    national_code = NationalCodeField()
    mobile = MobileField()


class PasswordResetCodeForm(forms.Form):
    code = forms.CharField(
        label=_("Code from the SMS"),
        max_length=20,
        widget=forms.TextInput(
            attrs={"inputmode": "numeric", "dir": "ltr", "autocomplete": "one-time-code"}
        ),
    )
    password1 = SetPasswordField(label=_("New password"))
    password2 = PasswordField(label=_("New password (again)"), autocomplete="new-password")

    def clean_code(self) -> str:
        return normalize_digits(self.cleaned_data["code"])

    def clean(self) -> dict:
        cleaned = super().clean() or self.cleaned_data
        if cleaned.get("password1") and cleaned.get("password1") != cleaned.get("password2"):
            self.add_error("password2", _("The two passwords do not match."))
        return cleaned


class CompletionMobileForm(forms.Form):
    mobile = MobileField(
        help_text=_("A mobile line registered in your own name: we check it with the operators.")
    )


class CompletionCodeForm(forms.Form):
    code = forms.CharField(
        label=_("Code from the SMS"),
        max_length=20,
        widget=forms.TextInput(
            attrs={"inputmode": "numeric", "dir": "ltr", "autocomplete": "one-time-code"}
        ),
    )

    def clean_code(self) -> str:
        return normalize_digits(self.cleaned_data["code"])


class CompletionPasswordForm(forms.Form):
    """A new password under today's policy (AUTH_PASSWORD_VALIDATORS), not the isinsured one."""

    password1 = SetPasswordField(label=_("New password"))
    password2 = PasswordField(label=_("New password (again)"), autocomplete="new-password")

    def __init__(self, *args, user, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.user = user
        self.fields["password1"].user = user  # type: ignore[attr-defined]

    def clean_password1(self) -> str:
        password = self.cleaned_data["password1"]
        if self.user.check_password(password):
            raise forms.ValidationError(
                _("Choose a new password, not the one you used on isinsured."), code="unchanged"
            )
        return password

    def clean(self) -> dict:
        cleaned = super().clean() or self.cleaned_data
        if cleaned.get("password1") and cleaned.get("password1") != cleaned.get("password2"):
            self.add_error("password2", _("The two passwords do not match."))
        return cleaned
