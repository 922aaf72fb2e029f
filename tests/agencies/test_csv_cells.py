"""The CSV files of the agencies' pages have no cell that starts a spreadsheet formula."""

import csv
import io

import pytest

from portal.csv_safety import FORMULA_STARTS

pytestmark = pytest.mark.django_db


def test_the_staff_list_template_has_no_cell_that_starts_a_formula(
    client, agency_admin, admin_membership
):
    client.force_login(agency_admin)
    response = client.get("/gov/staff/template.csv")
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"), newline="")))
    assert rows
    assert not any(cell.startswith(FORMULA_STARTS) for row in rows for cell in row)
