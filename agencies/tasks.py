"""The agencies' Celery tasks, gathered for autodiscovery.

Each is defined beside the code it runs, under its name here (`name="agencies.tasks.<task>"`):
the outbox's deliveries, reminders and resend sweep, and the staff lists' identity sweep.
"""

from agencies.admission import admit_identity_pending_rows
from agencies.outbox import (
    deliver_notice,
    notify_operators_of_mou,
    notify_operators_of_staff_list,
    remind_expiring_mous,
    resend_unsent_messages,
    send_invitation,
)

__all__ = [
    "admit_identity_pending_rows",
    "deliver_notice",
    "notify_operators_of_mou",
    "notify_operators_of_staff_list",
    "remind_expiring_mous",
    "resend_unsent_messages",
    "send_invitation",
]
