"""Lookup and /me/status/ latency at 1,000,000 and then 10,000,000 persons, in one run.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/x_lookup_bench \\
    REDIS_URL=redis://127.0.0.1:6379/13 python benchmarks/lookup_scaling.py \\
        [--sizes 1000000 10000000] [--seconds 20] [--clients 4] [--quick] [--keep]

For each size it writes the registry's three files with PostgreSQL itself (`COPY (SELECT …
generate_series …) TO STDOUT`: persons with valid national codes, 3 coverage periods each, the
last one open, every fifth person a pensioner), loads them with the registry snapshot
(`import_coverage snapshot`, the tables kept from the previous size dropped), starts gunicorn (2
sync workers, DEBUG off, loopback only) and measures, with --clients threads:

1. agency lookups (POST /gov/inquiry/ as a staff member of a court whose MoU grants every
   scope) of random persons spread over the whole registry, 10% of them codes it does not hold;
2. /me/status/ of 50 citizens spread over the whole registry, each signed in.

It prints p50 and p99 at each size and their ratio, largest size to smallest (target: within
1.2x). The database's name must contain "bench"; it is DROPPED at the end, and the generated
files removed, unless --keep. --quick compares 20,000 with 100,000 persons.
`lookup_scaling()` is what benchmarks/run_all.py calls.
"""

import argparse
import os
import random
import shutil
import sys
import tempfile
import time
import urllib.parse
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import benchlib
from benchlib import Latencies, with_check_digit

# Signing up is not measured; sessions are made directly.
os.environ.setdefault("IDENTITY_BACKEND", "demo")
benchlib.setup_django()

import psycopg  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection, connections  # noqa: E402
from lookup_throughput import csrf_token, run_phase  # noqa: E402

from inquiries.importing.snapshot import KEPT, live_tables, take_snapshot  # noqa: E402

FULL_SIZES = (1_000_000, 10_000_000)
QUICK_SIZES = (20_000, 100_000)
TARGET = 1.2
FIRST_BODY = 900_000_000
STAFF_CODE = with_check_digit("960000002")
CITIZENS = 50


def code_sql(number: str) -> str:
    """SQL for the national code of `number` (9 digits, then the check digit)."""
    body = f"lpad(({number})::text, 9, '0')"
    weighted = " + ".join(f"substr({body}, {i}, 1)::int * {11 - i}" for i in range(1, 10))
    return (
        f"{body} || (CASE WHEN ({weighted}) % 11 < 2 THEN ({weighted}) % 11 "
        f"ELSE 11 - ({weighted}) % 11 END)::text"
    )


def national_code(index: int) -> str:
    return with_check_digit(f"{FIRST_BODY + index:09d}")


FILES = {
    "persons": """
        SELECT {code} AS national_code, (10000000 + i)::text AS insurance_number,
            'Sample' AS first_name, 'Person' AS last_name, 'Father' AS father_name,
            (date '1950-01-01' + (i % 18000))::text AS birth_date,
            CASE WHEN i % 2 = 0 THEN 'M' ELSE 'F' END AS gender
        FROM generate_series(0, {last}) AS i
    """,
    "periods": """
        SELECT {code} AS national_code, (1000000000 + (i * 3 + k) % 200000)::text AS workshop_code,
            'Sample Works' AS workshop_name, 'mandatory' AS coverage_kind,
            (date '1995-01-01' + k * 2000 + i % 700)::text AS start_date,
            CASE WHEN k < 2 THEN (date '1995-01-01' + k * 2000 + i % 700 + 1500)::text
                ELSE '' END AS end_date,
            '1500' AS days, ((i % 400 + 50) * 1000000)::text AS monthly_wage
        FROM generate_series(0, {last}) AS i, generate_series(0, 2) AS k
    """,
    "pensions": """
        SELECT {code} AS national_code, (50000000 + i)::text AS pension_number, 'main' AS role,
            'retirement' AS kind, (date '2010-01-01' + i % 3000)::text AS start_date,
            'active' AS status, '' AS main_national_code
        FROM generate_series(0, {last}, 5) AS i
    """,
}


def write_files(directory: Path, persons: int) -> None:
    """The three files, written by PostgreSQL (far faster than Python at tens of millions)."""
    directory.mkdir(parents=True, exist_ok=True)
    with connection.cursor() as cursor:
        for kind, select in FILES.items():
            path = directory / f"{kind}.csv"
            if path.exists():
                continue
            sql = select.format(code=code_sql(f"{FIRST_BODY} + i"), last=persons - 1)
            partial = path.with_suffix(".partial")
            with partial.open("wb") as file:
                copy_sql = f"COPY ({sql}) TO STDOUT WITH (FORMAT csv, HEADER true)"
                with cursor.cursor.copy(copy_sql) as copy:
                    for data in copy:
                        file.write(data)
            partial.rename(path)


def drop_kept_tables() -> None:
    with connection.cursor() as cursor:
        kept = ", ".join(table + KEPT for table in live_tables().values())
        cursor.execute(f"DROP TABLE IF EXISTS {kept}")


@dataclass
class SizeResult:
    persons: int
    load_seconds: float
    lookups: Latencies
    status: Latencies


