"""`import_coverage`: registry files in, good rows written, bad rows reported.

Every test runs through the portable writer, and through COPY on PostgreSQL.
"""

import csv
import datetime
import io
import shutil
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command
from django.db import transaction
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from inquiries.importing import COLUMNS, ImportFileError, RecordKind, import_registry_file
from inquiries.models import CoveragePeriod, InsuredPerson, PensionRecord

EXAMPLES = Path(settings.BASE_DIR) / "docs" / "examples"
# Synthetic national codes with valid check digits.
SARA, REZA, MARYAM, AKBAR, NOBODY = (
    "9900000013",
    "9900000021",
    "9900000031",
    "9900000048",
    "9900000056",
)
BAD_CHECK_DIGIT = "9900000014"


@pytest.fixture(
    params=[
        pytest.param(False, id="portable"),
        pytest.param(True, id="copy", marks=pytest.mark.postgres),
    ]
)
def use_copy(request) -> bool:
    return request.param


@pytest.fixture
def run_import(db, use_copy, tmp_path):
    def run(kind: str, path: Path, **options):
        return import_registry_file(kind=kind, path=path, use_copy=use_copy, **options)

    return run


def write_file(tmp_path: Path, kind: str, rows: list[list[str]], *, name: str = "") -> Path:
    path = tmp_path / (name or f"{kind}.csv")
    with path.open("w", encoding="utf-8", newline="") as file:
        writer = csv.writer(file)
        writer.writerow(COLUMNS[RecordKind(kind)])
        writer.writerows(rows)
    return path


def person_row(code: str, **changes: str) -> list[str]:
    row = {
        "national_code": code,
        "insurance_number": "1234567890",
        "first_name": "Sample",
        "last_name": "Person",
        "father_name": "Father",
        "birth_date": "1365/04/12",
        "gender": "F",
    } | changes
    return list(row.values())


def period_row(code: str, **changes: str) -> list[str]:
    row = {
        "national_code": code,
        "workshop_code": "1000123456",
        "workshop_name": "Sample Bakery",
        "coverage_kind": "mandatory",
        "start_date": "1395/01/01",
        "end_date": "1399/12/29",
        "days": "1800",
        "monthly_wage": "95000000",
    } | changes
    return list(row.values())


def pension_row(code: str, **changes: str) -> list[str]:
    row = {
        "national_code": code,
        "pension_number": "70000001",
        "role": "main",
        "kind": "retirement",
        "start_date": "1381/01/01",
        "status": "active",
        "main_national_code": "",
    } | changes
    return list(row.values())


def read_report(path: Path) -> list[tuple[int, str, str]]:
    with path.open(encoding="utf-8", newline="") as file:
        rows = list(csv.reader(file))
    assert rows[0] == ["row", "column", "problem"]
    return [(int(row), column, problem) for row, column, problem in rows[1:]]


def registry_snapshot() -> tuple[list, list, list]:
    return (
        list(InsuredPerson.objects.order_by("national_code").values_list()),
        list(CoveragePeriod.objects.order_by("id").values_list()),
        list(PensionRecord.objects.order_by("id").values_list()),
    )


@pytest.fixture
def persons(run_import, tmp_path):
    path = write_file(tmp_path, "persons", [person_row(code) for code in (SARA, REZA, AKBAR)])
    run_import("persons", path)


# --- Good files --------------------------------------------------------------------------------


def test_it_imports_the_example_files(run_import):
    summaries = [run_import(kind, EXAMPLES / f"{kind}.csv") for kind in COLUMNS]
    assert [(s.rows_read, s.created, s.rejected) for s in summaries] == [
        (4, 4, 0),
        (5, 5, 0),
        (2, 2, 0),
    ]
    sara = InsuredPerson.objects.get(national_code=SARA)
    assert (sara.first_name, sara.birth_date, sara.gender) == (
        "Sara",
        datetime.date(1986, 7, 3),
        "F",
    )
    open_period = sara.coverage_periods.get(end_date=None)
    assert (open_period.workshop_code, open_period.days, open_period.monthly_wage) == (
        "1000987654",
        1500,
        180_000_000,
    )
    dependent = PensionRecord.objects.get(person__national_code=MARYAM)
    assert (dependent.role, dependent.kind, dependent.main_national_code) == (
        "dependent",
        "survivor",
        AKBAR,
    )


