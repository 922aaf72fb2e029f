"""The agency admin's request for an API client (/gov/api-clients/)."""

from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.http import QueryDict
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from agencies.client_certificates import (
    CERTIFICATE_MAX_BYTES,
    contains_private_key,
    parse_client_certificate,
)
from agencies.models import Membership
from agencies.scopes import Scope
from portal.digits import local_digits, to_ascii_digits

# What a Persian keyboard may type in an address besides its digits: the Arabic decimal separator
# for the dot, and direction marks around a left-to-right value.
_ADDRESS_TYPING = str.maketrans({"\u066b": ".", "\u200e": None, "\u200f": None})


class ResponsibleChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        # The national code isolated left-to-right (U+2066...U+2069), as codes in messages are,
        # in the page's digits (the choices are drawn when the page renders).
        code = f"\u2066{local_digits(obj.national_code)}\u2069"
        name = f"{obj.first_name} {obj.last_name}".strip()
        return f"{name} ({code})" if name else code


class CertificateForm(forms.Form):
    """A client certificate (RFC 8705) as a PEM file or pasted text; `cleaned_data["certificate"]`
    is the parsed `ClientCertificate`, or None when none was given and none is required."""

    certificate_required = True

    certificate_file = forms.FileField(
        label=_("Client certificate (PEM file)"),
        required=False,
        help_text=_("The certificate only (.pem or .crt), never its private key."),
    )
    certificate_text = forms.CharField(
        label=_("Or paste the certificate"),
        required=False,
        strip=True,
        widget=forms.Textarea(attrs={"rows": 4, "dir": "ltr", "class": "ltr"}),
        help_text=_("From -----BEGIN CERTIFICATE----- to -----END CERTIFICATE-----."),
    )

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        cleaned["certificate"] = None
        upload: UploadedFile | None = cleaned.get("certificate_file")
        text = cleaned.get("certificate_text") or ""
        field = "certificate_text"
        if upload is not None:
            field = "certificate_file"
            content = upload.read(CERTIFICATE_MAX_BYTES + 1)
            if len(content) > CERTIFICATE_MAX_BYTES:
                self.add_error(field, _("A certificate file is only a few kilobytes."))
                return cleaned
            text = content.decode("ascii", errors="replace")
        if not text:
            if self.certificate_required:
                self.add_error(field, _("Give the certificate: a PEM file or its text."))
            return cleaned
        try:
            cleaned["certificate"] = parse_client_certificate(text)
        except ValidationError as error:
            pasted_key = field == "certificate_text" and contains_private_key(text)
            if pasted_key and isinstance(self.data, QueryDict):
                # Never send the key back in the page that refuses it.
                self.data = self.data.copy()
                self.data["certificate_text"] = ""
            self.add_error(field, error)
        return cleaned


class ApiClientRequestForm(CertificateForm):
    name = forms.CharField(
        label=_("Name of the system"),
        max_length=150,
        help_text=_("For example: the court's case management system."),
    )
    responsible = ResponsibleChoiceField(
        label=_("Responsible staff member"),
        queryset=User.objects.none(),
        empty_label=_("Choose…"),
        help_text=_("Lookups by the system are recorded in this person's name."),
    )
    scopes = forms.MultipleChoiceField(
        label=_("Scopes"), widget=forms.CheckboxSelectMultiple, choices=()
    )
    allowed_addresses = forms.CharField(
        label=_("Addresses the system calls from"),
        widget=forms.Textarea(attrs={"rows": 3, "dir": "ltr"}),
        help_text=_("One IP address or network (CIDR) per line, e.g. 192.0.2.10 or 192.0.2.0/28."),
    )
    # The certificate is optional here; without one the client is not bound (RFC 8705).
    certificate_required = False
    field_order = ["name", "responsible", "scopes", "allowed_addresses"]

    def __init__(self, *args: Any, agency_id: int, mou_scopes: list[str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        members = Membership.objects.filter(
            agency_id=agency_id, is_active=True, accepted_at__isnull=False
        ).values("user_id")
        self.fields["responsible"].queryset = User.objects.filter(  # type: ignore[attr-defined]
            pk__in=members, is_active=True
        ).order_by("last_name", "first_name")
        self.fields["scopes"].choices = [  # type: ignore[attr-defined]
            (scope.value, scope.label) for scope in Scope if scope.value in mou_scopes
        ]

    def clean_allowed_addresses(self) -> list[str]:
        """One address or network per line, in ASCII digits whatever the keyboard typed."""
        typed = to_ascii_digits(self.cleaned_data["allowed_addresses"]).translate(_ADDRESS_TYPING)
        return [line.strip() for line in typed.splitlines() if line.strip()]


class RevokeForm(forms.Form):
    reasons = forms.CharField(
        label=_("Why (kept in the client's history)"),
        max_length=1000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
