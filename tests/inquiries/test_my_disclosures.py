"""/me/disclosures/: the person sees every agency that saw their data; confidential lookups only
after the delay; nobody else's; their own views are not disclosures."""

import datetime

import pytest
import time_machine
from django.db import transaction

from agencies.models import AgencyKind
from agencies.scopes import Scope
from inquiries.disclosures import record_disclosure
from inquiries.models import DisclosureChannel, DisclosureRecord, InsuredPerson
from tests.inquiries.conftest import lookup_data

pytestmark = pytest.mark.django_db
URL = "/me/disclosures/"
DAY_ONE = datetime.datetime(2026, 1, 10, 8, tzinfo=datetime.UTC)


@pytest.fixture(autouse=True)
def _english(client):
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"


@pytest.fixture
def court(agency_staff, make_panel):
    return make_panel(
        agency_staff,
        kind=AgencyKind.JUDICIAL,
        scopes=[Scope.COVERAGE_FLAG, Scope.PENSION_DETAIL],
    )


def look_up(client, staff, national_code, **fields):
    client.force_login(staff)
    fields.setdefault("purpose", "judicial_case")  # the court's own
    response = client.post("/gov/inquiry/", lookup_data(national_code, **fields))
    assert response.status_code == 200


def test_the_citizen_sees_each_lookup_of_their_data(client, citizen, agency_staff, court):
    InsuredPerson.objects.create(
        national_code=citizen.national_code,
        first_name="Sara",
        last_name="Ahmadi",
        birth_date=datetime.date(1990, 3, 21),
        gender="F",
    )
    for purpose in ["judicial_case", "other"]:
        look_up(
            client,
            agency_staff,
            citizen.national_code,
            purpose=purpose,
            purpose_detail="Alimony claim" if purpose == "other" else "",
            case_reference="1404-99",
        )
    client.force_login(citizen)
    response = client.get(URL)
    html = response.content.decode()
    assert response.context["page"].paginator.count == 2
    assert html.count(court.agency.name) == 2
    assert "Direct inquiry" in html
    assert "Insured now (yes/no), Pension detail: main/dependent, kind, since, status" in html
    assert "A judicial or quasi-judicial case" in html
    # "Other" is the form's word for "explained below": the person reads the explanation.
    assert "Alimony claim" in html
    assert "explained below" not in html
    assert "1404-99" not in html  # a case reference is the court's, not shown


@pytest.mark.parametrize("language", ["en", "fa"])
def test_a_redeemed_certificate_reads_as_such_not_as_a_raw_purpose(
    client, citizen, agency_staff, court, language
):
    with transaction.atomic():
        record_disclosure(
            national_code=citizen.national_code,
            staff_member=agency_staff,
            mou=court,
            channel=DisclosureChannel.CERTIFICATE,
            scopes=[Scope.COVERAGE_FLAG],
            record_found=True,
            purpose="certificate",
            purpose_detail="344206539022",
        )
    client.force_login(citizen)
    client.cookies["django_language"] = language
    html = client.get(URL, HTTP_ACCEPT_LANGUAGE=language).content.decode()
    assert "certificate: " not in html
    assert "344206539022: " not in html
    assert ': <span class="ltr">' not in html
    number = "344206539022" if language == "en" else "۳۴۴۲۰۶۵۳۹۰۲۲"
    expected = "Certificate" if language == "en" else "گواهی"
    assert f'{expected} <span class="ltr">{number}</span>' in html


def test_it_lists_no_one_elses_disclosures(client, citizen, other_citizen, agency_staff, court):
    look_up(client, agency_staff, other_citizen.national_code, case_reference="C-1")
    client.force_login(citizen)
    html = client.get(URL).content.decode()
    assert 'data-testid="no-disclosures"' in html
    assert court.agency.name not in html


def test_the_persons_own_views_are_not_listed(client, citizen):
    client.force_login(citizen)
    client.get("/me/status/")
    assert not DisclosureRecord.objects.exists()
    assert b'data-testid="no-disclosures"' in client.get(URL).content


def test_a_lookup_of_a_code_with_no_record_is_listed_too(client, citizen, agency_staff, court):
    look_up(client, agency_staff, citizen.national_code, case_reference="C-2")
    client.force_login(citizen)
    assert b"That the organization has no record for you" in client.get(URL).content


def test_a_confidential_lookup_appears_only_after_the_delay(
    client, citizen, agency_staff, court, settings
):
    settings.DISCLOSURE_CONFIDENTIAL_DELAY_DAYS = 90
    with time_machine.travel(DAY_ONE, tick=False):
        look_up(
            client, agency_staff, citizen.national_code, case_reference="S-1", confidential="on"
        )
        look_up(client, agency_staff, citizen.national_code, case_reference="S-2")
    client.force_login(citizen)
    for days, expected in [(0, 1), (89, 1), (90, 2), (200, 2)]:
        with time_machine.travel(DAY_ONE + datetime.timedelta(days=days, seconds=1), tick=False):
            page = client.get(URL).context["page"]
            assert page.paginator.count == expected, f"after {days} days"
    with time_machine.travel(DAY_ONE + datetime.timedelta(days=89), tick=False):
        assert [r.confidential for r in client.get(URL).context["page"]] == [False]


def test_the_settings_menu_and_the_dashboard_link_to_the_page(client, citizen):
    client.force_login(citizen)
    assert f'href="{URL}"'.encode() in client.get("/me/status/").content
    assert f'href="{URL}"'.encode() in client.get("/me/").content


def test_anonymous_visitors_are_sent_to_sign_in(client):
    response = client.get(URL)
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_it_reads_in_persian_with_jalali_dates(client, citizen, agency_staff, court):
    with time_machine.travel(DAY_ONE, tick=False):
        look_up(client, agency_staff, citizen.national_code, case_reference="P-1")
    client.force_login(citizen)
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "fa"
    html = client.get(URL).content.decode()
    assert "۱۴۰۴/۱۰/۲۰" in html  # 2026-01-10
