"""Certificates rendered per minute by N real worker processes, next to the ceiling that bare
WeasyPrint sets in the same run, and where the time between the two goes.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/wt_documents_bench \\
    REDIS_URL=redis://127.0.0.1:6379/10 \\
        python benchmarks/certificate_throughput.py [--workers 2] [--certificates 200]

Migrates the database (its name must contain "bench") and runs in the production shape (DEBUG
off, tasks through Redis). It issues --certificates certificates for one synthetic person with 10
coverage periods, then, before any worker starts:

  bare      renders the same certificate's HTML --bare-renders times with WeasyPrint alone in
            this process (fonts and stylesheet reused, as a worker does), and the task's signing
            step (`documents.signing.sign_certificate_pdf`; issue 16: "the ceiling is bare
            render plus bare signing"). Ceiling = workers x 60 s / (render + signing).
  per task  the task's own steps in this process: HTML and QR code, snapshot and claim queries,
            storage and the final update (the rest of a task is WeasyPrint).

Then it starts --workers `celery worker` processes (concurrency 1 each) on a queue of its own,
warms them, enqueues every render at once and measures from the first enqueue to the moment
the last certificate is seen ready (polled every 20 ms). The breakdown divides the workers'
wall time into: start (first enqueue to first claim), inside tasks (each certificate's claim to
its `rendered_at`), between tasks (broker round trips, acknowledgements, result writes, Celery's
own per-task work) and the tail (last render finished to being seen).
"""

import argparse
import os
import secrets
import statistics
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
# The production shape: the workers inherit this environment.
os.environ["DEBUG"] = "0"
os.environ.setdefault("SECRET_KEY", secrets.token_urlsafe(50))
os.environ.setdefault("IDENTITY_BACKEND", "demo")
os.environ["SECURE_SSL_REDIRECT"] = "0"
os.environ.setdefault("LOG_LEVEL", "WARNING")
os.environ["CELERY_TASK_ALWAYS_EAGER"] = "0"
# One synthetic holder issues every certificate measured: the daily limit is out of the way.
os.environ["CERTIFICATES_PER_PERSON_PER_DAY"] = "100000000"

import django

django.setup()

import benchlib  # noqa: E402
from certificate_render import make_signing_files, synthetic_certificate  # noqa: E402
from django.core.management import call_command  # noqa: E402

from documents import pdf, rendering, signing  # noqa: E402
from documents.models import Certificate  # noqa: E402
from documents.tasks import render_certificate  # noqa: E402

POLL_SECONDS = 0.02


def start_workers(count: int, queue: str) -> list[subprocess.Popen]:
    return [benchlib.start_celery_worker(queues=queue) for _ in range(count)]


