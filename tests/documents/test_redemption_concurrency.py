"""Parallel redemptions on PostgreSQL: the uses of a code never pass its limit."""

import threading

import pytest
from django.db import connection

from documents.models import AccessCode, InboxNotice, Redemption
from documents.redemptions import RedemptionRefused, redeem_access_code
from inquiries.models import DisclosureRecord
from tests.transparency_log import fresh_log, seal_and_audit

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

CLIENTS = 20


def test_twenty_concurrent_redemptions_of_a_three_use_code_let_exactly_three_through(
    settings,
    tmp_path,
    citizen,
    citizen_record,
    issue,
    share,
    agency_staff,
    staff_membership,
    agency_mou,
):
    fresh_log(settings, tmp_path)
    # Refusals are counted as failed attempts; these tests are about the row, not the limits.
    settings.DOCUMENT_INQUIRY_STAFF_FAILURES = (1000, 60)
    settings.DOCUMENT_INQUIRY_AGENCY_FAILURES = (1000, 60)
    settings.DOCUMENT_INQUIRY_AGENCY_HOLDER_FAILURES = (1000, 60)
    settings.DOCUMENT_INQUIRY_HOLDER_FAILURES = (1000, 60)
    certificate = issue(citizen)
    code = share(certificate, max_uses=3)
    barrier = threading.Barrier(CLIENTS)
    outcomes: list[str] = []
    lock = threading.Lock()

    def redeem() -> None:
        try:
            barrier.wait(timeout=30)
            try:
                redeem_access_code(
                    staff_member=agency_staff,
                    mou=agency_mou,
                    national_code=citizen.national_code,
                    code=code,
                    client_ip="127.0.0.1",
                )
                outcome = "redeemed"
            except RedemptionRefused as refusal:
                outcome = refusal.reason.value
            except Exception as error:  # reported, so the test fails with the reason
                outcome = f"error: {error!r}"
            with lock:
                outcomes.append(outcome)
        finally:
            connection.close()  # each thread had its own connection

    threads = [threading.Thread(target=redeem) for _ in range(CLIENTS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert len(outcomes) == CLIENTS
    assert outcomes.count("redeemed") == 3, outcomes
    assert set(outcomes) == {"redeemed", "code_used_up"}, outcomes
    assert AccessCode.objects.get(certificate=certificate).uses == 3
    assert Redemption.objects.count() == 3
    assert DisclosureRecord.objects.count() == 3
    assert InboxNotice.objects.filter(kind=InboxNotice.Kind.REDEEMED).count() == 3
    audit = seal_and_audit()
    assert (audit.problems, audit.leaves) == ([], 3)
