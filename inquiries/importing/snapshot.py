"""A full registry snapshot on PostgreSQL: new tables loaded beside the live ones, then swapped in.

`import_coverage snapshot DIR` (persons.csv, periods.csv, pensions.csv):

1. prepare: the new tables (`<table>__next`) are made like the live ones (columns, defaults,
   identity, CHECK constraints, grants), with no index, key or foreign key.
2. persons, periods, pensions: each file goes through the PostgreSQL import
   (inquiries/importing/postgres.py: COPY, cells cleaned in SQL, the same rules, the same error
   report), straight into its empty new table; periods and pensions take their file row numbers
   as ids, and their natural key's unique index is built there, as the duplicate check.
   Each new table is analysed as soon as it is full.
3. indexes: the live tables' other indexes, primary and unique keys, built once over the full
   tables.
4. foreign keys: added NOT VALID, then validated in one pass each.
5. counts: each new table must hold exactly the good rows of its file.
6. swap: in one short transaction, the tables kept from the previous snapshot are dropped, the
   live tables (with their indexes and sequences) are renamed `<table>__kept` and the new ones
   take the live names. `import_coverage rollback` swaps the kept ones back.

Lookups keep reading the live tables until the swap, and the new ones right after it. Only the
registry's own tables reference the registry by key; everything else names a person by national
code, and a snapshot refuses to run if another table ever holds a foreign key into the registry
(ADR 0011).
"""

import re
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import Any

from django.db import DatabaseError, IntegrityError, OperationalError, connection, transaction
from django.utils.translation import gettext as _

from inquiries.importing.formats import RecordKind
from inquiries.importing.postgres import REGISTRY_WRITE_LOCK, PostgresImport
from inquiries.importing.service import (
    ImportSummary,
    ProgressCallback,
    default_error_report_path,
    import_with_copy,
    run_import,
)
from inquiries.importing.writers import TARGETS

NEXT = "__next"
KEPT = "__kept"
SWAPPING = "__swap"
# The swap waits this long for running reads to finish before trying again; queued lookups
# wait behind it, so it never waits long.
SWAP_LOCK_TIMEOUT = "2s"
SWAP_ATTEMPTS = 10
IDENTIFIER_LIMIT = 63
INDEX_BUILD_MEMORY_KB = 512 * 1024
# Files in load order: periods and pensions are matched against the new persons.
LOAD_ORDER = (RecordKind.PERSONS, RecordKind.PERIODS, RecordKind.PENSIONS)

# Called with each step's name as it starts.
StepCallback = Callable[[str], None]


class SnapshotError(Exception):
    """The snapshot (or rollback) cannot go on; the live registry is as it was."""


@dataclass
class SnapshotSummary:
    files: dict[RecordKind, ImportSummary] = field(default_factory=dict)
    # (step, seconds), in order.
    steps: list[tuple[str, float]] = field(default_factory=list)

    @property
    def seconds(self) -> float:
        return sum(seconds for _, seconds in self.steps)


def live_tables() -> dict[RecordKind, str]:
    return {kind: TARGETS[kind].model._meta.db_table for kind in LOAD_ORDER}


