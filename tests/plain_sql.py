"""What the tests of the plain-SQL hot paths share (the gate's panel read, the registry read,
the API's token read): each compares its statement with the ORM query it replaced, column by
column, on random rows written in a transaction that is rolled back after every example."""

from collections.abc import Iterator
from contextlib import contextmanager

from django.db import transaction
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
