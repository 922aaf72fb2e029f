from celery import shared_task
from django.core import management


@shared_task(name="portal.tasks.clear_expired_sessions")
def clear_expired_sessions() -> None:
    management.call_command("clearsessions")


@shared_task(name="portal.tasks.ping")
def ping(value: str) -> str:
    """Echo back; used to prove a worker is alive and reads the same settings."""
    return value
