"""Where each kind of record goes, and the portable writer (bulk ORM, for SQLite).

The PostgreSQL import (postgres.py) matches rows on the same natural keys, rejects the same
problems and counts the same way, so an import gives the same registry on either database.
"""

import itertools
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from django.db import models

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
