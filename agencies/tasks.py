"""Thin, idempotent tasks: each loads by id and calls a service that claims its work once."""

import datetime

from celery import shared_task

from agencies import services


@shared_task(autoretry_for=(ConnectionError, TimeoutError), retry_backoff=True, max_retries=5)
def deliver_notice(notice_id: int) -> bool:
    return services.deliver_notice(notice_id=notice_id)


@shared_task(autoretry_for=(ConnectionError, TimeoutError), retry_backoff=True, max_retries=5)
def send_invitation(invitation_id: int) -> bool:
    return services.send_invitation(invitation_id=invitation_id)


@shared_task(autoretry_for=(ConnectionError, TimeoutError), retry_backoff=True, max_retries=5)
def notify_operators_of_mou(mou_id: int) -> bool:
    return services.notify_operators_of_mou(mou_id=mou_id)


@shared_task
def remind_expiring_mous() -> int:
    """Daily (beat): MoUs that end soon, reminded once each."""
    return services.remind_expiring_mous()


@shared_task(autoretry_for=(ConnectionError, TimeoutError), retry_backoff=True, max_retries=5)
def notify_operators_of_staff_list(staff_list_id: int) -> bool:
    return services.notify_operators_of_staff_list(staff_list_id=staff_list_id)


@shared_task
def resend_unsent_messages() -> int:
    """Every 15 minutes (beat): messages whose task never reached the broker, queued again."""
    return services.resend_unsent_messages(older_than=datetime.timedelta(minutes=10))