def take_snapshot(
    directory: Path | str,
    *,
    on_step: StepCallback | None = None,
    on_progress: Callable[[RecordKind], ProgressCallback] | None = None,
) -> SnapshotSummary:
    """Load DIR/persons.csv, periods.csv and pensions.csv as the new registry and swap it in.

    On any failure the new tables are dropped and the live registry is left as it was.
    """
    _require_postgresql()
    directory = Path(directory)
    files = {kind: directory / f"{kind}.csv" for kind in LOAD_ORDER}
    for path in files.values():
        if not path.is_file():
            raise SnapshotError(_("%(path)s is missing.") % {"path": path})
    live = live_tables()
    new = {kind: _suffixed(table, NEXT) for kind, table in live.items()}
    summary = SnapshotSummary()

    @contextmanager
    def step(name: str) -> Iterator[None]:
        if on_step:
            on_step(name)
        started = time.monotonic()
        yield
        summary.steps.append((name, time.monotonic() - started))

    with _registry_write_lock():
        try:
            with step("prepare"):
                _check_nothing_else_references(live)
                _drop_tables(new.values())
                _create_bare_tables(live, new)
            for kind in LOAD_ORDER:
                with step(str(kind)):
                    summary.files[kind] = _load_file(
                        kind, files[kind], live, new, on_progress(kind) if on_progress else None
                    )
                    with connection.cursor() as cursor:
                        cursor.execute(f"ANALYZE {new[kind]}")
            for kind in LOAD_ORDER:
                with step(f"indexes: {kind}"):
                    _build_indexes(live[kind], new[kind])
            for kind in LOAD_ORDER[1:]:  # the persons have no foreign key
                with step(f"foreign keys: {kind}"):
                    _add_foreign_keys(live[kind], new[kind], live=live, new=new)
            with step("counts"):
                _check_counts(new, summary.files)
            with step("swap"):
                _swap_in(live, new)
        except BaseException:
            # What went wrong is the error to report, not a failed clean-up (a lost connection);
            # the next snapshot drops whatever is left.
            with suppress(DatabaseError):
                _drop_tables(new.values())
            raise
    return summary


def roll_back() -> None:
    """Swap the tables kept from before the last snapshot back in; the snapshot they replace
    is kept in their place (so a second rollback undoes the first)."""
    _require_postgresql()
    live = live_tables()
    kept = {kind: _suffixed(table, KEPT) for kind, table in live.items()}
    with _registry_write_lock():
        if not all(_table_exists(table) for table in kept.values()):
            raise SnapshotError(_("There is no earlier registry to roll back to."))
        if any(_columns(kept[kind]) != _columns(live[kind]) for kind in live):
            raise SnapshotError(
                _(
                    "The kept registry's tables no longer match the live ones (a migration "
                    "changed them since); take a new snapshot instead."
                )
            )
        swapping = {kind: _suffixed(table, SWAPPING) for kind, table in live.items()}

        def rename(cursor: Any) -> None:
            _rename_tables(cursor, live, from_suffix="", to_suffix=SWAPPING)
            _rename_tables(cursor, kept, from_suffix=KEPT, to_suffix="")
            _rename_tables(cursor, swapping, from_suffix=SWAPPING, to_suffix=KEPT)

        _with_registry_locked(live, rename)


# --- Steps -------------------------------------------------------------------------------------


def _require_postgresql() -> None:
    if connection.vendor != "postgresql":
        raise SnapshotError(
            _("Registry snapshots need PostgreSQL; this database is %(vendor)s.")
            % {"vendor": connection.vendor}
        )


