import json
import logging
import urllib.request
from collections.abc import Sequence

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

from portal.sms import SmsMessage
from portal.sms.backends.base import BaseSmsBackend

logger = logging.getLogger(__name__)


class SmsGatewayError(Exception):
    pass


class SmsBackend(BaseSmsBackend):
    """Posts each message as JSON to an SMS gateway.

    Settings: `SMS_GATEWAY_URL` (https), `SMS_GATEWAY_TOKEN` (sent as a bearer token),
    `SMS_GATEWAY_SENDER` (the line number) and `SMS_GATEWAY_TIMEOUT` (seconds). The body sent
    is `{"from": sender, "to": "+98912…", "text": "…"}`; any 2xx answer counts as accepted.
    Gateways with another shape subclass this and override `payload`.
    """

    def __init__(self) -> None:
        if not settings.SMS_GATEWAY_URL.startswith("https://"):
            raise ImproperlyConfigured("SMS_GATEWAY_URL must be an https:// address.")
        self.url = settings.SMS_GATEWAY_URL
        self.token = settings.SMS_GATEWAY_TOKEN
        self.timeout = settings.SMS_GATEWAY_TIMEOUT

    def payload(self, message: SmsMessage) -> dict:
        return {"from": settings.SMS_GATEWAY_SENDER, "to": message.to, "text": message.body}

    def send_messages(self, messages: Sequence[SmsMessage]) -> int:
        for message in messages:
            request = urllib.request.Request(  # noqa: S310 (https enforced above)
                self.url,
                data=json.dumps(self.payload(message)).encode(),
                headers={
                    "Content-Type": "application/json",
                    "Authorization": f"Bearer {self.token}",
                },
                method="POST",
            )
            with urllib.request.urlopen(request, timeout=self.timeout) as response:  # noqa: S310
                if not 200 <= response.status < 300:
                    raise SmsGatewayError(f"SMS gateway answered {response.status}")
        return len(messages)
