"""/gov/staff/export.csv: the agency admin downloads the current staff list, as the staff page
shows it, for their own agency only."""

import csv
import datetime
import io

import pytest
import time_machine

from agencies.models import Membership
from tests.agencies.conftest import add_member, enrol_totp
from tests.agencies.factories import AgencyFactory

pytestmark = pytest.mark.django_db
EXPORT = "/gov/staff/export.csv"


@pytest.fixture
def admin_client(client, agency_admin, admin_membership):
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    client.force_login(agency_admin)
    return client


def rows_of(response) -> list[list[str]]:
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert "attachment" in response["Content-Disposition"]
    assert response.content.startswith(b"\xef\xbb\xbf")
    return list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"), newline="")))


def test_the_admin_downloads_the_current_staff(
    admin_client, agency, agency_admin, agency_staff, operator
):
    with time_machine.travel(datetime.datetime(2026, 5, 1, 8, tzinfo=datetime.UTC)):
        membership = add_member(agency_staff, agency, "staff", operator)
    Membership.objects.filter(pk=membership.pk).update(position="=Clerk")

    header, *rows = rows_of(admin_client.get(EXPORT))

    assert header == ["National code", "First name", "Last name", "Position", "Role", "Since"]
    by_code = {row[0]: row for row in rows}
    assert set(by_code) == {agency_admin.national_code, agency_staff.national_code}
    staff_row = by_code[agency_staff.national_code]
    assert staff_row[3] == "'=Clerk"  # a formula typed as a position stays text
    assert staff_row[4] == "Staff member"
    assert staff_row[5] == "1405/02/11"


def test_removed_staff_and_other_agencies_are_not_in_it(
    admin_client, agency, agency_staff, outsider, operator
):
    removed = add_member(agency_staff, agency, "staff", operator)
    Membership.objects.filter(pk=removed.pk).update(is_active=False)
    add_member(outsider, AgencyFactory.create(), "staff", operator)

    text = admin_client.get(EXPORT).content.decode("utf-8-sig")

    assert agency_staff.national_code not in text
    assert outsider.national_code not in text


def test_staff_cannot_download_the_staff_list(client, agency_staff, staff_membership):
    client.force_login(agency_staff)
    response = client.get(EXPORT)
    assert response.status_code == 403
    assert agency_staff.national_code.encode() not in response.content


def test_the_staff_page_links_to_the_download(admin_client):
    assert f'href="{EXPORT}"'.encode() in admin_client.get("/gov/staff/").content


def test_someone_without_totp_is_sent_to_enrol_not_given_the_list(
    client, agency, citizen, operator
):
    add_member(citizen, agency, "admin", operator)
    client.force_login(citizen)
    assert client.get(EXPORT)["Location"] == "/accounts/2fa/totp/activate/"
    enrol_totp(citizen)
    assert client.get(EXPORT).status_code == 200
