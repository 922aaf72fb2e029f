"""allauth's code forms, accepting codes typed with Persian or Arabic-Indic digits.

allauth compares the typed code with the expected one as text, so '۱۲۳۴۵۶' would never match
'123456'. Each form here turns the digits to ASCII before allauth sees them.
"""

from typing import Any

from allauth.account import forms as account_forms
from allauth.mfa.base import forms as mfa_forms
from allauth.mfa.totp import forms as totp_forms

from portal.digits import normalize_digits


class AsciiCodeMixin:
    code_field = "code"

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        data = self.data  # type: ignore[has-type]
        if self.code_field in data:
            data = data.copy()
            data[self.code_field] = normalize_digits(data[self.code_field])
            self.data = data


class VerifyPhoneForm(AsciiCodeMixin, account_forms.VerifyPhoneForm):
    pass


class AuthenticateForm(AsciiCodeMixin, mfa_forms.AuthenticateForm):
    pass


class ReauthenticateForm(AsciiCodeMixin, mfa_forms.ReauthenticateForm):
    pass


class ActivateTOTPForm(AsciiCodeMixin, totp_forms.ActivateTOTPForm):
    pass
