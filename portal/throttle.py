"""Rate limits shared by every app: a fixed-window counter in Django's cache (Redis in
production, shared by every process), and the client address as allauth sees it."""

import contextlib
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.core.cache import cache, caches
from django.core.cache.backends.redis import RedisCache
from django.http import HttpRequest


def count(key: str, *, window_seconds: int) -> int:
    """Count one request under `key` and return how many came within the window so far."""
    return count_in_turn([Counter(key, window_seconds)])[0]


@dataclass(frozen=True)
class Counter:
    """A window counter for `count_in_turn`; `limit` None counts without stopping the turn."""

    key: str
    window_seconds: int
    limit: int | None = None


# Counts each key in turn (SET NX EX opens its window, INCR counts) and stops after the first one
# whose count goes past its limit (a limit below 0 means none); returns the counts made.
_COUNT_IN_TURN = """
local counts = {}
for index, key in ipairs(KEYS) do
  local window = tonumber(ARGV[2 * index - 1])
  local limit = tonumber(ARGV[2 * index])
  redis.call('SET', key, 0, 'EX', window, 'NX')
  local used = redis.call('INCR', key)
  counts[index] = used
  if limit >= 0 and used > limit then
    return counts
  end
end
return counts
"""


def count_in_turn(counters: Sequence[Counter]) -> list[int]:
    """Count under each counter in turn until one goes past its limit, which is counted and
    ends the turn (a request refused by one limit does not use up the next); the counts made,
    in order. On Redis one round trip for all of them (not three each: add, then incr's EXISTS
    and INCR), and atomic: no window can close between opening it and counting in it."""
    backend = caches["default"]
    if isinstance(backend, RedisCache):
        script = _redis_script(backend, "count_in_turn", _COUNT_IN_TURN)
        keys = [backend.make_and_validate_key(f"throttle:{counter.key}") for counter in counters]
        args = [
            value
            for counter in counters
            for value in (counter.window_seconds, -1 if counter.limit is None else counter.limit)
        ]
        return [int(used) for used in script(keys=keys, args=args)]
    counts = []
    for counter in counters:
        used = _count_in_cache(f"throttle:{counter.key}", counter.window_seconds)
        counts.append(used)
        if counter.limit is not None and used > counter.limit:
            break
    return counts


def _count_in_cache(cache_key: str, window_seconds: int) -> int:
    # add() sets the window's start only if no window is open.
    cache.add(cache_key, 0, timeout=window_seconds)
    try:
        return int(cache.incr(cache_key))
    except ValueError:  # the window closed between add() and incr()
        cache.add(cache_key, 1, timeout=window_seconds)
        return 1


def _redis_script(backend: RedisCache, name: str, source: str) -> Any:
    """A Lua script registered once per process (EVALSHA, with EVAL when Redis lost it)."""
    scripts = backend.__dict__.setdefault("_portal_scripts", {})
    if name not in scripts:
        scripts[name] = _redis_client(backend).register_script(source)
    return scripts[name]


def _redis_client(backend: RedisCache) -> Any:
    """The backend's writing client, made once per process: Django's `get_client` builds a new
    redis-py client (and its table of reply parsers) on every call, a fifth of a millisecond
    that every lookup paid twice. The connection pool under it is the backend's own."""
    client = getattr(backend, "_portal_write_client", None)
    if client is None:
        client = backend._cache.get_client(write=True)
        backend._portal_write_client = client  # type: ignore[attr-defined]
    return client


def hit(key: str, *, limit: int, window_seconds: int) -> bool:
    """Count one request under `key`; False once more than `limit` came within the window."""
    return count(key, window_seconds=window_seconds) <= limit


def forget_one(key: str) -> None:
    """Take back one request counted under `key` (it turned out not to count against a limit)."""
    # A window that closed meanwhile has nothing left to take back.
    with contextlib.suppress(ValueError):
        cache.decr(f"throttle:{key}")


def client_address(request: HttpRequest) -> str:
    """The client's address as allauth's rate limits see it: one setting for the whole portal
    (ALLAUTH_TRUSTED_PROXY_COUNT / ALLAUTH_TRUSTED_CLIENT_IP_HEADER behind a proxy). Worked out
    once per request: the headers it reads do not change."""
    from allauth.account.adapter import get_adapter

    known = request.__dict__
    if "_portal_client_address" not in known:
        known["_portal_client_address"] = get_adapter(request).get_client_ip(request)
    return known["_portal_client_address"]
