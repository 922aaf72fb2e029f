"""The PostgreSQL import: the file streamed to COPY, checked mostly in SQL, merged set-based.

1. The file's records go, nearly untouched, into a temporary table of text cells numbered by
   row (reading.copy_data).
2. The rules live in formats.py. SQL does not restate them: it only recognises the rows that
   are *certainly* clean — every cell already in the form its parser would return, dates found
   among the file's distinct date texts as parsed once in Python — and moves them, typed, into a
   second table in one statement. A row it does not recognise (a Persian digit, a stray space,
   a bad check digit, an unknown person...) goes through the Python row parser, which either
   cleans it or says what is wrong with it, with the same messages as on any other database.
3. Unknown persons and natural keys repeated in the file are rejected set-based; one UPDATE
   rewrites the records that changed, one INSERT adds the new ones, one DELETE applies
   --replace.

In a registry snapshot the periods and pensions skip the second table: the certainly-clean rows
go straight into the snapshot's empty new table, each with its row number as its id (nothing
refers to these ids), so the rows Python must see, and the repeated keys, are still found by
row number. The new table's unique index on the natural key is built right there: when it
builds, no key repeats, which is cheaper to learn than by grouping the rows.
"""

from collections.abc import Callable, Iterator
from typing import Any

from django.db import connection
from django.utils import timezone

from inquiries.importing.formats import (
    FORMATS,
    ChoiceCell,
    CountCell,
    DateCell,
    DigitsCell,
    NameCell,
    NationalCodeCell,
    RecordFormat,
    RecordKind,
    RowProblem,
    duplicate_problem,
    unknown_person_problem,
)
from inquiries.importing.reading import CopyFeed, RegistryFile, copy_data
from inquiries.importing.writers import TARGETS, MergeCounts
from inquiries.models import InsuredPerson
from portal.cells import valid_national_code

STAGING = "registry_import_staging"
CLEAN = "registry_import_clean"
DATES = "registry_import_dates"
PROBLEMS = "registry_import_problems"
TAINTED = "registry_import_tainted"
UNRECOGNISED = "registry_import_unrecognised"
PYTHON_BATCH_ROWS = 5000

# Every character Python's str.split() splits on but the plain space: a name holding none of
# these and no leading, trailing or double space is one NameCell keeps as it is.
OTHER_SPACES = "[{}]".format(
    "".join(c for c in map(chr, range(0x110000)) if c.isspace() and c != " ")
)

# The rows' checks across cells (formats.py `check_row`), as conditions that hold only for rows
# those checks accept; a row that fails one is re-checked by Python, which has the last word.
CROSS_CELL_CLEAN: dict[RecordKind, str] = {
    RecordKind.PERSONS: "{birth_date} <= %(today)s",
    RecordKind.PERIODS: "({end_date} IS NULL OR {end_date} >= {start_date})",
    RecordKind.PENSIONS: """(({role} = 'main' AND {main_national_code} = '')
        OR ({role} = 'dependent' AND {main_national_code} <> ''
            AND {main_national_code} <> {national_code}))""",
}


def _ascii_digits(cell: str, *, min_length: int, max_length: int) -> str:
    # A bounded repetition (`{1,20}`) makes PostgreSQL's regex engine several times slower.
    return f"(length({cell}) BETWEEN {min_length} AND {max_length} AND {cell} ~ '^[0-9]+$')"


def _check_digit_is_valid(cell: str) -> str:
    """SQL for portal.validators.national_code_is_valid (CASE keeps the casts away from texts
    that are not 10 digits). The check digit is looked up by the remainder, so the weighted
    sum is computed once per code."""
    weighted = " + ".join(f"substr({cell}, {i}, 1)::int * {11 - i}" for i in range(1, 10))
    check_digits = ",".join(str(r if r < 2 else 11 - r) for r in range(11))
    return f"""CASE WHEN {_ascii_digits(cell, min_length=10, max_length=10)}
            AND {cell} <> repeat(left({cell}, 1), 10)
        THEN substr({cell}, 10, 1)::int = ('{{{check_digits}}}'::int[])[mod({weighted}, 11) + 1]
        ELSE false END"""


def _count_digits(cell: CountCell) -> int:
    # One digit fewer than the maximum has: always in range, so `int()` and `::` agree.
    return len(str(cell.maximum)) - 1


