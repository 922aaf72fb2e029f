"""isinsured migration speed: seconds per wrap, users/s by real workers, fraction of the ceiling.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/wt_isinsured_bench \\
    REDIS_URL=redis://127.0.0.1:6379/3 \\
        python benchmarks/isinsured_migration.py [--users 2000] [--workers 2] [--chunk-size 25]

Flushes the database (its name must contain "bench"), times the wrapping hashers in this
process, writes a synthetic export (benchmarks/generate_isinsured.py: every user has a hash),
starts --workers `celery worker` processes (concurrency 1 each), records the run as the command
does and enqueues it, and times from the enqueue to the run's end. Migrating is dominated by
wrapping each legacy hash, so the ceiling is workers / seconds-per-wrap; the target is 80 % of it.
"""

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))
if "bench" not in os.environ.get("DATABASE_URL", "") or not os.environ.get("REDIS_URL"):
    sys.exit("set DATABASE_URL (a PostgreSQL database whose name contains 'bench') and REDIS_URL")
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")
os.environ.setdefault("DEBUG", "1")
os.environ.setdefault("LOG_LEVEL", "WARNING")
os.environ["CELERY_TASK_ALWAYS_EAGER"] = "0"

import django

django.setup()

import generate_isinsured  # noqa: E402
from django.conf import settings  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402

from accounts.models import User  # noqa: E402
from accounts.roles import Role  # noqa: E402
from accounts.services import assign_role  # noqa: E402
from isinsured import services  # noqa: E402
from isinsured.legacy_file import read_legacy_file  # noqa: E402
from isinsured.models import MigrationRun, RowState, RunState  # noqa: E402
from portal.celery import app  # noqa: E402


def seconds_per_wrap(samples: int) -> float:
    times = []
    for number in range(1, samples + 1):
        kind, legacy = generate_isinsured.legacy_hash(number).split("$", 1)
        started = time.perf_counter()
        services.wrap_legacy_hash(kind, legacy)
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def start_workers(count: int) -> list[subprocess.Popen]:
    return [
        subprocess.Popen(
            [
                sys.executable, "-m", "celery", "-A", "portal", "worker",
                "--loglevel=WARNING", "--concurrency=1", "--without-gossip",
                "--without-mingle", "--without-heartbeat",
                f"--hostname=bench-{index}-{uuid.uuid4().hex[:6]}@%h",
            ],
            env={**os.environ},
            cwd=settings.BASE_DIR,
        )
        for index in range(count)
    ]  # fmt: skip


def wait_for_workers(count: int, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if len(app.control.ping(timeout=1) or []) >= count:
            return
    raise SystemExit("the workers did not answer")


def load() -> str:
    return " ".join(f"{value:.2f}" for value in os.getloadavg())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--users", type=int, default=2000)
    parser.add_argument("--organizations", type=int, default=40)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--chunk-size", type=int, default=settings.ISINSURED_CHUNK_SIZE)
    parser.add_argument("--wrap-samples", type=int, default=10)
    args = parser.parse_args()

    call_command("migrate", verbosity=0)
    # The disclosure log's triggers refuse TRUNCATE to every role; the bench database's
    # superuser sets ordinary triggers aside for this flush only (as tests/conftest.py does).
    with connection.cursor() as cursor:
        cursor.execute("SET session_replication_role = replica")
    try:
        call_command("flush", interactive=False, verbosity=0)
    finally:
        with connection.cursor() as cursor:
            cursor.execute("SET session_replication_role = DEFAULT")
    app.control.purge()
    operator = User.objects.create_user("0000000051", None, mobile="+989120000005")
    assign_role(user=operator, role=Role.OPERATOR)

    print(f"load average before: {load()}")
    wrap = seconds_per_wrap(args.wrap_samples)
    print(
        f"seconds per wrap (median of {args.wrap_samples}, PBKDF2 default iterations): {wrap:.3f}"
    )

    with tempfile.TemporaryDirectory() as directory:
        path = Path(directory) / "isinsured.csv"
        with path.open("w", encoding="utf-8", newline="") as stream:
            import csv

            writer = csv.writer(stream)
            writer.writerow(generate_isinsured.COLUMNS)
            writer.writerows(
                generate_isinsured.rows(users=args.users, organizations=args.organizations)
            )
        started = time.perf_counter()
        legacy_file = read_legacy_file(path)
        validated = time.perf_counter() - started

    workers = start_workers(args.workers)
    try:
        wait_for_workers(args.workers)
        started = time.perf_counter()
        run = services.start_run(
            legacy_file=legacy_file,
            file_name="isinsured.csv",
            operator=operator,
            chunk_size=args.chunk_size,
        )  # enqueued on commit
        stored = time.perf_counter() - started
        while MigrationRun.objects.filter(pk=run.pk, state=RunState.DONE).count() == 0:
            time.sleep(0.2)
        elapsed = time.perf_counter() - started
    finally:
        for worker in workers:
            worker.terminate()
        for worker in workers:
            worker.wait(timeout=30)
    migrated = run.rows.filter(state=RowState.APPLIED).count()
    rate = migrated / elapsed
    ceiling = args.workers / wrap
    print(
        f"validated {args.users} rows in {validated:.2f} s; stored the run in {stored:.2f} s "
        "(inside the timed span)"
    )
    print(
        f"{migrated} users migrated by {args.workers} worker processes in {elapsed:.1f} s: "
        f"{rate:.2f} users/s"
    )
    print(
        f"hashing ceiling {args.workers} / {wrap:.3f} s = {ceiling:.2f} users/s; "
        f"rate is {rate / ceiling:.0%} of it (target 80%)"
    )
    print(f"load average after: {load()}")


if __name__ == "__main__":
    main()