@contextmanager
def _registry_write_lock() -> Iterator[None]:
    """The snapshot alone: delta imports (which take the lock shared) wait for it."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_try_advisory_lock(%s)", [REGISTRY_WRITE_LOCK])
        (locked,) = cursor.fetchone()
    if not locked:
        raise SnapshotError(_("Another registry import or snapshot is running; try again later."))
    try:
        yield
    finally:
        # A lost connection has released it already.
        with suppress(DatabaseError), connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_unlock(%s)", [REGISTRY_WRITE_LOCK])


def _suffixed(name: str, suffix: str) -> str:
    if len(name) + len(suffix) > IDENTIFIER_LIMIT:
        raise SnapshotError(f"{name}{suffix} is longer than PostgreSQL's names may be")
    return name + suffix


def _table_exists(table: str) -> bool:
    with connection.cursor() as cursor:
        cursor.execute("SELECT to_regclass(%s) IS NOT NULL", [table])
        return bool(cursor.fetchone()[0])


def _columns(table: str) -> list[tuple[str, str, bool]]:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT attname, format_type(atttypid, atttypmod), attnotnull FROM pg_attribute "
            "WHERE attrelid = %s::regclass AND attnum > 0 AND NOT attisdropped ORDER BY attname",
            [table],
        )
        return cursor.fetchall()


def _check_nothing_else_references(live: dict[RecordKind, str]) -> None:
    """A foreign key from another table would follow the live table to `__kept` at the swap."""
    with connection.cursor() as cursor:
        cursor.execute(
            """
            SELECT conrelid::regclass::text, conname FROM pg_constraint
            WHERE contype = 'f' AND confrelid = ANY(%(tables)s::regclass[])
              AND NOT conrelid = ANY(%(tables)s::regclass[])
            """,
            {"tables": list(live.values())},
        )
        outside = [f"{table}.{name}" for table, name in cursor.fetchall()]
        cursor.execute(
            "SELECT tgname FROM pg_trigger WHERE NOT tgisinternal "
            "AND tgrelid = ANY(%s::regclass[])",
            [list(live.values())],
        )
        triggers = [name for (name,) in cursor.fetchall()]
    if outside or triggers:
        raise SnapshotError(
            _(
                "The registry tables are referenced or watched from elsewhere (%(names)s); a "
                "snapshot would leave those behind. Reference persons by national code instead "
                "(ADR 0011)."
            )
            % {"names": ", ".join(outside + triggers)}
        )


def _drop_tables(tables: Iterator[str] | Any) -> None:
    with connection.cursor() as cursor:
        cursor.execute(f"DROP TABLE IF EXISTS {', '.join(tables)}")


def _create_bare_tables(live: dict[RecordKind, str], new: dict[RecordKind, str]) -> None:
    """Columns, defaults, identity and CHECK constraints like the live tables; no index, no key.

    The grants are copied too: the portal may run as a role that does not own the tables
    (docs/operations.md), and must read the new ones the moment they are swapped in.
    """
    with transaction.atomic(), connection.cursor() as cursor:
        for kind, table in live.items():
            cursor.execute(
                f"CREATE TABLE {new[kind]} (LIKE {table} INCLUDING DEFAULTS INCLUDING IDENTITY "
                "INCLUDING CONSTRAINTS INCLUDING STORAGE)"
            )
            _copy_table_settings(cursor, table, new[kind])


def _copy_table_settings(cursor: Any, live: str, new: str) -> None:
    cursor.execute(
        "SELECT array_to_string(reloptions, ', ') FROM pg_class WHERE oid = %s::regclass", [live]
    )
    (options,) = cursor.fetchone()
    if options:
        cursor.execute(f"ALTER TABLE {new} SET ({options})")
    sequences = [
        (_serial_sequence(cursor, live), _serial_sequence(cursor, new)),
        (live, new),
    ]
    for source, target in sequences:
        if not (source and target):
            continue
        cursor.execute(
            """
            SELECT acl.privilege_type, quote_ident(r.rolname), acl.is_grantable
            FROM pg_class c, aclexplode(c.relacl) acl JOIN pg_roles r ON r.oid = acl.grantee
            WHERE c.oid = %s::regclass AND acl.grantee <> c.relowner
            """,
            [source],
        )
        for privilege, role, grantable in cursor.fetchall():
            option = " WITH GRANT OPTION" if grantable else ""
            cursor.execute(f"GRANT {privilege} ON {target} TO {role}{option}")


def _serial_sequence(cursor: Any, table: str) -> str | None:
    cursor.execute("SELECT pg_get_serial_sequence(%s, 'id')", [table])
    return cursor.fetchone()[0]


def _load_file(
    kind: RecordKind,
    path: Path,
    live: dict[RecordKind, str],
    new: dict[RecordKind, str],
    on_progress: ProgressCallback | None,
) -> ImportSummary:
    postgres_import = PostgresImport(
        kind=kind,
        replace=False,
        snapshot_tables=new,
        build_key_index=partial(_build_key_index, live[kind], new[kind], TARGETS[kind].key),
    )
    return run_import(
        kind=kind,
        path=path,
        report_path=default_error_report_path(path),
        importer=partial(import_with_copy, postgres_import=postgres_import),
        on_progress=on_progress,
    )


INDEX_DEFINITION = re.compile(r"^CREATE (?P<unique>UNIQUE )?INDEX \S+ ON \S+ (?P<rest>USING .*)$")


@dataclass(frozen=True)
class _Index:
    """One of the live table's indexes, and the key constraint it backs, if any."""

    name: str
    definition: str
    columns: tuple[str, ...]
    constraint_kind: str | None
    constraint: str | None
    deferrable: bool
    deferred: bool

    @property
    def new_name(self) -> str:
        return _suffixed(self.constraint or self.name, NEXT)


