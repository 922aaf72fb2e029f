"""agencies/demo.py, as `manage.py seed_demo` runs it after the accounts' demo people."""

import io

import pytest
from django.core.management import call_command
from django.test import Client

from accounts.demo import demo_user
from accounts.models import User
from agencies import demo
from agencies.models import (
    AccessRequest,
    ApiClient,
    ApiClientSecret,
    Membership,
    MembershipRole,
    Mou,
    RequestStatus,
)
from agencies.selectors import today
from inquiries.models import DisclosureRecord

pytestmark = pytest.mark.django_db


def seed_demo() -> str:
    out = io.StringIO()
    call_command("seed_demo", stdout=out)
    return out.getvalue()


def test_it_adds_an_agency_in_force_with_the_demo_admin_and_staff_and_a_pending_request():
    output = seed_demo()
    mou = Mou.objects.get(number=demo.MOU_NUMBER)
    assert mou.is_active_on(today())
    members = dict(
        Membership.objects.filter(agency=mou.agency, is_active=True).values_list(
            "user__national_code", "role"
        )
    )
    assert members == {
        demo_user("agency_admin").national_code: MembershipRole.ADMIN,
        demo_user("agency_staff").national_code: MembershipRole.STAFF,
    }
    pending = AccessRequest.objects.get(legal_id=demo.PENDING_LEGAL_ID)
    assert pending.status == RequestStatus.SUBMITTED
    # Someone of its own, so that the demo citizen's pages are only a citizen's.
    assert pending.applicant == demo_user("agency_applicant")
    assert not AccessRequest.objects.filter(applicant=demo_user("citizen")).exists()
    assert demo.MOU_NUMBER in output


def test_running_it_twice_changes_nothing():
    first = seed_demo()
    counts = (User.objects.count(), Membership.objects.count(), AccessRequest.objects.count())
    second = seed_demo()
    assert (
        User.objects.count(),
        Membership.objects.count(),
        AccessRequest.objects.count(),
    ) == counts
    assert (
        first[first.index("Demo data: agencies") :] == second[second.index("Demo data: agencies") :]
    )


def test_the_demo_staff_member_reaches_the_panel_and_the_admin_the_staff_page():
    seed_demo()
    staff = Client(HTTP_ACCEPT_LANGUAGE="en")
    staff.force_login(demo_user("agency_staff"))
    response = staff.get("/gov/")
    assert response.status_code == 200
    assert b"Demo Relief Foundation" in response.content
    admin = Client(HTTP_ACCEPT_LANGUAGE="en")
    admin.force_login(demo_user("agency_admin"))
    assert admin.get("/gov/staff/").status_code == 200


def test_the_demo_system_calls_the_api_with_the_published_secret():
    """The quick start can try the API at once: the printed client ID and secret get a token
    from this machine, and an inquiry answers and is recorded in the demo staff member's name."""
    output = seed_demo()
    system = ApiClient.objects.get(name=demo.SYSTEM_NAME)
    assert f"client ID {system.client_id}, secret {demo.SYSTEM_SECRET}" in output
    http = Client(REMOTE_ADDR="127.0.0.1")
    issued = http.post(
        "/api/v1/oauth/token",
        {
            "grant_type": "client_credentials",
            "client_id": system.client_id,
            "client_secret": demo.SYSTEM_SECRET,
        },
    )
    assert issued.status_code == 200, issued.content
    answer = http.post(
        "/api/v1/inquiries",
        {"national_code": demo_user("citizen").national_code, "purpose": "benefit_eligibility"},
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {issued.json()['access_token']}",
    )
    assert answer.status_code == 200, answer.content
    record = DisclosureRecord.objects.get(api_client=system)
    assert record.staff_member == demo_user("agency_staff")

    seed_demo()
    assert ApiClient.objects.count() == 1
    assert ApiClientSecret.objects.count() == 1
