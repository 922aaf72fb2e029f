"""Rate limits shared by every app: a fixed-window counter in Django's cache (Redis in
production, shared by every process), and the client address as allauth sees it."""

import contextlib
from typing import Any

from django.core.cache import cache, caches
from django.core.cache.backends.redis import RedisCache
from django.http import HttpRequest


def count(key: str, *, window_seconds: int) -> int:
    """Count one request under `key` and return how many came within the window so far."""
    cache_key = f"throttle:{key}"
    backend = caches["default"]
    if isinstance(backend, RedisCache):
        # One round trip instead of three (add, then incr's EXISTS and INCR), and atomic: the
        # window cannot close between opening it and counting in it.
        pipeline = _redis_client(backend).pipeline(transaction=True)
        redis_key = backend.make_and_validate_key(cache_key)
        pipeline.set(redis_key, 0, ex=window_seconds, nx=True)
        pipeline.incr(redis_key)
        return int(pipeline.execute()[1])
    # add() sets the window's start only if no window is open.
    cache.add(cache_key, 0, timeout=window_seconds)
    try:
        return int(cache.incr(cache_key))
    except ValueError:  # the window closed between add() and incr()
        cache.add(cache_key, 1, timeout=window_seconds)
        return 1


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
    (ALLAUTH_TRUSTED_PROXY_COUNT / ALLAUTH_TRUSTED_CLIENT_IP_HEADER behind a proxy)."""
    from allauth.account.adapter import get_adapter

    return get_adapter(request).get_client_ip(request)