def _live_indexes(cursor: Any, live: str) -> list[_Index]:
    """The live table's indexes, the primary key's first."""
    cursor.execute(
        """
        SELECT i.indexrelid::regclass::text, pg_get_indexdef(i.indexrelid),
               ARRAY(SELECT a.attname::text FROM unnest(i.indkey) k
                     JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = k),
               c.contype, c.conname, coalesce(c.condeferrable, false),
               coalesce(c.condeferred, false)
        FROM pg_index i
        LEFT JOIN pg_constraint c ON c.conindid = i.indexrelid AND c.conrelid = i.indrelid
            AND c.contype IN ('p', 'u')
        WHERE i.indrelid = %s::regclass
        ORDER BY c.contype = 'p' DESC NULLS LAST, i.indexrelid
        """,
        [live],
    )
    return [
        _Index(name, definition, tuple(columns), kind, constraint, deferrable, deferred)
        for name, definition, columns, kind, constraint, deferrable, deferred in cursor.fetchall()
    ]


def _give_index_build_memory(cursor: Any) -> None:
    """Room for the sorts of large index builds, for the transaction, unless the server gives
    more (docs/operations.md)."""
    cursor.execute(
        "SELECT set_config('maintenance_work_mem', %s, true) FROM pg_settings "
        "WHERE name = 'maintenance_work_mem' AND setting::bigint < %s",
        [f"{INDEX_BUILD_MEMORY_KB}kB", INDEX_BUILD_MEMORY_KB],
    )


def _create_index(cursor: Any, new: str, index: _Index) -> None:
    """The index on the new table, named `<name>__next`, with its key constraint if any."""
    match = INDEX_DEFINITION.match(index.definition)
    if match is None:  # pragma: no cover - pg_get_indexdef's shape is fixed
        raise SnapshotError(f"cannot read the definition of {index.name}: {index.definition}")
    name = index.new_name
    cursor.execute(f"CREATE {match['unique'] or ''}INDEX {name} ON {new} {match['rest']}")
    if index.constraint:
        key = "PRIMARY KEY" if index.constraint_kind == "p" else "UNIQUE"
        timing = ""
        if index.deferrable:
            timing = " DEFERRABLE INITIALLY " + ("DEFERRED" if index.deferred else "IMMEDIATE")
        cursor.execute(f"ALTER TABLE {new} ADD CONSTRAINT {name} {key} USING INDEX {name}{timing}")


def _build_key_index(live: str, new: str, key: tuple[str, ...], cursor: Any) -> bool:
    """The new table's unique index on the natural key, built while its file is loaded: it is
    needed anyway, and building it is how the load learns that no key repeats (False: one does,
    and nothing was built). Without such an index on the live table, False."""
    for index in _live_indexes(cursor, live):
        if index.definition.startswith("CREATE UNIQUE ") and set(index.columns) == set(key):
            break
    else:
        return False
    try:
        with transaction.atomic():
            _give_index_build_memory(cursor)
            _create_index(cursor, new, index)
    except IntegrityError:
        return False
    return True


def _build_indexes(live: str, new: str) -> None:
    """The live table's indexes on the new one, each built once over the full table, named
    `<name>__next` until the swap; primary and unique keys are made from their indexes. The
    natural key's, built during the load, is there already."""
    with transaction.atomic(), connection.cursor() as cursor:
        _give_index_build_memory(cursor)
        for index in _live_indexes(cursor, live):
            cursor.execute("SELECT to_regclass(%s) IS NULL", [index.new_name])
            (missing,) = cursor.fetchone()
            if missing:
                _create_index(cursor, new, index)


