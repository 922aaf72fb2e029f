"""Digits as people type them: Persian (۰-۹) and Arabic-Indic (٠-٩) digits become ASCII."""

import re

from django.utils import translation

PERSIAN_DIGITS = "۰۱۲۳۴۵۶۷۸۹"
ARABIC_INDIC_DIGITS = "٠١٢٣٤٥٦٧٨٩"
ASCII_DIGITS = "0123456789"

_TO_ASCII = str.maketrans(PERSIAN_DIGITS + ARABIC_INDIC_DIGITS, ASCII_DIGITS * 2)
_TO_PERSIAN = str.maketrans(ASCII_DIGITS, PERSIAN_DIGITS)
# Spaces of every kind (including zero-width and non-breaking), dashes, and direction marks.
_SEPARATORS = re.compile(r"[\s\u200b-\u200f\u202a-\u202e\u2066-\u2069\-\u2010-\u2015\u2212_]+")


def to_ascii_digits(value: str) -> str:
    return value.translate(_TO_ASCII)


def to_persian_digits(value: str) -> str:
    return value.translate(_TO_PERSIAN)


def normalize_digits(value: str) -> str:
    """ASCII digits with spaces, dashes and direction marks removed: '۰۰۱۲-۳٤٥' -> '0012345'."""
    return _SEPARATORS.sub("", to_ascii_digits(value))


# A word with Latin letters is a code ("P000048", "1404-CASE-9", "MOU-00001"): its digits stay
# ASCII, since "P۰۰۰۰۴۸" mixes scripts that nobody types together.
_WORD = re.compile(r"\S+")
_LATIN_LETTER = re.compile(r"[A-Za-z]")


def _persian_word(match: re.Match[str]) -> str:
    word = match.group()
    return word if _LATIN_LETTER.search(word) else to_persian_digits(word)


def local_digits(text: str) -> str:
    """Persian digits while Persian is active, the text unchanged otherwise; codes with Latin
    letters keep their ASCII digits."""
    return _WORD.sub(_persian_word, text) if translation.get_language() == "fa" else text


class LocalNumber:
    """A number for a message parameter, written in the digits of the language it is shown in.

    Validation messages are translated when they are shown, not when they are made; so is this.
    """

    def __init__(self, number: int) -> None:
        self.number = number

    def __str__(self) -> str:
        return local_digits(str(self.number))
