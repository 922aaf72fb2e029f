"""Logs as one JSON object per line, each carrying the id of the request (or task) it belongs to.

The id lives in a context variable: `RequestObservationMiddleware` sets it for a request,
Celery's signals (portal/celery.py) carry it in the headers of the tasks the request sends and
set it again in the worker, so an operator can follow one request into its tasks with one
search. Imported by the logging configuration, so it must not import models.
"""

import datetime
import json
import logging
import re
import uuid
from contextvars import ContextVar, Token

# What a client or a proxy may give as its own id: short, and nothing that could break a log
# line or a header (no spaces, quotes, newlines, markup).
SAFE_ID = re.compile(r"[A-Za-z0-9._-]{1,64}")

_request_id: ContextVar[str] = ContextVar("request_id", default="")
_task: ContextVar[tuple[str, str] | None] = ContextVar("task", default=None)


def new_id() -> str:
    return uuid.uuid4().hex


def safe_id(candidate: object) -> str:
    """`candidate` if it is a short safe token, else ""."""
    if isinstance(candidate, str) and SAFE_ID.fullmatch(candidate):
        return candidate
    return ""


def current_request_id() -> str:
    return _request_id.get()


def bind_request_id(request_id: str) -> Token[str]:
    return _request_id.set(request_id)


def unbind_request_id(token: Token[str]) -> None:
    _request_id.reset(token)


def bind_task(name: str, task_id: str) -> Token[tuple[str, str] | None]:
    return _task.set((name, task_id))


def unbind_task(token: Token[tuple[str, str] | None]) -> None:
    _task.reset(token)


class RequestIdFilter(logging.Filter):
    """Puts the current request id (and task, in a worker) on every record a handler writes."""

    def filter(self, record: logging.LogRecord) -> bool:
        if not getattr(record, "request_id", ""):
            record.request_id = _request_id.get()
        task = _task.get()
        if task and not hasattr(record, "task"):
            record.task, record.task_id = task
        return True


# The attributes every LogRecord has; anything else on a record came as `extra=`.
_STANDARD = set(vars(logging.LogRecord("", 0, "", 0, "", None, None))) | {
    "message",
    "asctime",
    "taskName",
    "request",  # Django's request loggers pass the request object: not for the log
}


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time, level, logger, message, request_id, the record's extra
    fields and, when there is one, the exception's traceback (escaped, so still one line)."""

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, object] = {
            "time": datetime.datetime.fromtimestamp(record.created, tz=datetime.UTC).isoformat(
                timespec="milliseconds"
            ),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
            "request_id": getattr(record, "request_id", "") or _request_id.get(),
        }
        for key, value in vars(record).items():
            if key not in _STANDARD and key not in entry:
                entry[key] = (
                    value if isinstance(value, str | int | float | bool | None) else str(value)
                )
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        elif record.stack_info:
            entry["stack"] = self.formatStack(record.stack_info)
        return json.dumps(entry, ensure_ascii=False)