def _add_foreign_keys(
    live_table: str, new_table: str, *, live: dict[RecordKind, str], new: dict[RecordKind, str]
) -> None:
    """The live table's foreign keys, pointing at the new tables: added NOT VALID (no scan,
    no lock on the referenced table beyond a moment), then validated in one pass each."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint "
            "WHERE conrelid = %s::regclass AND contype = 'f' ORDER BY conname",
            [live_table],
        )
        foreign_keys = cursor.fetchall()
    for name, definition in foreign_keys:
        for kind, table in live.items():
            definition = definition.replace(f"REFERENCES {table}(", f"REFERENCES {new[kind]}(")
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(f"ALTER TABLE {new_table} ADD CONSTRAINT {name} {definition} NOT VALID")
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(f"ALTER TABLE {new_table} VALIDATE CONSTRAINT {name}")


def _check_counts(new: dict[RecordKind, str], files: dict[RecordKind, ImportSummary]) -> None:
    """Each new table holds exactly its file's good rows: read, less rejected."""
    with connection.cursor() as cursor:
        for kind, table in new.items():
            cursor.execute(f"SELECT count(*) FROM {table}")
            (count,) = cursor.fetchone()
            file = files[kind]
            expected = file.rows_read - file.rejected
            if count != expected or file.created != expected:
                raise SnapshotError(
                    _(
                        "The new %(kind)s table holds %(count)d rows, but its file had "
                        "%(expected)d good rows; nothing was swapped."
                    )
                    % {"kind": kind, "count": count, "expected": expected}
                )


def _swap_in(live: dict[RecordKind, str], new: dict[RecordKind, str]) -> None:
    kept = {kind: _suffixed(table, KEPT) for kind, table in live.items()}

    def rename(cursor: Any) -> None:
        cursor.execute(f"DROP TABLE IF EXISTS {', '.join(kept.values())}")
        _rename_tables(cursor, live, from_suffix="", to_suffix=KEPT)
        _rename_tables(cursor, new, from_suffix=NEXT, to_suffix="")

    _with_registry_locked(live, rename)


def _with_registry_locked(live: dict[RecordKind, str], rename: Callable[[Any], None]) -> None:
    """Run `rename` in one short transaction holding the live tables alone.

    The lock waits for running reads; reads that arrive meanwhile queue behind it and, once it
    is released, PostgreSQL looks their table names up again and finds the new tables. If the
    running reads take longer than SWAP_LOCK_TIMEOUT, the attempt gives way and is repeated.
    """
    for attempt in range(1, SWAP_ATTEMPTS + 1):
        try:
            with transaction.atomic(), connection.cursor() as cursor:
                cursor.execute(f"SET LOCAL lock_timeout = '{SWAP_LOCK_TIMEOUT}'")
                cursor.execute(f"LOCK TABLE {', '.join(live.values())} IN ACCESS EXCLUSIVE MODE")
                rename(cursor)
            return
        except OperationalError as error:
            lock_not_available = getattr(error.__cause__, "sqlstate", None) == "55P03"
            if not lock_not_available or attempt == SWAP_ATTEMPTS:
                raise
            time.sleep(0.1 * attempt)


def _rename_tables(
    cursor: Any, tables: dict[RecordKind, str], *, from_suffix: str, to_suffix: str
) -> None:
    """Rename each table, its indexes (and so its keys) and its identity sequence from
    `<name><from_suffix>` to `<name><to_suffix>`."""
    for table in tables.values():
        base = table.removesuffix(from_suffix)
        cursor.execute(
            "SELECT indexrelid::regclass::text FROM pg_index WHERE indrelid = %s::regclass",
            [table],
        )
        for (index,) in cursor.fetchall():
            renamed = _suffixed(index.removesuffix(from_suffix), to_suffix)
            cursor.execute(f"ALTER INDEX {index} RENAME TO {renamed}")
        if sequence := _serial_sequence(cursor, table):
            sequence = sequence.removeprefix("public.")
            renamed = _suffixed(f"{base}_id_seq", to_suffix)
            if sequence != renamed:
                cursor.execute(f"ALTER SEQUENCE {sequence} RENAME TO {renamed}")
        cursor.execute(f"ALTER TABLE {table} RENAME TO {_suffixed(base, to_suffix)}")
