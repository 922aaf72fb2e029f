"""Import rows/s per registry file next to a raw COPY of the same file into a bare table.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/wt_registry_bench \\
        python benchmarks/import_speed.py [--persons 100000] [--periods 1000000] \\
        [--pensions 30000] [--dir /tmp/registry-bench]

It migrates the database, EMPTIES the registry tables (so it refuses a database whose name
does not contain "bench"), generates the files unless they are already in --dir, and prints
for each file: the raw COPY rate, the first import, and a second import of the same file (all
rows unchanged). The target is an import rate of at least half the raw COPY rate for periods.

With --snapshot (issue 16) it measures instead a whole registry snapshot
(`import_coverage snapshot DIR`: COPY, cleaning, index builds, validation, swap) next to a raw
COPY of the same three files into bare tables, at 1,000,000 persons and 10,000,000 periods by
default, while another process looks persons up (`registry_record`, the registry reads of a
lookup, status page and certificate) and records their latency. It prints each step's time, the
rates, their ratio (target at least 0.40), the lookup p50/p99 before and during the load, and a
projection to 45 million persons and 500 million periods from the measured rates. The live
registry is first filled with the same files (untimed) when it does not hold them yet, so the
lookups during the load read a registry of the same size. --quick runs a small version
(20,000 persons); `snapshot_speed()` is what benchmarks/run_all.py calls.
"""

import argparse
import math
import multiprocessing
import os
import random
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")
os.environ.setdefault("DEBUG", "1")

import django

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection, connections, transaction  # noqa: E402
from generate_registry import FIRST_CODE, generate, national_code  # noqa: E402

from inquiries.importing import COLUMNS, RecordKind, import_registry_file  # noqa: E402
from inquiries.importing.snapshot import take_snapshot  # noqa: E402
from inquiries.models import CoveragePeriod, InsuredPerson, PensionRecord  # noqa: E402
from inquiries.selectors import registry_record  # noqa: E402

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


# --- A whole snapshot (issue 16) ----------------------------------------------------------------

ORGANIZATION_PERSONS = 45_000_000
ORGANIZATION_PERIODS = 500_000_000
SNAPSHOT_TARGET = 0.40
QUICK_SIZES = {"persons": 20_000, "periods": 200_000, "pensions": 6_000}
FULL_SIZES = {"persons": 1_000_000, "periods": 10_000_000, "pensions": 300_000}


@dataclass
class SnapshotSpeed:
    rows: dict[str, int]
    raw_seconds: float
    steps: list[tuple[str, float]]
    lookups_before: "LookupLatency"
    lookups_during: "LookupLatency"
    # step -> (projected seconds at the organization's size, growth factor)
    projection: dict[str, tuple[float, float]] = field(default_factory=dict)

    @property
    def total_rows(self) -> int:
        return sum(self.rows.values())

    @property
    def raw_rate(self) -> float:
        return self.total_rows / self.raw_seconds

    @property
    def snapshot_seconds(self) -> float:
        return sum(seconds for _, seconds in self.steps)

    @property
    def snapshot_rate(self) -> float:
        return self.total_rows / self.snapshot_seconds

    @property
    def ratio(self) -> float:
        return self.snapshot_rate / self.raw_rate

    @property
    def fastest_growing_step(self) -> str:
        """The step whose time grows most from the measured size to the organization's."""
        return max(self.projection, key=lambda step: self.projection[step][1])

    @property
    def longest_step_at_scale(self) -> str:
        return max(self.projection, key=lambda step: self.projection[step][0])


@dataclass
class LookupLatency:
    count: int
    errors: int
    p50_ms: float
    p99_ms: float


def _look_up_until_stopped(persons: int, stop: "multiprocessing.synchronize.Event", out) -> None:
    """In a process of its own: look random persons up until `stop`; send the latencies."""
    connections.close_all()  # the parent's connection is not ours to use
    rng = random.Random(os.getpid())
    latencies: list[float] = []
    errors = 0
    while not stop.is_set():
        code = national_code(FIRST_CODE + rng.randrange(persons))
        started = time.perf_counter()
        try:
            registry_record(code)
        except Exception:  # counted: a lookup must not fail during a snapshot
            errors += 1
            connections.close_all()
            continue
        latencies.append(time.perf_counter() - started)
        time.sleep(0.005)  # a steady trickle, not a second load
    connections.close_all()
    out.put((latencies, errors))


class LookupLoad:
    """Lookups in another process while the block runs."""

    def __init__(self, persons: int) -> None:
        self.persons = persons

    def __enter__(self) -> "LookupLoad":
        connections.close_all()
        context = multiprocessing.get_context("fork")
        self.stop = context.Event()
        self.out = context.Queue()
        self.process = context.Process(
            target=_look_up_until_stopped, args=(self.persons, self.stop, self.out)
        )
        self.process.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop.set()
        latencies, errors = self.out.get(timeout=120)
        self.process.join(timeout=60)
        ordered = sorted(latencies)

        def percentile(fraction: float) -> float:
            if not ordered:
                return 0.0
            return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))] * 1000

        self.result = LookupLatency(
            count=len(ordered), errors=errors, p50_ms=percentile(0.5), p99_ms=percentile(0.99)
        )


