"""Iranian national codes (10 digits) and legal-entity national IDs (11 digits)."""

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from portal.digits import LocalNumber, normalize_digits


def national_code_check_digit(body: str) -> str:
    """The check digit for nine ASCII digits: weights 10..2, mod 11 (0 or 1 stay, else 11 - r)."""
    remainder = (
        sum(int(digit) * weight for digit, weight in zip(body, range(10, 1, -1), strict=True)) % 11
    )
    return str(remainder if remainder < 2 else 11 - remainder)


def national_code_is_valid(code: str) -> bool:
    if len(code) != 10 or not code.isascii() or not code.isdigit() or len(set(code)) == 1:
        return False
    return code[9] == national_code_check_digit(code[:9])


def legal_id_is_valid(legal_id: str) -> bool:
    """The check digit of a legal-entity national ID (shenase-ye melli).

    The tenth digit plus 2 is added to each of the first ten digits, weighted 29, 27, 23, 19, 17
    repeating; the sum mod 11 (10 counts as 0) is the last digit.
    """
    if len(legal_id) != 11 or not legal_id.isascii() or not legal_id.isdigit():
        return False
    if len(set(legal_id)) == 1:
        return False
    offset = int(legal_id[9]) + 2
    weights = (29, 27, 23, 19, 17, 29, 27, 23, 19, 17)
    total = sum(
        (int(digit) + offset) * weight for digit, weight in zip(legal_id[:10], weights, strict=True)
    )
    return (total % 11) % 10 == int(legal_id[10])


def _check_digits(value: str, length: int) -> str:
    value = normalize_digits(value)
    # str.isdigit() also takes superscripts and other scripts' digits, which int() and the
    # check digit arithmetic do not treat as the person meant.
    if not (value.isascii() and value.isdigit()):
        raise ValidationError(_("Enter digits only."), code="not_digits")
    if len(value) != length:
        raise ValidationError(
            _("Enter exactly %(length)s digits; you entered %(count)s."),
            code="length",
            params={"length": LocalNumber(length), "count": LocalNumber(len(value))},
        )
    return value


def clean_national_code(value: str) -> str:
    """The national code as 10 ASCII digits, or ValidationError with a clear message."""
    code = _check_digits(value, 10)
    if not national_code_is_valid(code):
        raise ValidationError(
            _("This national code is not valid; please check it against the national card."),
            code="checksum",
        )
    return code


def clean_legal_id(value: str) -> str:
    """Return the legal-entity national ID as 11 ASCII digits, or raise ValidationError."""
    legal_id = _check_digits(value, 11)
    if not legal_id_is_valid(legal_id):
        raise ValidationError(
            _("This legal-entity national ID is not valid; please check it."), code="checksum"
        )
    return legal_id


def validate_national_code(value: str) -> None:
    """A model-field validator (Django's validators return nothing)."""
    clean_national_code(value)


def validate_legal_id(value: str) -> None:
    clean_legal_id(value)
