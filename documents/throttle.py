"""Moved to `portal.throttle`, which every app may use; kept so existing imports still work."""

from portal.throttle import client_address, hit

__all__ = ["client_address", "hit"]
