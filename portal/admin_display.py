"""What the admin's columns and read-only fields share, so its pages follow the Persian rule
(docs/architecture.md, "Digits in Persian text"): codes left-to-right, counts in the page's
digits, yes and no in words, dates in the Jalali calendar in Persian."""

import datetime
from typing import Any

import jdatetime
from django.contrib import admin
from django.http import HttpRequest
from django.templatetags.static import static
from django.utils import timezone, translation
from django.utils.html import format_html
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from portal.digits import local_digits
from portal.jalali import format_date

LTR_ISOLATE = "\u2066"
POP_ISOLATE = "\u2069"


def isolated(text: str) -> str:
    """A code inside plain text (a title, a select's option): left-to-right, whole."""
    return f"{LTR_ISOLATE}{text}{POP_ISOLATE}"


def code(value: Any) -> SafeString | str:
    """A national code, legal ID, mobile or number as typed, shown left-to-right."""
    if value in (None, ""):
        return "—"
    return format_html('<bdi class="ltr" dir="ltr">{}</bdi>', value)


def number(value: int | None) -> str:
    return "—" if value is None else local_digits(str(value))


def yes_no(value: bool | None) -> SafeString:
    """Django's boolean icon, with its text in the page's language (Django's says "True")."""
    name = {True: "yes", False: "no", None: "unknown"}[value]
    text = {True: _("Yes"), False: _("No"), None: _("Unknown")}[value]
    return format_html('<img src="{}" alt="{}">', static(f"admin/img/icon-{name}.svg"), text)


def when(value: datetime.datetime | datetime.date | None) -> str:
    return format_date(value, with_time=isinstance(value, datetime.datetime)) or "—"


class JalaliMonthFilter(admin.SimpleListFilter):
    """In place of Django's date hierarchy, which only knows Gregorian years and months: the
    last twelve Jalali months, named as the page's language shows dates."""

    title = gettext_lazy("month")
    parameter_name = "month"
    date_field = "created_at"
    months = 12

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, str]]:
        choices = []
        today = jdatetime.date.fromgregorian(date=timezone.localdate())
        year, month = today.year, today.month
        for _step in range(self.months):
            start, end = jalali_month(year, month)
            if translation.get_language() == "fa":
                label = local_digits(f"{year}/{month:02d}")
            else:
                label = f"{start.isoformat()} – {(end - datetime.timedelta(days=1)).isoformat()}"
            choices.append((f"{year}-{month:02d}", label))
            year, month = (year, month - 1) if month > 1 else (year - 1, 12)
        return choices

    def queryset(self, request: HttpRequest, queryset: Any) -> Any:
        value = self.value() or ""
        year, _dash, month = value.partition("-")
        if not (year.isdigit() and month.isdigit() and 1 <= int(month) <= 12):
            return queryset
        start, end = jalali_month(int(year), int(month))
        return queryset.filter(
            **{f"{self.date_field}__date__gte": start, f"{self.date_field}__date__lt": end}
        )


def jalali_month(year: int, month: int) -> tuple[datetime.date, datetime.date]:
    """The Gregorian days a Jalali month starts on and the next one starts on."""
    start = jdatetime.date(year, month, 1).togregorian()
    following = (
        jdatetime.date(year + 1, 1, 1) if month == 12 else jdatetime.date(year, month + 1, 1)
    )
    return start, following.togregorian()
