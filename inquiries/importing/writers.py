"""Writing checked registry rows: COPY and set-based merges on PostgreSQL, bulk ORM elsewhere.

Both writers take the same clean rows (from formats.py), match them on the same natural keys,
reject the same problems and count the same way, so an import gives the same registry on
either database.
"""

import itertools
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from django.db import connection, models

from inquiries.importing.formats import (
    COLUMNS,
    RecordKind,
    RowProblem,
    duplicate_problem,
    unknown_person_problem,
)
from inquiries.models import CoveragePeriod, InsuredPerson, PensionRecord

Row = tuple[Any, ...]


@dataclass(frozen=True)
class MergeCounts:
    created: int = 0
    updated: int = 0
    deleted: int = 0
    # Rows the writer refused: unknown person, the same record twice in the file.
    rejected: int = 0


@dataclass(frozen=True)
class Target:
    """Where one kind of row goes, and how it is matched."""

    model: type[models.Model]
    # The model's columns, in the clean row's order after the row number; periods and pensions
    # carry `person_id` where the file has the national code.
    columns: tuple[str, ...]
    key: tuple[str, ...]
    # Within one person, what tells their records apart (for --replace).
    person_key: tuple[str, ...] = ()

    @property
    def belongs_to_person(self) -> bool:
        return self.columns[0] == "person_id"


TARGETS: dict[RecordKind, Target] = {
    RecordKind.PERSONS: Target(
        model=InsuredPerson, columns=COLUMNS[RecordKind.PERSONS], key=("national_code",)
    ),
    RecordKind.PERIODS: Target(
        model=CoveragePeriod,
        columns=("person_id", *COLUMNS[RecordKind.PERIODS][1:]),
        key=("person_id", "workshop_code", "start_date"),
        person_key=("workshop_code", "start_date"),
    ),
    RecordKind.PENSIONS: Target(
        model=PensionRecord,
        columns=("person_id", *COLUMNS[RecordKind.PENSIONS][1:]),
        key=("pension_number", "person_id"),
        person_key=("pension_number",),
    ),
}


# --- PostgreSQL --------------------------------------------------------------------------------

STAGING_TYPES: dict[RecordKind, str] = {
    RecordKind.PERSONS: """row_number integer, national_code text, insurance_number text,
        first_name text, last_name text, father_name text, birth_date date, gender text""",
    RecordKind.PERIODS: """row_number integer, national_code text, workshop_code text,
        workshop_name text, coverage_kind text, start_date date, end_date date,
        days integer, monthly_wage bigint""",
    RecordKind.PENSIONS: """row_number integer, national_code text, pension_number text,
        role text, kind text, start_date date, status text, main_national_code text""",
}
STAGING = "registry_import_staging"
REJECTS = "registry_import_rejects"
TAINTED = "registry_import_tainted"


