"""Jalali (Solar Hijri) dates: parsing what people type, and showing dates in their language."""

import datetime
import functools
import re

import jdatetime
from django.utils import timezone, translation

from portal.digits import to_ascii_digits, to_persian_digits

_DATE = re.compile(r"^\s*(\d{4})\s*[/\-.]\s*(\d{1,2})\s*[/\-.]\s*(\d{1,2})\s*$")
# Years below this are Jalali (today's Jalali year is about 1405, Gregorian about 2026).
_JALALI_YEAR_LIMIT = 1700


class NoSuchDate(ValueError):
    """Written like a date, but the calendar has no such day (1404/12/30, 2023-02-30)."""


def parse_date(value: str) -> datetime.date:
    """'1402/05/01' (Jalali) or '2023-07-23' (ISO), with any digits -> a Gregorian date.

    Raises ValueError for anything else; NoSuchDate for dates that do not exist.
    """
    match = _DATE.match(to_ascii_digits(value))
    if not match:
        raise ValueError(f"not a date: {value!r}")
    year, month, day = (int(part) for part in match.groups())
    try:
        if year < _JALALI_YEAR_LIMIT:
            return jdatetime.date(year, month, day).togregorian()
        return datetime.date(year, month, day)
    except ValueError as error:
        raise NoSuchDate(f"no such date: {value!r}") from error


def format_date(value: datetime.date | datetime.datetime | None, *, with_time: bool = False) -> str:
    """A date as the active language shows it: Jalali with Persian digits in Persian, else ISO."""
    if value is None:
        return ""
    if isinstance(value, datetime.datetime):
        value = timezone.localtime(value) if timezone.is_aware(value) else value
        time_part = value.strftime("%H:%M")
        date_part = value.date()
    else:
        time_part = ""
        date_part = value
    if translation.get_language() == "fa":
        text = jdatetime.date.fromgregorian(date=date_part).strftime("%Y/%m/%d")
        if with_time and time_part:
            text = f"{text} {time_part}"
        return to_persian_digits(text)
    text = date_part.isoformat()
    return f"{text} {time_part}" if with_time and time_part else text


def jalali_date_for_data(value: datetime.date | datetime.datetime) -> str:
    """A date as '1405/02/11', with ASCII digits whatever the language: for files such as CSV,
    whose cells spreadsheets must sort and compare."""
    if isinstance(value, datetime.datetime):
        value = timezone.localtime(value) if timezone.is_aware(value) else value
        value = value.date()
    return _jalali(value)


# A day's Jalali name never changes, and registries repeat their days: converting one costs
# jdatetime about 14 µs, and an API answer names several. A century of days is 36,525 entries.
@functools.lru_cache(maxsize=40_000)
def _jalali(day: datetime.date) -> str:
    jalali = jdatetime.date.fromgregorian(date=day)
    return f"{jalali.year}/{jalali.month:02d}/{jalali.day:02d}"
