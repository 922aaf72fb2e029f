"""An SMS gateway that takes its time, with texts sent in the background as in production: for
the tests that check a request answers as fast whether it texts someone or not."""

import time
from collections.abc import Sequence

import pytest

from portal.sms.backends.locmem import SmsBackend
from portal.sms.message import SmsMessage


class SlowGateway(SmsBackend):
    """The locmem outbox behind a gateway that takes `seconds` to answer."""

    seconds = 0.3

    def send_messages(self, messages: Sequence[SmsMessage]) -> int:
        time.sleep(self.seconds)
        return super().send_messages(messages)


@pytest.fixture
def slow_gateway_in_background(settings) -> type[SlowGateway]:
    settings.SMS_BACKEND = f"{__name__}.SlowGateway"
    settings.SMS_SEND_IN_BACKGROUND = True
    return SlowGateway
