"""SMS with interchangeable backends, in the manner of Django's email backends.

`settings.SMS_BACKEND` names the backend: console (development), locmem (tests: messages
collect in `portal.sms.outbox`), file (one file per message), or the HTTP gateway. Texts are
templates under `templates/sms/`, rendered in the recipient's language.

Texts that a request sends or not depending on accounts its sender cannot see (sign-up, a
password reset) leave from a thread of the web process (`send_templated_sms_in_background`):
the request answers as fast either way, so its timing tells nobody whether an account holds a
national code or a mobile. They do not go through Celery: a text may carry a code, and codes
never rest in the broker.
"""

import contextvars
import logging
import os
from concurrent.futures import ThreadPoolExecutor

from django.conf import settings
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.module_loading import import_string

from portal import metrics
from portal.sms.backends.base import BaseSmsBackend
from portal.sms.message import SmsMessage

__all__ = [
    "SmsMessage",
    "get_backend",
    "outbox",
    "send_sms",
    "send_templated_sms",
    "send_templated_sms_in_background",
]

outbox: list[SmsMessage] = []
logger = logging.getLogger(__name__)
# Gateway calls at once per web process; more texts wait their turn in the pool's queue.
BACKGROUND_SENDERS = 4
# The pool of the process that made it: a forked web worker (gunicorn --preload) makes its own.
_background: tuple[int, ThreadPoolExecutor] | None = None


def get_backend(backend: str | None = None) -> BaseSmsBackend:
    backend_class = import_string(backend or settings.SMS_BACKEND)
    return backend_class()


def send_sms(*, to: str, body: str) -> None:
    try:
        get_backend().send_messages([SmsMessage(to=to, body=body)])
    except Exception:
        metrics.count_sms_failure()
        raise


def send_templated_sms(*, to: str, template_name: str, context: dict, language: str) -> None:
    """Render `templates/sms/<template_name>.txt` in `language` and send it to `to`."""
    send_sms(to=to, body=_render(template_name, context, language))


def send_templated_sms_in_background(
    *, to: str, template_name: str, context: dict, language: str
) -> None:
    """Render the text now and send it from a thread of this process, without waiting for the
    gateway; a failure is logged and counted (the person can ask for the text again).

    `SMS_SEND_IN_BACKGROUND = False` (the tests') sends it at once instead."""
    body = _render(template_name, context, language)
    if not settings.SMS_SEND_IN_BACKGROUND:
        send_sms(to=to, body=body)
        return
    # The copied context carries the request's id into the thread's log lines.
    _background_senders().submit(contextvars.copy_context().run, _send_logged, to, body)


def _render(template_name: str, context: dict, language: str) -> str:
    with translation.override(language):
        return render_to_string(f"sms/{template_name}.txt", context).strip()


def _send_logged(to: str, body: str) -> None:
    try:
        send_sms(to=to, body=body)
    except Exception:
        logger.exception("an SMS sent in the background failed")


def _background_senders() -> ThreadPoolExecutor:
    global _background
    if _background is None or _background[0] != os.getpid():
        _background = (
            os.getpid(),
            ThreadPoolExecutor(max_workers=BACKGROUND_SENDERS, thread_name_prefix="sms"),
        )
    return _background[1]
