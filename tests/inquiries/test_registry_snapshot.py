"""`import_coverage snapshot DIR` and `rollback`: a whole new registry loaded beside the live one
and swapped in, the old one kept for a rollback; lookups answer throughout.

The snapshot commits in several transactions and other connections must see what it did, so
these tests run outside the test transaction (transaction=True) and drop the tables it keeps.
"""

import datetime
import io
import threading
import time
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command
from django.db import connection, connections

from inquiries.importing import ImportFileError, RecordKind, import_registry_file
from inquiries.importing.snapshot import (
    KEPT,
    NEXT,
    SnapshotError,
    live_tables,
    roll_back,
    take_snapshot,
)
from inquiries.models import CoveragePeriod, InsuredPerson, PensionRecord
from inquiries.selectors import registry_record
from tests.inquiries.test_import_coverage import (
    AKBAR,
    BAD_CHECK_DIGIT,
    MARYAM,
    NOBODY,
    REZA,
    SARA,
    pension_row,
    period_row,
    person_row,
    read_report,
    write_file,
)

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

# Longer than the swap's lock timeout (2 s).
SWAP_WAIT_SECONDS = 3


@pytest.fixture(autouse=True)
def _drop_snapshot_tables():
    yield
    tables = [table + suffix for table in live_tables().values() for suffix in (NEXT, KEPT)]
    with connection.cursor() as cursor:
        cursor.execute(f"DROP TABLE IF EXISTS {', '.join(tables)}")


def table_exists(name: str) -> bool:
    with connection.cursor() as cursor:
        cursor.execute("SELECT to_regclass(%s) IS NOT NULL", [name])
        return cursor.fetchone()[0]


def count_rows(table: str) -> int:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT count(*) FROM {table}")  # noqa: S608 - a table of ours
        return cursor.fetchone()[0]


def write_registry(directory: Path, *, persons, periods=(), pensions=()) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    write_file(directory, "persons", list(persons))
    write_file(directory, "periods", list(periods))
    write_file(directory, "pensions", list(pensions))
    return directory


def in_another_connection(function):
    """`function()` run in a thread, so on a connection of its own; its result or exception."""
    outcome: dict = {}

    def run():
        try:
            outcome["result"] = function()
        except Exception as error:
            outcome["error"] = error
        finally:
            connections.close_all()

    thread = threading.Thread(target=run)
    thread.start()
    thread.join()
    if "error" in outcome:
        raise outcome["error"]
    return outcome["result"]


@pytest.fixture
def old_registry(tmp_path):
    """The live registry before the snapshot: Sara (named Old) with one period, and Reza."""
    directory = write_registry(
        tmp_path / "old",
        persons=[person_row(SARA, first_name="Old"), person_row(REZA)],
        periods=[period_row(SARA)],
        pensions=[pension_row(REZA)],
    )
    take_snapshot(directory)
    return directory


@pytest.fixture
def new_files(tmp_path):
    """The next snapshot: Sara renamed New with two periods, Reza gone, Maryam new."""
    return write_registry(
        tmp_path / "new",
        persons=[person_row(SARA, first_name="New"), person_row(MARYAM)],
        periods=[period_row(SARA), period_row(SARA, start_date="1400/01/01", end_date="")],
        pensions=[pension_row(MARYAM)],
    )


def names() -> dict[str, str]:
    return dict(InsuredPerson.objects.values_list("national_code", "first_name"))


# --- Loading and swapping ------------------------------------------------------------------------


def test_a_snapshot_replaces_the_whole_registry(old_registry, new_files):
    sara_id = InsuredPerson.objects.get(national_code=SARA).id

    summary = take_snapshot(new_files)

    assert names() == {SARA: "New", MARYAM: "Sample"}
    assert [step for step, _ in summary.steps] == [
        "prepare",
        "persons",
        "periods",
        "pensions",
        "indexes: persons",
        "indexes: periods",
        "indexes: pensions",
        "foreign keys: periods",
        "foreign keys: pensions",
        "counts",
        "swap",
    ]
    assert summary.files[RecordKind.PERIODS].created == 2
    # A person keeps their id, so a lookup straddling the swap still reads one person.
    assert InsuredPerson.objects.get(national_code=SARA).id == sara_id
    assert CoveragePeriod.objects.filter(person__national_code=SARA).count() == 2
    assert list(PensionRecord.objects.values_list("person__national_code", flat=True)) == [MARYAM]
    assert not table_exists(InsuredPerson._meta.db_table + NEXT)


