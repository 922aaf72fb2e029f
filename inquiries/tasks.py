"""Thin, idempotent tasks: each loads by id and calls a service that claims its work once."""

from celery import shared_task

from inquiries import services, transparency


@shared_task(
    name="inquiries.tasks.notify_operators_of_daily_limit",
    autoretry_for=(ConnectionError, TimeoutError),
    retry_backoff=True,
    max_retries=5,
)
def notify_operators_of_daily_limit(agency_id: int, day: str, limit: int) -> bool:
    return services.notify_operators_of_daily_limit(agency_id=agency_id, day=day, limit=limit)


# Beat runs it every TRANSPARENCY_SEAL_SECONDS; a run that overlaps another seals nothing twice
# (the sequencer lock), and a run that expires unstarted is replaced by the next one.
@shared_task(name="inquiries.tasks.seal_disclosure_log", expires=60)
def seal_disclosure_log() -> int:
    return transparency.seal().sealed
