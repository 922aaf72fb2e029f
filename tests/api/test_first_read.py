"""An API call's first statement, the token's, is its connection's health check too
(`portal.rows.first_read`): no separate `SELECT 1` round trip on a reused connection, and a
connection the server has closed meanwhile is replaced as Django's own check would."""

import pytest
from django.db import connection

from inquiries.models import DisclosureRecord
from tests.api.conftest import call, inquiry
from tests.plain_sql import as_a_request_starts, counted_health_checks, terminate_the_connection

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def health_checks(monkeypatch):
    return counted_health_checks(monkeypatch)


def test_a_call_on_a_reused_connection_makes_no_separate_health_check(
    connect, registered_person, health_checks
):
    token = connect().token()
    as_a_request_starts()
    assert call("POST", "/api/v1/inquiries", token, json=inquiry()).status_code == 200
    assert health_checks == []
    assert DisclosureRecord.objects.count() == 1


def test_a_call_on_a_connection_the_server_closed_is_answered_on_a_new_one(
    connect, registered_person, health_checks
):
    token = connect().token()
    closed = terminate_the_connection()
    as_a_request_starts()
    response = call("POST", "/api/v1/inquiries", token, json=inquiry())
    assert response.status_code == 200, response.content
    assert health_checks == [False]  # the failed read asked, as Django's check would have
    assert connection.connection.info.backend_pid != closed
    assert DisclosureRecord.objects.count() == 1
