"""Celery tasks of the API: thin wrappers over its housekeeping."""

from celery import shared_task

from api import housekeeping


@shared_task(name="api.tasks.purge_expired")
def purge_expired() -> dict[str, int]:
    purged = housekeeping.purge_expired()
    return {"tokens": purged.tokens, "answers": purged.answers}
