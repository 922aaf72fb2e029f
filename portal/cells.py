"""Parsers for the cells of the CSV files operators bring in (the registry, the isinsured export).

Each takes a cell's text and returns the clean value or raises FieldProblem with the reason, in
the operator's language; a file's reader turns that into a RowProblem for its report. Codes and
dates repeat a great deal in large files (every period of a person carries their national
code), so the expensive checks are cached.
"""

import datetime
from functools import lru_cache
from typing import NamedTuple

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from portal.jalali import parse_date
from portal.validators import clean_national_code, national_code_is_valid

EARLIEST_DATE = datetime.date(1900, 1, 1)


class RowProblem(NamedTuple):
    """One thing wrong with one row; `column` is empty when the row as a whole is wrong."""

    row: int
    column: str
    message: str


class FieldProblem(ValueError):
    """A cell's value is not acceptable; the message says why, for the operator."""


@lru_cache(maxsize=4096)
def valid_national_code(text: str) -> str | None:
    """The clean national code, or None: the quiet check for loops over millions of rows."""
    if len(text) == 10 and text.isdigit() and national_code_is_valid(text):
        return text
    try:
        return clean_national_code(text)
    except ValidationError:
        return None


def national_code(text: str) -> str:
    """The national code in a cell, with ASCII digits, or FieldProblem saying what is wrong."""
    code = valid_national_code(text)
    if code is None:
        try:
            clean_national_code(text)
        except ValidationError as error:
            raise FieldProblem(error.messages[0]) from None
        raise FieldProblem(_("This national code is not valid."))  # pragma: no cover
    return code


@lru_cache(maxsize=65536)
def _date_or_none(text: str) -> datetime.date | None:
    try:
        value = parse_date(text)
    except ValueError:
        return None
    return value if value >= EARLIEST_DATE else None


def date(text: str) -> datetime.date:
    """A Solar Hijri or Gregorian date in a cell, from 1900 on, or FieldProblem."""
    value = _date_or_none(text)
    if value is None:
        if not text.strip():
            raise FieldProblem(_("A date is required here."))
        raise FieldProblem(
            _(
                "%(value)s is not a date; write it as 1402/05/01 (Solar Hijri) or 2023-07-23, "
                "from 1900 on."
            )
            % {"value": text}
        )
    return value
