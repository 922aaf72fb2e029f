"""The public register of agreements (/transparency/agreements/): every agency with an MoU in
force, suspended or ended within the year; its lookups per month as counts; nothing about a
person, a signatory or a staff member; a JSON version beside it."""

import datetime
import json
import re

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation

from agencies import services
from agencies.models import AgencyKind, MouBasis
from agencies.register import register
from agencies.scopes import Scope
from inquiries.disclosures import record_disclosure
from inquiries.models import DisclosureChannel
from tests.agencies.conftest import mou_terms
from tests.agencies.factories import AccessRequestFactory, AgencyFactory, MouFactory
from tests.conftest import clear_cache

pytestmark = pytest.mark.django_db

TEHRAN = datetime.timezone(datetime.timedelta(hours=3, minutes=30))
TODAY = datetime.date(2026, 12, 6)
NOW = datetime.datetime(2026, 12, 6, 12, 0, tzinfo=TEHRAN)
LIST = "/transparency/agreements/"
LIST_JSON = "/transparency/agreements.json"
SUSPENSION_REASONS = "Synthetic audit finding about case 4471"


def at(day: datetime.date, hour: int = 10) -> datetime.datetime:
    return datetime.datetime.combine(day, datetime.time(hour), tzinfo=TEHRAN)


@pytest.fixture(autouse=True)
def _today():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def world(committee_reviewer, citizen):
    """A court in force (declared 300 a month), a fund suspended and reinstated, a relief body
    suspended now, one MoU ended last spring, one that expired in the summer, and two that
    ended more than a year ago."""
    court_request = AccessRequestFactory.create(
        applicant=citizen,
        agency_kind=AgencyKind.JUDICIAL,
        legal_basis="Civil procedure code, article 199 (synthetic).",
        purpose="Enforcing alimony judgments (synthetic).",
        monthly_volume=300,
        scopes=[Scope.COVERAGE_FLAG, Scope.PENSION_DETAIL],
    )
    mous = {
        "court": MouFactory.create(
            recorded_by=committee_reviewer,
            agency__name="Synthetic Court of Family Affairs",
            number="1404-MOU-COURT",
            access_request=court_request,
            basis=MouBasis.THIS_ORDER,
            scopes=[Scope.COVERAGE_FLAG, Scope.PENSION_DETAIL],
            valid_from=datetime.date(2025, 3, 21),
            valid_until=None,
        ),
        "fund": MouFactory.create(
            recorded_by=committee_reviewer,
            agency__name="Synthetic Pension Fund",
            agency__kind=AgencyKind.INSURANCE_FUND,
            number="1404-MOU-FUND",
        ),
        "relief": MouFactory.create(
            recorded_by=committee_reviewer,
            agency__name="Synthetic Relief Committee",
            agency__kind=AgencyKind.SUPPORT_RELIEF,
            number="1404-MOU-RELIEF",
        ),
        "ended_spring": MouFactory.create(
            recorded_by=committee_reviewer,
            agency__name="Synthetic Tax Tribunal",
            agency__kind=AgencyKind.QUASI_JUDICIAL,
            number="1403-MOU-SPRING",
        ),
        "expired_summer": MouFactory.create(
            recorded_by=committee_reviewer,
            agency__name="Synthetic Labour Board",
            agency__kind=AgencyKind.QUASI_JUDICIAL,
            number="1403-MOU-SUMMER",
            valid_from=datetime.date(2024, 1, 1),
            valid_until=datetime.date(2026, 7, 31),
        ),
        "ended_long_ago": MouFactory.create(
            recorded_by=committee_reviewer,
            agency__name="Synthetic Old Agency",
            number="1400-MOU-OLD",
            valid_from=datetime.date(2021, 1, 1),
        ),
        "expired_long_ago": MouFactory.create(
            recorded_by=committee_reviewer,
            agency__name="Synthetic Expired Agency",
            number="1400-MOU-EXPIRED",
            valid_from=datetime.date(2020, 1, 1),
            valid_until=datetime.date(2025, 11, 30),
        ),
    }
    actor = committee_reviewer
    with time_machine.travel(at(datetime.date(2026, 4, 5)), tick=False):
        services.suspend_mou(mou=mous["fund"], actor=actor, reasons=SUSPENSION_REASONS)
    with time_machine.travel(at(datetime.date(2026, 4, 20)), tick=False):
        services.reinstate_mou(mou=mous["fund"], actor=actor, reasons="Resolved (synthetic).")
    with time_machine.travel(at(datetime.date(2026, 11, 2)), tick=False):
        services.suspend_mou(mou=mous["relief"], actor=actor, reasons=SUSPENSION_REASONS)
    with time_machine.travel(at(datetime.date(2026, 5, 10)), tick=False):
        services.end_mou(mou=mous["ended_spring"], actor=actor, reasons="Ended (synthetic).")
    with time_machine.travel(at(datetime.date(2025, 10, 1)), tick=False):
        services.end_mou(mou=mous["ended_long_ago"], actor=actor, reasons="Ended (synthetic).")
    clear_cache()
    return mous


