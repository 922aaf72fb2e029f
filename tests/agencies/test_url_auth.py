"""Every agencies and /gov/ page turns anonymous visitors away, and each admin screen opens only
for the role it serves, never with a 500."""

import io

import pytest
from django.core.management import call_command
from django.urls import URLPattern, reverse

from agencies import demo, gov_urls, urls
from agencies.models import AccessRequest, Agency, Membership, Mou, RemovalRequest, StaffList
from tests.agencies.conftest import enrol_totp

pytestmark = pytest.mark.django_db

# Pages anyone may open: the invitation link is its own proof (a wrong token is a 404).
PUBLIC = {"agencies:accept_invitation"}


def all_pages() -> list[str]:
    names = []
    for namespace, module in [("agencies", urls), ("gov", gov_urls)]:
        for pattern in module.urlpatterns:
            assert isinstance(pattern, URLPattern)
            names.append(f"{namespace}:{pattern.name}")
    return names


def url_for(name: str) -> str:
    if name == "agencies:accept_invitation":
        return reverse(name, args=["no-such-token"])
    try:
        return reverse(name)
    except Exception:
        return reverse(name, args=[1])


@pytest.mark.parametrize("name", all_pages())
def test_anonymous_visitors_are_sent_to_sign_in(client, name):
    response = client.get(url_for(name))
    if name in PUBLIC:
        assert response.status_code == 404
    else:
        assert response.status_code == 302
        assert response["Location"].startswith("/accounts/login/")


@pytest.mark.parametrize("name", [n for n in all_pages() if n.startswith("gov:")])
def test_citizens_are_refused_the_panel(client, citizen, name):
    enrol_totp(citizen)
    client.force_login(citizen)
    assert client.get(url_for(name)).status_code == 403


MODELS = [AccessRequest, Agency, Mou, StaffList, Membership, RemovalRequest]
# What each role may open in the admin: the committee reviews, IT grants.
CAN_VIEW = {
    "committee_reviewer": {AccessRequest, Agency, Mou},
    "operator": {Agency, Mou, StaffList, Membership, RemovalRequest},
}


@pytest.fixture
def seeded(db):
    call_command("seed_demo", stdout=io.StringIO())
    agency = Agency.objects.get(legal_id=demo.APPROVED_LEGAL_ID)
    membership = Membership.objects.filter(agency=agency, role="staff").first()
    assert membership is not None
    RemovalRequest.objects.create(
        membership=membership, requested_by=membership.user, reasons="Demo."
    )


@pytest.mark.parametrize("role", list(CAN_VIEW))
@pytest.mark.parametrize("model", MODELS, ids=lambda model: model.__name__)
def test_each_admin_screen_opens_only_for_its_role(client, seeded, role, model, request):
    user = request.getfixturevalue(role)
    enrol_totp(user)
    client.force_login(user)
    meta = model._meta
    changelist = client.get(reverse(f"admin:{meta.app_label}_{meta.model_name}_changelist"))
    obj = model.objects.order_by("pk").first()
    assert obj is not None
    change = client.get(reverse(f"admin:{meta.app_label}_{meta.model_name}_change", args=[obj.pk]))
    expected = 200 if model in CAN_VIEW[role] else 403
    assert (changelist.status_code, change.status_code) == (expected, expected)


def test_the_mou_add_form_opens_for_the_committee_with_the_request_filled_in(
    client, approved_request, committee_reviewer
):
    enrol_totp(committee_reviewer)
    client.force_login(committee_reviewer)
    response = client.get(f"/admin/agencies/mou/add/?access_request={approved_request.pk}")
    assert response.status_code == 200
    form = response.context["adminform"].form
    assert form.initial["access_request"] == str(approved_request.pk)
    assert form.initial["scopes"] == approved_request.scopes
