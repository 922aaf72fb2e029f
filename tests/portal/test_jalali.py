"""Jalali dates for data files and API answers: `jalali_date_for_data` against jdatetime's own
formatting, on any day from the calendar's fourth century to the 2200s."""

import datetime

import jdatetime
from hypothesis import given
from hypothesis import strategies as st

from portal.jalali import jalali_date_for_data

days = st.dates(min_value=datetime.date(1000, 1, 1), max_value=datetime.date(2299, 12, 31))


@given(day=days)
def test_a_day_is_written_as_jdatetime_writes_it(day):
    expected = jdatetime.date.fromgregorian(date=day).strftime("%Y/%m/%d")
    assert jalali_date_for_data(day) == expected
    assert jalali_date_for_data(day) == expected  # and again, from the cache


def test_a_moment_is_its_local_day():
    # 21:00 UTC on 20 March 2024 is already 21 March in Tehran: 1403/01/02.
    moment = datetime.datetime(2024, 3, 20, 21, 0, tzinfo=datetime.UTC)
    assert jalali_date_for_data(moment) == "1403/01/02"
    assert jalali_date_for_data(datetime.date(2024, 3, 20)) == "1403/01/01"
