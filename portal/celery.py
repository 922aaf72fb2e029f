"""The Celery app. Configuration comes from Django settings (the `CELERY_` names).

The signals below carry the id of the request that sent a task into the task's log lines
(portal/logs.py): the publisher puts it in the message's headers, the worker binds it while the
task runs. A task that no request sent (beat's) gets an id of its own.
"""

import logging
import os
from contextvars import Token
from typing import Any

from celery import Celery, Task
from celery.signals import before_task_publish, setup_logging, task_postrun, task_prerun
from django.db import close_old_connections

import portal.logs as logs

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")

app = Celery("portal")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()

logger = logging.getLogger("portal.tasks")
REQUEST_ID_HEADER = "request_id"
# What task_prerun bound, by task id, for task_postrun to undo.
_log_tokens: dict[str, tuple[Token[str], Token[tuple[str, str] | None]]] = {}


@setup_logging.connect
def _keep_djangos_logging(**kwargs: Any) -> None:
    """Django has configured logging (JSON lines) already; Celery must not replace it."""


@before_task_publish.connect
def _send_the_request_id(headers: dict | None = None, **kwargs: Any) -> None:
    request_id = logs.current_request_id()
    if headers is not None and request_id:
        headers.setdefault(REQUEST_ID_HEADER, request_id)


@task_prerun.connect
def _bind_the_request_id(task_id: str, task: Task, **kwargs: Any) -> None:
    if task.request.is_eager:
        return  # run inside the request itself: its id is bound already
    # The header is checked again: anyone who can write to the broker can set it.
    request_id = logs.safe_id(getattr(task.request, REQUEST_ID_HEADER, None)) or logs.new_id()
    _log_tokens[task_id] = (logs.bind_request_id(request_id), logs.bind_task(task.name, task_id))
    logger.info("task started")


@task_postrun.connect
def _unbind_the_request_id(task_id: str, state: str | None = None, **kwargs: Any) -> None:
    tokens = _log_tokens.pop(task_id, None)
    if tokens is None:
        return
    logger.info("task finished", extra={"state": state})
    request_token, task_token = tokens
    logs.unbind_task(task_token)
    logs.unbind_request_id(request_token)


@task_prerun.connect
@task_postrun.connect
def _close_old_database_connections(task: Task, **kwargs: Any) -> None:
    """Django's rule for a request, around every task: a connection older than CONN_MAX_AGE or
    broken by an error is closed, a healthy one is kept (and checked before its next use).

    Celery's Django fix-up would close it before and after every task instead (settings set
    CELERY_DB_REUSE_MAX to stop that): each task then paid for a new PostgreSQL connection and
    server process, a fifth of a certificate's CPU beyond the render (benchmarks/README.md).
    """
    if not task.request.is_eager:  # an eager task runs inside its caller's transaction
        close_old_connections()
