import secrets
from typing import Any

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from agencies.models import Agency
from documents import selectors, services
from documents.identifiers import access_code_is_well_formed, normalize_access_code
from portal.fields import LocalIntegerField, NationalCodeField


class AgencyChoiceField(forms.ModelChoiceField):
    """One agency with an MoU in force today, or none ("any agency")."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("required", False)
        kwargs.setdefault("empty_label", _("No particular agency"))
        kwargs.setdefault(
            "error_messages",
            {"invalid_choice": _("Choose one of the agencies in the list.")},
        )
        # The real list is set per form (`_fresh_agency_choices`): today's date, not import time's.
        super().__init__(queryset=Agency.objects.none(), **kwargs)


def _fresh_agency_choices(form: forms.Form) -> None:
    for field in form.fields.values():
        if isinstance(field, AgencyChoiceField):
            field.queryset = selectors.agencies_open_for_documents()


class UnechoedTextInput(forms.TextInput):
    """A text box that never writes back what was typed (a secret must not return in a page)."""

    def format_value(self, value: Any) -> str | None:
        return None


def new_submission_token() -> str:
    return secrets.token_urlsafe(24)


class IssueCertificateForm(forms.Form):
    language = forms.ChoiceField(
        label=_("Language of the certificate"),
        choices=settings.LANGUAGES,
        initial="fa",
        widget=forms.RadioSelect,
    )
    note = forms.CharField(
        label=_("Note (optional)"),
        max_length=300,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Printed on the certificate, e.g. what it is for. At most 300 characters."),
    )
    addressed_to = AgencyChoiceField(
        label=_("Addressed to (optional)"),
        help_text=_("The agency you will give it to. It is printed on the certificate."),
    )
    # A one-time token per form shown: sending the same form again issues nothing new
    # (documents.services.issue_certificate). Optional, for scripts that post without it.
    submission = forms.CharField(
        required=False, max_length=64, widget=forms.HiddenInput, initial=new_submission_token
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _fresh_agency_choices(self)


class AccessCodeForm(forms.Form):
    valid_days = LocalIntegerField(
        label=_("Valid for (days)"),
        min_value=services.ACCESS_CODE_MIN_DAYS,
        max_value=services.ACCESS_CODE_MAX_DAYS,
        initial=services.ACCESS_CODE_DEFAULT_DAYS,
        help_text=_("1 to 90 days; never longer than the certificate itself."),
        error_messages={
            "required": _("Enter for how many days the code is valid."),
            "invalid": _("Enter a whole number of days."),
            "min_value": _("The code must be valid for at least 1 day."),
            "max_value": _("The code can be valid for at most 90 days."),
        },
    )
    max_uses = LocalIntegerField(
        label=_("Number of uses"),
        min_value=services.ACCESS_CODE_MIN_USES,
        max_value=services.ACCESS_CODE_MAX_USES,
        initial=services.ACCESS_CODE_DEFAULT_USES,
        help_text=_("How many times agencies may open the certificate with this code (1 to 10)."),
        error_messages={
            "required": _("Enter how many times the code may be used."),
            "invalid": _("Enter a whole number."),
            "min_value": _("The code must allow at least 1 use."),
            "max_value": _("The code can allow at most 10 uses."),
        },
    )
    bound_agency = AgencyChoiceField(
        label=_("Only for this agency (optional)"),
        help_text=_("If you choose an agency, no other agency can use the code."),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _fresh_agency_choices(self)


class DocumentInquiryForm(forms.Form):
    """The panel's document inquiry: the holder's national code and the access code they gave."""

    national_code = NationalCodeField(label=_("Holder's national code"))
    access_code = forms.CharField(
        label=_("Access code"),
        max_length=40,
        help_text=_("10 letters and digits, e.g. ABCDE-23456. Case and dashes do not matter."),
        error_messages={"required": _("Enter the access code the holder gave you.")},
        # Never prefilled from a previous submission, and never remembered by the browser.
        widget=UnechoedTextInput(
            attrs={"autocomplete": "off", "dir": "ltr", "spellcheck": "false"}
        ),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["national_code"].widget.attrs["autocomplete"] = "off"

    def clean_access_code(self) -> str:
        code = normalize_access_code(self.cleaned_data["access_code"])
        if not access_code_is_well_formed(code):
            raise forms.ValidationError(
                _(
                    "An access code has 10 characters, letters and digits without 0, O, 1, I "
                    "or L, e.g. ABCDE-23456."
                ),
                code="malformed",
            )
        return code


class VerifyPdfForm(forms.Form):
    """A PDF to check against the organization's signature; read in memory, never stored."""

    pdf = forms.FileField(
        label=_("The certificate's PDF"),
        help_text=_("A certificate's PDF as you received it. It is checked and forgotten."),
        error_messages={"required": _("Choose the PDF file to check.")},
    )

    def clean_pdf(self) -> bytes:
        upload = self.cleaned_data["pdf"]
        if upload.size > settings.CERTIFICATE_VERIFY_UPLOAD_MAX_BYTES:
            raise forms.ValidationError(_("This file is too large to be a certificate."))
        data = upload.read()
        if not data.startswith(b"%PDF-"):
            raise forms.ValidationError(_("This file is not a PDF."))
        return data
