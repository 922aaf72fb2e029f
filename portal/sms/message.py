from dataclasses import dataclass


@dataclass(frozen=True)
class SmsMessage:
    to: str
    body: str
