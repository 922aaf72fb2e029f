"""Validating the isinsured export: every problem, by row and column, before anything is written."""

from pathlib import Path

import pytest
from django.utils import translation

from isinsured.legacy_file import LegacyFileError, read_legacy_file
from tests.isinsured.conftest import COLUMNS, cell, legacy_rows, with_cell, write_export


def problems_of(tmp_path: Path, rows: list[list[str]]) -> set[tuple[int, str, str]]:
    with translation.override("en"):
        result = read_legacy_file(write_export(tmp_path / "export.csv", rows))
    return {(problem.row, problem.column, problem.message) for problem in result.problems}


def columns_of(problems: set[tuple[int, str, str]]) -> set[tuple[int, str]]:
    return {(row, column) for row, column, _message in problems}


def test_a_good_file_has_no_problems(tmp_path):
    result = read_legacy_file(write_export(tmp_path / "export.csv", legacy_rows(), bom=True))

    assert result.problems == []
    assert len(result.users) == 6
    assert sorted(result.organizations) == ["ORG-001", "ORG-002"]
    assert {user.hash_kind for user in result.users} == {"md5", "sha1"}


@pytest.mark.parametrize(
    ("column", "value", "message"),
    [
        ("national_code", "0012345678", "not valid"),
        ("organization_kind", "ministry", "not a known organization kind"),
        ("mou_date", "1396/13/01", "is not a date"),
        ("mou_date", "2999-01-01", "in the future"),
        ("last_login", "yesterday", "is not a date"),
        ("password_hash", "bcrypt$xyz", "Unknown password hash format"),
        ("password_hash", "md5$abc", "Unknown password hash format"),
        ("organization_legal_id", "10100010003", "not valid"),
        ("mobile", "0211234567", "Iranian mobile"),
        ("email", "not-an-email", "not an email address"),
        ("is_active", "yes", "should be 1"),
        ("username", "two words", "cannot contain spaces"),
    ],
)
def test_a_bad_cell_is_reported_with_its_row_and_column(tmp_path, column, value, message):
    rows = legacy_rows()
    rows[3] = with_cell(rows[3], column, value)

    problems = problems_of(tmp_path, rows)

    assert any(
        (row, found_column) == (5, column) and message in found_message
        for row, found_column, found_message in problems
    ), problems


def test_jalali_and_iso_dates_with_times_and_persian_digits_are_accepted(tmp_path):
    rows = legacy_rows(users=2, organizations=2)
    rows[0] = with_cell(rows[0], "last_login", "۱۴۰۳/۰۱/۱۵ ۰۸:۴۵")
    rows[1] = with_cell(rows[1], "mou_date", "2018-12-17 10:00")

    with translation.override("en"):
        result = read_legacy_file(write_export(tmp_path / "export.csv", rows))

    assert result.problems == []
    assert result.users[0].last_login is not None
    assert result.users[0].last_login.date().isoformat() == "2024-04-03"


def test_the_same_national_code_under_two_legacy_ids_is_reported_on_both(tmp_path):
    rows = legacy_rows()
    rows[4] = with_cell(rows[4], "national_code", cell(rows[1], "national_code"))

    problems = problems_of(tmp_path, rows)

    assert {(3, "national_code"), (6, "national_code")} <= columns_of(problems)
    assert any("legacy user id 10005 (row 6)" in message for _r, _c, message in problems)


def test_the_same_legacy_id_or_user_name_twice_is_reported(tmp_path):
    rows = legacy_rows()
    rows[2] = with_cell(rows[2], "legacy_user_id", cell(rows[0], "legacy_user_id"))
    rows[3] = with_cell(rows[3], "username", "USER2")

    problems = columns_of(problems_of(tmp_path, rows))

    assert (4, "legacy_user_id") in problems
    assert (5, "username") in problems


def test_an_organization_described_two_ways_is_reported(tmp_path):
    rows = legacy_rows()
    rows[2] = with_cell(rows[2], "mou_number", "OTHER-1")

    problems = columns_of(problems_of(tmp_path, rows))

    assert problems == {(4, "mou_number")}


def test_a_second_person_with_the_same_mobile_is_kept_without_it(tmp_path):
    rows = legacy_rows()
    rows[3] = with_cell(rows[3], "mobile", cell(rows[0], "mobile"))

    result = read_legacy_file(write_export(tmp_path / "export.csv", rows))

    assert result.problems == []
    assert result.users[3].mobile == ""
    assert "row 2" in result.users[3].note


def test_a_wrong_header_stops_everything(tmp_path):
    path = tmp_path / "export.csv"
    path.write_text(",".join(reversed(COLUMNS)) + "\n", encoding="utf-8")

    with translation.override("en"), pytest.raises(LegacyFileError, match="header row should be"):
        read_legacy_file(path)


def test_a_file_that_is_not_utf8_stops_everything(tmp_path):
    path = tmp_path / "export.csv"
    path.write_bytes(",".join(COLUMNS).encode() + b"\n" + "نام".encode("cp1256") + b"\n")

    with translation.override("en"), pytest.raises(LegacyFileError, match="not UTF-8"):
        read_legacy_file(path)


def test_the_documented_example_file_is_valid():
    example = Path(__file__).resolve().parents[2] / "docs" / "examples" / "isinsured.csv"

    result = read_legacy_file(example)

    assert result.problems == []
    assert result.rows_total >= 6