def cpu_seconds(pids: list[int]) -> float:
    """User and system CPU of these processes and their children (the pool processes), now."""
    ticks = os.sysconf("SC_CLK_TCK")
    total = 0.0
    for pid in pids:
        try:
            children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
        except OSError:
            children = []
        for process in [str(pid), *children]:
            try:
                fields = Path(f"/proc/{process}/stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            total += (int(fields[11]) + int(fields[12])) / ticks  # utime, stime
    return total


def wait_until_ready(ids: list[int], timeout: float) -> float:
    """perf_counter() when every certificate was seen ready."""
    deadline = time.monotonic() + timeout
    left = len(ids)
    while time.monotonic() < deadline:
        left = Certificate.objects.filter(pk__in=ids).exclude(rendering_status="ready").count()
        if not left:
            return time.perf_counter()
        time.sleep(POLL_SECONDS)
    raise SystemExit(f"timed out: {left} certificates not ready")


def sign(rendered: bytes) -> bytes:
    """The task's signing step (documents/signing.py): the ceiling is bare WeasyPrint plus it."""
    return signing.sign_certificate_pdf(rendered, number="BENCH-CEILING")


def median_ms(function, runs: int, *, clock=time.perf_counter) -> float:
    timings = []
    for _ in range(runs):
        started = clock()
        function()
        timings.append((clock() - started) * 1000)
    return statistics.median(timings)


def measure_in_process(certificate: Certificate, runs: int) -> dict[str, float]:
    """Medians (ms) of bare WeasyPrint (and signing), and of the task's other steps."""
    html = pdf.certificate_html(certificate)
    rendered = pdf.html_to_pdf(html)
    for _ in range(3):  # fonts loaded, stylesheet parsed
        pdf.html_to_pdf(html)
    figures = {
        "bare": median_ms(lambda: pdf.html_to_pdf(html), runs),
        "bare_cpu": median_ms(lambda: pdf.html_to_pdf(html), runs, clock=time.process_time),
        "sign": median_ms(lambda: sign(rendered), runs),
        "sign_cpu": median_ms(lambda: sign(rendered), runs, clock=time.process_time),
        "html_and_qr": median_ms(lambda: pdf.certificate_html(certificate), runs),
        "qr": median_ms(lambda: pdf.qr_png(pdf.verify_url(certificate.number)), runs),
    }

    def whole_task() -> None:
        Certificate.objects.filter(pk=certificate.pk).update(rendering_status="pending")
        rendering.render_certificate(certificate_id=certificate.pk)

    whole_task()
    figures["task_in_process"] = median_ms(whole_task, max(3, runs // 2))
    return figures


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--certificates", type=int, default=200)
    parser.add_argument("--bare-renders", type=int, default=20)
    args = parser.parse_args(argv)

    call_command("migrate", verbosity=0)
    make_signing_files()
    ids = [synthetic_certificate(periods=10, language="fa").pk for _ in range(args.certificates)]
    probe = synthetic_certificate(periods=10, language="fa")
    figures = measure_in_process(probe, args.bare_renders)
    ceiling_ms = figures["bare"] + figures["sign"]
    ceiling = args.workers * 60_000 / ceiling_ms

    queue = f"bench-{uuid.uuid4().hex[:8]}"
    workers = start_workers(args.workers, queue)
    try:
        # Warm every worker process: fonts loaded, stylesheet parsed, connections open.
        warm = [
            synthetic_certificate(periods=10, language="fa").pk for _ in range(args.workers * 3)
        ]
        for certificate_id in warm:
            render_certificate.apply_async(args=(certificate_id,), queue=queue)
        wait_until_ready(warm, timeout=180)

        pids = [worker.pid for worker in workers]
        cpu_before = cpu_seconds(pids)
        started = time.perf_counter()
        started_at = time.time()
        for certificate_id in ids:
            render_certificate.apply_async(args=(certificate_id,), queue=queue)
        seen_ready = wait_until_ready(ids, timeout=1800)
        elapsed = seen_ready - started
        worker_cpu = cpu_seconds(pids) - cpu_before
    finally:
        for worker in workers:
            worker.terminate()
        for worker in workers:
            worker.wait(timeout=30)

    spans = [
        (claimed, done)
        for claimed, done in Certificate.objects.filter(pk__in=ids).values_list(
            "rendering_started_at", "rendered_at"
        )
        if claimed is not None and done is not None
    ]
    in_tasks = sum((done - claimed).total_seconds() for claimed, done in spans)
    first_claim = min(claimed for claimed, _ in spans).timestamp() - started_at
    tail = started_at + elapsed - max(done for _, done in spans).timestamp()
    worker_seconds = elapsed * args.workers
    start_total = first_claim * args.workers
    between = worker_seconds - in_tasks - start_total - tail * args.workers
    rate = args.certificates / elapsed * 60
    per_task = in_tasks / args.certificates * 1000
    share = rate / ceiling

    def part(label: str, seconds: float) -> str:
        return f"  {label:<52} {seconds:7.2f} s  {seconds / worker_seconds:6.1%}"

    print(
        f"{args.certificates} certificates (fa, 10 coverage rows) by {args.workers} worker "
        f"processes: {elapsed:.1f} s, {rate:.0f} certificates/minute; "
        f"load average {benchlib.load_average()}"
    )
    print(
        f"bare WeasyPrint median {figures['bare']:.1f} ms + signing {figures['sign']:.1f} ms"
        f": ceiling {args.workers} x 60 s / {ceiling_ms:.1f} ms = {ceiling:.0f}/minute"
    )
    print(
        f"reached {share:.0%} of the ceiling "
        f"(target >= 85%: {'met' if share >= 0.85 else 'NOT met'})"
    )
    print(f"where the workers' {worker_seconds:.1f} s went ({args.workers} x {elapsed:.1f} s):")
    print(part("start (first enqueue to first claim)", start_total))
    print(part(f"inside tasks (claim to ready, {per_task:.1f} ms each)", in_tasks))
    print(part("between tasks (broker, ack, result, Celery's own work)", between))
    print(
        part(
            f"tail (last ready to seen; polled every {POLL_SECONDS * 1000:.0f} ms)",
            tail * args.workers,
        )
    )
    queries_and_storage = max(
        0.0,
        figures["task_in_process"] - figures["bare"] - figures["sign"] - figures["html_and_qr"],
    )
    print(
        f"inside a task, measured in this process (medians): whole task "
        f"{figures['task_in_process']:.1f} ms = WeasyPrint ~{figures['bare']:.1f} ms + signing "
        f"~{figures['sign']:.1f} ms + HTML and QR {figures['html_and_qr']:.1f} ms "
        f"(QR {figures['qr']:.1f} ms) + claim, snapshot, storage and update "
        f"~{queries_and_storage:.1f} ms"
    )
    cpu_per_certificate = worker_cpu / args.certificates * 1000
    bare_cpu = figures["bare_cpu"] + figures["sign_cpu"]
    print(
        f"CPU per certificate in the workers (main and pool processes, /proc): "
        f"{cpu_per_certificate:.1f} ms against bare WeasyPrint's and signing's {bare_cpu:.1f} ms "
        f"({bare_cpu / cpu_per_certificate:.0%}): the share of the ceiling a quiet "
        "machine would give, whatever the neighbours took"
    )


if __name__ == "__main__":
    main()