class PostgresWriter:
    """COPY the rows into a temporary table, then merge them with a few set-based statements."""

    def __init__(self, *, kind: RecordKind, replace: bool) -> None:
        self.kind = kind
        self.target = TARGETS[kind]
        self.replace = replace
        self.person_table = InsuredPerson._meta.db_table
        self.table = self.target.model._meta.db_table

    def write(self, rows: Iterable[Row], *, tainted_codes: set[str]) -> MergeCounts:
        with connection.cursor() as cursor:
            # Room for the joins and sorts below; lasts until the import's transaction ends.
            cursor.execute("SET LOCAL work_mem = '256MB'")
            for table, columns in (
                (STAGING, STAGING_TYPES[self.kind]),
                (REJECTS, "row_number integer, first_row integer"),
                (TAINTED, "national_code text"),
            ):
                cursor.execute(f"DROP TABLE IF EXISTS {table}")
                cursor.execute(f"CREATE TEMPORARY TABLE {table} ({columns}) ON COMMIT DROP")
            staging_columns = ", ".join(("row_number", *COLUMNS[self.kind]))
            copy_sql = f"COPY {STAGING} ({staging_columns}) FROM STDIN"
            with cursor.cursor.copy(copy_sql) as copy:
                for row in rows:
                    copy.write_row(row)
            cursor.execute(f"ANALYZE {STAGING}")

            rejected = self._reject_unknown_persons(cursor) if self.target.belongs_to_person else 0
            rejected += self._reject_duplicates(cursor)
            created, updated = self._merge(cursor)
            deleted = self._delete_unlisted(cursor, tainted_codes) if self.replace else 0
        return MergeCounts(created=created, updated=updated, deleted=deleted, rejected=rejected)

    def problems(self) -> Iterator[RowProblem]:
        with connection.chunked_cursor() as cursor:
            cursor.execute(f"SELECT row_number, first_row FROM {REJECTS} ORDER BY row_number")
            while batch := cursor.fetchmany(2000):
                for row, first_row in batch:
                    if first_row is None:
                        yield unknown_person_problem(row)
                    else:
                        yield duplicate_problem(row, first_row)

    def _reject_unknown_persons(self, cursor: Any) -> int:
        cursor.execute(f"""
            WITH gone AS (
                DELETE FROM {STAGING} s
                WHERE NOT EXISTS (
                    SELECT 1 FROM {self.person_table} p WHERE p.national_code = s.national_code
                )
                RETURNING s.row_number
            )
            INSERT INTO {REJECTS} (row_number) SELECT row_number FROM gone
        """)
        return int(cursor.rowcount)

    def _reject_duplicates(self, cursor: Any) -> int:
        """Keep the first row of each natural key; later ones are rejected."""
        key = ", ".join(
            "national_code" if column == "person_id" else column for column in self.target.key
        )
        # One hash aggregate answers "any duplicates?"; the costlier ranking runs only if so.
        cursor.execute(f"SELECT 1 FROM {STAGING} GROUP BY {key} HAVING count(*) > 1 LIMIT 1")
        if cursor.fetchone() is None:
            return 0
        cursor.execute(f"""
            WITH ranked AS (
                SELECT row_number, min(row_number) OVER (PARTITION BY {key}) AS first_row
                FROM {STAGING}
            ), gone AS (
                DELETE FROM {STAGING} s USING ranked r
                WHERE s.row_number = r.row_number AND r.row_number <> r.first_row
                RETURNING r.row_number, r.first_row
            )
            INSERT INTO {REJECTS} (row_number, first_row) SELECT row_number, first_row FROM gone
        """)
        return int(cursor.rowcount)

    def _merge(self, cursor: Any) -> tuple[int, int]:
        """Insert new records and update changed ones; unchanged rows are not rewritten."""
        columns = self.target.columns
        if self.target.belongs_to_person:
            source = f"{STAGING} s JOIN {self.person_table} p ON p.national_code = s.national_code"
            select = ", ".join(("p.id", *(f"s.{column}" for column in columns[1:])))
        else:
            source = f"{STAGING} s"
            select = ", ".join(f"s.{column}" for column in columns)
        updated_columns = [column for column in columns if column not in self.target.key]
        cursor.execute(f"""
            WITH merged AS (
                INSERT INTO {self.table} AS t ({", ".join(columns)})
                SELECT {select} FROM {source}
                ON CONFLICT ({", ".join(self.target.key)}) DO UPDATE
                SET {", ".join(f"{column} = EXCLUDED.{column}" for column in updated_columns)}
                WHERE ({", ".join(f"t.{column}" for column in updated_columns)})
                    IS DISTINCT FROM
                    ({", ".join(f"EXCLUDED.{column}" for column in updated_columns)})
                RETURNING t.xmax = 0 AS created
            )
            SELECT count(*) FILTER (WHERE created), count(*) FILTER (WHERE NOT created)
            FROM merged
        """)
        created, updated = cursor.fetchone()
        return int(created), int(updated)

    def _delete_unlisted(self, cursor: Any, tainted_codes: set[str]) -> int:
        with cursor.cursor.copy(f"COPY {TAINTED} (national_code) FROM STDIN") as copy:
            for code in tainted_codes:
                copy.write_row((code,))
        same_record = " AND ".join(f"s.{column} = t.{column}" for column in self.target.person_key)
        cursor.execute(f"""
            DELETE FROM {self.table} t USING {self.person_table} p
            WHERE t.person_id = p.id
              AND p.national_code IN (SELECT national_code FROM {STAGING})
              AND p.national_code NOT IN (SELECT national_code FROM {TAINTED})
              AND NOT EXISTS (
                  SELECT 1 FROM {STAGING} s
                  WHERE s.national_code = p.national_code AND {same_record}
              )
        """)
        return int(cursor.rowcount)


