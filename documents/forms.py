from typing import Any

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from documents import services
from portal.digits import normalize_digits


class LocalIntegerField(forms.IntegerField):
    """An integer typed with Persian, Arabic-Indic or ASCII digits."""

    widget = forms.TextInput

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.widget.attrs.update({"inputmode": "numeric", "dir": "ltr"})

    def to_python(self, value: Any) -> int | None:
        if isinstance(value, str):
            value = normalize_digits(value)
        return super().to_python(value)


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
