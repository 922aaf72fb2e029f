"""Iranian mobile numbers, normalised to one form: E.164 (+989xxxxxxxxx)."""

import re

import phonenumbers
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from portal.digits import normalize_digits

_DIGITS = re.compile(r"\+?[0-9]+")


def normalize_mobile(value: str) -> str:
    """'۰۹۱۲ ۳۴۵ ۶۷۸۹', '9123456789', '0098912…' -> '+989123456789'; else ValidationError."""
    digits = normalize_digits(value).replace("(", "").replace(")", "")
    if digits.startswith("00"):
        digits = "+" + digits[2:]
    try:
        # phonenumbers reads letters as keypad digits ("0912ABC…" -> 0912222…); a mobile has none.
        number = phonenumbers.parse(digits, "IR") if _DIGITS.fullmatch(digits) else None
    except phonenumbers.NumberParseException:
        number = None
    if (
        number is None
        or number.country_code != 98
        or not phonenumbers.is_valid_number(number)
        or phonenumbers.number_type(number) != phonenumbers.PhoneNumberType.MOBILE
    ):
        raise ValidationError(
            _("Enter an Iranian mobile number, for example 09121234567."), code="invalid_mobile"
        )
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def display_mobile(e164: str) -> str:
    """'+989123456789' -> '0912 345 6789', the way people write it."""
    if e164.startswith("+98") and len(e164) == 13:
        local = "0" + e164[3:]
        return f"{local[:4]} {local[4:7]} {local[7:]}"
    return e164


def mask_mobile(e164: str) -> str:
    """'+989123456789' -> '0912***6789' for messages that must not reveal the whole number."""
    shown = display_mobile(e164).replace(" ", "")
    return shown[:4] + "***" + shown[-4:] if len(shown) == 11 else "***"
