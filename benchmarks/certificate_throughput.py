"""Certificates rendered per minute by N real worker processes (PostgreSQL + Redis).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/wt_documents_bench \\
    REDIS_URL=redis://127.0.0.1:6379/10 \\
        python benchmarks/certificate_throughput.py [--workers 2] [--certificates 200]

Migrates the database (its name must contain "bench"), issues --certificates certificates for
one synthetic person with 10 coverage periods, starts --workers `celery worker` processes
(concurrency 1 each) on a queue of its own, waits until they have warmed up, enqueues every
render at once and prints the rate from the first enqueue to the last certificate ready.
"""

import argparse
import os
import subprocess
import sys
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
# One synthetic holder issues every certificate measured: the daily limit is out of the way.
os.environ["CERTIFICATES_PER_PERSON_PER_DAY"] = "100000000"

import django

django.setup()

import benchlib  # noqa: E402
from certificate_render import synthetic_certificate  # noqa: E402
from django.core.management import call_command  # noqa: E402

from documents.models import Certificate  # noqa: E402
from documents.tasks import render_certificate  # noqa: E402


def start_workers(count: int, queue: str) -> list[subprocess.Popen]:
    return [benchlib.start_celery_worker(queues=queue) for _ in range(count)]


def wait_until_ready(ids: list[int], timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        left = Certificate.objects.filter(pk__in=ids).exclude(rendering_status="ready").count()
        if not left:
            return
        time.sleep(0.1)
    raise SystemExit(f"timed out: {left} certificates not ready")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--certificates", type=int, default=200)
    args = parser.parse_args()

    call_command("migrate", verbosity=0)
    first = synthetic_certificate(periods=10, language="fa")
    ids = [first.pk] + [
        synthetic_certificate(periods=10, language="fa").pk for _ in range(args.certificates - 1)
    ]
    queue = f"bench-{uuid.uuid4().hex[:8]}"
    workers = start_workers(args.workers, queue)
    try:
        # Warm every worker process: fonts loaded, stylesheet parsed, connections open.
        warm = [
            synthetic_certificate(periods=10, language="fa").pk for _ in range(args.workers * 3)
        ]
        for certificate_id in warm:
            render_certificate.apply_async(args=(certificate_id,), queue=queue)
        wait_until_ready(warm, timeout=120)

        started = time.perf_counter()
        for certificate_id in ids:
            render_certificate.apply_async(args=(certificate_id,), queue=queue)
        wait_until_ready(ids, timeout=1800)
        elapsed = time.perf_counter() - started
    finally:
        for worker in workers:
            worker.terminate()
        for worker in workers:
            worker.wait(timeout=30)
    print(
        f"{args.certificates} certificates (fa, 10 coverage rows) by {args.workers} worker "
        f"processes: {elapsed:.1f} s, {args.certificates / elapsed * 60:.0f} certificates/minute"
    )


if __name__ == "__main__":
    main()
