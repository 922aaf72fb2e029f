"""Direct inquiry on /gov/inquiry/: one disclosure record per lookup, in the same transaction,
and bad input answered next to its field with nothing recorded."""

import pytest
from django.db import DatabaseError, connection

from agencies.models import AgencyKind
from agencies.scopes import Scope
from inquiries.models import DisclosureChannel, DisclosureRecord
from portal.digits import to_persian_digits
from tests.inquiries.conftest import LOOKED_UP, UNKNOWN, lookup_data
from tests.transparency_log import fresh_log, seal_and_audit

pytestmark = pytest.mark.django_db
URL = "/gov/inquiry/"


@pytest.fixture(autouse=True)
def _english(client):
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"


@pytest.fixture
def relief_staff(client, agency_staff, make_panel):
    mou = make_panel(agency_staff, scopes=[Scope.COVERAGE_FLAG, Scope.PENSION_FLAG])
    client.force_login(agency_staff)
    return mou


@pytest.fixture
def court_staff(client, agency_staff, make_panel):
    mou = make_panel(agency_staff, kind=AgencyKind.JUDICIAL)
    client.force_login(agency_staff)
    return mou


def test_it_shows_an_empty_form_on_get_and_records_nothing(client, relief_staff):
    response = client.get(URL)
    assert response.status_code == 200
    assert b'name="national_code"' in response.content
    assert b'method="post"' in response.content
    assert not DisclosureRecord.objects.exists()


def test_a_lookup_writes_one_complete_disclosure_record(
    client, agency_staff, relief_staff, registered_person, settings, tmp_path
):
    fresh_log(settings, tmp_path)
    response = client.post(URL, lookup_data(), REMOTE_ADDR="192.0.2.7")
    assert response.status_code == 200
    record = DisclosureRecord.objects.get()
    assert record.national_code == LOOKED_UP
    assert record.agency_id == relief_staff.agency_id
    assert record.mou_id == relief_staff.pk
    assert record.staff_member_id == agency_staff.pk
    assert record.channel == DisclosureChannel.DIRECT_INQUIRY
    assert record.scopes == [Scope.COVERAGE_FLAG, Scope.PENSION_FLAG]
    assert record.record_found is True
    assert record.purpose == "benefit_eligibility"
    assert record.confidential is False
    assert record.client_ip == "192.0.2.7"
    audit = seal_and_audit()
    assert (audit.problems, audit.leaves) == ([], 1)


def test_n_lookups_make_exactly_n_records(
    client, relief_staff, registered_person, settings, tmp_path
):
    fresh_log(settings, tmp_path)
    for code in [LOOKED_UP, UNKNOWN, LOOKED_UP, LOOKED_UP, UNKNOWN]:
        assert client.post(URL, lookup_data(code)).status_code == 200
    assert DisclosureRecord.objects.count() == 5
    assert DisclosureRecord.objects.filter(record_found=False).count() == 2
    audit = seal_and_audit()
    assert (audit.problems, audit.leaves) == ([], 5)


def test_an_unknown_person_gets_no_record_which_is_recorded_too(client, relief_staff):
    response = client.post(URL, lookup_data(UNKNOWN))
    assert b'data-testid="no-record"' in response.content
    assert b"Insured today" not in response.content
    record = DisclosureRecord.objects.get()
    assert record.national_code == UNKNOWN and record.record_found is False


def test_persian_and_arabic_indic_digits_are_accepted(client, relief_staff, registered_person):
    persian = to_persian_digits(LOOKED_UP)
    arabic = persian[:5].translate(str.maketrans("۰۱۲۳۴۵۶۷۸۹", "٠١٢٣٤٥٦٧٨٩")) + persian[5:]
    for typed in [persian, arabic]:
        assert client.post(URL, lookup_data(typed)).status_code == 200
    assert list(DisclosureRecord.objects.values_list("national_code", flat=True)) == [LOOKED_UP] * 2


@pytest.mark.parametrize(
    "typed",
    [LOOKED_UP[:9], "abcdefghij", LOOKED_UP[:9] + str((int(LOOKED_UP[9]) + 1) % 10), ""],
    ids=["nine digits", "letters", "bad check digit", "empty"],
)
def test_a_bad_national_code_is_answered_next_to_the_field_and_nothing_is_recorded(
    client, relief_staff, typed
):
    response = client.post(URL, lookup_data(typed))
    assert response.status_code == 400
    form = response.context["form"]
    assert list(form.errors) == ["national_code"]
    html = response.content.decode()
    assert 'aria-invalid="true"' in html and "id_national_code_error" in html
    assert not DisclosureRecord.objects.exists()


