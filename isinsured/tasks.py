"""Thin tasks over `isinsured.services`; each takes an id and is safe to run twice."""

from celery import shared_task
from django.db import InterfaceError, OperationalError

from isinsured import services

_TRANSIENT = (ConnectionError, TimeoutError, OperationalError, InterfaceError)


@shared_task(autoretry_for=_TRANSIENT, retry_backoff=True, max_retries=5)
def apply_organizations(run_id: int) -> int:
    return services.apply_organizations(run_id=run_id)


@shared_task(autoretry_for=_TRANSIENT, retry_backoff=True, max_retries=5)
def apply_chunk(chunk_id: int) -> bool:
    return services.apply_chunk(chunk_id=chunk_id)
