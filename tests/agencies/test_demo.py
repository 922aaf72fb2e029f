"""agencies/demo.py: the demo data seed_demo adds for agencies."""

import io

import pytest
from django.test import Client

from accounts.models import User
from agencies import demo
from agencies.models import AccessRequest, Membership, Mou, RequestStatus
from agencies.selectors import today

pytestmark = pytest.mark.django_db


def test_it_adds_an_agency_in_force_its_people_and_a_pending_request():
    out = io.StringIO()
    demo.seed(stdout=out)
    mou = Mou.objects.get(number=demo.MOU_NUMBER)
    assert mou.is_active_on(today())
    assert Membership.objects.filter(agency=mou.agency, is_active=True).count() == 2
    pending = AccessRequest.objects.get(legal_id=demo.PENDING_LEGAL_ID)
    assert pending.status == RequestStatus.SUBMITTED
    text = out.getvalue()
    assert demo.DEMO_PASSWORD in text
    assert text.count("TOTP secret") == 4


def test_running_it_twice_changes_nothing():
    demo.seed(stdout=io.StringIO())
    counts = (User.objects.count(), Membership.objects.count(), AccessRequest.objects.count())
    first_secrets = io.StringIO()
    demo.seed(stdout=first_secrets)
    second = io.StringIO()
    demo.seed(stdout=second)
    assert (User.objects.count(), Membership.objects.count(), AccessRequest.objects.count()) == (
        counts
    )
    assert first_secrets.getvalue() == second.getvalue()


def test_the_demo_staff_member_reaches_the_panel():
    demo.seed(stdout=io.StringIO())
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(User.objects.get(national_code=demo.AGENCY_STAFF[0]))
    response = client.get("/gov/")
    assert response.status_code == 200
    assert b"Demo Relief Foundation" in response.content
