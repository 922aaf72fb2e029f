"""A person's status from their records: the pure function in inquiries/status.py."""

import datetime
from dataclasses import dataclass

from hypothesis import given
from hypothesis import strategies as st

from inquiries.models import CoverageKind, PensionKind, PensionRole, PensionStatus
from inquiries.status import InsuredDuration, compute_status, covered_days

TODAY = datetime.date(2024, 3, 20)


@dataclass(frozen=True)
class Period:
    start_date: datetime.date
    end_date: datetime.date | None
    workshop_code: str = "1000001"
    workshop_name: str = "Workshop"
    coverage_kind: str = CoverageKind.MANDATORY
    days: int = 30


@dataclass(frozen=True)
class Pension:
    start_date: datetime.date
    status: str = PensionStatus.ACTIVE
    pension_number: str = "500001"
    role: str = PensionRole.MAIN
    kind: str = PensionKind.RETIREMENT
    main_national_code: str = ""


def day(offset: int) -> datetime.date:
    return TODAY + datetime.timedelta(days=offset)


def brute_force_days(periods, today) -> int:
    days: set[datetime.date] = set()
    for period in periods:
        current, end = period.start_date, min(period.end_date or today, today)
        while current <= end:
            days.add(current)
            current += datetime.timedelta(days=1)
    return len(days)


# Periods around TODAY: some closed, some open, some in the future, in any order.
periods_strategy = st.lists(
    st.builds(
        lambda start, length, is_open: Period(
            start_date=day(start), end_date=None if is_open else day(start + length)
        ),
        st.integers(min_value=-400, max_value=30),
        st.integers(min_value=0, max_value=120),
        st.booleans(),
    ),
    max_size=12,
)


@given(periods_strategy)
def test_total_days_equal_the_number_of_distinct_covered_days(periods):
    assert covered_days(periods, today=TODAY) == brute_force_days(periods, TODAY)


@given(periods_strategy, st.randoms())
def test_the_order_of_the_periods_does_not_matter(periods, random):
    shuffled = list(periods)
    random.shuffle(shuffled)
    assert compute_status(periods=shuffled, today=TODAY) == compute_status(
        periods=periods, today=TODAY
    )


@given(periods_strategy, st.data())
def test_a_period_inside_another_never_changes_the_total(periods, data):
    closed = [p for p in periods if p.end_date is not None and p.start_date <= TODAY]
    if not closed:
        return
    outer = data.draw(st.sampled_from(closed))
    length = (outer.end_date - outer.start_date).days
    start = data.draw(st.integers(min_value=0, max_value=length))
    end = data.draw(st.integers(min_value=start, max_value=length))
    inner = Period(
        start_date=outer.start_date + datetime.timedelta(days=start),
        end_date=outer.start_date + datetime.timedelta(days=end),
        workshop_code="2000002",
    )
    before = covered_days(periods, today=TODAY)
    assert covered_days([*periods, inner], today=TODAY) == before


@given(st.integers(min_value=0, max_value=100_000))
def test_years_months_and_days_add_back_to_the_total(total):
    duration = InsuredDuration.from_days(total)
    assert duration.years * 365 + duration.months * 30 + duration.days == total
    assert 0 <= duration.months <= 12
    assert 0 <= duration.days < 30


def test_overlapping_periods_count_each_day_once():
    periods = [Period(day(-99), day(-50)), Period(day(-60), day(-1), workshop_code="2")]
    assert compute_status(periods=periods, today=TODAY).total_insured_days == 99


def test_adjacent_periods_add_up():
    periods = [Period(day(-20), day(-11)), Period(day(-10), day(-1))]
    assert compute_status(periods=periods, today=TODAY).total_insured_days == 20


def test_an_open_period_counts_up_to_and_including_today():
    status = compute_status(periods=[Period(day(-9), None)], today=TODAY)
    assert status.total_insured_days == 10
    assert status.insured_today
    assert status.last_covered_date == TODAY


def test_a_period_ending_today_still_covers_today():
    status = compute_status(periods=[Period(day(-9), TODAY)], today=TODAY)
    assert status.insured_today


def test_a_period_that_starts_in_the_future_neither_counts_nor_covers_today():
    status = compute_status(periods=[Period(day(1), None)], today=TODAY)
    assert status.total_insured_days == 0
    assert not status.insured_today
    assert status.last_covered_date is None


def test_the_total_ignores_the_days_each_workshop_reported():
    status = compute_status(periods=[Period(day(-9), day(-1), days=500)], today=TODAY)
    assert status.total_insured_days == 9


def test_it_reports_the_current_coverage_with_its_kind_workshop_and_start():
    periods = [
        Period(day(-400), day(-200), workshop_code="1"),
        Period(
            day(-100),
            None,
            workshop_code="7",
            workshop_name="Bakery",
            coverage_kind=CoverageKind.SELF_EMPLOYED,
        ),
    ]
    coverage = compute_status(periods=periods, today=TODAY).current_coverage
    assert coverage is not None
    assert (coverage.coverage_kind, coverage.workshop_code, coverage.workshop_name) == (
        CoverageKind.SELF_EMPLOYED,
        "7",
        "Bakery",
    )
    assert coverage.since == day(-100)


def test_a_person_whose_coverage_ended_is_not_insured_today():
    status = compute_status(periods=[Period(day(-400), day(-30))], today=TODAY)
    assert not status.insured_today
    assert status.current_coverage is None
    assert status.last_covered_date == day(-30)


def test_a_person_with_no_records_has_an_empty_status():
    status = compute_status(periods=[], pensions=[], today=TODAY)
    assert not status.insured_today
    assert status.total_insured_days == 0
    assert status.insured_duration == InsuredDuration(0, 0, 0)
    assert status.last_covered_date is None
    assert status.pension is None


def test_the_duration_uses_365_day_years_and_30_day_months():
    assert InsuredDuration.from_days(365 + 2 * 30 + 5) == InsuredDuration(1, 2, 5)
    assert InsuredDuration.from_days(364) == InsuredDuration(0, 12, 4)


def test_an_active_pension_comes_before_an_ended_one():
    pensions = [
        Pension(day(-10), status=PensionStatus.ENDED, pension_number="2"),
        Pension(
            day(-900),
            pension_number="1",
            role=PensionRole.DEPENDENT,
            kind=PensionKind.SURVIVOR,
            main_national_code="0010000011",
        ),
    ]
    pension = compute_status(periods=[], pensions=pensions, today=TODAY).pension
    assert pension is not None
    assert (pension.role, pension.kind, pension.since, pension.status) == (
        PensionRole.DEPENDENT,
        PensionKind.SURVIVOR,
        day(-900),
        PensionStatus.ACTIVE,
    )
    assert pension.main_national_code == "0010000011"
