"""The committee or an operator approves an agency's API client in the admin; an agency user
cannot; every change is an audit row."""

import datetime

import pytest
from django.conf import settings

import portal.sms
from agencies import services
from agencies.models import ApiClientEvent, ApiClientStatus, MembershipRole, Notice
from agencies.scopes import Scope
from tests.agencies.conftest import add_member, enrol_totp
from tests.agencies.factories import MouFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def requested(committee_reviewer, operator, agency_admin, agency_staff):
    mou = MouFactory.create(
        recorded_by=committee_reviewer,
        scopes=[Scope.COVERAGE_FLAG],
        valid_from=datetime.date(2020, 1, 1),
        valid_until=datetime.date(2099, 1, 1),
    )
    add_member(agency_admin, mou.agency, MembershipRole.ADMIN, operator)
    add_member(agency_staff, mou.agency, MembershipRole.STAFF, operator)
    return services.request_api_client(
        mou=mou,
        requested_by=agency_admin,
        name="Claims system",
        responsible=agency_staff,
        scopes=[Scope.COVERAGE_FLAG],
        allowed_addresses=["192.0.2.0/28"],
    )


@pytest.mark.parametrize("decider", ["committee_reviewer", "operator"])
def test_the_committee_or_an_operator_approves_with_reasons(client, requested, decider, request):
    user = request.getfixturevalue(decider)
    enrol_totp(user)
    client.force_login(user)
    page = client.get(f"/admin/agencies/apiclient/{requested.pk}/change/")
    assert page.status_code == 200
    decide = f"/admin/agencies/apiclient/{requested.pk}/decide/approve/"
    assert decide in page.content.decode()
    assert client.post(decide, {"reasons": ""}).status_code == 400
    response = client.post(decide, {"reasons": "Within the MoU"})
    assert response.status_code == 302
    requested.refresh_from_db()
    assert requested.status == ApiClientStatus.ACTIVE
    event = ApiClientEvent.objects.get(client=requested, action="approved")
    assert (event.actor, event.reasons) == (user, "Within the MoU")


def test_an_agency_admin_cannot_approve_their_own_client(requested, agency_admin):
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        services.approve_api_client(client=requested, actor=agency_admin)


def test_a_client_cannot_have_scopes_beyond_its_mou(requested, agency_admin, agency_staff):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError) as error:
        services.request_api_client(
            mou=requested.mou,
            requested_by=agency_admin,
            name="Greedy",
            responsible=agency_staff,
            scopes=[Scope.COVERAGE_FLAG, Scope.PENSION_DETAIL],
            allowed_addresses=["192.0.2.1"],
        )
    assert "scopes" in error.value.message_dict


@pytest.mark.parametrize("decision", ["approve", "reject"])
def test_the_admin_who_asked_is_told_of_the_decision_with_a_link_to_the_panel(
    client,
    requested,
    committee_reviewer,
    agency_admin,
    decision,
    django_capture_on_commit_callbacks,
):
    enrol_totp(committee_reviewer)
    client.force_login(committee_reviewer)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            f"/admin/agencies/apiclient/{requested.pk}/decide/{decision}/",
            {"reasons": "Read against the MoU"},
        )
    notice = Notice.objects.get(recipient=agency_admin, api_client=requested)
    assert "Claims system" in notice.body
    assert "Read against the MoU" in notice.body
    [sms] = [sms for sms in portal.sms.outbox if sms.to == agency_admin.mobile]
    assert f"{settings.SITE_URL}/gov/api-clients/" in sms.body
    client.force_login(agency_admin)
    requests_page = client.get("/agencies/requests/").content.decode()
    assert f'<a href="/gov/api-clients/">{notice.subject}</a>' in requests_page


def test_a_revocation_is_told_to_the_agency_unless_the_agency_revoked_it(
    requested, committee_reviewer, agency_admin
):
    services.approve_api_client(client=requested, actor=committee_reviewer)
    services.revoke_api_client(client=requested, actor=agency_admin, reasons="Replaced")
    assert not Notice.objects.filter(api_client=requested, body__contains="Replaced").exists()

    other = services.request_api_client(
        mou=requested.mou,
        requested_by=agency_admin,
        name="Second system",
        responsible=requested.responsible,
        scopes=[Scope.COVERAGE_FLAG],
        allowed_addresses=["192.0.2.1"],
    )
    services.approve_api_client(client=other, actor=committee_reviewer)
    services.revoke_api_client(client=other, actor=committee_reviewer, reasons="Misuse reported")
    assert Notice.objects.filter(
        recipient=agency_admin, api_client=other, body__contains="Misuse reported"
    ).exists()


@pytest.mark.parametrize("decider", ["committee_reviewer", "operator"])
def test_the_admin_home_lists_the_systems_waiting_for_approval(client, requested, decider, request):
    user = request.getfixturevalue(decider)
    enrol_totp(user)
    client.force_login(user)
    home = client.get("/admin/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    waiting = home.split('id="api-clients-waiting"')[1].split("</div>")[0]
    assert f'href="/admin/agencies/apiclient/{requested.pk}/change/">Claims system</a>' in waiting
    assert requested.agency.name in waiting

    services.approve_api_client(client=requested, actor=user)
    home = client.get("/admin/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "No system waits for approval." in home