def test_the_swapped_in_tables_carry_the_live_keys_indexes_and_sequences(old_registry):
    # Django's own names are back, so later migrations find them.
    with connection.cursor() as cursor:
        found = {
            table: connection.introspection.get_constraints(cursor, table)
            for table in live_tables().values()
        }
    assert not [name for table in found.values() for name in table if NEXT in name]
    periods = found["inquiries_coverageperiod"]
    assert periods["coverage_period_natural_key"]["unique"]
    assert periods["inquiries_coverageperiod_pkey"]["primary_key"]
    assert [c["foreign_key"] for c in periods.values() if c["foreign_key"]] == [
        ("inquiries_insuredperson", "id")
    ]
    assert "pension_record_person" in found["inquiries_pensionrecord"]
    # The identity sequences follow their tables, and new rows keep taking ids.
    person = InsuredPerson.objects.create(
        national_code=AKBAR,
        first_name="A",
        last_name="B",
        birth_date="1970-01-01",
        gender="M",
    )
    assert person.id > max(InsuredPerson.objects.exclude(pk=person.pk).values_list("id", flat=True))


def test_bad_rows_go_to_the_error_report_as_in_an_import(tmp_path):
    directory = write_registry(
        tmp_path / "snapshot",
        persons=[person_row(SARA), person_row(BAD_CHECK_DIGIT), person_row(SARA)],
        periods=[period_row(SARA), period_row(NOBODY), period_row(SARA, end_date="1390/01/01")],
        pensions=[pension_row(SARA, role="dependent")],
    )

    summary = take_snapshot(directory)

    assert summary.files[RecordKind.PERSONS].rejected == 2
    assert summary.files[RecordKind.PERIODS].rejected == 2
    assert list(InsuredPerson.objects.values_list("national_code", flat=True)) == [SARA]
    snapshot_reports = {
        kind: read_report(directory / f"{kind}.errors.csv")
        for kind in ("persons", "periods", "pensions")
    }
    assert [row for row, _, _ in snapshot_reports["persons"]] == [3, 4]
    # The same files through the delta import (the registry now holds the same persons) give
    # the same reports, word for word.
    for kind, report in snapshot_reports.items():
        again = import_registry_file(
            kind=kind,
            path=directory / f"{kind}.csv",
            error_report_path=tmp_path / f"{kind}.again.csv",
        )
        assert again.error_report is not None
        assert read_report(again.error_report) == report


def periods_and_pensions() -> list[tuple]:
    fields = ("person__national_code", "workshop_code", "start_date", "end_date", "days")
    return sorted(CoveragePeriod.objects.values_list(*fields)) + sorted(
        PensionRecord.objects.values_list("person__national_code", "pension_number", "role")
    )


