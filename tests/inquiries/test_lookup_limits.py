"""Lookup limits: per staff member per minute, per agency per day (from the MoU's expected
volume); the (limit+1)th lookup gets 429, and crossing the day's limit tells the operators once."""

import datetime

import pytest
import time_machine
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext

from agencies.models import AccessRequest
from agencies.scopes import Scope
from inquiries import limits, services
from inquiries.models import DisclosureRecord
from tests.agencies.factories import AccessRequestFactory
from tests.conftest import make_user
from tests.inquiries.conftest import lookup_data

pytestmark = pytest.mark.django_db
URL = "/gov/inquiry/"
START = datetime.datetime(2026, 6, 1, 6, 0, tzinfo=datetime.UTC)


@pytest.fixture(autouse=True)
def _english_on_a_fixed_clock(client):
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    with time_machine.travel(START, tick=False) as traveller:
        yield traveller


@pytest.fixture
def operator_with_email(operator):
    operator.email = "it@portal.example"
    operator.language = "en"  # the email is written in the operator's language
    operator.save(update_fields=["email", "language"])
    return operator


def test_the_lookup_after_the_per_minute_limit_gets_429(client, agency_staff, make_panel, settings):
    settings.GOV_INQUIRY_PER_MINUTE = 3
    make_panel(agency_staff)
    client.force_login(agency_staff)
    for _ in range(3):
        assert client.post(URL, lookup_data()).status_code == 200
    response = client.post(URL, lookup_data())
    assert response.status_code == 429
    assert b"more than 3 inquiries in a minute" in response.content
    assert b"was not made and was not recorded" in response.content
    assert DisclosureRecord.objects.count() == 3


def test_the_minute_limit_opens_again_a_minute_later(
    client, agency_staff, make_panel, settings, _english_on_a_fixed_clock
):
    settings.GOV_INQUIRY_PER_MINUTE = 1
    make_panel(agency_staff)
    client.force_login(agency_staff)
    assert client.post(URL, lookup_data()).status_code == 200
    assert client.post(URL, lookup_data()).status_code == 429
    # The window is the clock's minute, so it moves with time-machine in any cache.
    _english_on_a_fixed_clock.shift(datetime.timedelta(seconds=61))
    assert client.post(URL, lookup_data()).status_code == 200


def test_the_minute_limit_is_per_staff_member(
    client, agency_staff, agency_admin, make_panel, settings
):
    settings.GOV_INQUIRY_PER_MINUTE = 1
    mou = make_panel(agency_staff)
    make_panel(agency_admin, mou=mou, role="admin")
    client.force_login(agency_staff)
    assert client.post(URL, lookup_data()).status_code == 200
    assert client.post(URL, lookup_data()).status_code == 429
    client.force_login(agency_admin)
    assert client.post(URL, lookup_data()).status_code == 200


def test_bad_input_uses_up_no_lookup(client, agency_staff, make_panel, settings):
    settings.GOV_INQUIRY_PER_MINUTE = 1
    make_panel(agency_staff)
    client.force_login(agency_staff)
    assert client.post(URL, lookup_data("123")).status_code == 400
    assert client.post(URL, lookup_data()).status_code == 200


def test_the_agency_lookup_after_the_daily_limit_gets_429_and_operators_hear_once(
    client,
    agency_staff,
    agency_admin,
    make_panel,
    settings,
    operator_with_email,
    django_capture_on_commit_callbacks,
):
    settings.GOV_INQUIRY_DAILY_DEFAULT = 4  # a circular No. 1 MoU: no expected volume
    mou = make_panel(agency_staff)
    make_panel(agency_admin, mou=mou, role="admin")
    assert limits.daily_limit(mou) == 4
    client.force_login(agency_staff)
    for _ in range(2):
        assert client.post(URL, lookup_data()).status_code == 200
    client.force_login(agency_admin)  # the day's limit is the agency's, whoever asks
    for _ in range(2):
        assert client.post(URL, lookup_data()).status_code == 200
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        for _ in range(3):
            response = client.post(URL, lookup_data())
            assert response.status_code == 429
            assert b"limit of 4 inquiries for today" in response.content
    assert DisclosureRecord.objects.count() == 4
    assert [message.to for message in mail.outbox] == [["it@portal.example"]]
    assert mou.agency.name in mail.outbox[0].subject
    assert "limit of 4 inquiries on 2026-06-01" in mail.outbox[0].body


