import datetime

import pytest
import time_machine
from django.urls import reverse

from inquiries.models import CoveragePeriod, InsuredPerson, PensionRecord

URL = reverse("inquiries:my_status")
TODAY = datetime.date(2026, 11, 28)


@pytest.fixture
def registered(citizen):
    person = InsuredPerson.objects.create(
        national_code=citizen.national_code,
        insurance_number="12345678",
        first_name="سارا",
        last_name="احمدی",
        birth_date=datetime.date(1990, 3, 21),
        gender="F",
    )
    for code, start, end, days in [
        ("1001", datetime.date(2020, 1, 1), datetime.date(2020, 12, 31), 366),
        # Overlaps the first period by a month: those days count once in the total.
        ("1002", datetime.date(2020, 12, 1), None, 2000),
    ]:
        CoveragePeriod.objects.create(
            person=person,
            workshop_code=code,
            workshop_name=f"کارگاه {code}",
            coverage_kind="mandatory",
            start_date=start,
            end_date=end,
            days=days,
        )
    return person


@time_machine.travel(datetime.datetime(2026, 11, 28, 12, tzinfo=datetime.UTC), tick=False)
def test_it_shows_the_status_and_history_in_english(client, citizen, registered):
    client.force_login(citizen)
    client.cookies["django_language"] = "en"
    html = client.get(URL).content.decode()
    total = (TODAY - datetime.date(2020, 1, 1)).days + 1
    assert "Sara" not in html and "سارا احمدی" in html
    assert "Mandatory at کارگاه 1002, since 2020-12-01" in html
    assert f"{total} days in all" in html
    assert "2020-01-01" in html and "continuing" in html
    assert "You have no pension record" in html


@time_machine.travel(datetime.datetime(2026, 11, 28, 12, tzinfo=datetime.UTC), tick=False)
def test_it_writes_jalali_dates_and_persian_digits_in_persian(client, citizen, registered):
    client.force_login(citizen)
    html = client.get(URL).content.decode()
    assert "۱۳۹۸/۱۰/۱۱" in html  # 2020-01-01
    assert "ادامه دارد" in html


def test_a_dependent_pensioner_sees_the_dependent_pension(client, citizen, registered):
    PensionRecord.objects.create(
        person=registered,
        pension_number="P-77",
        role="dependent",
        kind="survivor",
        start_date=datetime.date(2021, 3, 1),
        status="active",
        main_national_code="0010000062",
    )
    client.force_login(citizen)
    client.cookies["django_language"] = "en"
    html = client.get(URL).content.decode()
    assert "Dependent pensioner" in html
    assert "Survivor" in html
    assert "P-77" in html


def test_a_person_with_no_record_is_told_so_plainly(client, citizen):
    client.force_login(citizen)
    client.cookies["django_language"] = "en"
    html = client.get(URL).content.decode()
    assert "holds no insurance or pension record for the national code 0010000011" in html


def test_it_sends_anonymous_visitors_to_sign_in(client, db):
    response = client.get(URL)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


def test_the_page_is_not_cached(client, citizen):
    client.force_login(citizen)
    assert "no-store" in client.get(URL)["Cache-Control"]


def test_the_query_count_does_not_grow_with_the_history(
    client, citizen, registered, django_assert_max_num_queries
):
    for index in range(200):
        CoveragePeriod.objects.create(
            person=registered,
            workshop_code=f"9{index:03d}",
            coverage_kind="voluntary",
            start_date=datetime.date(2000, 1, 1) + datetime.timedelta(days=30 * index),
            end_date=datetime.date(2000, 1, 20) + datetime.timedelta(days=30 * index),
            days=20,
        )
    client.force_login(citizen)
    with django_assert_max_num_queries(8):
        assert client.get(URL).status_code == 200


@pytest.mark.parametrize(("language", "next_step"), [("en", "Payments of this pension are paused")])
def test_a_suspended_pension_says_what_it_means_and_what_to_do(
    client, citizen, registered, language, next_step
):
    PensionRecord.objects.create(
        person=registered,
        pension_number="7700",
        role="main",
        kind="retirement",
        start_date=datetime.date(2021, 1, 1),
        status="suspended",
    )
    client.force_login(citizen)
    client.cookies["django_language"] = language
    html = client.get(URL).content.decode()
    assert next_step in html
    assert "branch of the organization that pays it" in html
