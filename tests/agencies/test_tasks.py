"""The agencies' tasks: safe to run twice, and run by a real worker."""

import pytest

import portal.sms
from agencies import tasks
from agencies.models import Notice
from tests.conftest import make_user

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
def test_a_real_worker_delivers_a_notice_once(celery_worker):
    # No role: a transactional test runs after others whose flush took the role groups.
    recipient = make_user("0010000097", "+989121110097")
    notice = make_notice(recipient)
    assert tasks.deliver_notice.delay(notice.pk).get(timeout=30) is True
    assert tasks.deliver_notice.delay(notice.pk).get(timeout=30) is False
    notice.refresh_from_db()
    assert notice.delivered_at is not None


def test_operators_are_emailed_once_per_staff_list(
    admin_membership, agency, agency_admin, operator, mailoutbox, django_capture_on_commit_callbacks
):
    from agencies import services
    from tests.agencies.factories import national_code

    operator.email = "it@sso.example"
    operator.save()
    row = {
        "national_code": national_code(61),
        "first_name": "Ali",
        "last_name": "Synthetic",
        "position": "Clerk",
        "mobile": "+989350000061",
        "email": "",
    }
    with django_capture_on_commit_callbacks(execute=True):
        staff_list = services.submit_staff_list(
            agency=agency, submitted_by=agency_admin, rows=[row]
        )
    assert tasks.notify_operators_of_staff_list.delay(staff_list.pk).get() is False
    assert [message.to for message in mailoutbox] == [["it@sso.example"]]
    assert f"grant_agency_staff {staff_list.pk}" in mailoutbox[0].body


def test_an_mou_that_ends_soon_is_reminded_once(
    agency_mou,
    admin_membership,
    agency_admin,
    committee_reviewer,
    mailoutbox,
    django_capture_on_commit_callbacks,
):
    import datetime

    from agencies import services
    from agencies.selectors import today

    committee_reviewer.email = "committee@sso.example"
    committee_reviewer.save()
    agency_mou.valid_until = today() + datetime.timedelta(days=40)
    agency_mou.save()
    assert services.remind_expiring_mous(today=today()) == 0
    later = today() + datetime.timedelta(days=15)
    with django_capture_on_commit_callbacks(execute=True):
        assert services.remind_expiring_mous(today=later) == 1
        assert services.remind_expiring_mous(today=later) == 0
    # Written in the admin's language (Persian, the default).
    assert agency_admin.agency_notices.get().subject == (
        "اعتبار تفاهم‌نامه مرجع شما به‌زودی به پایان می‌رسد"
    )
    assert "committee@sso.example" in [address for m in mailoutbox for address in m.to]


def test_the_daily_reminder_is_on_the_beat_schedule(settings):
    entry = settings.CELERY_BEAT_SCHEDULE["agencies-remind-expiring-mous"]
    assert entry["task"] == tasks.remind_expiring_mous.name
