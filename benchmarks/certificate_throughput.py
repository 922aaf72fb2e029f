"""Certificates rendered per minute by N real worker processes, next to the ceiling that bare
WeasyPrint sets in the same run, and where the time between the two goes.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/wt_documents_bench \\
    REDIS_URL=redis://127.0.0.1:6379/10 \\
        python benchmarks/certificate_throughput.py [--workers 2] [--certificates 200]

Migrates the database (its name must contain "bench") and runs in the production shape (DEBUG
off, tasks through Redis, one `celery worker` with --workers pool processes, as compose runs
it). It issues --certificates certificates for one synthetic person with 10 coverage periods,
then, before the worker starts:

  bare      renders the same certificate's HTML --bare-renders times with WeasyPrint alone in
            this process (fonts and stylesheet loaded once, the task's URL fetcher and PDF
            variant; defined here, so a cheaper task path does not move it), and the task's
            signing step (`documents.signing.sign_certificate_pdf`; issue 16: "the ceiling is
            bare render plus bare signing"). Ceiling = workers x 60 s / (render + signing),
            their medians over these renders and as many again once the workers have
            stopped, so that a machine whose speed drifts does not put the ceiling in a
            faster or slower minute than the run.
            The same in --workers forked processes at once: the rate they reach and the CPU
            each render costs when renderers share the machine's caches.
  per task  the task's CPU in this process: whole, and its own work (WeasyPrint and signing
            stubbed out): HTML and QR code, claim, read, storage and the final update.

Then it warms the worker, enqueues every render at once and measures from the first enqueue
to the moment the last certificate is seen ready (polled every 20 ms near the end, rarely
before). The breakdown divides the workers' wall time into: start (first enqueue to first
claim), inside tasks (each certificate's claim to its `rendered_at`), between tasks (broker
round trips, acknowledgements, result writes, Celery's own per-task work) and the tail (last
render finished to being seen). CPU from /proc: the worker's main and pool processes, this
process, and the whole machine's (PostgreSQL, Redis and any neighbours are the rest).
"""

import argparse
import multiprocessing
import os
import secrets
import statistics
import subprocess
import sys
import time
import uuid
from collections.abc import Callable
from pathlib import Path
from unittest import mock

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

# Imported before anything reads the settings: it points the signing and QR key settings at
# files it makes in a temporary directory, for this process and the workers alike.
import benchlib
from certificate_render import make_signing_files, synthetic_certificate
from django.contrib.staticfiles import finders
from django.core.management import call_command
from weasyprint import CSS, HTML
from weasyprint.text.fonts import FontConfiguration

from documents import pdf, pdf_text, qr_tokens, rendering, signing
from documents.models import Certificate
from documents.tasks import render_certificate

POLL_SECONDS = 0.02


def start_workers(count: int, queue: str, pool: str) -> list[subprocess.Popen]:
    """`count` rendering processes on `queue`: one prefork worker with `count` pool processes,
    as production runs it (docker-compose.yml), or `count` solo workers."""
    if pool == "solo":
        return [benchlib.start_celery_worker(queues=queue, pool="solo") for _ in range(count)]
    return [benchlib.start_celery_worker(concurrency=count, queues=queue)]


def _process_cpu(pid: str) -> float:
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")  # utime, stime


def cpu_seconds(pids: list[int]) -> tuple[float, float]:
    """User and system CPU, now, of these Celery main processes and of their children (the pool
    processes that run the tasks)."""
    main = pool = 0.0
    for pid in pids:
        try:
            children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
        except OSError:
            children = []
        main += _process_cpu(str(pid))
        pool += sum(_process_cpu(child) for child in children)
    return main, pool


def machine_cpu_seconds() -> float:
    """CPU time all cores spent busy (neither idle nor waiting for I/O), from /proc/stat, now."""
    fields = [int(value) for value in Path("/proc/stat").read_text().split("\n")[0].split()[1:8]]
    return (sum(fields) - fields[3] - fields[4]) / os.sysconf("SC_CLK_TCK")


