"""The agencies' tasks: safe to run twice, and run by a real worker."""

import pytest

import portal.sms
from agencies import tasks
from agencies.models import Notice

pytestmark = pytest.mark.django_db


def make_notice(user) -> Notice:
    return Notice.objects.create(recipient=user, subject="Synthetic subject", body="Body.")


def test_a_notice_is_delivered_once_however_often_the_task_runs(citizen):
    notice = make_notice(citizen)
    assert tasks.deliver_notice.delay(notice.pk).get() is True
    assert tasks.deliver_notice.delay(notice.pk).get() is False
    assert [sms.to for sms in portal.sms.outbox] == [citizen.mobile]


def test_operators_are_emailed_once_per_mou(agency_mou, operator, mailoutbox):
    operator.email = "it@sso.example"
    operator.save()
    assert tasks.notify_operators_of_mou.delay(agency_mou.pk).get() is True
    assert tasks.notify_operators_of_mou.delay(agency_mou.pk).get() is False
    assert [message.to for message in mailoutbox] == [["it@sso.example"]]
    assert agency_mou.number in mailoutbox[0].subject


@pytest.mark.worker
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_real_worker_delivers_a_notice_once(celery_worker, citizen):
    notice = make_notice(citizen)
    assert tasks.deliver_notice.delay(notice.pk).get(timeout=30) is True
    assert tasks.deliver_notice.delay(notice.pk).get(timeout=30) is False
    notice.refresh_from_db()
    assert notice.delivered_at is not None
