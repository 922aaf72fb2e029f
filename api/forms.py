"""The agency admin's request for an API client (/gov/api-clients/)."""

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from agencies.models import Membership
from agencies.scopes import Scope


class ResponsibleChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        # The national code isolated left-to-right (U+2066...U+2069), as codes in messages are.
        code = f"\u2066{obj.national_code}\u2069"
        name = f"{obj.first_name} {obj.last_name}".strip()
        return f"{name} ({code})" if name else code


class ApiClientRequestForm(forms.Form):
    name = forms.CharField(
        label=_("Name of the system"),
        max_length=150,
        help_text=_("For example: the court's case management system."),
    )
    responsible = ResponsibleChoiceField(
        label=_("Responsible staff member"),
        queryset=User.objects.none(),
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
        return [
            line.strip()
            for line in self.cleaned_data["allowed_addresses"].splitlines()
            if line.strip()
        ]


class RevokeForm(forms.Form):
    reasons = forms.CharField(label=_("Reasons"), max_length=1000)
