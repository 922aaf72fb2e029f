"""The agency panel's history as a CSV file for spreadsheets (/gov/history/export.csv).

UTF-8 with a byte-order mark, so that Excel reads Persian text; every cell through
`portal.csv_safety` (a purpose or case reference typed as `=HYPERLINK(...)` stays text); dates in
the Jalali calendar with ASCII digits, so that the columns sort; headers and labels in the
language of the request that asked for the file.
"""

import io
from collections.abc import Iterator

from django.db.models import QuerySet
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from inquiries.models import DisclosureRecord
from inquiries.templatetags.registry import lookup_purpose, scope_list
from portal.csv_safety import formula_safe_writer
from portal.jalali import jalali_date_for_data

BYTE_ORDER_MARK = "\ufeff"


def _header(*, with_staff: bool) -> list[str]:
    staff = [_("Staff member"), _("Staff member's national code")] if with_staff else []
    return [
        _("Date (Jalali)"),
        _("Time"),
        _("National code"),
        *staff,
        _("Channel"),
        _("Purpose"),
        _("Purpose in words"),
        _("Case reference"),
        _("Confidential"),
        _("Result"),
    ]


def _row(record: DisclosureRecord, *, with_staff: bool) -> list[str]:
    staff_member = record.staff_member
    staff = [staff_member.get_full_name(), staff_member.national_code] if with_staff else []
    return [
        jalali_date_for_data(record.created_at),
        timezone.localtime(record.created_at).strftime("%H:%M"),
        record.national_code,
        *staff,
        record.get_channel_display(),
        lookup_purpose(record.purpose),
        record.purpose_detail,
        record.case_reference,
        _("Yes") if record.confidential else _("No"),
        scope_list(record.scopes) if record.record_found else _("No record"),
    ]


def history_csv_lines(records: QuerySet[DisclosureRecord], *, with_staff: bool) -> Iterator[str]:
    """The file line by line, for a streaming response: a long history is never held whole.

    The response is written after the view returns, so the language is fixed here, now.
    """
    language = translation.get_language()

    def lines() -> Iterator[str]:
        with translation.override(language):
            buffer = io.StringIO()
            writer = formula_safe_writer(buffer)

            def flush() -> str:
                text = buffer.getvalue()
                buffer.seek(0)
                buffer.truncate()
                return text

            writer.writerow(_header(with_staff=with_staff))
            yield BYTE_ORDER_MARK + flush()
            for record in records.iterator(chunk_size=500):
                writer.writerow(_row(record, with_staff=with_staff))
                yield flush()

    return lines()
