import secrets
from collections.abc import Sequence
from pathlib import Path

from django.conf import settings
from django.utils import timezone

from portal.sms.backends.base import BaseSmsBackend
from portal.sms.message import SmsMessage


class SmsBackend(BaseSmsBackend):
    """Writes each message to a file in `settings.SMS_FILE_PATH` (staging, demos)."""

    def send_messages(self, messages: Sequence[SmsMessage]) -> int:
        directory = Path(settings.SMS_FILE_PATH)
        directory.mkdir(parents=True, exist_ok=True)
        for message in messages:
            stamp = timezone.now().strftime("%Y%m%d-%H%M%S")
            path = directory / f"{stamp}-{secrets.token_hex(4)}.txt"
            path.write_text(f"To: {message.to}\n\n{message.body}\n", encoding="utf-8")
        return len(messages)
