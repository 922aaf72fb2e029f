"""POST /api/v1/inquiries and GET /api/v1/inquiries/{id}: the panel's lookup, for a system."""

import itertools

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from agencies.models import AgencyKind
from agencies.scopes import Scope
from api.models import ApiAnswer
from inquiries.disclosures import canonical_record
from inquiries.models import DisclosureChannel, DisclosureRecord
from tests.agencies.factories import AccessRequestFactory
from tests.api.conftest import LOOKED_UP, UNKNOWN, call, inquiry
from tests.conftest import make_user
from tests.inquiries.conftest import MAIN_PENSIONER, PENSION_NUMBER, WORKSHOP_NAME

pytestmark = pytest.mark.django_db

FIELDS_OF_SCOPE = {
    Scope.COVERAGE_FLAG: {"insured_today"},
    Scope.COVERAGE_SUMMARY: {"current_coverages", "total_insured_days", "insured_duration"},
    Scope.COVERAGE_HISTORY: {"periods"},
    Scope.PENSION_FLAG: {"is_pensioner"},
    Scope.PENSION_DETAIL: {"pensions"},
}
ALWAYS = {"national_code", "found", "scopes"}
# Every non-empty set of scopes (31).
SCOPE_SETS = [
    combination
    for size in range(1, len(Scope.values) + 1)
    for combination in itertools.combinations(list(Scope.values), size)
]


@pytest.mark.parametrize("scopes", SCOPE_SETS, ids=lambda scopes: "+".join(scopes))
def test_exactly_the_fields_of_the_clients_scopes_appear(connect, registered_person, scopes):
    # The MoU grants everything; the client asked for fewer.
    connected = connect(scopes=scopes)
    response = call("POST", "/api/v1/inquiries", connected.token(), json=inquiry())
    assert response.status_code == 200, response.content
    result = response.json()["result"]
    expected = ALWAYS.union(*(FIELDS_OF_SCOPE[scope] for scope in scopes))
    assert set(result) == expected
    text = response.content.decode()
    assert "987654321" not in text  # the wage is in no scope
    assert MAIN_PENSIONER not in text and PENSION_NUMBER not in text
    assert (WORKSHOP_NAME in text) == (Scope.COVERAGE_HISTORY in scopes)
    record = DisclosureRecord.objects.get()
    assert record.scopes == sorted(scopes)


def test_an_answer_writes_one_api_disclosure_naming_the_client(connect, registered_person):
    connected = connect(scopes=[Scope.COVERAGE_SUMMARY])
    response = call("POST", "/api/v1/inquiries", connected.token(), json=inquiry())
    body = response.json()
    coverage = body["result"]["current_coverages"][0]
    assert coverage["since"] == {"iso": "2015-03-01", "jalali": "1393/12/10"}
    record = DisclosureRecord.objects.get()
    assert record.channel == DisclosureChannel.API
    assert record.api_client_id == connected.client.pk
    assert record.staff_member_id == connected.responsible.pk
    assert record.client_ip == "192.0.2.10"
    assert f'"api_client":{connected.client.pk}' in canonical_record(record)


def test_no_record_is_an_answer_and_a_disclosure(connect, db):
    connected = connect()
    response = call("POST", "/api/v1/inquiries", connected.token(), json=inquiry(UNKNOWN))
    assert response.json()["result"] == {
        "national_code": UNKNOWN,
        "found": False,
        "scopes": ["coverage_flag"],
    }
    assert DisclosureRecord.objects.get().record_found is False


def test_a_court_must_give_a_case_reference(connect, registered_person):
    connected = connect(kind=AgencyKind.JUDICIAL)
    token = connected.token()
    missing = call("POST", "/api/v1/inquiries", token, json=inquiry(purpose="judicial_case"))
    assert missing.status_code == 400
    assert missing.json()["errors"][0]["field"] == "case_reference"
    given = call(
        "POST",
        "/api/v1/inquiries",
        token,
        json=inquiry(purpose="judicial_case", case_reference="CASE-1405-77", confidential=True),
    )
    assert given.status_code == 200
    assert DisclosureRecord.objects.get().confidential is True


def test_a_purpose_outside_the_agencys_mandate_is_refused(connect, registered_person):
    connected = connect()  # a relief organization
    response = call(
        "POST", "/api/v1/inquiries", connected.token(), json=inquiry(purpose="judicial_case")
    )
    assert response.status_code == 400
    assert not DisclosureRecord.objects.exists()


def test_persian_digits_are_accepted_and_a_bad_code_is_a_problem(connect, registered_person):
    connected = connect()
    token = connected.token()
    persian = LOOKED_UP.translate(str.maketrans("0123456789", "۰۱۲۳۴۵۶۷۸۹"))
    assert call("POST", "/api/v1/inquiries", token, json=inquiry(persian)).status_code == 200
    bad = call("POST", "/api/v1/inquiries", token, json=inquiry("1234567890"))
    assert bad.status_code == 400
    assert bad["Content-Type"] == "application/problem+json"


