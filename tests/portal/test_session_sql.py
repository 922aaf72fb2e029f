"""The session read in one fixed statement (portal.sessions) against Django's ORM read, on random
sessions: live, expired, expiring this second, unknown and malformed keys."""

import datetime

import pytest
from django.contrib.sessions.backends.db import SessionStore as DjangoStore
from django.contrib.sessions.models import Session
from django.db import connection
from django.urls import reverse
from django.utils import timezone
from hypothesis import given
from hypothesis import strategies as st

from portal.sessions import SessionStore
from tests.plain_sql import (
    as_a_request_starts,
    columns,
    counted_health_checks,
    random_rows,
    rolled_back,
    terminate_the_connection,
)

keys = st.sampled_from(["a" * 32, "b" * 32, "c0ffee" * 6, "short", ""])
sessions = st.lists(
    st.tuples(keys, st.integers(-2, 2), st.dictionaries(st.text(max_size=5), st.integers())),
    max_size=4,
    unique_by=lambda row: row[0],
)


@pytest.mark.django_db
@random_rows()
@given(rows=sessions, asked=keys, exactly_now=st.booleans())
def test_it_reads_what_the_orm_reads(rows, asked, exactly_now, monkeypatch) -> None:
    now = timezone.now()
    monkeypatch.setattr("django.utils.timezone.now", lambda: now)
    with rolled_back():
        for key, days, data in rows:
            expires = now if exactly_now and days == 0 else now + datetime.timedelta(days=days)
            Session.objects.create(
                session_key=key, session_data=SessionStore().encode(data), expire_date=expires
            )
        ours, django = SessionStore(asked), DjangoStore(asked)
        read = ours._get_session_from_db()
        expected = django._get_session_from_db()  # type: ignore[attr-defined]
        assert (read is None) == (expected is None)
        if read is not None:
            assert columns(read) == columns(expected)
        assert ours.load() == django.load()
        assert ours.session_key == django.session_key


def test_a_signed_in_client_keeps_its_session(client, citizen) -> None:
    client.force_login(citizen)
    response = client.get(reverse("accounts:dashboard"))
    assert response.status_code == 200
    assert response.wsgi_request.user == citizen
    assert type(response.wsgi_request.session) is SessionStore


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_signed_in_page_s_session_read_is_its_connection_s_health_check(
    client, citizen, monkeypatch
) -> None:
    """The session read, a signed-in request's first statement, is the connection's health
    check too (portal.rows.first_read): no `SELECT 1` before it on a reused connection, and a
    connection the server closed meanwhile is replaced."""
    checks = counted_health_checks(monkeypatch)
    client.force_login(citizen)
    as_a_request_starts()
    assert client.get(reverse("accounts:dashboard")).status_code == 200
    assert checks == []

    closed = terminate_the_connection()
    as_a_request_starts()
    response = client.get(reverse("accounts:dashboard"))
    assert response.status_code == 200
    assert response.wsgi_request.user == citizen  # the session was read on the new connection
    assert checks == [False]
    assert connection.connection.info.backend_pid != closed