def wait_until_ready(ids: list[int], timeout: float, *, seconds_each: float = 0.0) -> float:
    """perf_counter() when every certificate was seen ready.

    Polls every POLL_SECONDS near the end; until then it sleeps half the time the certificates
    left should take (`seconds_each` per certificate), so the poller takes next to no CPU from
    the workers it measures (it polled 50 times a second throughout before).
    """
    deadline = time.monotonic() + timeout
    left = len(ids)
    while time.monotonic() < deadline:
        left = Certificate.objects.filter(pk__in=ids).exclude(rendering_status="ready").count()
        if not left:
            return time.perf_counter()
        time.sleep(max(POLL_SECONDS, left * seconds_each / 2))
    raise SystemExit(f"timed out: {left} certificates not ready")


def sign(rendered: bytes) -> bytes:
    """The task's signing step (documents/signing.py): the ceiling is bare WeasyPrint plus it."""
    return signing.sign_certificate_pdf(rendered, number="BENCH-CEILING")


def bare_weasyprint() -> Callable[[str], bytes]:
    """WeasyPrint alone on a certificate's HTML: fonts and the print stylesheet loaded once and
    reused, the same URL fetcher and PDF variant as the task. Defined here, not taken from
    documents/pdf.py, so that whatever the task's path saves does not move the ceiling."""
    pdf_text.install()  # the same drawing as the task's (the ZWNJ glyphs)
    font_config = FontConfiguration()
    fetcher = pdf.StaticFilesOnlyFetcher()
    stylesheet = CSS(
        filename=finders.find(pdf.PRINT_STYLESHEET), font_config=font_config, url_fetcher=fetcher
    )

    def render(html: str) -> bytes:
        document = HTML(string=html, base_url=pdf.base_url(), url_fetcher=fetcher)
        return document.write_pdf(
            stylesheets=[stylesheet], font_config=font_config, pdf_variant=pdf.PDF_VARIANT
        )

    return render


def timings_ms(function, runs: int, *, clock=time.perf_counter) -> list[float]:
    timings = []
    for _ in range(runs):
        started = clock()
        function()
        timings.append((clock() - started) * 1000)
    return timings


def median_ms(function, runs: int, *, clock=time.perf_counter) -> float:
    return statistics.median(timings_ms(function, runs, clock=clock))


def ceiling_timings(certificate: Certificate, runs: int) -> dict[str, list[float]]:
    """Wall times (ms) of bare WeasyPrint and of signing on the certificate's HTML, warm."""
    bare = bare_weasyprint()
    html = pdf.certificate_html(certificate)
    rendered = bare(html)
    for _ in range(3):
        bare(html)
    return {
        "bare": timings_ms(lambda: bare(html), runs),
        "sign": timings_ms(lambda: sign(rendered), runs),
    }


def bare_in_parallel(
    render: Callable[[], object], processes: int, runs: int
) -> tuple[float, float]:
    """`processes` forked copies of this process each `render` `runs` times at once, as the
    workers do: (certificates per minute, median CPU ms per render). Two renderers share the
    caches and memory of the machine, so each costs more CPU than one alone."""
    context = multiprocessing.get_context("fork")
    results: multiprocessing.Queue = context.Queue()

    def renderer() -> None:
        timings = []
        for _ in range(runs):
            started = time.process_time()
            render()
            timings.append((time.process_time() - started) * 1000)
        results.put(timings)

    children = [context.Process(target=renderer) for _ in range(processes)]
    started = time.perf_counter()
    for child in children:
        child.start()
    timings = [timing for _ in children for timing in results.get()]
    elapsed = time.perf_counter() - started
    for child in children:
        child.join()
    return processes * runs / elapsed * 60, statistics.median(timings)


