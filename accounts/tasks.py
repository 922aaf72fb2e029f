from celery import shared_task

from accounts import services


@shared_task(name="accounts.tasks.delete_expired_unproven_accounts")
def delete_expired_unproven_accounts() -> int:
    """Housekeeping (beat, every 30 minutes): a second run finds nothing left to delete."""
    return services.delete_expired_unproven_accounts()