def test_rows_python_must_clean_and_repeated_keys_are_found_among_the_clean_ones(tmp_path):
    """Periods and pensions go straight into the new tables; the rows SQL does not recognise
    (Persian digits, stray spaces) still go through Python, and a key repeated between the two
    lanes keeps its first row, as in a delta import."""
    directory = write_registry(
        tmp_path / "snapshot",
        persons=[person_row(SARA), person_row(REZA)],
        periods=[
            period_row(SARA),  # 2: clean
            period_row(SARA, workshop_code="۱۰۰۰۱۲۳۴۵۶"),  # 3: row 2's key, through Python
            period_row(REZA, days=" ۱۲۰ ", start_date="1396/01/01"),  # 4: through Python, good
            period_row(REZA, start_date="1396/01/01"),  # 5: row 4's key, clean
            period_row(NOBODY),  # 6: unknown person
            period_row(REZA, start_date="1397/1/1"),  # 7: through Python (date), good
            period_row(SARA, start_date="1398/01/01", days="x"),  # 8: bad
        ],
        pensions=[
            pension_row(REZA, pension_number="۷۰۰۰۰۰۰۲"),  # 2: through Python, good
            pension_row(SARA),  # 3: clean
            pension_row(SARA, role=" MAIN "),  # 4: row 3's key, through Python
        ],
    )

    summary = take_snapshot(directory)

    assert summary.files[RecordKind.PERIODS].rejected == 4
    assert summary.files[RecordKind.PERIODS].created == 3
    assert summary.files[RecordKind.PENSIONS].created == 2
    assert [row for row, _, _ in read_report(directory / "periods.errors.csv")] == [3, 5, 6, 8]
    assert [row for row, _, _ in read_report(directory / "pensions.errors.csv")] == [4]
    # The natural keys' indexes could not be built during the load (keys repeated there); they
    # were built once the repeats were gone.
    with connection.cursor() as cursor:
        periods = connection.introspection.get_constraints(cursor, "inquiries_coverageperiod")
        pensions = connection.introspection.get_constraints(cursor, "inquiries_pensionrecord")
    assert periods["coverage_period_natural_key"]["unique"]
    assert pensions["pension_record_natural_key"]["unique"]
    snapshot = periods_and_pensions()
    assert ("9900000021", "1000123456", datetime.date(2017, 3, 21), 120) in [
        (code, workshop, start, days) for code, workshop, start, _, days in snapshot[:3]
    ]
    # The delta import of the same files, into the registry the snapshot made, finds the same
    # problems, word for word, and changes nothing.
    for kind in ("periods", "pensions"):
        again = import_registry_file(
            kind=kind,
            path=directory / f"{kind}.csv",
            error_report_path=tmp_path / f"{kind}.again.csv",
        )
        assert read_report(tmp_path / f"{kind}.again.csv") == read_report(
            directory / f"{kind}.errors.csv"
        )
        assert (again.created, again.updated) == (0, 0)
    assert periods_and_pensions() == snapshot
    # The new tables' ids continue after the file's rows.
    period = CoveragePeriod.objects.create(
        person=InsuredPerson.objects.get(national_code=SARA),
        workshop_code="1",
        coverage_kind="mandatory",
        start_date="1990-01-01",
        days=1,
    )
    others = CoveragePeriod.objects.exclude(pk=period.pk).values_list("id", flat=True)
    assert period.id > max(others)


def test_a_wrong_header_stops_the_snapshot_with_the_registry_as_it_was(old_registry, tmp_path):
    directory = write_registry(tmp_path / "bad", persons=[person_row(MARYAM)])
    (directory / "periods.csv").write_text("national_code,days\n", encoding="utf-8")

    with pytest.raises(ImportFileError):
        take_snapshot(directory)

    assert names() == {SARA: "Old", REZA: "Sample"}
    assert not table_exists(InsuredPerson._meta.db_table + NEXT)


def test_a_count_mismatch_aborts_without_swapping(old_registry, new_files):
    """A new table that does not hold its file's good rows (here: a row removed behind the
    loader's back) is never swapped in."""

    def on_step(step):
        if step == "counts":
            in_another_connection(
                lambda: connection.cursor().execute(
                    "DELETE FROM inquiries_coverageperiod__next "
                    "WHERE id = (SELECT min(id) FROM inquiries_coverageperiod__next)"
                )
            )

    with pytest.raises(SnapshotError, match=r"periods table holds 1 rows.*2 good rows"):
        take_snapshot(new_files, on_step=on_step)

    assert names() == {SARA: "Old", REZA: "Sample"}
    assert not table_exists(CoveragePeriod._meta.db_table + NEXT)


