"""Each client's calls and errors per day, for its agency's admin (/gov/api-clients/).

Counters in the cache (Redis in production: one INCR per call, no row that every call of a
client would wait on), kept for API_STATS_DAYS days.
"""

import datetime

from django.core.cache import cache
from django.utils import timezone

from portal import throttle

API_STATS_DAYS = 14
_KEEP_SECONDS = (API_STATS_DAYS + 2) * 24 * 3600


def _key(kind: str, client_id: int, day: datetime.date) -> str:
    return f"api-{kind}:{client_id}:{day.isoformat()}"


def count_call(*, client_id: int, error: bool) -> None:
    day = timezone.localdate()
    kinds = ("calls", "errors") if error else ("calls",)
    throttle.count_in_turn(
        [throttle.Counter(_key(kind, client_id, day), _KEEP_SECONDS) for kind in kinds]
    )


def daily_counts(
    client_id: int, *, days: int = API_STATS_DAYS
) -> list[tuple[datetime.date, int, int]]:
    """(day, calls, errors) for the last `days` days, newest first."""
    today = timezone.localdate()
    span = [today - datetime.timedelta(days=offset) for offset in range(days)]
    keys = {
        (kind, day): f"throttle:{_key(kind, client_id, day)}"
        for day in span
        for kind in ("calls", "errors")
    }
    found = cache.get_many(list(keys.values()))
    return [
        (
            day,
            int(found.get(keys[("calls", day)], 0)),
            int(found.get(keys[("errors", day)], 0)),
        )
        for day in span
    ]
