"""What the agencies' workers run: notices, invitations, the operators' and committee's emails,
the expiry reminders, and the sweep that queues again whatever never reached the broker.

The tasks are defined here, beside the code they run (the pretix way), under the names they
always had (`agencies.tasks.*`), so the beat schedule and messages already queued keep working;
`agencies.tasks` re-exports them for Celery's autodiscovery. Services write a row in their
transaction and send its task after commit (`send_after_commit`); each task claims its row with
a conditional update, so a re-run or a redelivery sends nothing twice.
"""

import datetime
import secrets
from collections.abc import Iterable
from functools import partial
from typing import Any

from celery import shared_task
from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from accounts.identity import Ownership, mobile_belongs_to
from accounts.models import User
from accounts.roles import Role
from agencies.models import (
    AccessRequest,
    ApiClient,
    Invitation,
    Membership,
    MembershipRole,
    Mou,
    MouStatus,
    Notice,
    StaffList,
)
from agencies.scopes import scope_labels
from portal.sms import send_templated_sms

# A message whose task has not claimed it this long after it was made is queued again.
RESEND_AFTER = datetime.timedelta(minutes=10)
_RETRY_TRANSIENT: dict[str, Any] = {
    "autoretry_for": (ConnectionError, TimeoutError),
    "retry_backoff": True,
    "max_retries": 5,
}


def send_after_commit(task: Any, object_id: int) -> None:
    """Queue `task(object_id)` once the row is committed. If the broker is down the page still
    answers: the row stays marked unsent and `resend_unsent_messages` queues it again later."""
    transaction.on_commit(lambda: task.delay(object_id), robust=True)


def post_notice(
    *,
    recipient: User,
    template: str,
    subject: str,  # marked with gettext_noop, translated here in the recipient's language
    context: dict[str, Any],
    access_request: AccessRequest | None = None,
    api_client: ApiClient | None = None,
) -> Notice:
    """Write the notice in the recipient's language; SMS and email follow after commit."""
    with translation.override(recipient.language):
        notice = Notice.objects.create(
            recipient=recipient,
            access_request=access_request,
            api_client=api_client,
            subject=_(subject),
            body=render_to_string(f"agencies/notices/{template}.txt", context).strip(),
        )
    send_after_commit(deliver_notice, notice.pk)
    return notice


def notice_path(notice: Notice) -> str:
    """Where a notice leads: its request's page, the panel's page of the agency's systems, or
    the person's requests."""
    if notice.access_request_id:
        return reverse("agencies:request_detail", args=[notice.access_request_id])
    if notice.api_client_id:
        return reverse("gov:api_clients")
    return reverse("agencies:my_requests")


@shared_task(name="agencies.tasks.deliver_notice", **_RETRY_TRANSIENT)
def deliver_notice(notice_id: int) -> bool:
    """Send a notice by SMS and email, once."""
    claimed = Notice.objects.filter(pk=notice_id, delivered_at=None).update(
        delivered_at=timezone.now()
    )
    if claimed != 1:
        return False
    notice = Notice.objects.select_related("recipient", "access_request").get(pk=notice_id)
    recipient, access_request = notice.recipient, notice.access_request
    mobile = recipient.mobile or (access_request.contact_mobile if access_request else "")
    email = recipient.email or (access_request.contact_email if access_request else "")
    url = settings.SITE_URL + notice_path(notice)
    if mobile:
        send_templated_sms(
            to=mobile,
            template_name="agency_notice",
            context={"subject": notice.subject, "url": url},
            language=recipient.language,
        )
    if email:
        send_mail(
            subject=notice.subject,
            message=f"{notice.body}\n\n{url}\n",
            from_email=None,
            recipient_list=[email],
        )
    return True


@shared_task(name="agencies.tasks.send_invitation", **_RETRY_TRANSIENT)
def send_invitation(invitation_id: int) -> bool:
    """Make the invitation's token and text the link to the account's mobile, once, and only
    if the identity service confirms that mobile for the account's national code. The link sets
    a password, so it goes nowhere else (never by email). Returns False if it was already sent
    or is no longer wanted; on NO the invitation is revoked; when the service does not answer
    it stays unsent and `resend_unsent_messages` tries again."""
    unsent: dict[str, Any] = {
        "pk": invitation_id,
        "sent_at": None,
        "revoked_at": None,
        "token_hash": "",
    }
    invitation = (
        Invitation.objects.select_related("membership__user", "membership__agency")
        .filter(**unsent)
        .first()
    )
    if invitation is None:
        return False
    user = invitation.membership.user
    mobile = user.mobile or ""
    answer = mobile_belongs_to(user.national_code, mobile) if mobile else Ownership.NO
    if answer is Ownership.UNAVAILABLE:
        return False
    if answer is Ownership.NO:
        Invitation.objects.filter(**unsent).update(revoked_at=timezone.now())
        return False
    token = secrets.token_urlsafe(32)
    claimed = Invitation.objects.filter(**unsent).update(
        token_hash=Invitation.digest(token), sent_at=timezone.now(), sent_to=mobile
    )
    if claimed != 1:
        return False
    send_templated_sms(
        to=mobile,
        template_name="agency_invitation",
        context={
            "url": settings.SITE_URL + reverse("agencies:accept_invitation", args=[token]),
            "agency": invitation.membership.agency,
        },
        language=user.language,
    )
    return True


