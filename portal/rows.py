"""Model instances from hot paths written in plain SQL (the gate's panel read, the registry read),
and the one INSERT of the disclosure record and the API's answer.

Such a statement is built once per process from the models' own table and column names, never
from input; what it returns becomes the instances the ORM would have built, so the code reading
them cannot tell the difference. Each statement has a test comparing it with its ORM version on
random data.
"""

import functools
import json
from typing import Any, TypeVar

from django.db import DEFAULT_DB_ALIAS, InterfaceError, OperationalError, connection
from django.db.models import Model, signals
from django.db.models.base import ModelState

_M = TypeVar("_M", bound=Model)


def quoted_columns(model: type[Model], alias: str) -> str:
    """`alias."column", …` for every concrete field, in the order `instance_from_row` takes."""
    quote = connection.ops.quote_name
    return ", ".join(f"{alias}.{quote(str(f.column))}" for f in model._meta.concrete_fields)


def instance_from_row(model: type[_M], values: tuple[Any, ...] | list[Any]) -> _M:
    """The instance the ORM would build from these columns: each value through the converters
    the ORM applies (a JSON list arrives as text, SQLite's dates and booleans as strings)."""
    converted = []
    for value, (column, converters) in zip(values, _converters(model), strict=True):
        for convert in converters:
            value = convert(value, column, connection)
        converted.append(value)
    return loaded(model, converted)


def loaded(model: type[_M], values: list[Any]) -> _M:
    """What `model.from_db` builds from every concrete field's value, without running
    `Model.__init__`: its field-by-field `setattr` through the descriptors costs three times
    this on a fresh instance, where every one of them comes to storing the value. Only for
    models that add nothing to loading (no `__init__` or `from_db` of their own, no `pre_init`
    or `post_init` receiver); any other goes through `from_db`."""
    hooked = signals.pre_init.has_listeners(model) or signals.post_init.has_listeners(model)
    if hooked or not _plainly_loaded(model):
        return model.from_db(DEFAULT_DB_ALIAS, _attnames(model), values)
    instance = model.__new__(model)
    instance._state = state = ModelState()
    state.adding = False
    state.db = DEFAULT_DB_ALIAS
    instance.__dict__.update(zip(_attnames(model), values, strict=True))
    return instance


@functools.cache
def _plainly_loaded(model: type[Model]) -> bool:
    from_db = model.from_db.__func__  # type: ignore[attr-defined]
    return model.__init__ is Model.__init__ and from_db is Model.from_db.__func__  # type: ignore[attr-defined]


def first_read(sql: str, params: list[Any]) -> tuple[Any, ...] | None:
    """The one row (or None) of a read that is its request's first statement, standing in for
    Django's health check (`CONN_HEALTH_CHECKS`): a `SELECT 1` round trip before the first
    statement on a reused connection, 0.14 ms of an API inquiry's 2.6 ms in one process and a
    wake-up of PostgreSQL and of the worker. If the reused connection turns out dead, it is
    closed and the read runs once more on a new one, as after a failed check; a read outside a
    transaction is safe to repeat."""
    database: Any = connection  # django-stubs lack the health check's two attributes
    unchecked = (
        database.connection is not None
        and database.health_check_enabled
        and not database.health_check_done
        and not database.in_atomic_block
    )
    if unchecked:
        database.health_check_done = True
    try:
        return _fetch_one(sql, params)
    except (OperationalError, InterfaceError):
        if not unchecked or connection.is_usable():
            raise
    connection.close()
    return _fetch_one(sql, params)


def _fetch_one(sql: str, params: list[Any]) -> tuple[Any, ...] | None:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchone()


def json_array_sql(model: type[Model], alias: str, *, order_by: str) -> str:
    """PostgreSQL aggregating `alias`'s rows, in this order, as a JSON array of objects keyed by
    column (NULL when there are none), for `instances_from_json`."""
    quote = connection.ops.quote_name
    pairs = ", ".join(
        f"'{f.column}', {alias}.{quote(str(f.column))}" for f in model._meta.concrete_fields
    )
    return f"json_agg(json_build_object({pairs}) ORDER BY {order_by})"


def instances_from_json(model: type[_M], array: str | list[dict[str, Any]] | None) -> list[_M]:
    """Instances from a `json_array_sql` value: JSON carries dates as ISO text, which each
    field's `to_python` turns back into what the ORM would give."""
    if array is None:
        return []
    rows = json.loads(array) if isinstance(array, str) else array
    fields = model._meta.concrete_fields
    return [
        loaded(
            model,
            [
                None if (value := row[str(field.column)]) is None else field.to_python(value)
                for field in fields
            ],
        )
        for row in rows
    ]


@functools.cache
def _attnames(model: type[Model]) -> list[str]:
    return [field.attname for field in model._meta.concrete_fields]


