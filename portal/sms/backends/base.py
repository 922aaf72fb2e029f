from collections.abc import Sequence
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from portal.sms import SmsMessage


class BaseSmsBackend:
    def send_messages(self, messages: Sequence["SmsMessage"]) -> int:
        """Send the messages; return how many were sent."""
        raise NotImplementedError
