"""API lookups are disclosures like any other: the citizen sees them naming the agency and the
system, and the agency's history lists them."""

import pytest

from inquiries.models import DisclosureRecord
from tests.api.conftest import call, inquiry

pytestmark = pytest.mark.django_db


def test_the_citizen_sees_an_api_lookup_naming_agency_and_system(
    client, connect, citizen, citizen_record
):
    connected = connect()
    response = call(
        "POST", "/api/v1/inquiries", connected.token(), json=inquiry(citizen.national_code)
    )
    assert response.status_code == 200
    client.force_login(citizen)
    page = client.get("/me/disclosures/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert connected.mou.agency.name in page
    assert "Agency system (API)" in page
    assert "System: Case management system" in page


def test_the_agency_history_includes_api_lookups(client, connect, agency_admin, registered_person):
    connected = connect()
    call("POST", "/api/v1/inquiries", connected.token(), json=inquiry())
    client.force_login(agency_admin)
    page = client.get("/gov/history/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Agency system (API) — Case management system" in page
    assert DisclosureRecord.objects.get().agency_id == connected.mou.agency_id
