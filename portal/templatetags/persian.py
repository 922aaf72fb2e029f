"""Template filters for Persian pages: Jalali dates and Persian digits in the active language.

Registered as builtins in settings, so templates use them without `{% load %}`.
"""

import datetime

from django import template

from portal.digits import local_digits
from portal.jalali import format_date
from portal.phones import display_mobile

register = template.Library()


@register.filter
def jdate(value: datetime.date | datetime.datetime | None) -> str:
    """A date: Jalali with Persian digits in Persian, ISO in English."""
    return format_date(value)


@register.filter
def jdatetime(value: datetime.datetime | None) -> str:
    return format_date(value, with_time=True)


@register.filter(is_safe=True)
def localdigits(value: object) -> str:
    """Persian digits in Persian pages, unchanged in English. Safe HTML stays safe: tags and
    attributes are words with Latin letters, which local_digits leaves alone."""
    return local_digits("" if value is None else str(value))


@register.filter
def mobile(value: str | None) -> str:
    return localdigits(display_mobile(value)) if value else ""
