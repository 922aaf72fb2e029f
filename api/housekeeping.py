"""What the API keeps only for a while: expired bearer tokens, and the answers it gave (which
hold a person's data) once `GET /api/v1/inquiries/{id}` may no longer read them. The disclosure
records stay: they are the log, and the answers only point at them."""

import datetime
from dataclasses import dataclass

from django.conf import settings
from django.utils import timezone

from api.models import AccessToken, ApiAnswer


@dataclass(frozen=True)
class Purged:
    tokens: int
    answers: int


def purge_expired(*, now: datetime.datetime | None = None) -> Purged:
    """Delete tokens past their expiry and answers older than API_ANSWER_KEEP_HOURS. Running it
    twice deletes nothing more the second time."""
    now = now or timezone.now()
    tokens, _ = AccessToken.objects.filter(expires_at__lte=now).delete()
    kept_since = now - datetime.timedelta(hours=settings.API_ANSWER_KEEP_HOURS)
    answers, _ = ApiAnswer.objects.filter(created_at__lt=kept_since).delete()
    return Purged(tokens=tokens, answers=answers)