def test_rollback_restores_the_registry_the_snapshot_replaced(old_registry, new_files):
    take_snapshot(new_files)

    roll_back()
    assert names() == {SARA: "Old", REZA: "Sample"}
    assert CoveragePeriod.objects.count() == 1
    assert list(PensionRecord.objects.values_list("person__national_code", flat=True)) == [REZA]

    roll_back()  # the snapshot was kept in its place
    assert names() == {SARA: "New", MARYAM: "Sample"}


def test_a_second_snapshot_drops_the_tables_kept_from_the_first(old_registry, new_files, tmp_path):
    person_kept = InsuredPerson._meta.db_table + KEPT
    assert count_rows(person_kept) == 0  # the empty registry before the first snapshot
    take_snapshot(new_files)
    assert count_rows(person_kept) == 2  # the first snapshot's Sara and Reza
    third = write_registry(tmp_path / "third", persons=[person_row(AKBAR)])

    take_snapshot(third)

    with connection.cursor() as cursor:
        cursor.execute("SELECT national_code FROM inquiries_insuredperson__kept ORDER BY 1")
        assert [code for (code,) in cursor.fetchall()] == sorted([SARA, MARYAM])
    roll_back()
    assert names() == {SARA: "New", MARYAM: "Sample"}


def test_rollback_is_refused_once_a_migration_changed_the_tables(old_registry, new_files):
    take_snapshot(new_files)
    with connection.cursor() as cursor:
        # As a migration would: the live table changes, the kept one cannot follow.
        cursor.execute("ALTER TABLE inquiries_insuredperson ADD COLUMN nickname text")
    try:
        with pytest.raises(SnapshotError, match="no longer match"):
            roll_back()
        assert names() == {SARA: "New", MARYAM: "Sample"}
    finally:
        with connection.cursor() as cursor:
            cursor.execute("ALTER TABLE inquiries_insuredperson DROP COLUMN nickname")


def test_rollback_without_a_kept_registry_is_refused():
    with pytest.raises(SnapshotError, match="no earlier registry"):
        roll_back()


# --- Lookups while it runs -----------------------------------------------------------------------


def test_lookups_during_the_load_see_the_old_registry_and_after_the_swap_the_new(
    old_registry, new_files
):
    seen = {}

    def on_step(step):
        # Another connection, as a web process would be, at every step before the swap.
        record = in_another_connection(lambda: registry_record(SARA))
        seen[step] = (record.person.first_name, len(record.periods))

    take_snapshot(new_files, on_step=on_step)

    assert set(seen.values()) == {("Old", 1)}
    assert "swap" in seen
    record = in_another_connection(lambda: registry_record(SARA))
    assert (record.person.first_name, len(record.periods)) == ("New", 2)
    assert in_another_connection(lambda: registry_record(REZA)) is None


def test_concurrent_lookups_during_the_swap_do_not_error(old_registry, new_files):
    stop = threading.Event()
    errors: list[BaseException] = []
    found: list[str] = []

    def look_up_until_stopped():
        try:
            while not stop.is_set():
                record = registry_record(SARA)
                assert record is not None
                found.append(record.person.first_name)
        except BaseException as error:
            errors.append(error)
        finally:
            connections.close_all()

    readers = [threading.Thread(target=look_up_until_stopped) for _ in range(3)]
    for reader in readers:
        reader.start()
    try:
        for _ in range(3):
            take_snapshot(new_files)
            roll_back()
    finally:
        stop.set()
        for reader in readers:
            reader.join()

    assert errors == []
    assert {"Old", "New"} <= set(found)


def test_the_swap_gives_way_to_a_long_read_and_tries_again(old_registry, new_files):
    """A read that holds the live table longer than the swap's lock timeout is not cancelled:
    the swap gives way, and succeeds once the read is done."""
    reader = connections.create_connection("default")
    reader.inc_thread_sharing()  # the timer below ends its transaction
    reader.connect()
    reader.set_autocommit(False)
    with reader.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM inquiries_insuredperson")

    def swap_starting(step):
        if step == "swap":
            threading.Timer(SWAP_WAIT_SECONDS, reader.rollback).start()

    started = time.monotonic()
    try:
        take_snapshot(new_files, on_step=swap_starting)
    finally:
        reader.dec_thread_sharing()
        reader.close()
    assert time.monotonic() - started > SWAP_WAIT_SECONDS
    assert names() == {SARA: "New", MARYAM: "Sample"}


