"""Forms of the agency panel's lookup and history pages."""

import copy
import datetime
import functools
from typing import Any

from django import forms
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from inquiries.models import LookupPurpose
from inquiries.services import CASE_REFERENCE_REQUIRED, CONFIDENTIAL_ALLOWED, purposes_for
from portal.digits import to_ascii_digits
from portal.fields import JalaliDateField, NationalCodeField


class LookupForm(forms.Form):
    national_code = NationalCodeField(
        help_text=_("The 10-digit national code of the person you inquire about.")
    )
    # Its choices fit the agency's kind (set in __init__); none is chosen in advance, so the
    # purpose the person will read is always one the staff member picked.
    purpose = forms.ChoiceField(
        label=_("Purpose"),
        error_messages={"required": _("Choose the purpose of this inquiry.")},
    )
    purpose_detail = forms.CharField(
        label=_("Purpose in words"),
        max_length=500,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("The person will see the purpose you state."),
    )
    case_reference = forms.CharField(
        label=_("Case reference"),
        max_length=100,
        required=False,
        error_messages={
            "required": _(
                "Enter the case reference: judicial and quasi-judicial authorities give one "
                "with every inquiry."
            )
        },
    )
    confidential = forms.BooleanField(
        label=_("Confidential: keep this inquiry from the person for now"),
        required=False,
        help_text=_(
            "The person sees a confidential inquiry in their list only after %(days)s days. "
            "It needs a case reference."
        ),
    )

    @staticmethod
    def blank_rendering_key(*, agency_kind: str, confidential_delay_days: int) -> str:
        """Everything a blank form's HTML depends on besides the language: the page caches it,
        and a page whose blank form is in that cache need not build the form at all."""
        return f"{agency_kind}:{confidential_delay_days}"

    def __init__(self, *args: Any, agency_kind: str, confidential_delay_days: int, **kwargs: Any):
        # Django copies the class's fields into every form it builds; this form's are prepared
        # once per agency kind and language instead (each panel and API inquiry builds one).
        self.base_fields = _lookup_fields(  # type: ignore[misc]
            agency_kind, confidential_delay_days, get_language()
        )
        super().__init__(*args, **kwargs)

    def clean_case_reference(self) -> str:
        return to_ascii_digits(self.cleaned_data["case_reference"].strip())

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if (
            cleaned.get("purpose") == LookupPurpose.OTHER
            and not cleaned.get("purpose_detail", "").strip()
        ):
            self.add_error("purpose_detail", _("Explain the purpose in a few words."))
        if (
            cleaned.get("confidential")
            and not cleaned.get("case_reference")
            and "case_reference" not in self.errors
        ):
            self.add_error("case_reference", _("A confidential inquiry needs the case reference."))
        return cleaned


class SharedFields(dict[str, forms.Field]):
    """Fields shared by every form built from them: Django deep-copies a form's fields for each
    form so that one form may change its own, which these forms never do after `_lookup_fields`
    made them. Each form still gets a dict of its own."""

    def __deepcopy__(self, memo: dict[int, Any]) -> dict[str, forms.Field]:
        return dict(self)


@functools.lru_cache(maxsize=64)
def _lookup_fields(agency_kind: str, confidential_delay_days: int, language: str) -> SharedFields:
    """The lookup form's fields for an agency of this kind, in this language."""
    fields = copy.deepcopy(LookupForm.base_fields)
    fields["case_reference"].widget.attrs["dir"] = "ltr"
    fields["purpose"].choices = [  # type: ignore[attr-defined]
        ("", _("Choose…")),
        *((purpose.value, purpose.label) for purpose in purposes_for(agency_kind)),
    ]
    if agency_kind in CASE_REFERENCE_REQUIRED:
        fields["case_reference"].required = True
    if agency_kind in CONFIDENTIAL_ALLOWED:
        field = fields["confidential"]
        field.help_text = str(field.help_text) % {"days": confidential_delay_days}
    else:
        # Not offered at all: a hand-made POST with `confidential=on` is simply ignored.
        del fields["confidential"]
    return SharedFields(fields)


class HistoryFilterForm(forms.Form):
    date_from = JalaliDateField(label=_("From"), required=False)
    date_to = JalaliDateField(label=_("To"), required=False)
    national_code = NationalCodeField(label=_("National code"), required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # A history search is not a sign-in: no password manager should fill it.
        self.fields["national_code"].widget.attrs["autocomplete"] = "off"

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        start: datetime.date | None = cleaned.get("date_from")
        end: datetime.date | None = cleaned.get("date_to")
        if start and end and end < start:
            self.add_error("date_to", _("The end of the range cannot be before its start."))
        return cleaned