def _projection(steps: list[tuple[str, float]], rows: dict[str, int]) -> dict:
    """Each step at 45M persons / 500M periods from its measured rate: loads and validations
    grow with their rows, index builds with n log n, preparing and swapping not at all."""
    scale = {
        "persons": ORGANIZATION_PERSONS / rows["persons"],
        "periods": ORGANIZATION_PERIODS / rows["periods"],
        "pensions": ORGANIZATION_PERSONS / rows["persons"],  # pensioners grow with persons
    }
    projection = {}
    for step, seconds in steps:
        kind = step.split(": ")[-1]
        if kind in scale:
            growth = scale[kind]
            if step.startswith("indexes"):
                small = max(rows[kind], 2)
                growth *= math.log(small * scale[kind]) / math.log(small)
        elif step == "counts":
            growth = (ORGANIZATION_PERSONS + ORGANIZATION_PERIODS) / (
                rows["persons"] + rows["periods"]
            )
        else:
            growth = 1.0
        projection[step] = (seconds * growth, growth)
    return projection


def _require_bench_database() -> str:
    database = connection.settings_dict["NAME"]
    if connection.vendor != "postgresql" or "bench" not in database:
        sys.exit("Set DATABASE_URL to a PostgreSQL database whose name contains 'bench'.")
    return database


def _files(directory: Path, *, persons: int, periods: int, pensions: int, seed: int) -> dict:
    files = {kind: directory / f"{kind}.csv" for kind in RecordKind}
    if not all(path.exists() for path in files.values()):
        generate(directory, persons=persons, periods=periods, pensions=pensions, seed=seed)
    return files


def snapshot_speed(
    *,
    persons: int,
    periods: int,
    pensions: int,
    directory: Path | None = None,
    seed: int = 1,
    lookup_seconds: float = 5.0,
) -> SnapshotSpeed:
    """A whole snapshot next to a raw COPY of its files, with lookups before and during it."""
    _require_bench_database()
    call_command("migrate", verbosity=0)
    directory = directory or Path(tempfile.gettempdir()) / (
        f"registry-bench-{persons}-{periods}-{pensions}"
    )
    files = _files(directory, persons=persons, periods=periods, pensions=pensions, seed=seed)
    rows = {str(kind): count_rows(path) for kind, path in files.items()}
    raw_seconds = sum(raw_copy_seconds(kind, path) for kind, path in files.items())
    if InsuredPerson.objects.count() != rows["persons"]:
        print("filling the live registry with the same files first (untimed)", file=sys.stderr)
        take_snapshot(directory)
    with LookupLoad(rows["persons"]) as before:
        time.sleep(lookup_seconds)
    with LookupLoad(rows["persons"]) as during:
        summary = take_snapshot(directory)
    return SnapshotSpeed(
        rows=rows,
        raw_seconds=raw_seconds,
        steps=summary.steps,
        lookups_before=before.result,
        lookups_during=during.result,
        projection=_projection(summary.steps, rows),
    )


def print_snapshot_speed(result: SnapshotSpeed) -> None:
    print(f"PostgreSQL database {connection.settings_dict['NAME']}; load {os.getloadavg()}")
    print(", ".join(f"{kind} {count:,}" for kind, count in result.rows.items()))
    print(f"{'step':<24} {'seconds':>9} {'at 45M/500M':>14} {'growth':>8}")
    for step, seconds in result.steps:
        projected, growth = result.projection[step]
        print(f"{step:<24} {seconds:>9.1f} {projected / 3600:>12.1f} h {growth:>8.1f}")
    total_projected = sum(projected for projected, _ in result.projection.values())
    print(
        f"{'whole snapshot':<24} {result.snapshot_seconds:>9.1f} {total_projected / 3600:>12.1f} h"
    )
    met = "met" if result.ratio >= SNAPSHOT_TARGET else "NOT met"
    print(
        f"raw COPY of the three files: {result.raw_seconds:.1f} s, {result.raw_rate:,.0f} rows/s; "
        f"snapshot {result.snapshot_rate:,.0f} rows/s; ratio {result.ratio:.2f} "
        f"(target >= {SNAPSHOT_TARGET:.2f}: {met})"
    )
    for name, latency in (
        ("before the load", result.lookups_before),
        ("during the load", result.lookups_during),
    ):
        print(
            f"lookups {name}: {latency.count} answered, {latency.errors} errors, "
            f"p50 {latency.p50_ms:.1f} ms, p99 {latency.p99_ms:.1f} ms"
        )
    print(
        f"grows fastest towards 45M/500M: {result.fastest_growing_step} (index builds grow "
        f"as n log n, loads and validations as n); longest there: {result.longest_step_at_scale}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--persons", type=int)
    parser.add_argument("--periods", type=int)
    parser.add_argument("--pensions", type=int)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--dir", type=Path)
    parser.add_argument("--snapshot", action="store_true", help="a whole registry snapshot")
    parser.add_argument("--quick", action="store_true", help="small files (with --snapshot)")
    args = parser.parse_args()
    if args.snapshot:
        sizes = QUICK_SIZES if args.quick else FULL_SIZES
        result = snapshot_speed(
            persons=args.persons or sizes["persons"],
            periods=args.periods or sizes["periods"],
            pensions=args.pensions or sizes["pensions"],
            directory=args.dir,
            seed=args.seed,
        )
        print_snapshot_speed(result)
        return
    args.persons = args.persons or 100_000
    args.periods = args.periods or 1_000_000
    args.pensions = args.pensions or 30_000
    args.dir = args.dir or Path(tempfile.gettempdir()) / "registry-bench"

    database = _require_bench_database()
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
