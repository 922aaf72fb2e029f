"""The registry's tables keep their invariants, and the status reads their rows directly."""

import datetime

import pytest
from django.db import IntegrityError

from inquiries.models import CoveragePeriod, InsuredPerson, PensionRecord
from inquiries.status import compute_status


@pytest.fixture
def person(db) -> InsuredPerson:
    return InsuredPerson.objects.create(
        national_code="9900000013",
        first_name="Sara",
        last_name="Example",
        birth_date=datetime.date(1986, 7, 3),
        gender="F",
    )


def make_period(person: InsuredPerson, **fields) -> CoveragePeriod:
    values = {
        "workshop_code": "1000123456",
        "coverage_kind": "mandatory",
        "start_date": datetime.date(2020, 1, 1),
        "end_date": datetime.date(2020, 12, 31),
        "days": 360,
    } | fields
    return CoveragePeriod.objects.create(person=person, **values)


def test_a_national_code_is_registered_once(person):
    with pytest.raises(IntegrityError):
        InsuredPerson.objects.create(
            national_code=person.national_code,
            first_name="Other",
            last_name="Person",
            birth_date=datetime.date(1990, 1, 1),
            gender="M",
        )


def test_a_period_cannot_end_before_it_starts(person):
    with pytest.raises(IntegrityError):
        make_period(person, end_date=datetime.date(2019, 12, 31))


def test_a_period_is_recorded_once_per_workshop_and_start(person):
    make_period(person)
    with pytest.raises(IntegrityError):
        make_period(person, days=10)


def test_a_dependent_pension_names_its_main_pensioner(person):
    with pytest.raises(IntegrityError):
        PensionRecord.objects.create(
            person=person,
            pension_number="1",
            role="dependent",
            kind="survivor",
            start_date=datetime.date(2020, 1, 1),
            status="active",
        )


def test_the_status_reads_model_rows(person):
    make_period(person)
    make_period(person, workshop_code="2", start_date=datetime.date(2021, 1, 1), end_date=None)
    status = compute_status(
        periods=list(person.coverage_periods.all()),
        pensions=list(person.pension_records.all()),
        today=datetime.date(2021, 1, 10),
    )
    assert status.insured_today
    assert status.total_insured_days == 366 + 10
