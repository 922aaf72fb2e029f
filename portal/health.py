"""Checks behind /healthz: can the portal reach its database, cache and broker?"""

import logging
import secrets

from django.conf import settings
from django.core.cache import cache
from django.db import connection

from portal.celery import app as celery_app

logger = logging.getLogger(__name__)


def database_is_up() -> bool:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            return cursor.fetchone() == (1,)
    except Exception:
        logger.exception("health: database unreachable")
        return False


def cache_is_up() -> bool:
    key, value = "healthz:probe", secrets.token_hex(8)
    try:
        cache.set(key, value, timeout=10)
        return cache.get(key) == value
    except Exception:
        logger.exception("health: cache unreachable")
        return False


def broker_is_up() -> bool:
    if settings.CELERY_TASK_ALWAYS_EAGER:
        return True  # tasks run in-process: there is no broker to reach
    try:
        with celery_app.connection_for_write() as conn:
            conn.ensure_connection(max_retries=1, timeout=2)
        return True
    except Exception:
        logger.exception("health: broker unreachable")
        return False


def check_all() -> dict[str, bool]:
    return {"database": database_is_up(), "cache": cache_is_up(), "broker": broker_is_up()}
