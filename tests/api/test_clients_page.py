"""/gov/api-clients/: the agency admin asks for a client, issues its secret (shown once), sees
its calls and errors per day, and revokes it; staff members and other agencies cannot."""

import re

import pytest
from django.utils import timezone

from agencies.models import (
    ApiClient,
    ApiClientAction,
    ApiClientEvent,
    ApiClientSecret,
    ApiClientStatus,
)
from agencies.models.api_client import secret_digest
from agencies.scopes import Scope
from api import stats
from tests.agencies.conftest import enrol_totp
from tests.api.conftest import call, inquiry

pytestmark = pytest.mark.django_db
PAGE = "/gov/api-clients/"


# As typed on an English keyboard, and on a Persian one: its digits, its decimal separator for
# the dot, direction marks around a left-to-right value.
@pytest.mark.parametrize(
    "typed",
    ["192.0.2.20\n198.51.100.0/24\n", "۱۹۲٫۰٫۲٫۲۰\n\u200e۱۹۸.۵۱.۱۰۰.۰/۲۴\u200e\n"],
    ids=["ascii", "persian-keyboard"],
)
def test_the_agency_admin_asks_for_a_client(client, connect, agency_admin, agency_staff, typed):
    connected = connect()
    client.force_login(agency_admin)
    response = client.post(
        PAGE,
        {
            "name": "Relief case system",
            "responsible": agency_staff.pk,
            "scopes": [Scope.COVERAGE_FLAG],
            "allowed_addresses": typed,
        },
    )
    assert response.status_code == 302
    asked = ApiClient.objects.get(name="Relief case system")
    assert asked.status == ApiClientStatus.REQUESTED
    assert asked.mou == connected.mou
    assert asked.allowed_addresses == ["192.0.2.20", "198.51.100.0/24"]


def test_a_bad_address_or_a_scope_beyond_the_mou_is_refused(
    client, connect, agency_admin, agency_staff
):
    connect(mou_scopes=[Scope.COVERAGE_FLAG])
    client.force_login(agency_admin)
    response = client.post(
        PAGE,
        {
            "name": "x",
            "responsible": agency_staff.pk,
            "scopes": [Scope.PENSION_DETAIL],
            "allowed_addresses": "not-an-address",
        },
    )
    assert response.status_code == 400
    assert ApiClient.objects.count() == 1


def test_the_secret_is_shown_once_and_only_its_digest_kept(client, connect, agency_admin):
    connected = connect()
    client.force_login(agency_admin)
    response = client.post(f"{PAGE}{connected.client.pk}/secret/")
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    shown = re.search(r'data-testid="secret">([^<]+)<', response.content.decode())
    assert shown is not None
    secret = shown.group(1)
    assert ApiClientSecret.objects.filter(digest=secret_digest(secret)).exists()
    assert secret not in client.get(PAGE).content.decode()


def test_the_page_shows_calls_and_errors_per_day(client, connect, agency_admin, registered_person):
    connected = connect()
    token = connected.token()
    call("POST", "/api/v1/inquiries", token, json=inquiry())
    call("POST", "/api/v1/inquiries", token, json=inquiry())
    call("GET", "/api/v1/inquiries/99999", token)
    client.force_login(agency_admin)
    page = client.get(PAGE, HTTP_ACCEPT_LANGUAGE="en")
    table = page.content.decode().split('data-testid="api-calls"')[1].split("</table>")[0]
    assert re.search(r"<td>3</td><td>1</td>", table), table


def test_staff_members_and_other_agencies_cannot_touch_a_client(
    client, connect, agency_staff, other_citizen, outsider
):
    connected = connect()
    other = connect(admin=other_citizen, responsible=outsider)
    enrol_totp(agency_staff)
    client.force_login(agency_staff)
    assert client.get(PAGE).status_code == 403
    client.force_login(other.admin)
    assert client.post(f"{PAGE}{connected.client.pk}/secret/").status_code == 404
    assert client.post(f"{PAGE}{connected.client.pk}/revoke/").status_code == 404
    connected.client.refresh_from_db()
    assert connected.client.status == ApiClientStatus.ACTIVE


def test_the_agency_admin_revokes_a_client(client, connect, agency_admin):
    connected = connect()
    client.force_login(agency_admin)
    assert client.post(f"{PAGE}{connected.client.pk}/revoke/").status_code == 302
    connected.client.refresh_from_db()
    assert connected.client.status == ApiClientStatus.REVOKED
    event = ApiClientEvent.objects.get(client=connected.client, action=ApiClientAction.REVOKED)
    assert event.reasons == "ابطال به درخواست دستگاه"  # the default, in the admin's language


def test_revoking_is_a_second_step_that_takes_the_admins_reasons(client, connect, agency_admin):
    connected = connect()
    client.force_login(agency_admin)
    page = client.get(PAGE, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    # Behind a disclosure of its own, never a lone button beside "Issue a new secret".
    revoke = page.split('data-testid="revoke"')[1].split("</details>")[0]
    assert "<summary" in revoke
    assert f'action="{PAGE}{connected.client.pk}/revoke/"' in revoke
    assert 'name="reasons"' in revoke
    client.post(f"{PAGE}{connected.client.pk}/revoke/", {"reasons": "The system was replaced"})
    event = ApiClientEvent.objects.get(client=connected.client, action=ApiClientAction.REVOKED)
    assert event.reasons == "The system was replaced"


def test_a_client_without_calls_says_so_instead_of_an_empty_table(client, connect, agency_admin):
    connect()
    client.force_login(agency_admin)
    persian = client.get(PAGE, HTTP_ACCEPT_LANGUAGE="fa").content.decode()
    assert 'data-testid="api-calls"' not in persian
    assert "در ۱۴ روز گذشته درخواستی نرسیده است." in persian


def test_the_responsible_staff_members_codes_are_in_the_pages_digits(
    client, connect, agency_admin, agency_staff
):
    connect()
    client.force_login(agency_admin)
    persian = client.get(PAGE, HTTP_ACCEPT_LANGUAGE="fa").content.decode()
    english = client.get(PAGE, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    persian_code = agency_staff.national_code.translate(str.maketrans("0123456789", "۰۱۲۳۴۵۶۷۸۹"))
    assert f"\u2066{persian_code}\u2069</option>" in persian
    assert f"\u2066{agency_staff.national_code}\u2069</option>" in english
    # The list asks for a choice in words, as the lookup's purpose does, not with dashes.
    assert '<option value="" selected>انتخاب کنید…</option>' in persian
    assert "---------" not in persian + english


def test_each_call_counts_once_whether_or_not_it_reached_the_limits(
    connect, registered_person, settings
):
    """An inquiry counts its call with its limits, in their round trip; a refusal by the
    limit, a replay of a key and an invalid request are each one call too, and one error."""
    settings.API_INQUIRIES_PER_MINUTE = 2
    connected = connect()
    token = connected.token()
    assert call("POST", "/api/v1/inquiries", token, json=inquiry()).status_code == 200
    keyed = call("POST", "/api/v1/inquiries", token, json=inquiry(), idempotency_key="k-1")
    assert keyed.status_code == 200
    replay = call("POST", "/api/v1/inquiries", token, json=inquiry(), idempotency_key="k-1")
    assert replay["Idempotent-Replayed"] == "true"
    assert call("POST", "/api/v1/inquiries", token, json=inquiry()).status_code == 429
    assert call("POST", "/api/v1/inquiries", token, json={"purpose": "x"}).status_code == 400

    [(day, calls, errors), *_] = stats.daily_counts(connected.client.pk)
    assert day == timezone.localdate()
    assert (calls, errors) == (5, 2)