# --- Any database ------------------------------------------------------------------------------

BATCH_SIZE = 500


def _batches(items: Iterable[Any], size: int) -> Iterator[list[Any]]:
    iterator = iter(items)
    while batch := list(itertools.islice(iterator, size)):
        yield batch


class PortableWriter:
    """The same merge through the ORM, a batch at a time: for SQLite and small files."""

    def __init__(self, *, kind: RecordKind, replace: bool) -> None:
        self.target = TARGETS[kind]
        self.replace = replace
        self._problems: list[RowProblem] = []
        self._first_row: dict[tuple[Any, ...], int] = {}
        # person id -> the person_key of each of their records in the file (for --replace)
        self._listed: dict[int, set[tuple[Any, ...]]] = defaultdict(set)

    def write(self, rows: Iterable[Row], *, tainted_codes: set[str]) -> MergeCounts:
        created = updated = 0
        for batch in _batches(rows, BATCH_SIZE):
            batch_created, batch_updated = self._write_batch(batch)
            created += batch_created
            updated += batch_updated
        deleted = self._delete_unlisted(tainted_codes) if self.replace else 0
        return MergeCounts(
            created=created, updated=updated, deleted=deleted, rejected=len(self._problems)
        )

    def problems(self) -> Iterator[RowProblem]:
        return iter(self._problems)

    def _write_batch(self, batch: list[Row]) -> tuple[int, int]:
        target = self.target
        manager = target.model._default_manager
        if target.belongs_to_person:
            person_ids = dict(
                InsuredPerson.objects.filter(
                    national_code__in={row[1] for row in batch}
                ).values_list("national_code", "id")
            )
        records: list[tuple[int, dict[str, Any]]] = []
        for row in batch:
            values = dict(zip(target.columns, row[1:], strict=True))
            if target.belongs_to_person:
                if row[1] not in person_ids:
                    self._problems.append(unknown_person_problem(row[0]))
                    continue
                values["person_id"] = person_ids[row[1]]
            key = tuple(values[column] for column in target.key)
            if (first_row := self._first_row.setdefault(key, row[0])) != row[0]:
                self._problems.append(duplicate_problem(row[0], first_row))
                continue
            records.append((row[0], values))
        if not records:
            return 0, 0

        lookup = (
            {"person_id__in": {values["person_id"] for _, values in records}}
            if target.belongs_to_person
            else {"national_code__in": {values["national_code"] for _, values in records}}
        )
        existing = {
            tuple(stored[column] for column in target.key): stored
            for stored in manager.filter(**lookup).values(*target.columns)
        }
        created = updated = 0
        changed = []
        for _, values in records:
            key = tuple(values[column] for column in target.key)
            stored = existing.get(key)
            if stored is None:
                created += 1
            elif stored != values:
                updated += 1
            else:
                continue
            changed.append(target.model(**values))
        if self.replace:
            for _, values in records:
                self._listed[values["person_id"]].add(
                    tuple(values[column] for column in target.person_key)
                )
        if changed:
            manager.bulk_create(
                changed,
                update_conflicts=True,
                unique_fields=[column.removesuffix("_id") for column in target.key],
                update_fields=[column for column in target.columns if column not in target.key],
            )
        return created, updated

    def _delete_unlisted(self, tainted_codes: set[str]) -> int:
        manager = self.target.model._default_manager
        spared: set[int] = set()
        for codes in _batches(tainted_codes, BATCH_SIZE):
            spared.update(
                InsuredPerson.objects.filter(national_code__in=codes).values_list("id", flat=True)
            )
        deleted = 0
        for person_ids in _batches(self._listed.keys() - spared, BATCH_SIZE):
            unlisted = [
                stored["id"]
                for stored in manager.filter(person_id__in=person_ids).values(
                    "id", "person_id", *self.target.person_key
                )
                if tuple(stored[column] for column in self.target.person_key)
                not in self._listed[stored["person_id"]]
            ]
            if unlisted:
                deleted += manager.filter(id__in=unlisted).delete()[0]
        return deleted
