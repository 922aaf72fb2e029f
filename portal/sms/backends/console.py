import sys
from collections.abc import Sequence

from portal.sms.backends.base import BaseSmsBackend
from portal.sms.message import SmsMessage


class SmsBackend(BaseSmsBackend):
    """Writes each message to standard output (development)."""

    def send_messages(self, messages: Sequence[SmsMessage]) -> int:
        for message in messages:
            sys.stdout.write(f"--- SMS to {message.to} ---\n{message.body}\n---\n")
        sys.stdout.flush()
        return len(messages)