def measure(persons: int, *, port: int, clients: int, seconds: float) -> tuple[Latencies, ...]:
    staff_session = benchlib.session_cookie(benchlib.panel_staff(STAFF_CODE, "+989129990002"))
    spread = [number * persons // CITIZENS for number in range(CITIZENS)]
    citizen_sessions = [
        benchlib.session_cookie(benchlib.user(national_code(index), f"+98913{index:07d}"))
        for index in spread
    ]
    form = {"Content-Type": "application/x-www-form-urlencoded"}
    connections.close_all()
    server = benchlib.start_gunicorn(port, workers=2)
    try:
        token = csrf_token(port, staff_session)
        headers = {
            **form,
            "Cookie": f"sessionid={staff_session}; csrftoken={token}",
            "X-CSRFToken": token,
        }

        def lookup(rng: random.Random):
            index = rng.randrange(persons)
            code = (
                national_code(index)
                if rng.random() < 0.9
                else with_check_digit(f"97{index % 10**7:07d}")
            )
            body = urllib.parse.urlencode(
                {"national_code": code, "purpose": "judicial_case", "case_reference": "SCALE-1"}
            )
            return "POST", "/gov/inquiry/", body, headers, 200

        def my_status(rng: random.Random):
            session = rng.choice(citizen_sessions)
            return "GET", "/me/status/", "", {"Cookie": f"sessionid={session}"}, 200

        run_phase("warm-up", port, clients, min(5.0, seconds), lookup)
        lookups = run_phase("lookups", port, clients, seconds, lookup)
        run_phase("warm-up", port, clients, min(3.0, seconds), my_status)
        status = run_phase("/me/status/", port, clients, seconds, my_status)
    finally:
        benchlib.stop(server)
    return lookups, status


def lookup_scaling(
    *,
    sizes: tuple[int, ...] = FULL_SIZES,
    seconds: float = 20,
    clients: int = 4,
    port: int = 8611,
    keep: bool = False,
) -> list[SizeResult]:
    """Each size loaded with a snapshot, then measured; the database dropped unless `keep`."""
    database = connection.settings_dict["NAME"]
    if connection.vendor != "postgresql" or "bench" not in database:
        sys.exit("Set DATABASE_URL to a PostgreSQL database whose name contains 'bench'.")
    call_command("migrate", verbosity=0)
    results = []
    directories = []
    try:
        for persons in sizes:
            directory = Path(tempfile.gettempdir()) / f"registry-scaling-{persons}"
            directories.append(directory)
            started = time.monotonic()
            write_files(directory, persons)
            print(f"{persons:,} persons: files in {time.monotonic() - started:.0f} s", flush=True)
            drop_kept_tables()  # the disk holds one registry beside the live one, not two
            summary = take_snapshot(directory)
            drop_kept_tables()
            print(f"{persons:,} persons: snapshot in {summary.seconds:.0f} s", flush=True)
            lookups, status = measure(persons, port=port, clients=clients, seconds=seconds)
            results.append(SizeResult(persons, summary.seconds, lookups, status))
    finally:
        if not keep:
            for directory in directories:
                shutil.rmtree(directory, ignore_errors=True)
            drop_database()
    return results


def drop_database() -> None:
    settings = connection.settings_dict
    connections.close_all()
    with psycopg.connect(
        host=settings["HOST"] or "127.0.0.1",
        port=settings["PORT"] or 5432,
        user=settings["USER"],
        password=settings["PASSWORD"] or None,
        dbname="postgres",
        autocommit=True,
    ) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{settings["NAME"]}" WITH (FORCE)')


def print_results(results: list[SizeResult], *, clients: int, seconds: float) -> None:
    print(
        f"gunicorn 2 sync workers, {clients} clients, {seconds:.0f} s per phase; "
        f"load average {benchlib.load_average()}"
    )
    print(
        f"{'persons':>12} {'load s':>8} {'lookup p50':>11} {'p99':>8} {'status p50':>11} {'p99':>8}"
    )
    for result in results:
        print(
            f"{result.persons:>12,} {result.load_seconds:>8.0f} "
            f"{result.lookups.percentile(0.5):>9.1f}ms {result.lookups.percentile(0.99):>6.1f}ms "
            f"{result.status.percentile(0.5):>9.1f}ms {result.status.percentile(0.99):>6.1f}ms "
            f"(errors {result.lookups.errors + result.status.errors})"
        )
    small, large = results[0], results[-1]
    for name, first, last in (
        ("lookup", small.lookups, large.lookups),
        ("/me/status/", small.status, large.status),
    ):
        for label, fraction in (("p50", 0.5), ("p99", 0.99)):
            ratio = last.percentile(fraction) / max(first.percentile(fraction), 1e-9)
            met = "met" if ratio <= TARGET else "NOT met"
            print(
                f"{name} {label} at {large.persons:,} / at {small.persons:,}: {ratio:.2f}x "
                f"(target <= {TARGET}x: {met})"
            )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+")
    parser.add_argument("--seconds", type=float, default=20)
    parser.add_argument("--clients", type=int, default=4)
    parser.add_argument("--port", type=int, default=8611)
    parser.add_argument("--quick", action="store_true", help="20,000 and 100,000 persons")
    parser.add_argument("--keep", action="store_true", help="keep the database and the files")
    args = parser.parse_args()
    sizes = tuple(args.sizes or (QUICK_SIZES if args.quick else FULL_SIZES))
    seconds = min(args.seconds, 5) if args.quick else args.seconds
    results = lookup_scaling(
        sizes=sizes, seconds=seconds, clients=args.clients, port=args.port, keep=args.keep
    )
    print_results(results, clients=args.clients, seconds=seconds)


if __name__ == "__main__":
    main()
