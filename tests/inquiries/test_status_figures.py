"""Every figure on /me/status/ adds up: the rows' days to the total, or the page says why."""

import datetime
import re

import pytest
import time_machine
from django.urls import reverse

from inquiries.models import CoveragePeriod, InsuredPerson

URL = reverse("inquiries:my_status")
TODAY = datetime.date(2026, 11, 28)
pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _today():
    with time_machine.travel(datetime.datetime(2026, 11, 28, 12, tzinfo=datetime.UTC), tick=False):
        yield


def person_with(citizen, periods) -> InsuredPerson:
    person = InsuredPerson.objects.create(
        national_code=citizen.national_code,
        first_name="سارا",
        last_name="احمدی",
        birth_date=datetime.date(1990, 3, 21),
        gender="F",
    )
    for code, start, end, reported in periods:
        CoveragePeriod.objects.create(
            person=person,
            workshop_code=code,
            workshop_name=f"کارگاه {code}",
            coverage_kind="mandatory",
            start_date=start,
            end_date=end,
            days=reported,
        )
    return person


def figures(html: str) -> tuple[list[int], int]:
    rows = [int(days) for days in re.findall(r'<td class="text-end"[^>]*>(\d+)</td>', html)]
    match = re.search(r"(\d+) days in all", html)
    assert match, "the page states no total"
    total = int(match.group(1))
    return rows, total


def page(client, citizen) -> str:
    client.force_login(citizen)
    client.cookies["django_language"] = "en"
    return client.get(URL).content.decode()


def test_an_open_periods_row_counts_its_days_to_date_and_the_rows_add_up_to_the_total(
    client, citizen
):
    # As in the demo: the workshop reported fewer days than the open period has run so far.
    person_with(
        citizen,
        [
            ("1001", datetime.date(2010, 4, 1), datetime.date(2014, 9, 30), 1644),
            ("1002", datetime.date(2019, 6, 1), None, 1066),
        ],
    )
    html = page(client, citizen)
    rows, total = figures(html)
    assert rows == [(TODAY - datetime.date(2019, 6, 1)).days + 1, 1644]
    assert sum(rows) == total
    assert "overlap" not in html


def test_overlapping_periods_are_explained_once_with_the_days_counted_once(client, citizen):
    person_with(
        citizen,
        [
            ("1001", datetime.date(2020, 1, 1), datetime.date(2020, 12, 31), 366),
            ("1002", datetime.date(2020, 12, 1), None, 2000),
        ],
    )
    html = page(client, citizen)
    rows, total = figures(html)
    assert sum(rows) - 31 == total
    assert html.count("31 days") == 1
    assert re.search(r"overlap[^<]*31 days[^<]*once", html), html
