"""Thin, idempotent tasks: each loads by id and calls a service that claims its work once."""

from celery import shared_task

from inquiries import services


@shared_task(autoretry_for=(ConnectionError, TimeoutError), retry_backoff=True, max_retries=5)
def notify_operators_of_daily_limit(agency_id: int, day: str, limit: int) -> bool:
    return services.notify_operators_of_daily_limit(agency_id=agency_id, day=day, limit=limit)