def test_the_daily_limit_opens_again_the_next_day_and_tells_operators_again(
    client,
    agency_staff,
    make_panel,
    settings,
    operator_with_email,
    _english_on_a_fixed_clock,
    django_capture_on_commit_callbacks,
):
    settings.GOV_INQUIRY_DAILY_DEFAULT = 1
    make_panel(agency_staff)
    client.force_login(agency_staff)
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post(URL, lookup_data()).status_code == 200
        assert client.post(URL, lookup_data()).status_code == 429
        _english_on_a_fixed_clock.shift(datetime.timedelta(days=1))
        client.force_login(agency_staff)  # a day later the staff session has timed out
        assert client.post(URL, lookup_data()).status_code == 200
        assert client.post(URL, lookup_data()).status_code == 429
    assert len(mail.outbox) == 2


def test_the_daily_limit_comes_from_the_expected_monthly_volume(committee_reviewer, settings):
    from tests.agencies.factories import MouFactory

    settings.GOV_INQUIRY_WORKING_DAYS = 20
    settings.GOV_INQUIRY_DAILY_MINIMUM = 20
    applicant = make_user("0010000089", "+989121110009")
    mou = MouFactory.create(recorded_by=committee_reviewer, scopes=[Scope.COVERAGE_FLAG])
    mou.access_request = AccessRequestFactory.create(applicant=applicant, monthly_volume=1000)
    assert limits.daily_limit(mou) == 50
    AccessRequest.objects.filter(pk=mou.access_request.pk).update(monthly_volume=1001)
    assert limits.daily_limit(mou) == 51  # rounded up
    AccessRequest.objects.filter(pk=mou.access_request.pk).update(monthly_volume=30)
    assert limits.daily_limit(mou) == 20  # never below the minimum


def test_a_lookup_reads_its_daily_limit_with_the_mou_not_in_a_query_of_its_own(
    client, agency_staff, make_panel, settings
):
    """An agency that applied through the portal has its day from its request's volume, read by
    the gate's statement with the MoU."""
    settings.GOV_INQUIRY_WORKING_DAYS = 20
    settings.GOV_INQUIRY_DAILY_MINIMUM = 1
    mou = make_panel(agency_staff)
    applicant = make_user("0010000089", "+989121110009")
    mou.access_request = AccessRequestFactory.create(applicant=applicant, monthly_volume=40)
    mou.save(update_fields=["access_request"])
    client.force_login(agency_staff)
    with CaptureQueriesContext(connection) as queries:
        statuses = [client.post(URL, lookup_data()).status_code for _ in range(3)]
    assert statuses == [200, 200, 429]  # 40 a month over 20 days: 2 a day
    assert not [q["sql"] for q in queries if 'FROM "agencies_accessrequest"' in q["sql"]]


def test_telling_the_operators_twice_sends_one_email(agency_mou_for_mail, operator_with_email):
    day = "2026-06-01"
    assert services.notify_operators_of_daily_limit(agency_id=agency_mou_for_mail, day=day, limit=5)
    assert not services.notify_operators_of_daily_limit(
        agency_id=agency_mou_for_mail, day=day, limit=5
    )
    assert len(mail.outbox) == 1


@pytest.fixture
def agency_mou_for_mail(committee_reviewer) -> int:
    from tests.agencies.factories import MouFactory

    return MouFactory.create(recorded_by=committee_reviewer).agency_id


def test_a_lookup_refused_by_the_minute_limit_does_not_use_up_the_agencys_day(
    agency_staff, agency_admin, make_panel, settings
):
    settings.GOV_INQUIRY_PER_MINUTE = 1
    settings.GOV_INQUIRY_DAILY_DEFAULT = 2
    mou = make_panel(agency_staff)

    def count(member):
        return limits.count_lookup(staff_member_id=member.pk, mou=mou)

    assert count(agency_staff) is None
    for _ in range(3):
        assert count(agency_staff) == limits.LimitExceeded(limits.LimitKind.PER_MINUTE, 1)
    # The three refusals left the day's second lookup to the colleague, and the third is over.
    assert count(agency_admin) is None
    assert limits.count_lookup(staff_member_id=0, mou=mou) == limits.LimitExceeded(
        limits.LimitKind.PER_DAY, 2
    )
