"""SMS with interchangeable backends, in the manner of Django's email backends.

`settings.SMS_BACKEND` names the backend: console (development), locmem (tests: messages
collect in `portal.sms.outbox`), file (one file per message), or the HTTP gateway. Texts are
templates under `templates/sms/`, rendered in the recipient's language.
"""

from django.conf import settings
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.module_loading import import_string

from portal import metrics
from portal.sms.backends.base import BaseSmsBackend
from portal.sms.message import SmsMessage

__all__ = ["SmsMessage", "get_backend", "outbox", "send_sms", "send_templated_sms"]

outbox: list[SmsMessage] = []


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
    with translation.override(language):
        body = render_to_string(f"sms/{template_name}.txt", context).strip()
    send_sms(to=to, body=body)
