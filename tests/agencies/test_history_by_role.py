"""The read-only history on the committee's and IT's admin pages, as each role sees it: a
reviewer reads the decisions and reasons of a request and the suspend and reinstate events of
an MoU; an operator reads an MoU's events, a membership's invitations and a staff list's rows;
a superuser reads everything."""

import pytest

from accounts.roles import Role
from agencies import services
from agencies.models import Membership, MembershipRole, StaffList
from tests.agencies.conftest import enrol_totp
from tests.conftest import make_user

pytestmark = pytest.mark.django_db

REQUESTS = "/admin/agencies/accessrequest/"
MOUS = "/admin/agencies/mou/"


@pytest.fixture
def superuser(db):
    return make_user("0010000070", "+989121110007", is_staff=True, is_superuser=True)


def signed_in(client, user):
    enrol_totp(user)
    client.force_login(user)
    return client


@pytest.fixture
def returned_request(request_in_review, committee_reviewer):
    services.return_request(
        access_request=request_in_review,
        reviewer=committee_reviewer,
        reasons="The letter is not signed by the head of the agency.",
    )
    return request_in_review


@pytest.fixture
def reinstated_mou(agency_mou, committee_reviewer):
    services.suspend_mou(mou=agency_mou, actor=committee_reviewer, reasons="Audit finding 7.")
    services.reinstate_mou(mou=agency_mou, actor=committee_reviewer, reasons="Audit closed.")
    return agency_mou


@pytest.mark.parametrize("role", ["committee_reviewer", "superuser"])
def test_the_committee_reads_a_returned_requests_decisions_and_reasons(
    request, client, returned_request, role
):
    client = signed_in(client, request.getfixturevalue(role))
    page = client.get(f"{REQUESTS}{returned_request.pk}/change/")
    assert page.status_code == 200
    assert "The letter is not signed by the head of the agency." in page.content.decode()


def test_an_operator_does_not_open_the_committees_requests(client, operator, returned_request):
    client = signed_in(client, operator)
    assert client.get(f"{REQUESTS}{returned_request.pk}/change/").status_code == 403


@pytest.mark.parametrize("role", ["committee_reviewer", "operator", "superuser"])
def test_each_role_reads_an_mous_suspend_and_reinstate_events(
    request, client, reinstated_mou, role
):
    client = signed_in(client, request.getfixturevalue(role))
    page = client.get(f"{MOUS}{reinstated_mou.pk}/change/").content.decode()
    assert "Audit finding 7." in page
    assert "Audit closed." in page


@pytest.mark.parametrize("role", ["operator", "superuser"])
def test_it_reads_a_staff_lists_rows_and_a_memberships_invitations(
    request, client, agency, agency_admin, operator, role
):
    Membership.objects.create(
        user=agency_admin, agency=agency, role=MembershipRole.ADMIN, granted_by=operator
    )
    staff_list = services.submit_staff_list(
        agency=agency,
        submitted_by=agency_admin,
        rows=[
            {
                "national_code": "0090007107",
                "first_name": "Sara",
                "last_name": "Synthetic",
                "position": "Clerk",
                "mobile": "+989351110710",
                "email": "",
                "role": MembershipRole.STAFF,
            }
        ],
    )
    client = signed_in(client, request.getfixturevalue(role))
    page = client.get(f"/admin/agencies/stafflist/{staff_list.pk}/change/").content.decode()
    assert "0090007107" in page
    membership = Membership.objects.get(user=agency_admin)
    services.invite_member(membership=membership)
    page = client.get(f"/admin/agencies/membership/{membership.pk}/change/").content.decode()
    assert 'id="invitations-group"' in page
    assert StaffList.objects.count() == 1


def test_the_groups_hold_the_history_view_permissions(committee_reviewer, operator):
    assert committee_reviewer.has_perms(
        ["agencies.view_decision", "agencies.view_requestevent", "agencies.view_mouevent"]
    )
    assert not committee_reviewer.has_perm("agencies.view_invitation")
    assert operator.has_perms(
        ["agencies.view_mouevent", "agencies.view_invitation", "agencies.view_stafflistrow"]
    )
    assert not operator.has_perm("agencies.view_decision")
    assert Role.COMMITTEE_REVIEWER.value in committee_reviewer.roles
