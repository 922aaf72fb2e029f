"""Retries and races against PostgreSQL: ten concurrent retries with one idempotency key write
one record; twenty concurrent redemptions of a three-use code let exactly three through."""

import threading
from collections.abc import Callable

import pytest
from django.db import connection

from api.models import ApiAnswer
from documents.models import AccessCode, Redemption
from inquiries.models import DisclosureRecord
from tests.api.conftest import call, inquiry
from tests.transparency_log import fresh_log, seal_and_audit

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def in_parallel(count: int, work: Callable[[], object]) -> list:
    barrier = threading.Barrier(count)
    outcomes: list = []
    lock = threading.Lock()

    def run() -> None:
        try:
            barrier.wait(timeout=30)
            try:
                outcome = work()
            except Exception as error:  # reported, so the test fails with the reason
                outcome = f"error: {error!r}"
            with lock:
                outcomes.append(outcome)
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return outcomes


def test_ten_concurrent_retries_with_one_key_write_one_record(
    connect, registered_person, settings, tmp_path
):
    fresh_log(settings, tmp_path)
    connected = connect()
    token = connected.token()

    def retry():
        response = call(
            "POST", "/api/v1/inquiries", token, json=inquiry(), **{"Idempotency-Key": "same"}
        )
        return response.status_code, response.json()

    outcomes = in_parallel(10, retry)
    assert len(outcomes) == 10
    assert {status for status, _ in outcomes} == {200}, outcomes
    assert len({body["id"] for _, body in outcomes}) == 1
    assert DisclosureRecord.objects.count() == 1
    assert ApiAnswer.objects.count() == 1
    # The API record (with its client in the leaf) seals and audits like any other.
    audit = seal_and_audit()
    assert (audit.problems, audit.leaves) == ([], 1)


def test_twenty_concurrent_redemptions_of_a_three_use_code_let_exactly_three_through(
    settings, connect, citizen, citizen_record, issue, share
):
    settings.DOCUMENT_INQUIRY_STAFF_FAILURES = (1000, 60)
    settings.DOCUMENT_INQUIRY_AGENCY_FAILURES = (1000, 60)
    settings.DOCUMENT_INQUIRY_AGENCY_HOLDER_FAILURES = (1000, 60)
    settings.DOCUMENT_INQUIRY_HOLDER_FAILURES = (1000, 60)
    connected = connect()
    token = connected.token()
    certificate = issue(citizen)
    code = share(certificate, max_uses=3)

    def redeem():
        response = call(
            "POST",
            "/api/v1/certificates/redeem",
            token,
            json={"national_code": citizen.national_code, "access_code": code},
        )
        return response.status_code

    outcomes = in_parallel(20, redeem)
    assert sorted(outcomes) == [200] * 3 + [422] * 17, outcomes
    assert AccessCode.objects.get(certificate=certificate).uses == 3
    assert Redemption.objects.count() == 3
    assert DisclosureRecord.objects.count() == 3
