from collections.abc import Sequence

import portal.sms
from portal.sms.backends.base import BaseSmsBackend
from portal.sms.message import SmsMessage


class SmsBackend(BaseSmsBackend):
    """Keeps messages in `portal.sms.outbox` (tests)."""

    def send_messages(self, messages: Sequence[SmsMessage]) -> int:
        portal.sms.outbox.extend(messages)
        return len(messages)
