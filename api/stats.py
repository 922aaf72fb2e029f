"""Each client's calls and errors per day, for its agency's admin (/gov/api-clients/).

Counters in the cache (Redis in production: one INCR per call, no row that every call of a
client would wait on), kept for API_STATS_DAYS days.
"""

import datetime
from dataclasses import dataclass

from django.core.cache import cache
from django.utils import timezone

from portal import throttle

API_STATS_DAYS = 14
_KEEP_SECONDS = (API_STATS_DAYS + 2) * 24 * 3600


def _key(kind: str, client_id: int, day: datetime.date) -> str:
    return f"api-{kind}:{client_id}:{day.isoformat()}"


def _counter(kind: str, client_id: int) -> throttle.Counter:
    return throttle.Counter(_key(kind, client_id, timezone.localdate()), _KEEP_SECONDS)


@dataclass
class CallTally:
    """One call's place in its client's counts: counted once, as a call and, if it failed, an
    error. An inquiry counts the call with its limits, in their round trip (`calls_counter`)."""

    client_id: int
    counted: bool = False

    def calls_counter(self) -> throttle.Counter:
        """Counted by the caller (in the same turn as other counters); the call is then counted."""
        self.counted = True
        return _counter("calls", self.client_id)

    def count(self, *, error: bool) -> None:
        kinds = [kind for kind, due in (("calls", not self.counted), ("errors", error)) if due]
        if kinds:
            throttle.count_in_turn([_counter(kind, self.client_id) for kind in kinds])
        self.counted = True


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