def test_importing_the_same_file_twice_changes_nothing(run_import):
    for kind in COLUMNS:
        run_import(kind, EXAMPLES / f"{kind}.csv")
    before = registry_snapshot()
    again = [run_import(kind, EXAMPLES / f"{kind}.csv") for kind in COLUMNS]
    assert registry_snapshot() == before
    assert [(s.created, s.updated, s.unchanged) for s in again] == [(0, 0, 4), (0, 0, 5), (0, 0, 2)]


def test_a_changed_row_updates_its_record_in_place(run_import, persons, tmp_path):
    run_import("periods", write_file(tmp_path, "periods", [period_row(SARA)]))
    period_id = CoveragePeriod.objects.get().id
    changed = write_file(tmp_path, "periods", [period_row(SARA, end_date="", days="2000")])
    summary = run_import("periods", changed)
    assert (summary.created, summary.updated) == (0, 1)
    period = CoveragePeriod.objects.get()
    assert (period.id, period.end_date, period.days) == (period_id, None, 2000)


def test_it_reads_jalali_and_iso_dates_alike(run_import, tmp_path):
    path = write_file(
        tmp_path,
        "persons",
        [person_row(SARA, birth_date="1402/05/01"), person_row(REZA, birth_date="2023-07-23")],
    )
    run_import("persons", path)
    assert set(InsuredPerson.objects.values_list("birth_date", flat=True)) == {
        datetime.date(2023, 7, 23)
    }


def test_it_accepts_persian_and_arabic_digits(run_import, tmp_path):
    path = write_file(
        tmp_path,
        "persons",
        [person_row("۹۹۰۰۰۰۰۰۱۳", insurance_number="١٢٣٤٥", birth_date="۱۳۶۵/۰۴/۱۲")],
    )
    run_import("persons", path)
    periods = write_file(
        tmp_path, "periods", [period_row("۹۹۰۰۰۰۰۰۱۳", days="۱۸۰۰", monthly_wage="۹۵٬۰۰۰٬۰۰۰")]
    )
    assert run_import("periods", periods).created == 1
    person = InsuredPerson.objects.get()
    assert (person.national_code, person.insurance_number, person.birth_date) == (
        SARA,
        "12345",
        datetime.date(1986, 7, 3),
    )
    assert CoveragePeriod.objects.values_list("days", "monthly_wage").get() == (1800, 95_000_000)


def test_it_tolerates_a_byte_order_mark(run_import, tmp_path):
    path = write_file(tmp_path, "persons", [person_row(SARA)])
    path.write_bytes(b"\xef\xbb\xbf" + path.read_bytes())
    assert run_import("persons", path).created == 1


def test_a_file_with_only_its_header_imports_nothing(run_import, tmp_path):
    summary = run_import("periods", write_file(tmp_path, "periods", []))
    assert (summary.rows_read, summary.created, summary.error_report) == (0, 0, None)


def test_a_blank_line_is_skipped(run_import, tmp_path):
    path = write_file(tmp_path, "persons", [person_row(SARA), [], person_row(REZA)])
    summary = run_import("persons", path)
    assert (summary.rows_read, summary.created, summary.rejected) == (2, 2, 0)