def entry(name: str):
    return next(agency for agency in register() if agency.name == name)


def test_it_lists_agencies_in_force_suspended_and_ended_within_the_year(world):
    names = [agency.name for agency in register()]
    assert names == sorted(names)
    assert set(names) == {
        "Synthetic Court of Family Affairs",
        "Synthetic Pension Fund",
        "Synthetic Relief Committee",
        "Synthetic Tax Tribunal",
        "Synthetic Labour Board",
    }
    states = {agency.name: agency.agreements[0].state for agency in register()}
    assert states["Synthetic Court of Family Affairs"] == "in_force"
    assert states["Synthetic Pension Fund"] == "in_force"
    assert states["Synthetic Relief Committee"] == "suspended"
    assert states["Synthetic Tax Tribunal"] == "ended"
    assert entry("Synthetic Tax Tribunal").agreements[0].ended_on == datetime.date(2026, 5, 10)
    assert entry("Synthetic Labour Board").agreements[0].ended_on == datetime.date(2026, 7, 31)


def test_an_agreement_ended_more_than_a_year_ago_is_not_listed(client, world):
    html = client.get(LIST, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Synthetic Court of Family Affairs" in html  # the check can fail
    for gone in ("Synthetic Old Agency", "1400-MOU-OLD", "Synthetic Expired Agency"):
        assert gone not in html
    agency = world["ended_long_ago"].agency
    assert client.get(reverse("agreements:agency", args=[agency.pk])).status_code == 404
    assert client.get(reverse("agreements:agency_json", args=[agency.pk])).status_code == 404


def test_suspensions_are_shown_with_their_dates_in_both_calendars(client, world):
    fund = world["fund"].agency
    suspensions = entry("Synthetic Pension Fund").agreements[0].suspensions
    assert [(s.start, s.end) for s in suspensions] == [
        (datetime.date(2026, 4, 5), datetime.date(2026, 4, 20))
    ]
    relief = entry("Synthetic Relief Committee").agreements[0].suspensions
    assert [(s.start, s.end) for s in relief] == [(datetime.date(2026, 11, 2), None)]

    url = reverse("agreements:agency", args=[fund.pk])
    english = client.get(url, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "suspended from 2026-04-05 to 2026-04-20" in english
    client.cookies["django_language"] = "fa"
    persian = client.get(url).content.decode()
    # 2026-04-05 is 16 Farvardin 1405, 2026-04-20 is 31 Farvardin 1405.
    assert "۱۴۰۵/۰۱/۱۶" in persian and "۱۴۰۵/۰۱/۳۱" in persian
    assert "2026-04-05" not in persian


def test_an_agencys_page_gives_basis_scopes_and_expected_volume_in_plain_words(client, world):
    court = world["court"].agency
    html = client.get(
        reverse("agreements:agency", args=[court.pk]), HTTP_ACCEPT_LANGUAGE="en"
    ).content.decode()
    assert "Civil procedure code, article 199 (synthetic)." in html
    assert "Enforcing alimony judgments (synthetic)." in html
    with translation.override("en"):
        assert str(Scope.PENSION_DETAIL.label) in html
        assert str(Scope.COVERAGE_HISTORY.label) not in html
    # 300 a month over 20 working days.
    assert "about 15 a working day (300 a month)" in html
    assert "Judicial authority" in html


def test_nothing_private_leaks(client, world, citizen, agency_staff, committee_reviewer):
    court = world["court"]
    agency_staff.first_name, agency_staff.last_name = "Shirin", "Stafferson"
    agency_staff.save()
    committee_reviewer.first_name, committee_reviewer.last_name = "Kaveh", "Reviewerzadeh"
    committee_reviewer.save()
    with time_machine.travel(at(datetime.date(2026, 11, 20)), tick=False):
        record_disclosure(
            national_code=citizen.national_code,
            staff_member=agency_staff,
            mou=court,
            channel=DisclosureChannel.DIRECT_INQUIRY,
            scopes=[Scope.COVERAGE_FLAG],
            record_found=True,
            purpose="judicial_case",
            case_reference="SYNTH-CASE-4471",
        )
    clear_cache()
    private = [
        "Insurance Deputy (synthetic)",
        "GM Pensions (synthetic)",
        "GM Registration (synthetic)",
        "Maryam Synthetic",  # the applicant's contact person
        "+989351110001",
        "contact@relief.example",
        SUSPENSION_REASONS,
        "SYNTH-CASE-4471",
        citizen.national_code,
        citizen.last_name,
        agency_staff.national_code,
        "Stafferson",
        committee_reviewer.national_code,
        "Reviewerzadeh",
    ]
    pages = []
    for language in ("fa", "en"):
        client.cookies["django_language"] = language
        for url in (
            LIST,
            LIST_JSON,
            reverse("agreements:agency", args=[court.agency_id]),
            reverse("agreements:agency_json", args=[court.agency_id]),
            reverse("agreements:agency", args=[world["relief"].agency_id]),
        ):
            response = client.get(url)
            assert response.status_code == 200, url
            pages.append(response.content.decode())
    everything = "\n".join(pages)
    assert "1404-MOU-COURT" in everything  # the check can fail
    assert [marker for marker in private if marker in everything] == []


def test_the_monthly_counts_are_right_and_only_counts(client, world, citizen, agency_staff):
    court = world["court"]

    def disclose(day: datetime.date, channel=DisclosureChannel.DIRECT_INQUIRY, **extra):
        with time_machine.travel(at(day), tick=False):
            record_disclosure(
                national_code=citizen.national_code,
                staff_member=agency_staff,
                mou=court,
                channel=channel,
                scopes=[Scope.COVERAGE_FLAG],
                record_found=True,
                purpose="judicial_case",
                **extra,
            )

    for day in (datetime.date(2026, 11, 3), datetime.date(2026, 11, 28), TODAY):
        disclose(day)
    disclose(datetime.date(2026, 11, 28), DisclosureChannel.CERTIFICATE)
    # The agency's own systems' lookups count like its staff's.
    disclose(datetime.date(2026, 11, 29), DisclosureChannel.API)
    disclose(datetime.date(2026, 2, 1))
    disclose(datetime.date(2024, 12, 1))  # outside the year
    # A confidential lookup is counted only once the person may see it (90 days).
    disclose(datetime.date(2026, 11, 30), confidential=True)
    disclose(datetime.date(2026, 8, 1), confidential=True)
    # Another agency's lookups are not this one's.
    with time_machine.travel(at(datetime.date(2026, 11, 5)), tick=False):
        record_disclosure(
            national_code=citizen.national_code,
            staff_member=agency_staff,
            mou=world["fund"],
            channel=DisclosureChannel.DIRECT_INQUIRY,
            scopes=[Scope.COVERAGE_FLAG],
            record_found=True,
            purpose="fund_coordination",
        )
    clear_cache()

    body = json.loads(client.get(reverse("agreements:agency_json", args=[court.agency_id])).content)
    gregorian = {m["month"]: m for m in body["agency"]["disclosures_per_month"]["gregorian"]}
    assert len(gregorian) == 12
    assert list(gregorian) == [f"2026-{month:02d}" for month in range(1, 13)]
    assert gregorian["2026-11"] == {
        "month": "2026-11",
        "direct_inquiries": 2,
        "certificates": 1,
        "agency_systems": 1,
        "total": 4,
    }
    assert gregorian["2026-12"]["total"] == 1
    assert gregorian["2026-02"]["total"] == 1
    assert gregorian["2026-08"]["total"] == 1  # confidential, past the delay
    assert sum(m["total"] for m in gregorian.values()) == 7

    jalali = {m["month"]: m for m in body["agency"]["disclosures_per_month"]["jalali"]}
    # Aban 1405 runs from 2026-10-23 to 2026-11-21, Azar from 2026-11-22.
    assert jalali["1405-08"]["total"] == 1
    assert jalali["1405-09"]["total"] == 4
    assert list(jalali)[-1] == "1405-09"

    client.cookies["django_language"] = "fa"
    html = client.get(reverse("agreements:agency", args=[court.agency_id])).content.decode()
    row = re.search(r'<tr data-month="1405-09">(.*?)</tr>', html, re.S)
    assert row is not None
    assert "آذر ۱۴۰۵" in row.group(1)
    assert re.findall(r"<td>(.*?)</td>", row.group(1))[1:] == ["۲", "۱", "۱", "۴"]
    assert citizen.national_code not in html


def test_both_languages(client, world):
    client.cookies["django_language"] = "en"
    english = client.get(LIST).content.decode()
    assert "Register of agreements" in english
    assert "2025-03-21" in english  # the court's MoU is valid from then
    assert 'dir="ltr"' in english or "dir=ltr" in english
    client.cookies["django_language"] = "fa"
    persian = client.get(LIST).content.decode()
    assert 'dir="rtl"' in persian
    assert "تفاهم‌نامه" in persian
    assert "۱۴۰۴/۰۱/۰۱" in persian  # 2025-03-21 in the Jalali calendar
    assert "2025-03-21" not in persian


def test_the_json_has_the_documented_shape(client, world):
    response = client.get(LIST_JSON)
    assert response["Content-Type"] == "application/json"
    assert "public" in response["Cache-Control"]
    assert response["Access-Control-Allow-Origin"] == "*"
    body = json.loads(response.content)
    assert set(body) == {"date", "ended_shown_days", "agencies", "labels"}
    assert body["date"] == "2026-12-06"
    court = next(a for a in body["agencies"] if a["name"] == "Synthetic Court of Family Affairs")
    assert set(court) == {"id", "name", "kind", "legal_id", "page", "json", "agreements"}
    assert court["kind"] == "judicial"
    assert court["page"] == reverse("agreements:agency", args=[court["id"]])
    assert court["agreements"] == [
        {
            "number": "1404-MOU-COURT",
            "state": "in_force",
            "basis": "this_order",
            "legal_basis": "Civil procedure code, article 199 (synthetic).",
            "purpose": "Enforcing alimony judgments (synthetic).",
            "signed_on": "2025-03-01",
            "valid_from": "2025-03-21",
            "valid_until": None,
            "ended_on": None,
            "scopes": ["coverage_flag", "pension_detail"],
            "expected_inquiries_per_month": 300,
            "expected_inquiries_per_day": 15,
            "suspensions": [],
        }
    ]
    fund = next(a for a in body["agencies"] if a["name"] == "Synthetic Pension Fund")
    assert fund["agreements"][0]["suspensions"] == [{"from": "2026-04-05", "until": "2026-04-20"}]
    assert fund["agreements"][0]["expected_inquiries_per_month"] is None  # circular No. 1
    with translation.override("en"):
        assert body["labels"]["scope"]["pension_detail"]["en"] == str(Scope.PENSION_DETAIL.label)
    assert set(body["labels"]["state"]) == {"in_force", "suspended", "not_yet_in_force", "ended"}
    assert body["labels"]["kind"]["judicial"]["fa"] != body["labels"]["kind"]["judicial"]["en"]

    one = json.loads(client.get(court["json"]).content)
    assert set(one) == {"date", "agency"}
    assert set(one["agency"]) == set(court) | {"disclosures_per_month"}
    assert set(one["agency"]["disclosures_per_month"]) == {"gregorian", "jalali"}


def _queries(client, url: str) -> int:
    clear_cache()
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


def test_the_register_takes_the_same_few_queries_for_many_agencies(
    client, world, committee_reviewer
):
    court = world["court"].agency_id
    urls = [LIST, LIST_JSON, f"/transparency/agreements/{court}/"]
    few = [_queries(client, url) for url in urls]
    for serial in range(8):
        mou = MouFactory.create(
            recorded_by=committee_reviewer,
            agency=AgencyFactory.create(name=f"Synthetic Extra {serial}"),
        )
        services.suspend_mou(mou=mou, actor=committee_reviewer, reasons="Synthetic.")
        services.reinstate_mou(mou=mou, actor=committee_reviewer, reasons="Synthetic.")
    many = [_queries(client, url) for url in urls]
    assert many == few
    # MoUs with their agencies and requests, their events; the counts in one more.
    assert few == [2, 2, 3]
    # Cached: a second visit asks the database nothing.
    client.get(LIST)
    with CaptureQueriesContext(connection) as queries:
        client.get(LIST)
    assert len(queries) == 0


def test_a_citizen_reaches_the_register_from_their_disclosures_page(client, citizen, world):
    client.force_login(citizen)
    html = client.get("/me/disclosures/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    link = re.search(r'<a href="([^"]+)" data-testid="register-link">([^<]+)</a>', html)
    assert link is not None
    assert link.group(1) == LIST
    assert link.group(2) == "Who may look, and why"
    client.logout()
    assert client.get(link.group(1)).status_code == 200  # no sign-in needed


def test_an_mou_signed_for_later_is_listed_as_not_yet_in_force(client, world, operator):
    MouFactory.create(
        recorded_by=operator,
        agency__name="Synthetic Future Fund",
        number="1405-MOU-NEXT",
        valid_from=datetime.date(2027, 1, 1),
    )
    clear_cache()
    assert entry("Synthetic Future Fund").agreements[0].state == "not_yet_in_force"


def test_an_mou_that_ran_out_before_the_committee_ended_it_ended_when_it_ran_out(
    world, committee_reviewer
):
    mou = MouFactory.create(
        recorded_by=committee_reviewer,
        agency__name="Synthetic Late Ending",
        valid_from=datetime.date(2024, 1, 1),
        valid_until=datetime.date(2026, 6, 30),
    )
    with time_machine.travel(at(datetime.date(2026, 9, 1)), tick=False):
        services.suspend_mou(mou=mou, actor=committee_reviewer, reasons="Synthetic.")
    with time_machine.travel(at(datetime.date(2026, 10, 1)), tick=False):
        services.end_mou(mou=mou, actor=committee_reviewer, reasons="Synthetic.")
    clear_cache()
    agreement = entry("Synthetic Late Ending").agreements[0]
    assert agreement.state == "ended"
    assert agreement.ended_on == datetime.date(2026, 6, 30)
    assert [(s.start, s.end) for s in agreement.suspensions] == [
        (datetime.date(2026, 9, 1), datetime.date(2026, 10, 1))
    ]


def test_a_superseded_mou_is_listed_as_ended_on_the_day_the_newer_one_replaced_it(
    world, committee_reviewer
):
    old = MouFactory.create(
        recorded_by=committee_reviewer,
        agency__name="Synthetic Renewed Fund",
        number="1403-MOU-OLD",
        valid_from=datetime.date(2024, 1, 1),
    )
    with time_machine.travel(at(datetime.date(2026, 8, 1)), tick=False):
        services.record_mou(
            agency=old.agency,
            terms=mou_terms(number="1405-MOU-NEW", basis=MouBasis.CIRCULAR_1, supersedes=old),
            recorded_by=committee_reviewer,
        )
    clear_cache()
    states = {a.number: (a.state, a.ended_on) for a in entry("Synthetic Renewed Fund").agreements}
    assert states["1403-MOU-OLD"] == ("ended", datetime.date(2026, 8, 1))
    assert states["1405-MOU-NEW"][0] == "in_force"