def measure_in_process(certificate: Certificate, runs: int, workers: int) -> dict[str, float]:
    """Medians (ms) of bare WeasyPrint (and signing), and of the task's other steps."""
    bare = bare_weasyprint()
    html = pdf.certificate_html(certificate)
    rendered = bare(html)
    for _ in range(3):  # fonts loaded, stylesheet parsed, the task's path warm too
        bare(html)
        pdf.html_to_pdf(html)
    qr_data = qr_tokens.qr_url(certificate)  # what the task encodes: the URL and its token
    cpu = time.process_time
    figures = {
        "bare_cpu": median_ms(lambda: bare(html), runs, clock=cpu),
        "render_cpu": median_ms(lambda: pdf.html_to_pdf(html), runs, clock=cpu),
        "sign_cpu": median_ms(lambda: sign(rendered), runs, clock=cpu),
        "html_and_qr_cpu": median_ms(lambda: pdf.certificate_html(certificate), runs, clock=cpu),
        "qr_cpu": median_ms(lambda: pdf.qr_png(qr_data), runs, clock=cpu),
    }

    def whole_task() -> None:
        Certificate.objects.filter(pk=certificate.pk).update(rendering_status="pending")
        rendering.render_certificate(certificate_id=certificate.pk)

    whole_task()
    figures["task_cpu"] = median_ms(whole_task, max(3, runs // 2), clock=cpu)
    # The task's own work, measured rather than subtracted: WeasyPrint and signing replaced by
    # their output, so what is left is the HTML and QR code, the queries and the storage.
    signed = sign(rendered)
    with (
        mock.patch.object(pdf, "html_to_pdf", lambda html: rendered),
        mock.patch.object(signing, "sign_certificate_pdf", lambda data, number: signed),
    ):
        figures["own_cpu"] = median_ms(whole_task, runs, clock=cpu)
    figures["parallel_rate"], figures["parallel_cpu"] = bare_in_parallel(
        lambda: sign(bare(html)), workers, runs
    )
    return figures


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--workers", type=int, default=2, help="rendering processes")
    parser.add_argument("--certificates", type=int, default=200)
    parser.add_argument("--bare-renders", type=int, default=20)
    parser.add_argument(
        "--pool",
        choices=["prefork", "solo"],
        default="prefork",
        help="prefork: one worker with --workers pool processes (production); "
        "solo: --workers solo workers",
    )
    args = parser.parse_args(argv)

    call_command("migrate", verbosity=0)
    make_signing_files()
    ids = [synthetic_certificate(periods=10, language="fa").pk for _ in range(args.certificates)]
    probe = synthetic_certificate(periods=10, language="fa")
    figures = measure_in_process(probe, args.bare_renders, args.workers)
    # The ceiling's renders are timed before the workers' run and again after it: on a machine
    # whose speed drifts, one side alone would put the ceiling in a faster or slower minute.
    before = ceiling_timings(probe, args.bare_renders)
    expected_ms = statistics.median(before["bare"]) + statistics.median(before["sign"])

    queue = f"bench-{uuid.uuid4().hex[:8]}"
    workers = start_workers(args.workers, queue, args.pool)
    try:
        # Warm every worker process: fonts loaded, stylesheet parsed, connections open.
        warm = [
            synthetic_certificate(periods=10, language="fa").pk for _ in range(args.workers * 3)
        ]
        for certificate_id in warm:
            render_certificate.apply_async(args=(certificate_id,), queue=queue)
        wait_until_ready(warm, timeout=180)

        pids = [worker.pid for worker in workers]
        main_before, pool_before = cpu_seconds(pids)
        machine_before = machine_cpu_seconds()
        own_before = time.process_time()
        started = time.perf_counter()
        started_at = time.time()
        for certificate_id in ids:
            render_certificate.apply_async(args=(certificate_id,), queue=queue)
        seen_ready = wait_until_ready(
            ids, timeout=1800, seconds_each=expected_ms / 1000 / args.workers
        )
        elapsed = seen_ready - started
        own_cpu = time.process_time() - own_before
        machine_cpu = machine_cpu_seconds() - machine_before
        main_after, pool_after = cpu_seconds(pids)
        main_cpu, pool_cpu = main_after - main_before, pool_after - pool_before
    finally:
        for worker in workers:
            worker.terminate()
        for worker in workers:
            worker.wait(timeout=30)

    after = ceiling_timings(probe, args.bare_renders)
    bare_ms = statistics.median(before["bare"] + after["bare"])
    sign_ms = statistics.median(before["sign"] + after["sign"])
    ceiling_ms = bare_ms + sign_ms
    ceiling = args.workers * 60_000 / ceiling_ms

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

    shape = (
        f"1 prefork worker, {args.workers} pool processes"
        if args.pool == "prefork"
        else f"{args.workers} solo workers"
    )
    print(
        f"{args.certificates} certificates (fa, 10 coverage rows) by {shape}: "
        f"{elapsed:.1f} s, {rate:.0f} certificates/minute; "
        f"load average {benchlib.load_average()}"
    )
    print(
        f"bare WeasyPrint median {bare_ms:.1f} ms + signing {sign_ms:.1f} ms"
        f": ceiling {args.workers} x 60 s / {ceiling_ms:.1f} ms = {ceiling:.0f}/minute "
        f"(timed before and after the workers' run: {statistics.median(before['bare']):.1f} and "
        f"{statistics.median(after['bare']):.1f} ms for the render)"
    )
    print(
        f"reached {share:.0%} of the ceiling "
        f"(target >= 85%: {'met' if share >= 0.85 else 'NOT met'})"
    )
    print(
        f"bare WeasyPrint and signing in {args.workers} processes at once: "
        f"{figures['parallel_rate']:.0f}/minute, CPU {figures['parallel_cpu']:.1f} ms each "
        f"(alone {figures['bare_cpu'] + figures['sign_cpu']:.1f} ms); the workers reached "
        f"{rate / figures['parallel_rate']:.0%} of that rate"
    )
    print(f"where the workers' {worker_seconds:.1f} s went ({args.workers} x {elapsed:.1f} s):")
    print(part("start (first enqueue to first claim)", start_total))
    print(part(f"inside tasks (claim to ready, {per_task:.1f} ms each)", in_tasks))
    print(part("between tasks (broker, ack, result, Celery's own work)", between))
    print(
        part(
            f"tail (last ready to seen; polled every {POLL_SECONDS * 1000:.0f} ms at the end)",
            tail * args.workers,
        )
    )
    html_cpu = figures["html_and_qr_cpu"]
    print(
        f"inside a task, CPU in this process (medians): whole task {figures['task_cpu']:.1f} ms;"
        f" WeasyPrint {figures['render_cpu']:.1f} ms (bare {figures['bare_cpu']:.1f} ms), "
        f"signing {figures['sign_cpu']:.1f} ms, the task's own work {figures['own_cpu']:.1f} ms "
        f"(HTML and QR {html_cpu:.1f} ms, of which the QR image {figures['qr_cpu']:.1f} ms; "
        f"claim, read, storage and update ~{max(0.0, figures['own_cpu'] - html_cpu):.1f} ms)"
    )

    def each(seconds: float) -> float:
        return seconds / args.certificates * 1000

    worker_cpu = main_cpu + pool_cpu
    bare_cpu = figures["bare_cpu"] + figures["sign_cpu"]
    print(
        f"CPU per certificate in the workers (/proc): {each(worker_cpu):.1f} ms "
        f"(tasks' processes {each(pool_cpu):.1f} ms, Celery's main processes "
        f"{each(main_cpu):.1f} ms) against bare WeasyPrint's and signing's {bare_cpu:.1f} ms "
        f"({bare_cpu / each(worker_cpu):.0%}; against bare in {args.workers} processes at once "
        f"{figures['parallel_cpu'] / each(worker_cpu):.0%}): the share of the ceiling a quiet "
        "machine would give, whatever the neighbours took"
    )
    others = machine_cpu - worker_cpu - own_cpu
    print(
        f"the machine's CPU during the run, per certificate: {each(machine_cpu):.1f} ms = workers "
        f"{each(worker_cpu):.1f} + this process (enqueue, polling) {each(own_cpu):.1f} + "
        f"everything else (PostgreSQL, Redis, other programs) {each(others):.1f}"
    )


if __name__ == "__main__":
    main()