def _sql_type(cell: Any) -> str:
    if isinstance(cell, DateCell):
        return "date"
    if isinstance(cell, CountCell):
        return "integer" if cell.maximum < 2**31 else "bigint"
    return "text"


# Delta imports hold this advisory lock shared for their transaction, a registry snapshot
# holds it alone from start to swap: a delta never lands in tables a snapshot is replacing.
REGISTRY_WRITE_LOCK = 0x5245_4749_5354_5259  # "REGISTRY"


class PostgresImport:
    """One import on PostgreSQL, inside the caller's transaction.

    With `snapshot_tables` (kind -> table), the rows go into a registry snapshot's new, empty
    tables instead of the live ones (inquiries/importing/snapshot.py): every good row is
    inserted, and a person keeps the id the live registry gives their national code.
    `build_key_index(cursor)` builds the new table's unique index on the natural key and says
    whether it could (False: a key repeats).
    """

    def __init__(
        self,
        *,
        kind: RecordKind,
        replace: bool,
        snapshot_tables: dict[RecordKind, str] | None = None,
        build_key_index: Callable[[Any], bool] | None = None,
    ) -> None:
        self.kind = kind
        self.format: RecordFormat = FORMATS[kind]
        self.target = TARGETS[kind]
        self.replace = replace
        self.live_person_table = InsuredPerson._meta.db_table
        self.person_table = self.live_person_table
        self.table = self.target.model._meta.db_table
        self.into_snapshot = snapshot_tables is not None
        if snapshot_tables is not None:
            if replace:
                raise ValueError("a snapshot replaces everything; --replace does not apply")
            self.person_table = snapshot_tables[RecordKind.PERSONS]
            self.table = snapshot_tables[kind]
        self.columns = self.format.columns
        self.by_person = self.target.belongs_to_person
        # Periods and pensions of a snapshot: clean rows straight into the new table, the row
        # number as the id (module docstring).
        self.straight = self.into_snapshot and self.by_person
        self.build_key_index = build_key_index if self.straight else None
        # Where the rows SQL recognised are, and the column holding their row number.
        self.moved_to, self.moved_row = (
            (self.table, "id") if self.straight else (CLEAN, "row_number")
        )
        self.clean_columns = ("person_id", *self.columns) if self.by_person else self.columns
        self.today = timezone.localdate()

    def run(
        self,
        source: RegistryFile,
        *,
        problems: Any,
        on_progress: Callable[[CopyFeed], None] | None = None,
    ) -> tuple[CopyFeed, MergeCounts]:
        """Read, check and merge the file; problems the reader finds go to `problems` (a
        csv.writer), the others are kept for `problems()`."""
        feed = CopyFeed()
        with connection.cursor() as cursor:
            if not self.into_snapshot:
                cursor.execute("SELECT pg_advisory_xact_lock_shared(%s)", [REGISTRY_WRITE_LOCK])
            # Room for the hash joins and aggregates below, until the transaction ends.
            cursor.execute("SET LOCAL work_mem = '256MB'")
            self._create_tables(cursor, source.first_row)
            self._copy(cursor, source, feed, problems, on_progress)
            staged = feed.rows_read - feed.rejected
            self._load_dates(cursor)
            clean = self._move_clean_rows(cursor)
            rejected = self._check_in_python(feed, source.first_row) if clean < staged else 0
            if self.by_person:
                rejected += self._reject_unknown_persons(cursor, lookup_needed=clean < staged)
            if self.straight:
                # The rows Python cleaned join the clean ones; then the keys are checked over all.
                created = clean + self._insert_checked_rows(cursor)
                duplicates = self._reject_duplicates(cursor)
                rejected += duplicates
                created, updated = created - duplicates, 0
            else:
                rejected += self._reject_duplicates(cursor)
                if self.into_snapshot:
                    created, updated = self._fill_snapshot_table(cursor), 0
                else:
                    created, updated = self._merge(cursor)
            deleted = self._delete_unlisted(cursor, feed.tainted_codes) if self.replace else 0
        return feed, MergeCounts(
            created=created, updated=updated, deleted=deleted, rejected=rejected
        )

    def problems(self) -> Iterator[RowProblem]:
        """Every problem found after reading, in row order."""
        with connection.chunked_cursor() as cursor:
            cursor.execute(
                f"SELECT row_number, column_name, message, first_row FROM {PROBLEMS} "
                "ORDER BY row_number, id"
            )
            while batch := cursor.fetchmany(2000):
                for row, column, message, first_row in batch:
                    if message is not None:
                        yield RowProblem(row, column, message)
                    elif first_row is None:
                        yield unknown_person_problem(row)
                    else:
                        yield duplicate_problem(row, first_row)

    # --- Steps ---------------------------------------------------------------------------------

    def _create_tables(self, cursor: Any, first_row: int) -> None:
        cells = ", ".join(f"{column} text" for column in self.columns)
        typed = ", ".join(
            f"{column} {_sql_type(cell)}"
            for column, cell in zip(self.columns, self.format.cells, strict=True)
        )
        person = "person_id bigint, " if self.by_person else ""
        for table, definition in (
            (
                STAGING,
                f"row_number integer GENERATED ALWAYS AS IDENTITY "
                f"(START WITH {int(first_row)} CACHE 10000), {cells}",
            ),
            (CLEAN, f"row_number integer, {person}{typed}"),
            (DATES, "text text PRIMARY KEY, value date"),
            (
                PROBLEMS,
                "id integer GENERATED ALWAYS AS IDENTITY, row_number integer, "
                "column_name text, message text, first_row integer",
            ),
            (TAINTED, "national_code text"),
            (UNRECOGNISED, "row_number integer"),
        ):
            cursor.execute(f"DROP TABLE IF EXISTS {table}")
            cursor.execute(f"CREATE TEMPORARY TABLE {table} ({definition}) ON COMMIT DROP")

    def _copy(
        self,
        cursor: Any,
        source: RegistryFile,
        feed: CopyFeed,
        problems: Any,
        on_progress: Callable[[CopyFeed], None] | None,
    ) -> None:
        columns = ", ".join(self.columns)
        sql = f"COPY {STAGING} ({columns}) FROM STDIN (FORMAT csv, FORCE_NOT_NULL ({columns}))"
        progress = (lambda: on_progress(feed)) if on_progress else None
        with cursor.cursor.copy(sql) as copy:
            for data in copy_data(source, feed, problems=problems, on_progress=progress):
                copy.write(data)
        if feed.placeholders:
            cursor.execute(f"DELETE FROM {STAGING} WHERE row_number = ANY(%s)", [feed.placeholders])

    def _date_columns(self) -> list[str]:
        return [
            column
            for column, cell in zip(self.columns, self.format.cells, strict=True)
            if isinstance(cell, DateCell)
        ]

    def _load_dates(self, cursor: Any) -> None:
        """Parse each distinct date text once, in Python; the valid ones become a lookup."""
        # Each column's texts grouped on their own, then the groups' union: a few thousand
        # rows to merge instead of every date of the file.
        cursor.execute(
            " UNION ".join(
                f"SELECT {column} FROM {STAGING} GROUP BY {column}"
                for column in self._date_columns()
            )
        )
        distinct_texts = [text for (text,) in cursor.fetchall()]
        parse = DateCell()
        with cursor.cursor.copy(f"COPY {DATES} (text, value) FROM STDIN") as copy:
            for text in distinct_texts:
                try:
                    copy.write_row((text, parse(text)))
                except ValueError:  # FieldProblem: Python says why when the row comes to it
                    continue
        cursor.execute(f"ANALYZE {DATES}")

    def _move_clean_rows(self, cursor: Any) -> int:
        """Copy the rows every parser would keep as they are into CLEAN (in a snapshot's
        straight lane, into the new table), typed, in one go."""
        joins: list[str] = []
        conditions: list[str] = []  # on the staged cells alone
        joined_conditions: list[str] = []  # on the looked-up values too
        values: dict[str, str] = {}
        for column, cell in zip(self.columns, self.format.cells, strict=True):
            text = f"s.{column}"
            value, condition = text, ""
            if isinstance(cell, NationalCodeCell):
                if column == "national_code" and self.by_person:
                    # The registry holds only valid codes, so a match is a valid code.
                    joins.append(f"JOIN {self.person_table} p ON p.national_code = {text}")
                else:
                    condition = _check_digit_is_valid(text)
                    if not cell.required:
                        condition = f"({text} = '' OR {condition})"
            elif isinstance(cell, DigitsCell):
                condition = _ascii_digits(text, min_length=1, max_length=cell.max_length)
                if not cell.required:
                    condition = f"({text} = '' OR {condition})"
            elif isinstance(cell, NameCell):
                condition = (
                    f"char_length({text}) <= {int(cell.max_length)} "
                    f"AND strpos({text}, '  ') = 0 AND {text} NOT LIKE ' %%' "
                    f"AND {text} NOT LIKE '%% ' AND {text} !~ %(other_spaces)s"
                )
                if cell.required:
                    condition += f" AND {text} <> ''"
            elif isinstance(cell, ChoiceCell):
                condition = f"{text} = ANY(%(choices_{column})s)"
            elif isinstance(cell, DateCell):
                alias = f"d_{column}"
                value = f"{alias}.value"
                if cell.required:
                    joins.append(f"JOIN {DATES} {alias} ON {alias}.text = {text}")
                else:
                    joins.append(f"LEFT JOIN {DATES} {alias} ON {alias}.text = {text}")
                    joined_conditions.append(f"({text} = '' OR {value} IS NOT NULL)")
            elif isinstance(cell, CountCell):
                condition = _ascii_digits(text, min_length=1, max_length=_count_digits(cell))
                # The conditions on the staged cells filter the staging scan itself, so only
                # texts of digits (or '') reach this cast; guarding it with the same pattern
                # again cost a quarter of the statement.
                value = f"{text}::{_sql_type(cell)}"
                if not cell.required:
                    value = f"NULLIF({text}, '')::{_sql_type(cell)}"
                    condition = f"({text} = '' OR {condition})"
            else:  # pragma: no cover
                raise TypeError(f"no SQL for {cell!r}")
            values[column] = value
            if condition:
                conditions.append(condition)
        joined_conditions.append(CROSS_CELL_CLEAN[self.kind].format(**values))
        person = ["p.id"] if self.by_person else []
        if self.straight:
            # The national code has become the person's id.
            columns, selected = ("id", *self.target.columns), (*person, *list(values.values())[1:])
        else:
            columns, selected = ("row_number", *self.clean_columns), (*person, *values.values())
        params: dict[str, Any] = {
            "other_spaces": OTHER_SPACES,
            "today": self.today,
            **{
                f"choices_{column}": list(cell.values)
                for column, cell in zip(self.columns, self.format.cells, strict=True)
                if isinstance(cell, ChoiceCell)
            },
        }
        # Most staged rows pass, but the planner would multiply a dozen conditions' guesses
        # down to "one row", then pick nested loops over the lookups or hash the whole staging
        # table. Each group becomes one opaque clause, and nested loops are off.
        cursor.execute("SET LOCAL enable_nestloop = off")
        cursor.execute(
            f"""
            INSERT INTO {self.moved_to} ({", ".join(columns)})
            SELECT s.row_number, {", ".join(selected)}
            FROM {STAGING} s {" ".join(joins)}
            WHERE CASE WHEN {" AND ".join(conditions)} THEN true ELSE false END
              AND CASE WHEN {" AND ".join(joined_conditions)} THEN true ELSE false END
            """,
            params,
        )
        moved = int(cursor.rowcount)
        cursor.execute("SET LOCAL enable_nestloop TO DEFAULT")
        return moved

    def _check_in_python(self, feed: CopyFeed, first_row: int) -> int:
        """The rows SQL did not recognise, through the row parser: clean ones join the others
        in CLEAN, bad ones are reported. Returns how many were rejected."""
        rejected = 0
        parse_row = self.format.parse_row
        columns = ", ".join(f"s.{column}" for column in self.columns)
        if self.straight:
            with connection.cursor() as cursor:
                self._find_unrecognised_rows(cursor, first_row)
            unrecognised = f"JOIN {UNRECOGNISED} u USING (row_number)"
        else:
            unrecognised = f"""WHERE NOT EXISTS (
                SELECT 1 FROM {CLEAN} c WHERE c.row_number = s.row_number
            )"""
        with connection.chunked_cursor() as rows, connection.cursor() as cursor:
            rows.execute(f"""
                SELECT s.row_number, {columns} FROM {STAGING} s {unrecognised}
                ORDER BY s.row_number
            """)
            while batch := rows.fetchmany(PYTHON_BATCH_ROWS):
                good: list[tuple[Any, ...]] = []
                bad: list[RowProblem] = []
                for row_number, *cells in batch:
                    parsed = parse_row(row_number, cells, today=self.today)
                    if type(parsed) is tuple:
                        good.append(parsed)
                    else:
                        rejected += 1
                        bad.extend(parsed)
                        if code := valid_national_code(cells[0]):
                            feed.tainted_codes.add(code)
                self._copy_rows(cursor, CLEAN, ("row_number", *self.columns), good)
                self._copy_rows(cursor, PROBLEMS, ("row_number", "column_name", "message"), bad)
        return rejected

    def _find_unrecognised_rows(self, cursor: Any, first_row: int) -> None:
        """The row numbers that are not ids in the snapshot's new table, into UNRECOGNISED:
        the gaps between its ids in order, up to the staging table's last row number (its
        sequence may be a cache ahead; the numbers past the last row match no row). Sorting the
        ids took a third of the time of hashing them for an anti-join (3.5 s against 10.4 s for
        10,000,000)."""
        cursor.execute("SELECT pg_get_serial_sequence(%s, 'row_number')", [STAGING])
        (row_numbers,) = cursor.fetchone()
        cursor.execute(
            f"""
            INSERT INTO {UNRECOGNISED} (row_number)
            SELECT generate_series(previous + 1, id - 1) FROM (
                SELECT id, lag(id, 1, %(before_first)s) OVER (ORDER BY id) AS previous
                FROM (
                    SELECT id FROM {self.table}
                    UNION ALL SELECT last_value + 1 FROM {row_numbers}
                ) AS ids
            ) AS gaps
            WHERE id > previous + 1
            """,
            {"before_first": first_row - 1},
        )
        cursor.execute(f"ANALYZE {UNRECOGNISED}")

    @staticmethod
    def _copy_rows(cursor: Any, table: str, columns: tuple[str, ...], rows: list[Any]) -> None:
        if rows:
            with cursor.cursor.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)

    def _reject_unknown_persons(self, cursor: Any, *, lookup_needed: bool) -> int:
        """Rows that came through Python still need their person; without one, rejected."""
        if not lookup_needed:
            return 0
        cursor.execute(f"""
            UPDATE {CLEAN} c SET person_id = p.id FROM {self.person_table} p
            WHERE c.person_id IS NULL AND p.national_code = c.national_code
        """)
        cursor.execute(f"""
            WITH gone AS (DELETE FROM {CLEAN} WHERE person_id IS NULL RETURNING row_number)
            INSERT INTO {PROBLEMS} (row_number) SELECT row_number FROM gone
        """)
        return int(cursor.rowcount)

    def _reject_duplicates(self, cursor: Any) -> int:
        """Keep the first row of each natural key; later ones are rejected."""
        table, row = self.moved_to, self.moved_row
        key = ", ".join(self.target.key)
        if self.build_key_index is not None:
            # The unique index the new table needs anyway: built, it says no key repeats.
            if self.build_key_index(cursor):
                return 0
        else:
            # One hash aggregate answers "any duplicates?"; the costlier ranking runs only if so.
            cursor.execute(f"SELECT 1 FROM {table} GROUP BY {key} HAVING count(*) > 1 LIMIT 1")
            if cursor.fetchone() is None:
                return 0
        cursor.execute(f"""
            WITH ranked AS (
                SELECT {row} AS row_number, min({row}) OVER (PARTITION BY {key}) AS first_row
                FROM {table}
            ), gone AS (
                DELETE FROM {table} c USING ranked r
                WHERE c.{row} = r.row_number AND r.row_number <> r.first_row
                RETURNING r.row_number, r.first_row
            )
            INSERT INTO {PROBLEMS} (row_number, first_row) SELECT row_number, first_row FROM gone
        """)
        return int(cursor.rowcount)

    def _insert_checked_rows(self, cursor: Any) -> int:
        """The rows Python cleaned (in CLEAN, with their persons) into the snapshot's new table,
        each with its row number as its id; the table's identity continues after the file's
        last row."""
        columns = ", ".join(self.target.columns)
        cursor.execute(f"""
            INSERT INTO {self.table} (id, {columns})
            SELECT row_number, {columns} FROM {CLEAN}
        """)
        inserted = int(cursor.rowcount)
        # The staging table's row numbers end there too (its sequence may be a cache ahead).
        cursor.execute(
            "SELECT pg_get_serial_sequence(%s, 'id'), pg_get_serial_sequence(%s, 'row_number')",
            [self.table, STAGING],
        )
        sequence, row_numbers = cursor.fetchone()
        cursor.execute(f"SELECT setval(%s, last_value) FROM {row_numbers}", [sequence])
        return inserted

    def _merge(self, cursor: Any) -> tuple[int, int]:
        """Update changed records, then insert new ones; unchanged rows are not rewritten.

        A plain INSERT of the new keys costs about two thirds of an INSERT … ON CONFLICT (no
        speculative insertion). It is safe because imports are the registry's only writers and
        this lock makes them take turns; it does not block readers (they take ACCESS SHARE).
        """
        cursor.execute(f"LOCK TABLE {self.table} IN SHARE ROW EXCLUSIVE MODE")
        columns = self.target.columns
        key = self.target.key
        same_key = " AND ".join(f"t.{column} = c.{column}" for column in key)
        updated_columns = [column for column in columns if column not in key]
        cursor.execute(f"""
            UPDATE {self.table} t
            SET {", ".join(f"{column} = c.{column}" for column in updated_columns)}
            FROM {CLEAN} c
            WHERE {same_key}
              AND ({", ".join(f"t.{column}" for column in updated_columns)})
                  IS DISTINCT FROM ({", ".join(f"c.{column}" for column in updated_columns)})
        """)
        updated = int(cursor.rowcount)
        # A table the statistics call empty (a first import) would be scanned once per row
        # it receives; an index probe or a single scan costs the same whatever it receives.
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute(f"""
            INSERT INTO {self.table} ({", ".join(columns)})
            SELECT {", ".join(f"c.{column}" for column in columns)} FROM {CLEAN} c
            WHERE NOT EXISTS (SELECT 1 FROM {self.table} t WHERE {same_key})
        """)
        created = int(cursor.rowcount)
        cursor.execute("SET LOCAL enable_seqscan TO DEFAULT")
        return created, updated

    def _fill_snapshot_table(self, cursor: Any) -> int:
        """Every checked row into the snapshot's empty table, in one INSERT.

        Persons keep the id the live registry gives their national code, new ones take the next
        from its sequence: a lookup whose queries straddle the swap (the person from the old
        table, their periods from the new) still reads one person. The new table's sequence
        then continues from the live one's.
        """
        columns = self.target.columns
        selected = ", ".join(f"c.{column}" for column in columns)
        if self.kind != RecordKind.PERSONS:
            cursor.execute(
                f"INSERT INTO {self.table} ({', '.join(columns)}) SELECT {selected} FROM {CLEAN} c"
            )
            return int(cursor.rowcount)
        cursor.execute("SELECT pg_get_serial_sequence(%s, 'id')", [self.live_person_table])
        (live_sequence,) = cursor.fetchone()
        cursor.execute(
            f"""
            INSERT INTO {self.table} (id, {", ".join(columns)})
            SELECT COALESCE(live.id, nextval(%(sequence)s::regclass)), {selected}
            FROM {CLEAN} c LEFT JOIN {self.live_person_table} live
                ON live.national_code = c.national_code
            """,
            {"sequence": live_sequence},
        )
        created = int(cursor.rowcount)
        cursor.execute(
            f"""
            SELECT setval(pg_get_serial_sequence(%(table)s, 'id'),
                GREATEST((SELECT max(id) FROM {self.table}), last_value), true)
            FROM {live_sequence}
            """,
            {"table": self.table},
        )
        return created

    def _delete_unlisted(self, cursor: Any, tainted_codes: set[str]) -> int:
        self._copy_rows(cursor, TAINTED, ("national_code",), [(code,) for code in tainted_codes])
        same_record = " AND ".join(f"c.{column} = t.{column}" for column in self.target.person_key)
        cursor.execute(f"""
            DELETE FROM {self.table} t
            WHERE t.person_id IN (SELECT person_id FROM {CLEAN})
              AND t.person_id NOT IN (
                  SELECT p.id FROM {self.person_table} p JOIN {TAINTED} x USING (national_code)
              )
              AND NOT EXISTS (
                  SELECT 1 FROM {CLEAN} c WHERE c.person_id = t.person_id AND {same_record}
              )
        """)
        return int(cursor.rowcount)
