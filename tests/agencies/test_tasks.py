"""The agencies' tasks: safe to run twice, and run by a real worker."""

import datetime
import os
import subprocess
import sys

import pytest
from celery.schedules import crontab
from django.conf import settings

import portal.sms
from agencies import outbox, services, tasks
from agencies.models import Invitation, Notice
from portal.celery import app
from tests.conftest import _test_database_url, make_user
from tests.faults import free_port

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
    from agencies.selectors import today

    committee_reviewer.email = "committee@sso.example"
    committee_reviewer.save()
    agency_mou.valid_until = today() + datetime.timedelta(days=40)
    agency_mou.save()
    assert outbox.remind_expiring_mous(today=today()) == 0
    later = today() + datetime.timedelta(days=15)
    with django_capture_on_commit_callbacks(execute=True):
        assert outbox.remind_expiring_mous(today=later) == 1
        assert outbox.remind_expiring_mous(today=later) == 0
    # Written in the admin's language (Persian, the default).
    assert agency_admin.agency_notices.get().subject == (
        "اعتبار تفاهم‌نامه مرجع شما به‌زودی به پایان می‌رسد"
    )
    assert "committee@sso.example" in [address for m in mailoutbox for address in m.to]


def test_the_daily_reminder_is_on_the_beat_schedule(settings):
    entry = settings.CELERY_BEAT_SCHEDULE["agencies-remind-expiring-mous"]
    assert entry["task"] == tasks.remind_expiring_mous.name


# Queued messages and the beat schedule name tasks by these strings: moving code must not
# change them.
TASK_NAMES = [
    "agencies.tasks.deliver_notice",
    "agencies.tasks.send_invitation",
    "agencies.tasks.notify_operators_of_mou",
    "agencies.tasks.notify_operators_of_staff_list",
    "agencies.tasks.remind_expiring_mous",
    "agencies.tasks.resend_unsent_messages",
    "agencies.tasks.admit_identity_pending_rows",
]


def test_every_task_keeps_the_name_queued_messages_use():
    app.loader.import_default_modules()  # what a worker imports as it starts
    assert [name for name in TASK_NAMES if name not in app.tasks] == []
    assert [getattr(tasks, name.rpartition(".")[2]).name for name in TASK_NAMES] == TASK_NAMES


def test_every_beat_entry_names_a_task_the_worker_knows(settings):
    app.loader.import_default_modules()
    entries = settings.CELERY_BEAT_SCHEDULE.values()
    assert [entry["task"] for entry in entries if entry["task"] not in app.tasks] == []


def test_the_identity_sweep_runs_every_15_minutes_on_its_own(settings):
    entry = settings.CELERY_BEAT_SCHEDULE["agencies-admit-identity-pending-rows"]
    assert entry["task"] == "agencies.tasks.admit_identity_pending_rows"
    assert entry["schedule"] == crontab(minute="*/15")


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)  # the subprocess reads the committed membership
def test_an_invitation_made_while_the_broker_is_down_is_kept_and_sent_later(staff_membership):
    invite = (
        "from agencies import services; from agencies.models import Membership; "
        f"services.invite_member(membership=Membership.objects.get(pk={staff_membership.pk}))"
    )
    made = subprocess.run(
        [sys.executable, "manage.py", "shell", "-c", invite],
        env={
            **os.environ,
            "DATABASE_URL": _test_database_url(),
            "REDIS_URL": f"redis://127.0.0.1:{free_port()}/0",  # nothing listens there
            "CELERY_TASK_ALWAYS_EAGER": "0",
            "PORTAL_TESTING": "1",
            "PORTAL_ENV_FILE": "",
        },
        cwd=settings.BASE_DIR,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert made.returncode == 0, made.stderr[-2000:]
    invitation = Invitation.objects.get(membership=staff_membership)
    assert invitation.sent_at is None

    fresh = Notice.objects.create(recipient=staff_membership.user, subject="Fresh", body="Body.")
    assert outbox.resend_unsent_messages(older_than=datetime.timedelta(minutes=10)) == 0
    # The invitation, the notice and the fixture's MoU (made without its operators' email).
    assert outbox.resend_unsent_messages(older_than=datetime.timedelta(0)) == 3

    invitation.refresh_from_db()
    fresh.refresh_from_db()
    mou = staff_membership.agency.mous.get()
    assert invitation.sent_at and fresh.delivered_at and mou.it_notified_at
    assert outbox.resend_unsent_messages(older_than=datetime.timedelta(0)) == 0