def test_a_client_reads_its_own_past_answer_and_never_another_agencys(
    connect, registered_person, committee_reviewer, other_citizen, outsider
):
    ours = connect(scopes=[Scope.COVERAGE_FLAG, Scope.PENSION_DETAIL])
    theirs = connect(admin=other_citizen, responsible=outsider)
    answered = call("POST", "/api/v1/inquiries", ours.token(), json=inquiry())
    inquiry_id = answered.json()["id"]
    again = call("GET", f"/api/v1/inquiries/{inquiry_id}", ours.token())
    assert again.status_code == 200
    assert again.json() == answered.json()
    foreign = call("GET", f"/api/v1/inquiries/{inquiry_id}", theirs.token())
    assert foreign.status_code == 404
    assert foreign.json()["type"].endswith("/not-found")
    assert "pensions" not in foreign.content.decode()
    assert DisclosureRecord.objects.count() == 1


def test_the_same_idempotency_key_gives_the_same_answer_and_one_record(connect, registered_person):
    connected = connect()
    token = connected.token()
    first = call("POST", "/api/v1/inquiries", token, json=inquiry(), **{"Idempotency-Key": "k-1"})
    second = call("POST", "/api/v1/inquiries", token, json=inquiry(), **{"Idempotency-Key": "k-1"})
    assert first.json() == second.json()
    assert second["Idempotent-Replayed"] == "true"
    assert DisclosureRecord.objects.count() == 1
    other_body = call(
        "POST",
        "/api/v1/inquiries",
        token,
        json=inquiry(UNKNOWN),
        **{"Idempotency-Key": "k-1"},
    )
    assert other_body.status_code == 422
    assert other_body.json()["type"].endswith("/idempotency-key-reused")
    assert ApiAnswer.objects.count() == 1


def test_the_minute_limit_answers_429_with_retry_after(connect, registered_person, settings):
    settings.API_INQUIRIES_PER_MINUTE = 2
    connected = connect()
    token = connected.token()
    statuses = [
        call("POST", "/api/v1/inquiries", token, json=inquiry()).status_code for _ in range(2)
    ]
    limited = call("POST", "/api/v1/inquiries", token, json=inquiry())
    assert statuses == [200, 200]
    assert limited.status_code == 429
    assert 1 <= int(limited["Retry-After"]) <= 60
    assert limited.json()["type"].endswith("/rate-limited")
    assert DisclosureRecord.objects.count() == 2


def test_an_inquiry_reads_its_daily_limit_with_the_token_not_in_a_query_of_its_own(
    connect, registered_person, settings
):
    """The agency's day comes from its request's volume, read by the token's statement."""
    settings.GOV_INQUIRY_WORKING_DAYS = 20
    settings.GOV_INQUIRY_DAILY_MINIMUM = 1
    connected = connect()
    applicant = make_user("0010000089", "+989121110009")
    connected.mou.access_request = AccessRequestFactory.create(
        applicant=applicant, monthly_volume=40
    )
    connected.mou.save(update_fields=["access_request"])
    token = connected.token()
    with CaptureQueriesContext(connection) as queries:
        statuses = [
            call("POST", "/api/v1/inquiries", token, json=inquiry()).status_code for _ in range(3)
        ]
    assert statuses == [200, 200, 429]  # 40 a month over 20 days: 2 a day
    assert not [q["sql"] for q in queries if 'FROM "agencies_accessrequest"' in q["sql"]]


def test_problems_come_in_the_clients_language(connect, registered_person):
    connected = connect()
    english = call("GET", "/api/v1/inquiries/999", connected.token(), language="en")
    persian = call("GET", "/api/v1/inquiries/999", connected.token(), language="fa")
    assert english.json()["type"] == persian.json()["type"]
    assert english.json()["title"] == "Not found"
    assert persian["Content-Language"] == "fa"
    assert english["Content-Language"] == "en"
    assert persian.json()["title"] != "Not found"
    assert any("\u0600" <= char <= "\u06ff" for char in persian.json()["detail"])


def test_idempotency_keys_are_each_clients_own(connect, registered_person, other_citizen, outsider):
    ours = connect()
    theirs = connect(admin=other_citizen, responsible=outsider)
    key = {"Idempotency-Key": "shared-key"}
    first = call("POST", "/api/v1/inquiries", ours.token(), json=inquiry(), **key)
    second = call("POST", "/api/v1/inquiries", theirs.token(), json=inquiry(), **key)
    assert first.status_code == second.status_code == 200
    assert first.json()["id"] != second.json()["id"]
    assert "Idempotent-Replayed" not in second
    assert DisclosureRecord.objects.count() == 2


def test_a_retry_that_gets_its_earlier_answer_back_is_not_counted_again(
    connect, registered_person, settings
):
    settings.API_INQUIRIES_PER_MINUTE = 2
    token = connect().token()
    key = {"Idempotency-Key": "retried-key"}
    first = call("POST", "/api/v1/inquiries", token, json=inquiry(), **key)
    retries = [call("POST", "/api/v1/inquiries", token, json=inquiry(), **key) for _ in range(3)]
    fresh = call("POST", "/api/v1/inquiries", token, json=inquiry())
    assert first.status_code == 200
    assert [r.json()["id"] for r in retries] == [first.json()["id"]] * 3
    assert fresh.status_code == 200  # the second of two a minute: the retries took none
    assert DisclosureRecord.objects.count() == 2
