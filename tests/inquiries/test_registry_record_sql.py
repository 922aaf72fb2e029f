"""The registry's plain-SQL read on PostgreSQL (`inquiries.selectors.registry_record`) against
the three ORM queries it replaced, on random people: the same person, the same periods and
pensions in the same order, every column the same."""

import datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from inquiries.models import (
    CoverageKind,
    CoveragePeriod,
    Gender,
    InsuredPerson,
    PensionKind,
    PensionRecord,
    PensionRole,
    PensionStatus,
)
from inquiries.selectors import registry_record, registry_rows_by_orm
from tests.plain_sql import columns, random_rows, rolled_back

pytestmark = pytest.mark.postgres

CODE = "0010000038"
MAIN_CODE = "0010000046"


# Few distinct dates and codes, so that orders are decided by the tie-breaks too.
dates = st.dates(min_value=datetime.date(1990, 1, 1), max_value=datetime.date(1990, 1, 4))
texts = st.text(st.characters(codec="utf-8", exclude_categories=("Cs", "Cc")), max_size=12)
periods = st.lists(
    st.tuples(
        st.sampled_from(["A1", "a1", "B-2", "ب۳", "Z"]),  # workshop code
        texts,  # workshop name
        st.sampled_from(list(CoverageKind)),
        dates,
        st.none() | st.integers(0, 400),  # end date, days after the start
        st.integers(0, 10_000),  # days
        st.none() | st.integers(0, 2**53),  # monthly wage
    ),
    max_size=6,
    unique_by=lambda row: (row[0], row[3]),
)
pensions = st.lists(
    st.tuples(
        st.sampled_from(["P1", "p1", "P-2", "۴"]),
        st.sampled_from(list(PensionRole)),
        st.sampled_from(list(PensionKind)),
        dates,
        st.sampled_from(list(PensionStatus)),
    ),
    max_size=4,
    unique_by=lambda row: row[0],
)


@pytest.mark.django_db
@random_rows()
@given(exists=st.booleans(), name=texts, period_rows=periods, pension_rows=pensions)
def test_it_reads_what_the_orm_queries_read(exists, name, period_rows, pension_rows) -> None:
    with rolled_back():
        if exists:
            person = InsuredPerson.objects.create(
                national_code=CODE,
                first_name=name,
                last_name="Test",
                birth_date=datetime.date(1970, 1, 1),
                gender=Gender.FEMALE,
            )
            for code, workshop, kind, start, length, days, wage in period_rows:
                CoveragePeriod.objects.create(
                    person=person,
                    workshop_code=code,
                    workshop_name=workshop,
                    coverage_kind=kind,
                    start_date=start,
                    end_date=None if length is None else start + datetime.timedelta(length),
                    days=days,
                    monthly_wage=wage,
                )
            for number, role, kind, start, status in pension_rows:
                PensionRecord.objects.create(
                    person=person,
                    pension_number=number,
                    role=role,
                    kind=kind,
                    start_date=start,
                    status=status,
                    main_national_code=MAIN_CODE if role == PensionRole.DEPENDENT else "",
                )
        record = registry_record(CODE)
        expected = registry_rows_by_orm(CODE)
        if expected is None:
            assert record is None
        else:
            assert record is not None
            assert columns(record.person) == columns(expected[0])
            assert [columns(p) for p in record.periods] == [columns(p) for p in expected[1]]
            assert [columns(p) for p in record.pensions] == [columns(p) for p in expected[2]]


def test_it_reads_a_person_in_one_query(django_assert_num_queries, db) -> None:
    person = InsuredPerson.objects.create(
        national_code=CODE,
        first_name="Test",
        last_name="Person",
        birth_date=datetime.date(1970, 1, 1),
        gender=Gender.MALE,
    )
    CoveragePeriod.objects.create(
        person=person,
        workshop_code="W1",
        coverage_kind=CoverageKind.MANDATORY,
        start_date=datetime.date(2000, 1, 1),
        days=30,
    )
    with django_assert_num_queries(1):
        record = registry_record(CODE)
        assert record is not None
        assert record.periods[0].person_id == person.pk
        assert record.status.insured_today
