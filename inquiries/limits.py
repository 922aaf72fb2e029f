"""How many lookups the agency panel allows: per staff member per minute, per agency per day.

The counters are in the cache (Redis in production: one atomic INCR per request, shared by every
web process). The daily limit comes from the MoU's expected volume; see docs/configuration.md.
"""

import datetime
import math
from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from agencies.models import Mou
from inquiries import tasks
from portal import throttle

MINUTE = 60
# The day's counter outlives the day a little, so a clock step near midnight cannot reset it.
DAY_WINDOW = 2 * 24 * 3600


class LimitKind(StrEnum):
    PER_MINUTE = "minute"
    PER_DAY = "day"


@dataclass(frozen=True)
class LimitExceeded:
    kind: LimitKind
    limit: int


def daily_limit(mou: Mou) -> int:
    """ceil(expected monthly volume / GOV_INQUIRY_WORKING_DAYS), at least the minimum; MoUs
    without an access request (circular No. 1) get GOV_INQUIRY_DAILY_DEFAULT."""
    volume = mou.expected_monthly_volume()
    if volume is None:
        return int(settings.GOV_INQUIRY_DAILY_DEFAULT)
    per_day = math.ceil(volume / settings.GOV_INQUIRY_WORKING_DAYS)
    return max(per_day, int(settings.GOV_INQUIRY_DAILY_MINIMUM))


def count_lookup(
    *,
    staff_member_id: int,
    mou: Mou,
    today: datetime.date | None = None,
    api_client_id: int | None = None,
    also_count: Sequence[throttle.Counter] = (),
) -> LimitExceeded | None:
    """Count one lookup against both limits; the limit it exceeds, or None.

    `also_count`, counters of the caller's without a limit (an API client's calls of the day),
    are counted first, in the same round trip.

    An agency's system (`api_client_id`) has its own minute limit, API_INQUIRIES_PER_MINUTE,
    instead of its responsible person's; the agency's day is the same for panel and API.

    A lookup refused by the minute limit does not use up the agency's day. The one request that
    takes the agency past its daily limit asks for the operators to be told (after commit).
    """
    if api_client_id is None:
        per_minute = int(settings.GOV_INQUIRY_PER_MINUTE)
        counter = f"gov-inquiry:staff:{staff_member_id}"
    else:
        per_minute = int(settings.API_INQUIRIES_PER_MINUTE)
        counter = f"api-inquiry:client:{api_client_id}"
    # Windows follow the clock's minutes (the key names the minute), not the first request's.
    minute = int(timezone.now().timestamp()) // MINUTE
    day = today or timezone.localdate()
    per_day = daily_limit(mou)
    counts = throttle.count_in_turn(
        [
            *also_count,
            throttle.Counter(f"{counter}:{minute}", 2 * MINUTE, limit=per_minute),
            throttle.Counter(f"gov-inquiry:agency:{mou.agency_id}:{day}", DAY_WINDOW),
        ]
    )[len(also_count) :]
    if len(counts) == 1:
        return LimitExceeded(LimitKind.PER_MINUTE, per_minute)
    used = counts[1]
    if used <= per_day:
        return None
    if used == per_day + 1:  # INCR is atomic: exactly one request sees this number
        agency_id = mou.agency_id
        transaction.on_commit(
            lambda: tasks.notify_operators_of_daily_limit.delay(
                agency_id, day.isoformat(), per_day
            ),
            robust=True,  # the lookup itself must not fail because the broker is down
        )
    return LimitExceeded(LimitKind.PER_DAY, per_day)
