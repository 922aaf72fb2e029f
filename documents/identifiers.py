"""Certificate numbers and access codes: how they are made, written and read back.

A certificate number is 11 random digits and a Verhoeff check digit (which catches every
single-digit error and every swap of two neighbouring digits), so a mistyped number is refused
before any lookup and numbers say nothing about how many certificates exist.

An access code is 10 characters from an alphabet without look-alikes (no 0/O, no 1/I/L),
about 49 bits from `secrets`. It is shown to its holder once and kept only as a keyed hash
(HMAC-SHA256 with a server secret): a database dump does not reveal codes, and without the
secret the hashes cannot be tested against guesses.
"""

import hashlib
import hmac
import re
import secrets

from django.conf import settings

from portal.digits import to_ascii_digits

CERTIFICATE_NUMBER_LENGTH = 12

_VERHOEFF_D = (
    (0, 1, 2, 3, 4, 5, 6, 7, 8, 9),
    (1, 2, 3, 4, 0, 6, 7, 8, 9, 5),
    (2, 3, 4, 0, 1, 7, 8, 9, 5, 6),
    (3, 4, 0, 1, 2, 8, 9, 5, 6, 7),
    (4, 0, 1, 2, 3, 9, 5, 6, 7, 8),
    (5, 9, 8, 7, 6, 0, 4, 3, 2, 1),
    (6, 5, 9, 8, 7, 1, 0, 4, 3, 2),
    (7, 6, 5, 9, 8, 2, 1, 0, 4, 3),
    (8, 7, 6, 5, 9, 3, 2, 1, 0, 4),
    (9, 8, 7, 6, 5, 4, 3, 2, 1, 0),
)
_VERHOEFF_P = (
    (0, 1, 2, 3, 4, 5, 6, 7, 8, 9),
    (1, 5, 7, 6, 2, 8, 3, 0, 9, 4),
    (5, 8, 0, 3, 7, 9, 6, 1, 4, 2),
    (8, 9, 1, 6, 0, 4, 3, 5, 2, 7),
    (9, 4, 5, 3, 1, 2, 6, 8, 7, 0),
    (4, 2, 8, 6, 5, 7, 3, 9, 0, 1),
    (2, 7, 9, 3, 8, 0, 6, 4, 1, 5),
    (7, 0, 4, 6, 9, 1, 3, 2, 5, 8),
)
_VERHOEFF_INV = (0, 4, 3, 2, 1, 5, 6, 7, 8, 9)


def verhoeff_check_digit(digits: str) -> str:
    check = 0
    for position, digit in enumerate(reversed(digits), start=1):
        check = _VERHOEFF_D[check][_VERHOEFF_P[position % 8][int(digit)]]
    return str(_VERHOEFF_INV[check])


def verhoeff_is_valid(digits: str) -> bool:
    check = 0
    for position, digit in enumerate(reversed(digits)):
        check = _VERHOEFF_D[check][_VERHOEFF_P[position % 8][int(digit)]]
    return check == 0


def new_certificate_number() -> str:
    # The first digit is never 0, so the number keeps its length wherever it is read as a number.
    body = str(secrets.randbelow(9) + 1) + "".join(
        str(secrets.randbelow(10)) for _ in range(CERTIFICATE_NUMBER_LENGTH - 2)
    )
    return body + verhoeff_check_digit(body)


_NOT_DIGITS = re.compile(r"[\s\u200b-\u200f\u202a-\u202e\u2066-\u2069\-\u2010-\u2015_.]+")


def clean_certificate_number(value: str) -> str | None:
    """The number as 12 ASCII digits, or None if it cannot be one (wrong length or check digit)."""
    number = _NOT_DIGITS.sub("", to_ascii_digits(value or ""))
    if len(number) != CERTIFICATE_NUMBER_LENGTH or not number.isascii() or not number.isdigit():
        return None
    return number if verhoeff_is_valid(number) else None


def format_certificate_number(number: str) -> str:
    """'123456789012' -> '1234-5678-9012', for reading aloud and typing."""
    return "-".join(number[i : i + 4] for i in range(0, len(number), 4))


# --- Access codes ------------------------------------------------------------------------------

ACCESS_CODE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
ACCESS_CODE_LENGTH = 10
_CODE_SEPARATORS = re.compile(r"[\s\u200b-\u200f\u202a-\u202e\u2066-\u2069\-\u2010-\u2015_.]+")


def new_access_code() -> str:
    return "".join(secrets.choice(ACCESS_CODE_ALPHABET) for _ in range(ACCESS_CODE_LENGTH))


def format_access_code(code: str) -> str:
    """'ABCDE23456' -> 'ABCDE-23456'."""
    half = len(code) // 2
    return f"{code[:half]}-{code[half:]}"


def normalize_access_code(value: str) -> str:
    """What a person typed, as the code itself: case, spaces, dashes and digit scripts ignored."""
    return _CODE_SEPARATORS.sub("", to_ascii_digits(value or "")).upper()


def access_code_is_well_formed(code: str) -> bool:
    return len(code) == ACCESS_CODE_LENGTH and all(c in ACCESS_CODE_ALPHABET for c in code)


def access_code_digest(code: str) -> str:
    """The keyed hash under which a code is stored (hex HMAC-SHA256 of the normalized code)."""
    key = (settings.ACCESS_CODE_SECRET or settings.SECRET_KEY).encode()
    message = b"portal.documents.access-code\x00" + normalize_access_code(code).encode()
    return hmac.new(key, message, hashlib.sha256).hexdigest()


def access_code_matches(code: str, digest: str) -> bool:
    return hmac.compare_digest(access_code_digest(code), digest)
