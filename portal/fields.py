"""Form fields that take numbers as people type them (Persian, Arabic-Indic or ASCII digits)."""

import datetime
import re
from typing import Any

from django import forms
from django.utils.functional import lazy
from django.utils.translation import gettext_lazy as _

from portal.digits import local_digits, normalize_digits
from portal.jalali import NoSuchDate, format_date, parse_date
from portal.phones import normalize_mobile
from portal.validators import clean_legal_id, clean_national_code


class DigitsField(forms.CharField):
    """A number typed as text: digits normalised to ASCII, spaces and dashes dropped."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.widget.attrs.setdefault("inputmode", "numeric")
        self.widget.attrs.setdefault("dir", "ltr")

    def to_python(self, value: Any) -> str:
        return normalize_digits(super().to_python(value) or "")


# Hyphen-minus, the minus sign and the dashes a keyboard or a phone may put before a number.
_MINUS_SIGNS = re.compile("[-\u2010-\u2015\u2212\ufe63\uff0d]")


class LocalIntegerField(forms.IntegerField):
    """An integer typed with Persian, Arabic-Indic or ASCII digits, never negative.

    The digits' normaliser drops dashes (they separate groups in codes), which read "-5" as 5;
    a minus sign anywhere ("5-" is how it may be typed right to left) is refused instead.
    """

    widget = forms.TextInput
    default_error_messages = {"negative": _("Enter a positive number, without a minus sign.")}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.widget.attrs.update({"inputmode": "numeric", "dir": "ltr"})

    def to_python(self, value: Any) -> int | None:
        if isinstance(value, str):
            if _MINUS_SIGNS.search(value):
                raise forms.ValidationError(self.error_messages["negative"], code="negative")
            value = normalize_digits(value)
        return super().to_python(value)


class NationalCodeField(DigitsField):
    default_error_messages = {"required": _("Enter the national code.")}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("label", _("National code"))
        kwargs.setdefault("max_length", 40)
        super().__init__(*args, **kwargs)
        self.widget.attrs.setdefault("autocomplete", "username")

    def clean(self, value: Any) -> str:
        value = super().clean(value)
        return clean_national_code(value) if value else value


class LegalIdField(DigitsField):
    default_error_messages = {"required": _("Enter the legal-entity national ID.")}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("label", _("Legal-entity national ID"))
        kwargs.setdefault("max_length", 40)
        super().__init__(*args, **kwargs)

    def clean(self, value: Any) -> str:
        value = super().clean(value)
        return clean_legal_id(value) if value else value


# Examples in placeholders, in the digits of the language the form is shown in.
in_local_digits = lazy(local_digits, str)


class MobileField(forms.CharField):
    default_error_messages = {"required": _("Enter your mobile number.")}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("label", _("Mobile number"))
        kwargs.setdefault("max_length", 40)
        kwargs.setdefault("help_text", _("For example 09121234567."))
        super().__init__(*args, **kwargs)
        self.widget.attrs.update(
            {
                "inputmode": "tel",
                "autocomplete": "tel",
                "dir": "ltr",
                "placeholder": in_local_digits("09121234567"),
            }
        )

    def clean(self, value: Any) -> str:
        value = super().clean(value)
        return normalize_mobile(value) if value else value


class JalaliDateField(forms.CharField):
    """A date typed as Jalali (1370/05/12) or Gregorian (1991-08-03), in any digits."""

    default_error_messages = {
        "invalid": _("Enter a date like 1370/05/12 (Solar Hijri) or 1991-08-03."),
        "no_such_date": _("This date does not exist in the calendar: check the day and the month."),
    }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("max_length", 40)
        super().__init__(*args, **kwargs)
        self.widget.attrs.update(
            {"dir": "ltr", "placeholder": in_local_digits("1370/05/12"), "inputmode": "numeric"}
        )

    def prepare_value(self, value: Any) -> Any:
        """A date the form starts from (a stored birth date) as the page writes dates: Jalali in
        Persian digits on a Persian page, ISO on an English one; `clean` reads either back."""
        return format_date(value) if isinstance(value, datetime.date) else value

    def clean(self, value: Any) -> datetime.date | None:
        text = super().clean(value)
        if not text:
            return None
        try:
            return parse_date(text)
        except NoSuchDate:
            raise forms.ValidationError(
                self.error_messages["no_such_date"], code="no_such_date"
            ) from None
        except ValueError:
            raise forms.ValidationError(self.error_messages["invalid"], code="invalid") from None