# --- What it refuses -----------------------------------------------------------------------------


def test_a_snapshot_waits_for_no_one_while_another_holds_the_registry(new_files):
    """A delta import holds the registry's lock shared; a snapshot then refuses to start."""
    from inquiries.importing.postgres import REGISTRY_WRITE_LOCK

    holder = connections.create_connection("default")
    try:
        with holder.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_lock_shared(%s)", [REGISTRY_WRITE_LOCK])
        with pytest.raises(SnapshotError, match="Another registry import"):
            take_snapshot(new_files)
    finally:
        holder.close()
    assert not InsuredPerson.objects.exists()


def test_a_foreign_key_from_another_table_stops_the_snapshot(new_files):
    with connection.cursor() as cursor:
        cursor.execute(
            "CREATE TABLE test_snapshot_holder (person_id bigint REFERENCES "
            "inquiries_insuredperson (id))"
        )
    try:
        with pytest.raises(SnapshotError, match="test_snapshot_holder"):
            take_snapshot(new_files)
    finally:
        with connection.cursor() as cursor:
            cursor.execute("DROP TABLE test_snapshot_holder")
    assert not InsuredPerson.objects.exists()


def test_the_new_tables_carry_the_live_tables_grants(new_files):
    role = f"{settings.DATABASES['default']['NAME']}_reader"[:63]
    with connection.cursor() as cursor:
        cursor.execute(f"DROP ROLE IF EXISTS {role}")
        cursor.execute(f"CREATE ROLE {role}")
        cursor.execute(f"GRANT SELECT ON inquiries_insuredperson TO {role}")
    try:
        take_snapshot(new_files)
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT has_table_privilege(%s, 'inquiries_insuredperson', 'SELECT'), "
                "has_table_privilege(%s, 'inquiries_insuredperson', 'DELETE')",
                [role, role],
            )
            assert cursor.fetchone() == (True, False)
    finally:
        with connection.cursor() as cursor:
            for table in (
                *live_tables().values(),
                *(table + KEPT for table in live_tables().values()),
            ):
                cursor.execute(f"REVOKE ALL ON {table} FROM {role}")
            cursor.execute(f"DROP ROLE {role}")


# --- The command ---------------------------------------------------------------------------------


def test_the_command_takes_a_snapshot_and_rolls_it_back(old_registry, new_files):
    out = io.StringIO()
    call_command(
        "import_coverage", "snapshot", str(new_files), "--no-progress", stdout=out, stderr=out
    )
    assert "periods: 2 rows read" in out.getvalue()
    assert "Snapshot swapped in" in out.getvalue()
    assert names() == {SARA: "New", MARYAM: "Sample"}

    call_command("import_coverage", "rollback", stdout=out)
    assert names() == {SARA: "Old", REZA: "Sample"}


def test_the_command_reports_a_missing_file_and_changes_nothing(old_registry, tmp_path):
    (tmp_path / "partial").mkdir()
    write_file(tmp_path / "partial", "persons", [person_row(MARYAM)])
    with pytest.raises(CommandError, match=r"not changed.*periods\.csv is missing"):
        call_command("import_coverage", "snapshot", str(tmp_path / "partial"), "--no-progress")
    assert names() == {SARA: "Old", REZA: "Sample"}


def test_the_disclosure_log_is_vacuumed_and_analysed_every_million_records():
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT reloptions FROM pg_class WHERE oid = 'inquiries_disclosurerecord'::regclass"
        )
        options = set(cursor.fetchone()[0])
    assert {
        "autovacuum_vacuum_insert_scale_factor=0",
        "autovacuum_vacuum_insert_threshold=1000000",
        "autovacuum_analyze_scale_factor=0",
        "autovacuum_analyze_threshold=1000000",
    } <= options