def test_untidy_but_valid_cells_are_cleaned_the_same_way_on_every_path(run_import, tmp_path):
    # On PostgreSQL these rows leave the SQL lane (which only takes cells already clean) for
    # the Python parsers; the stored values must not depend on the path.
    persons = write_file(
        tmp_path,
        "persons",
        [
            person_row(
                "۹۹۰۰ ۰۰۰-۰۱۳",
                insurance_number=" 12 34 ",
                first_name="  Sara \t Maryam  ",
                father_name="\u00a0Ali",
                birth_date=" 1365/4/12 ",
                gender="f",
            )
        ],
    )
    assert run_import("persons", persons).created == 1
    periods = write_file(
        tmp_path,
        "periods",
        [
            period_row(
                "٩٩٠٠٠٠٠٠١٣",
                workshop_code="1000-123456",
                workshop_name="Sample  Bakery",
                coverage_kind=" Mandatory ",
                start_date="۱۳۹۵-۰۱-۰۱",
                end_date=" ",
                days="0010",
                monthly_wage="95,000,000",
            )
        ],
    )
    assert run_import("periods", periods).created == 1
    assert InsuredPerson.objects.values_list(
        "national_code", "insurance_number", "first_name", "father_name", "birth_date", "gender"
    ).get() == (SARA, "1234", "Sara Maryam", "Ali", datetime.date(1986, 7, 3), "F")
    assert CoveragePeriod.objects.values_list(
        "workshop_code",
        "workshop_name",
        "coverage_kind",
        "start_date",
        "end_date",
        "days",
        "monthly_wage",
    ).get() == (
        "1000123456",
        "Sample Bakery",
        "mandatory",
        datetime.date(2016, 3, 20),
        None,
        10,
        95_000_000,
    )


def test_quoted_cells_may_hold_commas_and_line_breaks(run_import, tmp_path):
    path = write_file(
        tmp_path,
        "persons",
        [
            person_row(SARA, first_name='Sara, "Sally"', last_name="Two\nLines"),
            person_row(BAD_CHECK_DIGIT),
        ],
    )
    summary = run_import("persons", path)
    assert (summary.created, summary.rejected) == (1, 1)
    assert InsuredPerson.objects.values_list("first_name", "last_name").get() == (
        'Sara, "Sally"',
        "Two Lines",
    )
    # Rows are records, as a spreadsheet shows them, not lines.
    assert [row for row, _, _ in read_report(summary.error_report)] == [3]


def test_a_last_line_without_a_line_break_is_read(run_import, tmp_path):
    path = tmp_path / "persons.csv"
    header = ",".join(COLUMNS[RecordKind.PERSONS])
    path.write_text(f"{header}\n{','.join(person_row(SARA))}", encoding="utf-8")
    assert run_import("persons", path).created == 1


def test_rows_are_numbered_alike_across_chunks_of_every_kind(run_import, tmp_path, monkeypatch):
    # Tiny chunks: some pass to COPY whole, some line by line, the quoted one by the CSV reader.
    monkeypatch.setattr("inquiries.importing.reading.COPY_CHUNK_BYTES", 64)
    codes = [SARA, REZA, MARYAM, AKBAR]
    rows = [
        person_row(codes[0]),
        person_row(codes[1])[:-1],
        [],
        person_row(codes[1]),
        person_row(BAD_CHECK_DIGIT),
        person_row(codes[2], first_name="Quoted, name"),
        person_row(codes[3], gender="X"),
    ]
    path = write_file(tmp_path, "persons", rows)
    path.write_bytes(path.read_bytes().replace(b"\r\n", b"\n"))
    summary = run_import("persons", path)
    assert (summary.rows_read, summary.created, summary.rejected) == (6, 3, 3)
    assert [(row, column) for row, column, _ in read_report(summary.error_report)] == [
        (3, ""),
        (6, "national_code"),
        (8, "gender"),
    ]
    assert InsuredPerson.objects.get(national_code=MARYAM).first_name == "Quoted, name"


