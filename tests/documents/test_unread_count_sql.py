"""The navigation's unread count in one fixed statement (`documents.selectors.unread_notice_count`)
against the ORM query it replaced, on random inboxes of two people: read and unread notices of
every kind, the other person's notices beside them."""

import datetime

import pytest
from django.utils import timezone
from hypothesis import given
from hypothesis import strategies as st

from documents.models import InboxNotice
from documents.selectors import unread_notice_count, unread_notice_count_by_orm
from tests.plain_sql import random_rows, rolled_back

notices = st.lists(
    st.tuples(
        st.booleans(),  # whose: the citizen's (True) or the other citizen's
        st.sampled_from(list(InboxNotice.Kind)),
        st.none() | st.integers(-3, 3),  # read: days from now, or unread
    ),
    max_size=8,
)


@pytest.mark.django_db
@random_rows()
@given(rows=notices)
def test_it_counts_what_the_orm_counts(citizen, other_citizen, rows) -> None:
    with rolled_back():
        for mine, kind, read in rows:
            InboxNotice.objects.create(
                recipient=citizen if mine else other_citizen,
                kind=kind,
                read_at=None if read is None else timezone.now() + datetime.timedelta(days=read),
            )
        for person in (citizen, other_citizen):
            expected = sum(
                1 for mine, _, read in rows if read is None and mine == (person == citizen)
            )
            assert unread_notice_count(person) == unread_notice_count_by_orm(person) == expected


def test_it_is_one_query(citizen, django_assert_num_queries) -> None:
    InboxNotice.objects.create(recipient=citizen, kind=InboxNotice.Kind.CODE_ISSUED)
    with django_assert_num_queries(1):
        assert unread_notice_count(citizen) == 1
