"""Django's database sessions, read with one fixed statement.

Every signed-in request reads its session row first; building the ORM's query for it cost more
than running it. Writing, expiry and clearing stay Django's own (`SESSION_ENGINE` names this
module; the table and its rows are unchanged, so no session ends when it is switched on).
tests/portal/test_session_sql.py compares the read with the ORM query on random sessions.
"""

import functools
import logging
from typing import cast

from django.contrib.sessions.backends import db
from django.contrib.sessions.models import Session
from django.core.exceptions import SuspiciousOperation
from django.db import connection
from django.db.models import Field
from django.utils import timezone

from portal.rows import first_read, instance_from_row, quoted_columns


class SessionStore(db.SessionStore):
    def _get_session_from_db(self) -> Session | None:
        now = connection.ops.adapt_datetimefield_value(timezone.now())
        try:
            # Most often a signed-in request's first statement: then it is the health check too.
            row = first_read(_read_statement(), [self.session_key, now])
        except SuspiciousOperation as error:  # as Django's own read does
            logging.getLogger(f"django.security.{error.__class__.__name__}").warning(str(error))
            row = None
        if row is None:
            self._session_key = None
            return None
        return instance_from_row(Session, row)


@functools.cache
def _read_statement() -> str:
    quote = connection.ops.quote_name
    meta = Session._meta
    key, expires = (
        quote(str(cast(Field, meta.get_field(name)).column))
        for name in ("session_key", "expire_date")
    )
    return (
        f"SELECT {quoted_columns(Session, 's')} FROM {quote(meta.db_table)} s "  # noqa: S608
        f"WHERE s.{key} = %s AND s.{expires} > %s"
    )