def test_the_limits_of_each_cell_are_the_same_on_every_path(run_import, persons, tmp_path):
    path = write_file(
        tmp_path,
        "periods",
        [
            period_row(SARA, days="2147483647", monthly_wage="9223372036854775807"),
            period_row(SARA, workshop_code="2", days="2147483648"),
            period_row(SARA, workshop_code="3", workshop_name="x" * 200),
            period_row(SARA, workshop_code="4", workshop_name="x" * 201),
            period_row(SARA, workshop_code="5" * 20),
            period_row(SARA, workshop_code="6" * 21),
            period_row(SARA, workshop_code="7", monthly_wage=""),
        ],
    )
    summary = run_import("periods", path)
    assert [(row, column) for row, column, _ in read_report(summary.error_report)] == [
        (3, "days"),
        (5, "workshop_name"),
        (7, "workshop_code"),
    ]
    assert CoveragePeriod.objects.get(workshop_code="1000123456").days == 2147483647
    assert CoveragePeriod.objects.get(workshop_code="7").monthly_wage is None


# --- Bad rows ----------------------------------------------------------------------------------


def test_a_bad_check_digit_is_reported_and_the_other_rows_are_imported(run_import, tmp_path):
    path = write_file(tmp_path, "persons", [person_row(SARA), person_row(BAD_CHECK_DIGIT)])
    summary = run_import("persons", path)
    assert (summary.created, summary.rejected) == (1, 1)
    assert summary.error_report == tmp_path / "persons.errors.csv"
    [(row, column, problem)] = read_report(summary.error_report)
    assert (row, column) == (3, "national_code")
    assert "not valid" in problem
    assert list(InsuredPerson.objects.values_list("national_code", flat=True)) == [SARA]


def test_a_period_for_an_unknown_person_is_reported(run_import, persons, tmp_path):
    path = write_file(tmp_path, "periods", [period_row(NOBODY), period_row(SARA)])
    summary = run_import("periods", path)
    assert (summary.created, summary.rejected) == (1, 1)
    [(row, column, problem)] = read_report(summary.error_report)
    assert (row, column) == (2, "national_code")
    assert "No insured person" in problem


@pytest.mark.parametrize("bad_date", ["1402/13/01", "2023-02-30", "yesterday", "1850-01-01"])
def test_a_bad_date_is_reported(run_import, persons, tmp_path, bad_date):
    summary = run_import(
        "periods", write_file(tmp_path, "periods", [period_row(SARA, start_date=bad_date)])
    )
    assert summary.rejected == 1
    [(row, column, problem)] = read_report(summary.error_report)
    assert (row, column) == (2, "start_date")
    assert bad_date in problem


def test_a_period_that_ends_before_it_starts_is_reported(run_import, persons, tmp_path):
    path = write_file(
        tmp_path, "periods", [period_row(SARA, start_date="1400/01/01", end_date="1399/12/29")]
    )
    summary = run_import("periods", path)
    assert summary.rejected == 1
    assert [(r, c) for r, c, _ in read_report(summary.error_report)] == [(2, "end_date")]
    assert not CoveragePeriod.objects.exists()


def test_an_unknown_coverage_kind_is_reported(run_import, persons, tmp_path):
    summary = run_import(
        "periods", write_file(tmp_path, "periods", [period_row(SARA, coverage_kind="casual")])
    )
    [(row, column, problem)] = read_report(summary.error_report)
    assert (row, column) == (2, "coverage_kind")
    assert "mandatory, self_employed, voluntary, special" in problem


def test_a_row_with_the_wrong_number_of_columns_is_reported(run_import, persons, tmp_path):
    path = write_file(tmp_path, "periods", [period_row(SARA)[:-1], [*period_row(REZA), "extra"]])
    summary = run_import("periods", path)
    assert summary.rejected == 2
    assert read_report(summary.error_report) == [
        (2, "", "Expected 8 columns, found 7."),
        (3, "", "Expected 8 columns, found 9."),
    ]


