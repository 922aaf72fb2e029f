"""The lookup's purpose: nothing is chosen for the staff member, and each kind of agency is
offered only the purposes that fit it (a fund never states a judicial case)."""

import re

import pytest

from agencies.models import AgencyKind
from inquiries import services
from inquiries.models import DisclosureRecord
from tests.inquiries.conftest import LOOKED_UP, lookup_data

pytestmark = pytest.mark.django_db
URL = "/gov/inquiry/"


@pytest.fixture(autouse=True)
def _english(client):
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"


def purpose_options(html: str) -> list[tuple[str, bool]]:
    """(value, selected) of each option of the purpose list."""
    select = re.search(r'<select name="purpose".*?</select>', html, re.S)
    assert select, "no purpose list"
    return [
        (value, " selected" in attrs)
        for value, attrs in re.findall(r'<option value="([^"]*)"([^>]*)>', select.group(0))
    ]


def panel_of(kind, client, agency_staff, make_panel):
    mou = make_panel(agency_staff, kind=kind)
    client.force_login(agency_staff)
    return mou


@pytest.mark.parametrize("kind", list(AgencyKind))
def test_no_purpose_is_chosen_in_advance(client, agency_staff, make_panel, kind):
    panel_of(kind, client, agency_staff, make_panel)

    options = purpose_options(client.get(URL).content.decode())

    assert options[0][0] == ""
    assert not any(selected for value, selected in options if value)


def test_a_fund_is_never_offered_a_judicial_case(client, agency_staff, make_panel):
    panel_of(AgencyKind.INSURANCE_FUND, client, agency_staff, make_panel)

    values = [value for value, _ in purpose_options(client.get(URL).content.decode())]

    assert "judicial_case" not in values
    assert "fund_coordination" in values


def test_a_court_is_offered_a_judicial_case(client, agency_staff, make_panel):
    panel_of(AgencyKind.JUDICIAL, client, agency_staff, make_panel)
    values = [value for value, _ in purpose_options(client.get(URL).content.decode())]
    assert "judicial_case" in values and "fund_coordination" not in values


def test_a_fund_that_posts_a_judicial_case_is_refused(client, agency_staff, make_panel):
    panel_of(AgencyKind.INSURANCE_FUND, client, agency_staff, make_panel)

    response = client.post(URL, lookup_data(purpose="judicial_case"))

    assert response.status_code == 400
    assert list(response.context["form"].errors) == ["purpose"]
    assert not DisclosureRecord.objects.exists()


def test_a_lookup_with_no_purpose_asks_for_one(client, agency_staff, make_panel):
    panel_of(AgencyKind.SUPPORT_RELIEF, client, agency_staff, make_panel)

    response = client.post(URL, lookup_data(purpose=""))

    assert response.status_code == 400
    assert response.context["form"].errors["purpose"] == ["Choose the purpose of this inquiry."]
    assert not DisclosureRecord.objects.exists()


def test_the_service_refuses_a_purpose_that_does_not_fit_the_agency(agency_staff, make_panel):
    mou = make_panel(agency_staff, kind=AgencyKind.INSURANCE_FUND)

    with pytest.raises(services.LookupRefused):
        services.look_up_person(
            staff_member=agency_staff,
            mou=mou,
            agency_kind=AgencyKind.INSURANCE_FUND,
            national_code=LOOKED_UP,
            purpose="judicial_case",
        )
    assert not DisclosureRecord.objects.exists()
