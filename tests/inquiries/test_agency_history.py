"""/gov/history/: an agency's past lookups. Staff see their own, the agency admin the whole
agency's, nobody another agency's; filtered by date (Jalali or ISO) and national code, paginated
with a fixed number of queries."""

import datetime

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext

from inquiries import gov_views
from inquiries.disclosures import record_disclosure
from inquiries.models import DisclosureChannel
from tests.conftest import make_user
from tests.inquiries.conftest import LOOKED_UP, UNKNOWN

pytestmark = pytest.mark.django_db
URL = "/gov/history/"


@pytest.fixture(autouse=True)
def _english(client):
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"


def disclose(mou, staff, national_code=LOOKED_UP, *, at=None, **extra):
    with time_machine.travel(at or datetime.datetime(2026, 5, 1, 8, tzinfo=datetime.UTC)):
        return record_disclosure(
            national_code=national_code,
            staff_member=staff,
            mou=mou,
            channel=DisclosureChannel.DIRECT_INQUIRY,
            scopes=mou.scopes,
            record_found=True,
            purpose="benefit_eligibility",
            **extra,
        )


@pytest.fixture
def two_agencies(agency_staff, agency_admin, other_citizen, make_panel):
    """Agency X: a staff member and the admin; agency Y: one staff member (other_citizen)."""
    x = make_panel(agency_staff)
    make_panel(agency_admin, mou=x, role="admin")
    y = make_panel(other_citizen)
    disclose(x, agency_staff, case_reference="X-STAFF")
    disclose(x, agency_admin, case_reference="X-ADMIN")
    disclose(y, other_citizen, case_reference="Y-STAFF")
    return x, y


def test_staff_see_only_their_own_lookups(client, agency_staff, two_agencies):
    client.force_login(agency_staff)
    html = client.get(URL).content.decode()
    assert "X-STAFF" in html
    assert "X-ADMIN" not in html and "Y-STAFF" not in html


def test_the_agency_admin_sees_the_whole_agency_and_no_other(client, agency_admin, two_agencies):
    client.force_login(agency_admin)
    html = client.get(URL).content.decode()
    assert "X-STAFF" in html and "X-ADMIN" in html
    assert "Y-STAFF" not in html


def test_staff_of_another_agency_never_see_this_agencys_lookups(
    client, other_citizen, two_agencies
):
    client.force_login(other_citizen)
    html = client.get(URL).content.decode()
    assert "Y-STAFF" in html
    assert "X-STAFF" not in html and "X-ADMIN" not in html


def test_it_filters_by_jalali_or_iso_dates_and_national_code(client, agency_staff, make_panel):
    mou = make_panel(agency_staff)
    disclose(
        mou,
        agency_staff,
        at=datetime.datetime(2026, 3, 1, 8, tzinfo=datetime.UTC),
        case_reference="MARCH",
    )
    disclose(
        mou,
        agency_staff,
        at=datetime.datetime(2026, 4, 10, 8, tzinfo=datetime.UTC),
        case_reference="APRIL",
    )
    disclose(
        mou,
        agency_staff,
        UNKNOWN,
        at=datetime.datetime(2026, 4, 12, 8, tzinfo=datetime.UTC),
        case_reference="OTHER",
    )
    client.force_login(agency_staff)

    # 1405/01/01 is 2026-03-21: Jalali start, ISO end, Persian digits.
    response = client.post(URL, {"date_from": "۱۴۰۵/۰۱/۰۱", "date_to": "2026-04-11"})
    assert response.status_code == 302
    html = client.get(URL).content.decode()
    assert "APRIL" in html and "MARCH" not in html and "OTHER" not in html

    client.post(URL, {"clear": "1"})
    client.post(URL, {"national_code": UNKNOWN})
    html = client.get(URL).content.decode()
    assert "OTHER" in html and "APRIL" not in html and "MARCH" not in html

    client.post(URL, {"clear": "1"})
    html = client.get(URL).content.decode()
    assert "OTHER" in html and "APRIL" in html and "MARCH" in html


def test_a_bad_filter_is_answered_next_to_its_field(client, agency_staff, make_panel):
    make_panel(agency_staff)
    client.force_login(agency_staff)
    response = client.post(URL, {"date_from": "1405/13/40", "national_code": "12345"})
    assert response.status_code == 400
    assert set(response.context["form"].errors) == {"date_from", "national_code"}
    response = client.post(URL, {"date_from": "2026-04-02", "date_to": "2026-04-01"})
    assert list(response.context["form"].errors) == ["date_to"]


def test_the_national_code_filter_stays_out_of_the_url(client, agency_staff, make_panel):
    make_panel(agency_staff)
    client.force_login(agency_staff)
    response = client.post(URL, {"national_code": LOOKED_UP})
    assert response["Location"] == URL


def test_it_pages_with_a_fixed_number_of_queries(
    client, agency_admin, agency_staff, make_panel, monkeypatch
):
    monkeypatch.setattr(gov_views, "HISTORY_PAGE_SIZE", 5)
    mou = make_panel(agency_admin, role="admin")
    make_panel(agency_staff, mou=mou)
    client.force_login(agency_admin)

    def queries_for_page(page: int) -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get(URL, {"page": page}).status_code == 200
        return len(captured)

    for _ in range(3):
        disclose(mou, agency_staff)
    few = queries_for_page(1)
    for _ in range(9):
        disclose(mou, agency_admin)
    assert queries_for_page(1) == few
    assert queries_for_page(2) == few
    html = client.get(URL, {"page": 3}).content.decode()
    assert "Page 3 of 3" in html and "12 inquiries" in html


def test_the_history_page_has_a_pinned_query_count(
    client, agency_admin, make_panel, django_assert_num_queries
):
    mou = make_panel(agency_admin, role="admin")
    for _ in range(4):
        disclose(mou, agency_admin)
    client.force_login(agency_admin)
    client.get(URL)  # warm the session
    # Session, user with roles and TOTP (one statement on PostgreSQL, two elsewhere: see
    # accounts.authentication), membership with its MoU: 3 before the page; then the count and
    # one page of records with their staff members joined. Plus the inbox count in the navigation.
    with django_assert_num_queries(6 if connection.vendor == "postgresql" else 7):
        client.get(URL)


def test_it_shows_the_staff_member_to_the_admin_only(client, agency_admin, make_panel):
    staff = make_user("0010000097", "+989121110010", first_name="Kian", last_name="Synthetic")
    mou = make_panel(agency_admin, role="admin")
    make_panel(staff, mou=mou)
    disclose(mou, staff)
    client.force_login(agency_admin)
    assert "Kian Synthetic" in client.get(URL).content.decode()


def test_anonymous_visitors_and_citizens_are_turned_away(client, citizen):
    response = client.get(URL)
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    from tests.agencies.conftest import enrol_totp

    enrol_totp(citizen)
    client.force_login(citizen)
    assert client.get(URL).status_code == 403