def test_a_code_of_one_repeated_digit_is_rejected_despite_its_check_digit(run_import, tmp_path):
    summary = run_import("persons", write_file(tmp_path, "persons", [person_row("1111111111")]))
    assert [(r, c) for r, c, _ in read_report(summary.error_report)] == [(2, "national_code")]


def test_a_birth_date_in_the_future_is_reported(run_import, tmp_path):
    path = write_file(tmp_path, "persons", [person_row(SARA, birth_date="2999-01-01")])
    [(row, column, problem)] = read_report(run_import("persons", path).error_report)
    assert (row, column, problem) == (2, "birth_date", "The birth date is in the future.")


def test_every_problem_of_a_row_is_reported(run_import, tmp_path):
    path = write_file(tmp_path, "persons", [person_row(BAD_CHECK_DIGIT, first_name="", gender="X")])
    summary = run_import("persons", path)
    assert summary.rejected == 1
    columns = [column for _, column, _ in read_report(summary.error_report)]
    assert columns == ["national_code", "first_name", "gender"]


def test_the_same_record_twice_in_a_file_keeps_the_first(run_import, persons, tmp_path):
    path = write_file(
        tmp_path, "periods", [period_row(SARA, days="10"), period_row(SARA, days="20")]
    )
    summary = run_import("periods", path)
    assert (summary.created, summary.rejected) == (1, 1)
    assert CoveragePeriod.objects.get().days == 10
    [(row, _column, problem)] = read_report(summary.error_report)
    assert row == 3
    assert "row 2" in problem


def test_a_dependent_pension_needs_its_main_pensioner(run_import, persons, tmp_path):
    path = write_file(
        tmp_path,
        "pensions",
        [
            pension_row(SARA, role="dependent", kind="survivor"),
            pension_row(REZA, main_national_code=AKBAR),
            pension_row(AKBAR, role="dependent", main_national_code=AKBAR),
        ],
    )
    summary = run_import("pensions", path)
    assert summary.rejected == 3
    assert [(r, c) for r, c, _ in read_report(summary.error_report)] == [
        (2, "main_national_code"),
        (3, "main_national_code"),
        (4, "main_national_code"),
    ]


def test_the_report_lists_problems_in_row_order(run_import, persons, tmp_path):
    path = write_file(
        tmp_path,
        "periods",
        [
            period_row(NOBODY),
            period_row(SARA, days="-1"),
            period_row(NOBODY, start_date="1390/01/01"),
        ],
    )
    summary = run_import("periods", path)
    assert [row for row, _, _ in read_report(summary.error_report)] == [2, 3, 4]


def test_the_error_report_goes_where_asked(run_import, tmp_path):
    path = write_file(tmp_path, "persons", [person_row(BAD_CHECK_DIGIT)])
    report = tmp_path / "reports" / "mine.csv"
    report.parent.mkdir()
    assert run_import("persons", path, error_report_path=report).error_report == report
    assert len(read_report(report)) == 1


def test_a_clean_import_writes_no_report(run_import, tmp_path):
    summary = run_import("persons", write_file(tmp_path, "persons", [person_row(SARA)]))
    assert summary.error_report is None
    assert not (tmp_path / "persons.errors.csv").exists()


# --- Files that cannot be imported -------------------------------------------------------------


def test_a_wrong_header_stops_before_anything_is_written(run_import, tmp_path):
    path = tmp_path / "persons.csv"
    shutil.copy(EXAMPLES / "periods.csv", path)
    with pytest.raises(ImportFileError, match="This looks like a periods file"):
        run_import("persons", path)
    assert not InsuredPerson.objects.exists()
    assert not (tmp_path / "persons.errors.csv").exists()


def test_a_missing_file_stops_the_import(run_import, tmp_path):
    with pytest.raises(ImportFileError, match="Cannot read"):
        run_import("persons", tmp_path / "nowhere.csv")