def test_the_purpose_must_be_one_of_the_list_and_other_needs_words(client, relief_staff):
    response = client.post(URL, lookup_data(purpose="curiosity"))
    assert response.status_code == 400 and "purpose" in response.context["form"].errors
    response = client.post(URL, lookup_data(purpose="other", purpose_detail="  "))
    assert list(response.context["form"].errors) == ["purpose_detail"]
    assert not DisclosureRecord.objects.exists()
    assert client.post(URL, lookup_data(purpose="other", purpose_detail="Audit")).status_code == 200
    assert DisclosureRecord.objects.get().purpose_detail == "Audit"


@pytest.mark.parametrize("kind", [AgencyKind.JUDICIAL, AgencyKind.QUASI_JUDICIAL])
def test_judicial_and_quasi_judicial_agencies_must_give_a_case_reference(
    client, agency_staff, make_panel, kind
):
    make_panel(agency_staff, kind=kind)
    client.force_login(agency_staff)
    response = client.post(URL, lookup_data(purpose="judicial_case"))
    assert response.status_code == 400
    assert list(response.context["form"].errors) == ["case_reference"]
    assert b"judicial and quasi-judicial authorities give one" in response.content
    assert not DisclosureRecord.objects.exists()
    response = client.post(URL, lookup_data(purpose="judicial_case", case_reference="۱۴۰۴/۷۷۱"))
    assert response.status_code == 200
    assert DisclosureRecord.objects.get().case_reference == "1404/771"


def test_only_judicial_agencies_are_offered_the_confidential_box(client, relief_staff):
    assert b'name="confidential"' not in client.get(URL).content
    # A hand-made POST is ignored, not trusted.
    client.post(URL, lookup_data(confidential="on"))
    assert DisclosureRecord.objects.get().confidential is False


def test_a_court_may_mark_a_lookup_confidential_with_a_case_reference(client, court_staff):
    assert b'name="confidential"' in client.get(URL).content
    client.post(
        URL, lookup_data(purpose="judicial_case", case_reference="1404-12", confidential="on")
    )
    record = DisclosureRecord.objects.get()
    assert record.confidential is True and record.case_reference == "1404-12"


@pytest.fixture
def disclosure_writes_fail():
    """The database refuses every new disclosure record, as a full disk would: a trigger."""
    table = DisclosureRecord._meta.db_table
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "CREATE FUNCTION disk_full() RETURNS trigger LANGUAGE plpgsql AS "
                "$$ BEGIN RAISE EXCEPTION 'disk full'; END $$"
            )
            cursor.execute(
                f"CREATE TRIGGER disk_full BEFORE INSERT ON {table} "
                "FOR EACH ROW EXECUTE FUNCTION disk_full()"
            )
        else:
            cursor.execute(
                f"CREATE TRIGGER disk_full BEFORE INSERT ON {table} "
                "BEGIN SELECT RAISE(ABORT, 'disk full'); END"
            )
    yield
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(f"DROP TRIGGER disk_full ON {table}")
            cursor.execute("DROP FUNCTION disk_full()")
        else:
            cursor.execute("DROP TRIGGER disk_full")


# Outside a test transaction, as a request runs: the lookup's own transaction is the outermost.
@pytest.mark.django_db(transaction=True)
def test_if_the_disclosure_cannot_be_written_nothing_is_shown(
    client, relief_staff, registered_person, disclosure_writes_fail
):
    with pytest.raises(DatabaseError, match="disk full"):
        client.post(URL, lookup_data())
    assert not DisclosureRecord.objects.exists()


def test_the_national_code_never_goes_into_a_url(client, relief_staff, registered_person):
    html = client.post(URL, lookup_data()).content.decode()
    assert f"?national_code={LOOKED_UP}" not in html
    assert 'action="/gov/inquiry/"' in html and 'method="post"' in html
    # A GET with the code in the query string looks nobody up.
    client.get(URL, {"national_code": LOOKED_UP})
    assert DisclosureRecord.objects.count() == 1


def test_anonymous_visitors_and_citizens_are_turned_away(client, citizen):
    response = client.post(URL, lookup_data())
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    from tests.agencies.conftest import enrol_totp

    enrol_totp(citizen)
    client.force_login(citizen)
    assert client.post(URL, lookup_data()).status_code == 403
    assert not DisclosureRecord.objects.exists()


def test_the_panel_home_links_to_the_inquiry_and_history(client, relief_staff):
    html = client.get("/gov/").content.decode()
    assert 'href="/gov/inquiry/"' in html and 'href="/gov/history/"' in html