def _email_operators(
    *, subject: str, template: str, context: dict[str, Any], role: Role = Role.OPERATOR
) -> None:
    """Email every active holder of the role (IT operators by default) who has an address, each
    in their own language."""
    operators = User.objects.filter(groups__name=role.value, is_active=True).exclude(email="")
    for operator in operators:
        with translation.override(operator.language):
            send_mail(
                subject=_(subject) % context,
                message=render_to_string(template, context),
                from_email=None,
                recipient_list=[operator.email],
            )


@shared_task(name="agencies.tasks.notify_operators_of_mou", **_RETRY_TRANSIENT)
def notify_operators_of_mou(mou_id: int) -> bool:
    """Email IT operators that an MoU was recorded, once."""
    claimed = Mou.objects.filter(pk=mou_id, it_notified_at=None).update(
        it_notified_at=timezone.now()
    )
    if claimed != 1:
        return False
    mou = Mou.objects.select_related("agency").get(pk=mou_id)
    _email_operators(
        subject=gettext_noop("New MoU recorded: %(number)s"),
        template="agencies/emails/mou_recorded_it.txt",
        context={
            "number": mou.number,
            "mou": mou,
            "url": settings.SITE_URL + reverse("admin:agencies_mou_change", args=[mou.pk]),
            "scopes": scope_labels(mou.scopes),
        },
    )
    return True


@shared_task(name="agencies.tasks.notify_operators_of_staff_list", **_RETRY_TRANSIENT)
def notify_operators_of_staff_list(staff_list_id: int) -> bool:
    """Email IT operators that a staff list waits to be granted, once."""
    claimed = StaffList.objects.filter(pk=staff_list_id, it_notified_at=None).update(
        it_notified_at=timezone.now()
    )
    if claimed != 1:
        return False
    staff_list = StaffList.objects.select_related("agency").get(pk=staff_list_id)
    _email_operators(
        subject=gettext_noop("Staff list %(number)d from %(agency)s waits to be granted"),
        template="agencies/emails/staff_list_it.txt",
        context={
            "number": staff_list.pk,
            "agency": staff_list.agency.name,
            "rows": staff_list.rows.count(),
            "url": settings.SITE_URL
            + reverse("admin:agencies_stafflist_change", args=[staff_list.pk]),
        },
    )
    return True


def _email_committee_of_expiry(context: dict[str, Any]) -> None:
    _email_operators(
        subject=gettext_noop("MoU %(number)s ends soon"),
        template="agencies/emails/mou_expiring_committee.txt",
        context=context,
        role=Role.COMMITTEE_REVIEWER,
    )


@shared_task(name="agencies.tasks.remind_expiring_mous")
def remind_expiring_mous(today: datetime.date | None = None) -> int:
    """Daily (beat): remind the agency's admins (notice, SMS, email) and the committee (email)
    that an MoU ends within AGENCY_MOU_EXPIRY_NOTICE, once per MoU. Returns how many were
    reminded."""
    today = today or timezone.localdate()
    horizon = today + settings.AGENCY_MOU_EXPIRY_NOTICE
    due = Mou.objects.filter(
        status=MouStatus.ACTIVE,
        valid_until__gte=today,
        valid_until__lte=horizon,
        expiry_reminded_at=None,
    ).values_list("pk", flat=True)
    reminded = 0
    for mou_id in list(due):
        with transaction.atomic():
            # Another run (or worker) may have reminded this one already.
            claimed = Mou.objects.filter(pk=mou_id, expiry_reminded_at=None).update(
                expiry_reminded_at=timezone.now()
            )
            if claimed != 1:
                continue
            mou = Mou.objects.select_related("agency", "access_request").get(pk=mou_id)
            admins = Membership.objects.filter(
                agency=mou.agency_id, role=MembershipRole.ADMIN, is_active=True
            ).select_related("user")
            for membership in admins:
                post_notice(
                    recipient=membership.user,
                    access_request=mou.access_request,
                    template="mou_expiring",
                    subject=gettext_noop("Your agency's MoU ends soon"),
                    context={"mou": mou},
                )
            context = {
                "number": mou.number,
                "mou": mou,
                "url": settings.SITE_URL + reverse("admin:agencies_mou_change", args=[mou.pk]),
            }
            transaction.on_commit(partial(_email_committee_of_expiry, context))
            reminded += 1
    return reminded


@shared_task(name="agencies.tasks.resend_unsent_messages")
def resend_unsent_messages(older_than: datetime.timedelta = RESEND_AFTER) -> int:
    """Every 15 minutes (beat, without arguments): queue again every notice, invitation and
    operators' email whose task never claimed it (the broker was down when it was made, or the
    identity service did not answer); returns how many. Each task claims its row once, so a
    message that is merely slow is not sent twice."""
    before = timezone.now() - older_than
    pending: list[tuple[Any, Iterable[int]]] = [
        (
            deliver_notice,
            Notice.objects.filter(delivered_at=None, created_at__lt=before).values_list(
                "pk", flat=True
            ),
        ),
        (
            send_invitation,
            Invitation.objects.filter(
                sent_at=None,
                revoked_at=None,
                used_at=None,
                created_at__lt=before,
                expires_at__gt=timezone.now(),
            ).values_list("pk", flat=True),
        ),
        (
            notify_operators_of_mou,
            Mou.objects.filter(it_notified_at=None, recorded_at__lt=before).values_list(
                "pk", flat=True
            ),
        ),
        (
            notify_operators_of_staff_list,
            StaffList.objects.filter(it_notified_at=None, submitted_at__lt=before).values_list(
                "pk", flat=True
            ),
        ),
    ]
    queued = 0
    for task, object_ids in pending:
        for object_id in list(object_ids):
            task.delay(object_id)
            queued += 1
    return queued
