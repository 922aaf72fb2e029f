import json
import logging
import urllib.error
import urllib.request
from collections.abc import Sequence

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

from portal.outbound import opener as _opener
from portal.sms.backends.base import BaseSmsBackend
from portal.sms.message import SmsMessage

logger = logging.getLogger(__name__)


class SmsGatewayError(Exception):
    pass


class SmsBackend(BaseSmsBackend):
    """Posts each message as JSON to an SMS gateway.

    Settings: `SMS_GATEWAY_URL` (https), `SMS_GATEWAY_TOKEN` (sent as a bearer token),
    `SMS_GATEWAY_SENDER` (the line number) and `SMS_GATEWAY_TIMEOUT` (seconds). The body sent
    is `{"from": sender, "to": "+98912…", "text": "…"}`; any 2xx answer counts as accepted.
    Gateways with another shape subclass this and override `payload`. A failure to deliver
    (no answer, a non-2xx answer, a redirect) raises `SmsGatewayError`.
    """

    def __init__(self) -> None:
        if not settings.SMS_GATEWAY_URL.startswith("https://"):
            raise ImproperlyConfigured("SMS_GATEWAY_URL must be an https:// address.")
        self.url = settings.SMS_GATEWAY_URL
        self.token = settings.SMS_GATEWAY_TOKEN
        self.sender = settings.SMS_GATEWAY_SENDER
        self.timeout = settings.SMS_GATEWAY_TIMEOUT

    def payload(self, message: SmsMessage) -> dict:
        return {"from": self.sender, "to": message.to, "text": message.body}

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
            try:
                with _opener.open(request, timeout=self.timeout) as response:
                    status = response.status
            except urllib.error.HTTPError as error:
                error.close()
                raise SmsGatewayError(f"SMS gateway answered {error.code}") from error
            except OSError as error:  # URLError, timeouts, refused connections
                raise SmsGatewayError(f"SMS gateway unreachable: {error}") from error
            if not 200 <= status < 300:
                raise SmsGatewayError(f"SMS gateway answered {status}")
        return len(messages)