def test_an_empty_file_stops_the_import(run_import, tmp_path):
    path = tmp_path / "persons.csv"
    path.write_bytes(b"")
    with pytest.raises(ImportFileError, match="empty"):
        run_import("persons", path)


def test_a_file_that_is_not_utf8_half_way_leaves_the_registry_as_it_was(run_import, tmp_path):
    good = write_file(tmp_path, "persons", [person_row(SARA)])
    run_import("persons", good)
    before = registry_snapshot()
    buffer = io.StringIO()
    csv.writer(buffer).writerows([person_row(REZA)] * 1 + [person_row(AKBAR)])
    path = tmp_path / "broken.csv"
    path.write_bytes(
        good.read_bytes() + buffer.getvalue().encode() + "Ali,Ahmadi".encode("cp1256") + b"\xff\n"
    )
    with pytest.raises(ImportFileError, match="not UTF-8"):
        run_import("persons", path)
    assert registry_snapshot() == before


# --- Replace -----------------------------------------------------------------------------------


def test_replace_removes_the_periods_the_file_no_longer_lists(run_import, persons, tmp_path):
    first = write_file(
        tmp_path,
        "periods",
        [period_row(SARA), period_row(SARA, workshop_code="2"), period_row(REZA)],
    )
    run_import("periods", first)
    second = write_file(
        tmp_path, "periods", [period_row(SARA, workshop_code="3")], name="second.csv"
    )
    summary = run_import("periods", second, replace=True)
    assert (summary.created, summary.deleted) == (1, 2)
    assert sorted(CoveragePeriod.objects.values_list("person__national_code", "workshop_code")) == [
        (SARA, "3"),
        (REZA, "1000123456"),
    ]


def test_without_replace_other_periods_stay(run_import, persons, tmp_path):
    run_import("periods", write_file(tmp_path, "periods", [period_row(SARA)]))
    later = write_file(tmp_path, "periods", [period_row(SARA, workshop_code="3")], name="b.csv")
    assert run_import("periods", later).deleted == 0
    assert CoveragePeriod.objects.count() == 2


def test_replace_spares_a_person_with_a_rejected_row(run_import, persons, tmp_path):
    run_import(
        "periods",
        write_file(tmp_path, "periods", [period_row(SARA), period_row(SARA, workshop_code="2")]),
    )
    second = write_file(
        tmp_path,
        "periods",
        [period_row(SARA, workshop_code="3"), period_row(SARA, start_date="not a date")],
        name="second.csv",
    )
    summary = run_import("periods", second, replace=True)
    assert (summary.created, summary.rejected, summary.deleted) == (1, 1, 0)
    assert CoveragePeriod.objects.count() == 3


def test_replace_works_for_pensions(run_import, persons, tmp_path):
    run_import(
        "pensions",
        write_file(
            tmp_path, "pensions", [pension_row(AKBAR), pension_row(AKBAR, pension_number="2")]
        ),
    )
    later = write_file(tmp_path, "pensions", [pension_row(AKBAR, status="ended")], name="b.csv")
    summary = run_import("pensions", later, replace=True)
    assert (summary.updated, summary.deleted) == (1, 1)
    assert list(PensionRecord.objects.values_list("pension_number", "status")) == [
        ("70000001", "ended")
    ]


# --- The command -------------------------------------------------------------------------------


def test_the_command_prints_a_summary(db, tmp_path):
    out, err = io.StringIO(), io.StringIO()
    path = write_file(tmp_path, "persons", [person_row(SARA), person_row(BAD_CHECK_DIGIT)])
    call_command("import_coverage", "persons", str(path), "--no-progress", stdout=out, stderr=err)
    assert "2 rows read" in out.getvalue()
    assert "1 created, 0 updated, 0 unchanged, 1 rejected, 0 deleted" in out.getvalue()
    assert "persons.errors.csv" in err.getvalue()


