"""An API call's first statement, the token's, is its connection's health check too
(`portal.rows.first_read`): no separate `SELECT 1` round trip on a reused connection, and a
connection the server has closed meanwhile is replaced as Django's own check would."""

import pytest
from django.db import connection, connections

from inquiries.models import DisclosureRecord
from tests.api.conftest import call, inquiry

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def as_a_new_request_starts():
    """What Django's handler does at the start of every request (the test client leaves it out
    and keeps one connection throughout): the next statement is due a health check."""
    connection.close_if_unusable_or_obsolete()


@pytest.fixture
def health_checks(monkeypatch):
    made: list[bool] = []
    check = connection.is_usable

    def counted() -> bool:
        made.append(check())
        return made[-1]

    monkeypatch.setattr(connection, "is_usable", counted)
    return made


def test_a_call_on_a_reused_connection_makes_no_separate_health_check(
    connect, registered_person, health_checks
):
    token = connect().token()
    as_a_new_request_starts()
    assert call("POST", "/api/v1/inquiries", token, json=inquiry()).status_code == 200
    assert health_checks == []
    assert DisclosureRecord.objects.count() == 1


def test_a_call_on_a_connection_the_server_closed_is_answered_on_a_new_one(
    connect, registered_person, health_checks
):
    token = connect().token()
    closed = connection.connection.info.backend_pid
    other = connections.create_connection("default")
    try:
        with other.cursor() as cursor:
            cursor.execute("SELECT pg_terminate_backend(%s, 5000)", [closed])
            assert cursor.fetchone() == (True,)
    finally:
        other.close()
    as_a_new_request_starts()
    response = call("POST", "/api/v1/inquiries", token, json=inquiry())
    assert response.status_code == 200, response.content
    assert health_checks == [False]  # the failed read asked, as Django's check would have
    assert connection.connection.info.backend_pid != closed
    assert DisclosureRecord.objects.count() == 1
