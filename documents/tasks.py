"""Celery tasks of the documents app: thin wrappers over the rendering and housekeeping they run."""

import gc
import logging
from typing import Any

from celery import Task, shared_task
from celery.signals import worker_process_init
from django.db import DatabaseError, InterfaceError, OperationalError

from documents import housekeeping, pdf, rendering, signing

logger = logging.getLogger(__name__)

# Errors that a later attempt may not meet: storage, database or network hiccups, and a
# time-stamping service that did not answer.
TRANSIENT_ERRORS = (
    OSError,
    OperationalError,
    InterfaceError,
    DatabaseError,
    TimeoutError,
    signing.SigningError,
)
MAX_RETRIES = 5


@worker_process_init.connect
def _settle_the_pool_process(**kwargs: Any) -> None:
    """A pool process loads the certificate renderer (fonts, print stylesheet) before its first
    task, then moves everything alive into the garbage collector's permanent generation.

    A render makes and drops enough objects to start the collector some fifteen times; its
    fuller collections walked the whole process (Django, WeasyPrint, the fonts), in all about
    7% of a render's CPU, and half of that goes (benchmarks/README.md). What is frozen here
    lives as long as the process anyway.
    """
    pdf.load_renderer()
    gc.freeze()
    logger.info("pool process ready", extra={"frozen_objects": gc.get_freeze_count()})


def backoff_seconds(retries: int) -> int:
    """5 s, 10 s, 20 s, 40 s, 80 s: exponential, capped at five minutes."""
    return int(min(5 * 2**retries, 300))


def _describe(exc: BaseException) -> str:
    return f"{type(exc).__name__}: {exc}"


class RenderCertificateTask(Task):
    def on_failure(self, exc, task_id, args, kwargs, einfo) -> None:
        # A backstop for failures outside the task body (a time limit); marking is idempotent.
        certificate_id = kwargs.get("certificate_id", args[0] if args else None)
        if certificate_id is not None:
            rendering.mark_rendering_failed(certificate_id=certificate_id, error=_describe(exc))


@shared_task(
    name="documents.tasks.render_certificate",
    bind=True,
    base=RenderCertificateTask,
    max_retries=MAX_RETRIES,
    acks_late=True,
    reject_on_worker_lost=True,
)
def render_certificate(self: Task, certificate_id: int) -> str:
    """Render one certificate's PDF; idempotent (see rendering.render_certificate)."""
    try:
        outcome = rendering.render_certificate(certificate_id=certificate_id)
    except TRANSIENT_ERRORS as exc:
        # Eager tasks that propagate errors (the embedded default) never retry: the holder
        # retries from the page instead.
        cannot_retry = self.request.is_eager and self.app.conf.task_eager_propagates
        if self.request.retries >= MAX_RETRIES or cannot_retry:
            rendering.mark_rendering_failed(certificate_id=certificate_id, error=_describe(exc))
            raise
        logger.warning("certificate %s: transient render error %r, retrying", certificate_id, exc)
        raise self.retry(exc=exc, countdown=backoff_seconds(self.request.retries)) from exc
    except Exception as exc:
        rendering.mark_rendering_failed(certificate_id=certificate_id, error=_describe(exc))
        raise
    if outcome is rendering.RenderOutcome.BUSY:
        # Another worker holds a fresh claim; come back after it should have finished (if it
        # died, its claim is stale by then and this task takes over).
        raise self.retry(countdown=backoff_seconds(self.request.retries + 2))
    return outcome.value


@shared_task(name="documents.tasks.expire_documents")
def expire_documents() -> str:
    return str(housekeeping.expire_documents(requeue_render=render_certificate.delay))