@functools.cache
def _converters(model: type[Model]) -> list[tuple[Any, list[Any]]]:
    """Per column, as the SQL compiler orders them: the backend's converters, then the field's."""
    result = []
    for field in model._meta.concrete_fields:
        column = field.get_col(model._meta.db_table)
        converters = connection.ops.get_db_converters(column) + column.get_db_converters(connection)
        result.append((column, converters))
    return result


def insert_instance(instance: Model) -> None:
    """INSERT a new instance as `save()` would, values through each field's own `pre_save` and
    `get_db_prep_save`, in one statement built once per model (the ORM compiles its INSERT anew
    on every save). For models whose `save()` adds nothing on insert and that no signal receiver
    listens to; the instance gets its id. `tests/api/test_row_inserts.py` compares the rows."""
    with connection.cursor() as cursor:
        cursor.execute(_insert_sql(type(instance)), _insert_values(instance))
        (instance.pk,) = cursor.fetchone()
    _saved(instance)


def insert_locked(instance: Model, *, lock: int, then: Model | None = None, link: str = "") -> None:
    """PostgreSQL: take the advisory transaction lock `lock` shared, INSERT `instance` and, if
    given, `then` with its foreign key `link` set to the new row, as `insert_instance` would,
    all in one statement and so one transaction, committed on its own outside `atomic()`.

    The lock is taken before the row's id (the row is made from the lock's one row), and held
    until the statement's transaction ends. One statement instead of BEGIN, the lock, an
    INSERT per row and COMMIT, each a round trip on every lookup and API inquiry.
    """
    values = [lock, *_insert_values(instance)]
    if then is not None:
        values += [value for field, value in _insert_pairs(then) if field.name != link]
    with connection.cursor() as cursor:
        statement = _locked_insert_sql(type(instance), type(then) if then else None, link)
        cursor.execute(statement, values)
        ids = cursor.fetchone()
    instance.pk = ids[0]
    _saved(instance)
    if then is not None:
        setattr(then, link, instance)
        then.pk = ids[1]
        _saved(then)


def _saved(instance: Model) -> None:
    instance._state.adding = False
    instance._state.db = DEFAULT_DB_ALIAS


def _insert_pairs(instance: Model) -> list[tuple[Any, Any]]:
    return [
        (field, field.get_db_prep_save(field.pre_save(instance, True), connection))
        for field in _insert_fields(type(instance))
    ]


def _insert_values(instance: Model) -> list[Any]:
    return [value for _field, value in _insert_pairs(instance)]


@functools.cache
def _insert_fields(model: type[Model]) -> list[Any]:
    return [field for field in model._meta.concrete_fields if not field.primary_key]


def _quoted(model: type[Model]) -> tuple[str, str, list[str]]:
    """The table, its primary key and the columns an INSERT gives, quoted."""
    quote = connection.ops.quote_name
    columns = [quote(str(field.column)) for field in _insert_fields(model)]
    return quote(model._meta.db_table), quote(str(model._meta.pk.column)), columns


# Built once per model from its own table and column names, never from input; values go as
# parameters.
@functools.cache
def _insert_sql(model: type[Model]) -> str:
    table, pk, columns = _quoted(model)
    placeholders = ", ".join(["%s"] * len(columns))
    return f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({placeholders}) RETURNING {pk}"  # noqa: S608


@functools.cache
def _locked_insert_sql(first: type[Model], then: type[Model] | None, link: str) -> str:
    # Parameters in an INSERT's SELECT list take their column's type, as in VALUES.
    table, pk, columns = _quoted(first)
    params = ", ".join(["%s"] * len(columns))
    lock = "WITH writer AS MATERIALIZED (SELECT pg_advisory_xact_lock_shared(%s))"
    written = (
        f"INSERT INTO {table} ({', '.join(columns)}) "  # noqa: S608
        f"SELECT {params} FROM writer RETURNING {pk}"
    )
    if then is None:
        return f"{lock}, written AS ({written}) SELECT {pk} FROM written"  # noqa: S608
    then_table, then_pk, then_columns = _quoted(then)
    link_column = connection.ops.quote_name(str(then._meta.get_field(link).column))  # type: ignore[union-attr]
    given = [column for column in then_columns if column != link_column]
    then_params = ", ".join(["%s"] * len(given))
    linked = (
        f"INSERT INTO {then_table} ({', '.join(given)}, {link_column}) "  # noqa: S608
        f"SELECT {then_params}, written.{pk} FROM written RETURNING {then_pk}"
    )
    return (
        f"{lock}, written AS ({written}), linked AS ({linked}) "  # noqa: S608
        f"SELECT written.{pk}, linked.{then_pk} FROM written, linked"
    )
