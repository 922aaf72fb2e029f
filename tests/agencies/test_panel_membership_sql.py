"""The gate's plain-SQL read (`agencies.selectors.panel_membership_for`) against the ORM query
it replaced, on random memberships and MoUs: the same membership, the same MoU, every column
the same."""

import datetime

import pytest
from django.db.models import FilteredRelation
from django.forms.models import model_to_dict
from django.utils import timezone
from hypothesis import given
from hypothesis import strategies as st

from accounts.models import User
from agencies.models import (
    OPEN_MOU_STATUSES,
    Membership,
    MembershipRole,
    Mou,
    MouStatus,
    mou_in_force_on,
)
from agencies.selectors import panel_membership_for
from tests.agencies.factories import AccessRequestFactory, AgencyFactory, MouFactory
from tests.conftest import make_user
from tests.plain_sql import columns, random_rows, rolled_back


def orm_panel_membership_for(user: User) -> tuple[Membership, Mou] | None:
    """The reference: the query the gate ran before it was written in SQL."""
    in_force = mou_in_force_on(timezone.localdate(), prefix="agency__mous__")
    membership = (
        Membership.objects.filter(user=user, is_active=True, accepted_at__isnull=False)
        .annotate(mou_in_force=FilteredRelation("agency__mous", condition=in_force))
        .filter(mou_in_force__isnull=False)
        .select_related("agency", "mou_in_force")  # type: ignore[misc]
        .order_by("pk", "-mou_in_force__valid_from", "-mou_in_force__pk")
        .first()
    )
    return None if membership is None else (membership, membership.mou_in_force)


days = st.integers(min_value=-10, max_value=10)
mous = st.lists(
    st.tuples(
        st.integers(0, 1),  # which agency: often two MoUs of one agency
        # Mostly open; an agency's second open MoU is recorded as superseded (a constraint
        # allows one open MoU per agency).
        st.sampled_from(
            [MouStatus.ACTIVE] * 3 + [MouStatus.SUSPENDED, MouStatus.ENDED, MouStatus.SUPERSEDED]
        ),
        days,  # valid_from, days from today
        st.none() | st.integers(min_value=0, max_value=20),  # valid_until, days after valid_from
    ),
    max_size=6,
)
memberships = st.lists(
    st.tuples(
        st.integers(0, 2),  # which agency (one membership per agency and person)
        st.booleans(),  # active
        st.booleans(),  # accepted
        st.sampled_from(list(MembershipRole)),
    ),
    max_size=3,
    unique_by=lambda row: row[0],
)


@pytest.mark.django_db
@random_rows()
@given(mou_rows=mous, membership_rows=memberships, active_user=st.booleans())
def test_it_finds_what_the_orm_query_finds(mou_rows, membership_rows, active_user) -> None:
    today = timezone.localdate()
    with rolled_back():
        user = make_user("0010000038", "+989121110003", is_active=active_user)
        agencies = [AgencyFactory.create() for _ in range(3)]
        with_open_mou: set[int] = set()
        for agency, status, start, length in mou_rows:
            if status in OPEN_MOU_STATUSES:
                if agency in with_open_mou:
                    status = MouStatus.SUPERSEDED
                with_open_mou.add(agency)
            valid_from = today + datetime.timedelta(days=start)
            MouFactory.create(
                agency=agencies[agency],
                recorded_by=user,
                status=status,
                valid_from=valid_from,
                valid_until=None
                if length is None
                else valid_from + datetime.timedelta(days=length),
            )
        for agency, active, accepted, role in membership_rows:
            Membership.objects.create(
                user=user,
                agency=agencies[agency],
                role=role,
                is_active=active,
                accepted_at=timezone.now() if accepted else None,
                granted_by=user,
            )
        found = panel_membership_for(user)
        expected = orm_panel_membership_for(user) if active_user else None
        if expected is None:
            assert found is None
        else:
            assert found is not None
            assert columns(found[0]) == columns(expected[0])
            assert columns(found[1]) == columns(expected[1])
            assert model_to_dict(found[0].agency) == model_to_dict(expected[0].agency)


def member_of_an_agency_in_force() -> tuple[User, Mou]:
    user = make_user("0010000038", "+989121110003")
    mou = MouFactory.create(valid_from=timezone.localdate(), valid_until=None, recorded_by=user)
    Membership.objects.create(
        user=user, agency=mou.agency, accepted_at=timezone.now(), granted_by=user
    )
    return user, mou


def test_it_reads_the_membership_in_one_query(django_assert_num_queries, db) -> None:
    user, mou = member_of_an_agency_in_force()
    with django_assert_num_queries(1):
        membership, found_mou = panel_membership_for(user)  # type: ignore[misc]
        assert found_mou.pk == mou.pk
        assert membership.agency.kind == mou.agency.kind
        assert found_mou.agency.pk == mou.agency.pk


def test_it_reads_the_mous_expected_volume_in_the_same_query(django_assert_num_queries, db) -> None:
    user, mou = member_of_an_agency_in_force()
    with django_assert_num_queries(1):
        assert panel_membership_for(user)[1].expected_monthly_volume() is None  # type: ignore[index]
    applicant = make_user("0010000089", "+989121110009")
    mou.access_request = AccessRequestFactory.create(applicant=applicant, monthly_volume=700)
    mou.save(update_fields=["access_request"])
    with django_assert_num_queries(1):
        assert panel_membership_for(user)[1].expected_monthly_volume() == 700  # type: ignore[index]
    assert mou.expected_monthly_volume() == 700  # the MoU read without it asks


def test_it_takes_the_mou_in_force_not_the_one_it_superseded(db) -> None:
    user = make_user("0010000038", "+989121110003")
    today = timezone.localdate()
    older = MouFactory.create(
        valid_from=today - datetime.timedelta(days=9),
        status=MouStatus.SUPERSEDED,
        recorded_by=user,
    )
    newer = MouFactory.create(
        agency=older.agency, valid_from=today - datetime.timedelta(days=2), recorded_by=user
    )
    Membership.objects.create(
        user=user, agency=older.agency, accepted_at=timezone.now(), granted_by=user
    )
    found = panel_membership_for(user)
    expected = orm_panel_membership_for(user)
    assert found is not None and expected is not None
    assert found[1].pk == expected[1].pk == newer.pk
