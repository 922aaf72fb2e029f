"""The disclosure log in the admin: operators read and search it; nobody adds, changes or
deletes a record there."""

import datetime

import jdatetime
import pytest
import time_machine
from django.utils import timezone
from django.utils.translation import override as translation_override

from inquiries.disclosures import record_disclosure
from inquiries.models import DisclosureChannel, DisclosureRecord
from portal.jalali import format_date
from tests.agencies.conftest import enrol_totp
from tests.inquiries.conftest import LOOKED_UP, UNKNOWN

pytestmark = pytest.mark.django_db
CHANGELIST = "/admin/inquiries/disclosurerecord/"


@pytest.fixture
def records(agency_staff, make_panel):
    mou = make_panel(agency_staff)
    return [
        record_disclosure(
            national_code=code,
            staff_member=agency_staff,
            mou=mou,
            channel=DisclosureChannel.DIRECT_INQUIRY,
            scopes=mou.scopes,
            record_found=True,
            purpose="benefit_eligibility",
        )
        for code in [LOOKED_UP, UNKNOWN]
    ]


@pytest.fixture
def signed_in_operator(client, operator):
    enrol_totp(operator)
    client.force_login(operator)
    return operator


def test_operators_can_search_the_log_by_national_code(client, signed_in_operator, records):
    response = client.get(CHANGELIST, {"q": UNKNOWN})
    assert response.status_code == 200
    assert list(response.context["cl"].result_list) == [records[1]]


def test_operators_can_read_a_record_but_not_change_it(client, signed_in_operator, records):
    url = f"{CHANGELIST}{records[0].pk}/change/"
    response = client.get(url)
    assert response.status_code == 200
    assert b'name="_save"' not in response.content
    response = client.post(url, {"purpose": "curiosity"})
    assert response.status_code == 403
    assert DisclosureRecord.objects.get(pk=records[0].pk).purpose == "benefit_eligibility"


def test_nobody_adds_or_deletes_records_in_the_admin(client, signed_in_operator, records):
    assert client.get(f"{CHANGELIST}add/").status_code == 403
    assert client.post(f"{CHANGELIST}{records[0].pk}/delete/", {"post": "yes"}).status_code == 403
    response = client.post(
        CHANGELIST,
        {"action": "delete_selected", "_selected_action": [records[0].pk], "post": "yes"},
    )
    assert DisclosureRecord.objects.count() == 2
    assert response.status_code in (200, 302)


def test_committee_reviewers_and_agency_staff_cannot_open_the_log(
    client, committee_reviewer, agency_staff, records
):
    enrol_totp(committee_reviewer)
    client.force_login(committee_reviewer)
    assert client.get(CHANGELIST).status_code == 403
    client.force_login(agency_staff)
    assert client.get(CHANGELIST).status_code == 302  # not admin staff: sent to sign in


def test_the_log_shows_jalali_dates_and_filters_by_jalali_month_in_persian(
    client, signed_in_operator, records, agency_staff
):
    with time_machine.travel(timezone.now() - datetime.timedelta(days=70)):
        older = record_disclosure(
            national_code=LOOKED_UP,
            staff_member=agency_staff,
            mou=records[0].mou,
            channel=DisclosureChannel.DIRECT_INQUIRY,
            scopes=records[0].scopes,
            record_found=True,
            purpose="benefit_eligibility",
        )
    page = client.get(CHANGELIST, HTTP_ACCEPT_LANGUAGE="fa").content.decode()
    with translation_override("fa"):
        assert format_date(records[0].created_at, with_time=True) in page
        assert format_date(older.created_at, with_time=True) in page
    this_month = jdatetime.date.fromgregorian(date=timezone.localtime(records[0].created_at).date())
    month = f"{this_month.year}-{this_month.month:02d}"
    assert f"?month={month}" in page
    filtered = client.get(CHANGELIST, {"month": month}).context["cl"].result_list
    assert {record.pk for record in filtered} == {record.pk for record in records}
    # Django's Gregorian date hierarchy is gone from the page.
    assert "created_at__year" not in page
