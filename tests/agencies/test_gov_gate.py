"""The government panel's gate, checked on every request."""

import datetime

import pytest
import time_machine
from django.utils import timezone

from agencies import services
from agencies.models import MouBasis, MouStatus
from tests.agencies.conftest import enrol_totp, mou_terms

pytestmark = pytest.mark.django_db

PANEL = "/gov/"


@pytest.fixture(autouse=True)
def _english(client):
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"  # ASCII digits, the English source text


def test_it_sends_anonymous_visitors_to_sign_in(client):
    response = client.get(PANEL)
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]


def test_it_opens_for_staff_of_an_agency_with_an_mou_in_force(
    client, agency_staff, staff_membership, agency_mou
):
    client.force_login(agency_staff)
    response = client.get(PANEL)
    assert response.status_code == 200
    assert agency_mou.agency.name.encode() in response.content
    assert agency_mou.number.encode() in response.content
    assert b"Insured now (yes/no)" in response.content
    assert b"/gov/staff/" not in response.content


def test_agency_admins_see_the_staff_page_link(client, agency_admin, admin_membership):
    client.force_login(agency_admin)
    assert b"/gov/staff/" in client.get(PANEL).content


def test_it_sends_staff_without_totp_to_enrolment(client, agency, operator, outsider):
    from tests.agencies.conftest import add_member

    add_member(outsider, agency, "staff", operator)
    client.force_login(outsider)
    response = client.get(PANEL)
    assert response.status_code == 302
    assert "/accounts/2fa/totp/activate/" in response["Location"]


def test_it_refuses_people_without_a_membership(client, citizen):
    enrol_totp(citizen)
    client.force_login(citizen)
    response = client.get(PANEL)
    assert response.status_code == 403
    assert b"not open to you" in response.content


def test_it_refuses_staff_the_admins_staff_page(client, agency_staff, staff_membership):
    client.force_login(agency_staff)
    assert client.get("/gov/staff/").status_code == 403
    assert client.get("/gov/staff/template.csv").status_code == 403


def test_removing_a_membership_closes_an_open_session_at_once(
    client, agency_staff, staff_membership, operator
):
    client.force_login(agency_staff)
    assert client.get(PANEL).status_code == 200
    services.remove_membership(membership=staff_membership, operator=operator, reasons="Left.")
    assert client.get(PANEL).status_code == 403


def test_suspending_closes_the_panel_and_reinstating_opens_it_again(
    client, agency_staff, staff_membership, agency_mou, committee_reviewer
):
    client.force_login(agency_staff)
    assert client.get(PANEL).status_code == 200
    services.suspend_mou(mou=agency_mou, actor=committee_reviewer, reasons="Audit.")
    assert client.get(PANEL).status_code == 403
    services.reinstate_mou(mou=agency_mou, actor=committee_reviewer, reasons="Audit closed.")
    assert client.get(PANEL).status_code == 200
    services.end_mou(mou=agency_mou, actor=committee_reviewer, reasons="Dissolved.")
    assert client.get(PANEL).status_code == 403


def test_an_mou_whose_validity_has_passed_closes_an_open_session(
    client, agency_staff, staff_membership, agency_mou
):
    today = timezone.localdate()
    agency_mou.valid_until = today + datetime.timedelta(days=3)
    agency_mou.save()
    last_day = timezone.make_aware(
        datetime.datetime.combine(agency_mou.valid_until, datetime.time(23, 0))
    )
    # Requests 25 minutes apart, so the staff idle timeout (30 minutes) keeps the session open.
    with time_machine.travel(last_day, tick=False) as clock:
        client.force_login(agency_staff)
        for _ in range(3):
            assert client.get(PANEL).status_code == 200
            clock.shift(datetime.timedelta(minutes=25))
        assert agency_mou.is_active_on(timezone.localdate()) is False
        assert client.get(PANEL).status_code == 403


def test_an_mou_not_yet_in_force_does_not_open_the_panel(
    client, agency_staff, staff_membership, agency_mou
):
    agency_mou.valid_from = timezone.localdate() + datetime.timedelta(days=1)
    agency_mou.save()
    client.force_login(agency_staff)
    assert client.get(PANEL).status_code == 403


def test_a_newer_mou_that_supersedes_the_old_one_keeps_the_panel_open(
    client, agency_staff, staff_membership, agency_mou, committee_reviewer
):
    newer = services.record_mou(
        agency=agency_mou.agency,
        recorded_by=committee_reviewer,
        terms=mou_terms(
            number="MOU-NEW",
            basis=MouBasis.CIRCULAR_1,
            valid_from=datetime.date(2020, 1, 1),
            valid_until=datetime.date(2099, 1, 1),
            scopes=list(agency_mou.scopes),
            supersedes=agency_mou,
        ),
    )
    agency_mou.refresh_from_db()
    assert agency_mou.status == MouStatus.SUPERSEDED
    client.force_login(agency_staff)
    response = client.get(PANEL)
    assert response.status_code == 200
    assert b"MOU-NEW" in response.content
    assert newer.status == MouStatus.ACTIVE