def test_the_command_refuses_replace_for_persons(db, tmp_path):
    path = write_file(tmp_path, "persons", [person_row(SARA)])
    with pytest.raises(CommandError, match="--replace"):
        call_command("import_coverage", "persons", str(path), "--replace")


def test_the_command_stops_on_a_wrong_header(db, tmp_path):
    with pytest.raises(CommandError, match="Nothing was imported"):
        call_command("import_coverage", "pensions", str(EXAMPLES / "persons.csv"), "--no-progress")
    assert not InsuredPerson.objects.exists()


def test_the_command_shows_progress(db, tmp_path):
    err = io.StringIO()
    path = write_file(tmp_path, "persons", [person_row(SARA)])
    call_command("import_coverage", "persons", str(path), stdout=io.StringIO(), stderr=err)
    assert "rows/s" in err.getvalue()


# --- One set of rules --------------------------------------------------------------------------
# On PostgreSQL, SQL only recognises rows that are already clean and Python checks the rest, so
# whatever the cells, both paths must store the same records and report the same problems.

NOISE = st.text(alphabet='0123456789۰۱۲۹٠١ -/,"\t\u00a0\u200caZ', max_size=12)


def untidy(*valid: str) -> st.SearchStrategy[str]:
    padding = st.sampled_from(["", " ", "\u00a0", "\t", "  "])
    return st.one_of(
        st.sampled_from(valid),
        st.builds(
            lambda value, before, after: before + value + after,
            st.sampled_from(valid),
            padding,
            padding,
        ),
        NOISE,
    )


PERIOD_CELLS = st.tuples(
    untidy(SARA, REZA, "۹۹۰۰۰۰۰۰۱۳", NOBODY, BAD_CHECK_DIGIT, "1111111111"),
    untidy("1", "1000123456", "5" * 20, "6" * 21, "۱۲۳", "12-34"),
    untidy("", "Bakery", "نانوایی نمونه", "a  b", "x" * 200, "x" * 201),
    untidy("mandatory", "voluntary", "Mandatory", "casual"),
    untidy("1395/01/01", "2016-03-20", "1402/13/01", "1850-01-01", "۱۳۹۵/۰۱/۰۱", "1395/1/1"),
    untidy("", "1399/12/29", "1394/01/01", "2023-02-30"),
    untidy("0", "10", "2147483647", "2147483648", "1,800", "-1", "۱۸۰۰"),
    untidy("", "95000000", "9223372036854775807", "9223372036854775808", "95,000,000"),
)


def import_and_forget(kind: str, path: Path, *, use_copy: bool) -> tuple:
    """What an import stores and reports, rolled back afterwards."""
    with transaction.atomic():
        summary = import_registry_file(kind=kind, path=path, use_copy=use_copy)
        outcome = (
            (summary.rows_read, summary.created, summary.updated, summary.rejected),
            read_report(summary.error_report) if summary.error_report else [],
            sorted(
                CoveragePeriod.objects.values_list(
                    "person__national_code",
                    "workshop_code",
                    "workshop_name",
                    "coverage_kind",
                    "start_date",
                    "end_date",
                    "days",
                    "monthly_wage",
                )
            ),
        )
        transaction.set_rollback(True)
    return outcome


@pytest.mark.postgres
@hypothesis_settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(rows=st.lists(PERIOD_CELLS, min_size=1, max_size=6))
def test_copy_and_portable_imports_agree_on_any_cells(db, tmp_path, rows):
    for code in (SARA, REZA):
        InsuredPerson.objects.get_or_create(
            national_code=code,
            defaults={
                "first_name": "A",
                "last_name": "B",
                "birth_date": datetime.date(1980, 1, 1),
                "gender": "F",
            },
        )
    path = write_file(tmp_path, "periods", [list(row) for row in rows])
    portable = import_and_forget("periods", path, use_copy=False)
    assert import_and_forget("periods", path, use_copy=True) == portable
