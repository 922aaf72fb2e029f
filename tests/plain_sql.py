"""What the tests of the plain-SQL hot paths share (the gate's panel read, the registry read,
the API's token read): each compares its statement with the ORM query it replaced, column by
column, on random rows written in a transaction that is rolled back after every example; and the
reads that stand in for the connection's health check (`portal.rows.first_read`)."""

from collections.abc import Iterator
from contextlib import contextmanager

from django.db import connection, connections, transaction
from django.db.models import Model
from hypothesis import HealthCheck, settings


def random_rows(max_examples: int = 60):
    """Hypothesis settings for examples that write rows through fixtures' helpers."""
    return settings(
        max_examples=max_examples,
        deadline=None,
        suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    )


def columns(instance: Model) -> dict:
    return {field.attname: getattr(instance, field.attname) for field in instance._meta.fields}


class _Rollback(Exception):
    pass


@contextmanager
def rolled_back() -> Iterator[None]:
    """Whatever the block writes is gone after it, so the next example starts clean."""
    try:
        with transaction.atomic():
            yield
            raise _Rollback
    except _Rollback:
        pass


def counted_health_checks(monkeypatch) -> list[bool]:
    """What each of Django's health checks (`is_usable`) answers from now on, in order."""
    made: list[bool] = []
    check = connection.is_usable

    def counted() -> bool:
        made.append(check())
        return made[-1]

    monkeypatch.setattr(connection, "is_usable", counted)
    return made


def as_a_request_starts() -> None:
    """What Django's handler does at the start of every request (the test client leaves it out
    and keeps one connection throughout): the next statement is due a health check."""
    connection.close_if_unusable_or_obsolete()


def terminate_the_connection() -> int:
    """The server ends the test's connection, as a restart or an idle timeout would; its pid."""
    pid = connection.connection.info.backend_pid
    other = connections.create_connection("default")
    try:
        with other.cursor() as cursor:
            cursor.execute("SELECT pg_terminate_backend(%s, 5000)", [pid])
            assert cursor.fetchone() == (True,)
    finally:
        other.close()
    return pid
