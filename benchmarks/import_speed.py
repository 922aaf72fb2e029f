"""Import rows/s per registry file next to a raw COPY of the same file into a bare table.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/wt_registry_bench \\
        python benchmarks/import_speed.py [--persons 100000] [--periods 1000000] \\
        [--pensions 30000] [--dir /tmp/registry-bench]

It migrates the database, EMPTIES the registry tables (so it refuses a database whose name
does not contain "bench"), generates the files unless they are already in --dir, and prints
for each file: the raw COPY rate, the first import, and a second import of the same file (all
rows unchanged). The target is an import rate of at least half the raw COPY rate for periods.
"""

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")
os.environ.setdefault("DEBUG", "1")

import django

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from generate_registry import generate  # noqa: E402

from inquiries.importing import COLUMNS, RecordKind, import_registry_file  # noqa: E402
from inquiries.models import CoveragePeriod, InsuredPerson, PensionRecord  # noqa: E402

COPY_CHUNK = 1 << 20


def raw_copy_seconds(kind: RecordKind, path: Path) -> float:
    """COPY the file as it is (CSV, header) into a table of text columns, no index, logged."""
    table = f"bench_raw_{kind}"
    columns = ", ".join(f"{column} text" for column in COLUMNS[kind])
    with connection.cursor() as cursor:
        cursor.execute(f"DROP TABLE IF EXISTS {table}")
        cursor.execute(f"CREATE TABLE {table} ({columns})")
    started = time.monotonic()
    with transaction.atomic(), connection.cursor() as cursor, path.open("rb") as file:
        sql = f"COPY {table} FROM STDIN (FORMAT csv, HEADER true)"
        with cursor.cursor.copy(sql) as copy:
            while chunk := file.read(COPY_CHUNK):
                copy.write(chunk)
    seconds = time.monotonic() - started
    with connection.cursor() as cursor:
        cursor.execute(f"DROP TABLE {table}")
    return seconds


def count_rows(path: Path) -> int:
    with path.open("rb") as file:
        return sum(chunk.count(b"\n") for chunk in iter(lambda: file.read(COPY_CHUNK), b"")) - 1


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--persons", type=int, default=100_000)
    parser.add_argument("--periods", type=int, default=1_000_000)
    parser.add_argument("--pensions", type=int, default=30_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--dir", type=Path, default=Path(tempfile.gettempdir()) / "registry-bench")
    args = parser.parse_args()

    database = connection.settings_dict["NAME"]
    if connection.vendor != "postgresql" or "bench" not in database:
        sys.exit("Set DATABASE_URL to a PostgreSQL database whose name contains 'bench'.")
    call_command("migrate", verbosity=0)
    files = {kind: args.dir / f"{kind}.csv" for kind in RecordKind}
    if not all(path.exists() for path in files.values()):
        generate(
            args.dir,
            persons=args.persons,
            periods=args.periods,
            pensions=args.pensions,
            seed=args.seed,
        )
    with connection.cursor() as cursor:
        tables = ", ".join(
            model._meta.db_table for model in (PensionRecord, CoveragePeriod, InsuredPerson)
        )
        cursor.execute(f"TRUNCATE {tables}")
        cursor.execute(f"VACUUM ANALYZE {InsuredPerson._meta.db_table}")

    print(f"PostgreSQL database {database}, files in {args.dir}")
    header = f"{'file':<9} {'rows':>10} {'raw COPY rows/s':>16} {'import rows/s':>14} "
    header += f"{'ratio':>6} {'re-import rows/s':>17}  outcome"
    print(header)
    for kind in RecordKind:
        path = files[kind]
        rows = count_rows(path)
        raw = raw_copy_seconds(kind, path)
        first = import_registry_file(kind=kind, path=path)
        with connection.cursor() as cursor:
            cursor.execute(f"VACUUM ANALYZE {InsuredPerson._meta.db_table}")
        again = import_registry_file(kind=kind, path=path)
        raw_rate, import_rate = rows / raw, rows / first.seconds
        print(
            f"{kind.value:<9} {rows:>10,} {raw_rate:>16,.0f} {import_rate:>14,.0f} "
            f"{import_rate / raw_rate:>6.2f} {rows / again.seconds:>17,.0f}  "
            f"{first.created:,} created, {first.rejected:,} rejected; "
            f"again: {again.unchanged:,} unchanged"
        )


if __name__ == "__main__":
    main()
