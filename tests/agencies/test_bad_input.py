"""Whatever is posted, the agencies pages answer with a message, never a 500."""

import pytest

from agencies.models import StaffList
from tests.agencies.conftest import enrol_totp

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "data",
    [
        {},
        {"form-TOTAL_FORMS": "x", "form-INITIAL_FORMS": "0"},
        {"form-TOTAL_FORMS": "100000", "form-INITIAL_FORMS": "0"},
        {"upload": "", "file": "not a file"},
        {"form-TOTAL_FORMS": "1", "form-INITIAL_FORMS": "0", "form-0-national_code": "\x00"},
    ],
)
def test_the_staff_page_survives_broken_posts(client, agency_admin, admin_membership, data):
    client.force_login(agency_admin)
    response = client.post("/gov/staff/", data)
    assert response.status_code == 400
    assert not StaffList.objects.exists()


@pytest.mark.parametrize(
    "data",
    [{}, {"scopes": ["nonsense"], "monthly_volume": "-5", "letter_date": "۱۴۰۴/۰۲/۳۱۱"}],
)
def test_the_application_survives_broken_posts(client, citizen, data):
    client.force_login(citizen)
    assert client.post("/agencies/apply/", data).status_code == 400


def test_the_decision_page_refuses_an_unknown_outcome(
    client, committee_reviewer, request_in_review
):
    enrol_totp(committee_reviewer)
    client.force_login(committee_reviewer)
    url = f"/admin/agencies/accessrequest/{request_in_review.pk}/decide/"
    assert client.post(url, {"outcome": "delete", "reasons": "x"}).status_code == 400
    assert client.get("/admin/agencies/mou/999/status/suspend/").status_code == 404
    assert client.get("/admin/agencies/accessrequest/999/decide/").status_code == 404


def test_an_invitation_post_with_nothing_in_it_is_refused(client):
    assert client.post("/agencies/invitations/x/", {}).status_code == 404
