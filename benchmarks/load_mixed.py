"""Mixed load over HTTP: citizens and agency staff at once, on gunicorn + PostgreSQL + Redis +
a Celery worker, for a bounded time.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/wt_load_bench \\
    REDIS_URL=redis://127.0.0.1:6379/7 \\
        python benchmarks/load_mixed.py [--seconds 300] [--citizens 12] [--staff 6]

The database's name must contain "bench"; give the run a Redis database of its own (its Celery
worker takes tasks from that database's default queue). Migrates, fills the synthetic registry
(benchmarks/benchlib.py), makes --citizens citizens (registry persons), --staff staff members of
a court whose MoU grants every scope, and --holders holders each with a ready certificate and a
10-use access code for the staff to redeem. Sessions are made like `Client.force_login`.

Then it starts gunicorn (--workers sync workers, DEBUG off, 127.0.0.1 only) and one `celery
worker`, and every simulated person runs in a thread of its own, with a random pause of 0 to
2 x --think seconds between requests (a closed loop without pauses would only measure the
queue in front of the workers):

- a citizen reads /me/status/; every --issue-every seconds or so issues a certificate
  (POST /me/certificates/new/, then its page), polls status.json for the ones not ready yet,
  and downloads each PDF once it is ready;
- a staff member alternates a /gov/inquiry/ lookup (existing and missing national codes, each
  writing its disclosure) and a /gov/documents/ redemption (POST, then the document's page).

At the end it prints requests/s, p50/p99 and errors per page, then waits (at most
--ready-timeout seconds) until every certificate issued during the run is rendered and says how
many are. Targets: 0 errors, p99 under 300 ms on every page, every issued certificate ready.
"""

import argparse
import collections
import hashlib
import json
import random
import re
import sys
import threading
import time
import urllib.parse
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import benchlib
from benchlib import Latencies, existing_code, missing_code, with_check_digit

benchlib.setup_django()

from django.core.files.base import ContentFile  # noqa: E402
from django.core.management import call_command  # noqa: E402

from documents import services  # noqa: E402
from documents.models import Certificate  # noqa: E402

CODE_USES = 10
TARGET_P99_MS = 300
STAND_IN_PDF = b"%PDF-1.4\n% load_mixed stand-in\n%%EOF\n"
FORM = "application/x-www-form-urlencoded"


def make_holders(count: int, first_index: int) -> list[tuple[str, str]]:
    """(national code, access code) once per use: holders with a ready certificate each.

    Their PDFs are a stand-in, not rendered: the run's own certificates keep the worker busy.
    """
    enqueue = services._enqueue_render
    services._enqueue_render = lambda certificate_id: None
    pairs = []
    try:
        for index in range(count):
            code = existing_code(first_index + index)
            holder = benchlib.user(code, f"+98913{first_index + index:07d}")
            certificate = services.issue_certificate(holder=holder, language="fa")
            certificate.pdf.save(
                f"certificates/load-{certificate.number}.pdf",
                ContentFile(STAND_IN_PDF),
                save=False,
            )
            Certificate.objects.filter(pk=certificate.pk).update(
                rendering_status=Certificate.Rendering.READY,
                pdf=certificate.pdf.name,
                pdf_sha256=hashlib.sha256(STAND_IN_PDF).hexdigest(),
            )
            certificate.refresh_from_db()
            plaintext = services.move_to_inbox(certificate=certificate, max_uses=CODE_USES)
            pairs.extend([(code, plaintext.plaintext)] * CODE_USES)
    finally:
        services._enqueue_render = enqueue
    random.shuffle(pairs)
    return pairs


class Visitor:
    """One signed-in person's browser: their session, the CSRF cookie, the figures they saw."""

    def __init__(self, port: int, session: str, stats: dict[str, Latencies], lock: threading.Lock):
        self.port = port
        self.cookie = f"sessionid={session}"
        self.csrf = ""
        self.stats = stats
        self.lock = lock

    def call(
        self, name: str, method: str, path: str, *, expected: int, data: dict | None = None
    ) -> tuple[bool, bytes, str]:
        """One request; counts its latency under `name` if it answered `expected`, else an
        error. Returns whether it did, the body and the Location header."""
        headers = {"Cookie": self.cookie, "Accept-Language": "fa"}
        body = ""
        if data is not None:
            body = urllib.parse.urlencode(data)
            headers |= {"Content-Type": FORM, "X-CSRFToken": self.csrf}
        started = time.perf_counter()
        try:
            status, content, response = benchlib.request(
                self.port, method, path, body=body, headers=headers, timeout=30
            )
        except OSError:
            status, content, response = 0, b"", None
        elapsed = time.perf_counter() - started
        if response is not None and not self.csrf:
            found = re.search(r"csrftoken=([^;]+)", response.getheader("Set-Cookie") or "")
            if found:
                self.csrf = found.group(1)
                self.cookie += f"; csrftoken={self.csrf}"
        with self.lock:
            figures = self.stats.setdefault(name, Latencies(name))
            if status == expected:
                figures.latencies.append(elapsed)
            else:
                figures.errors += 1
                if figures.errors <= 3:
                    print(f"  {name}: {status} (expected {expected})", flush=True)
        location = response.getheader("Location", "") if response is not None else ""
        return status == expected, content, location


def pause(rng: random.Random, think: float, deadline: float) -> None:
    time.sleep(max(0.0, min(rng.uniform(0, 2 * think), deadline - time.monotonic())))


def citizen_loop(
    visitor: Visitor, rng: random.Random, args, deadline: float, issued: list[str]
) -> None:
    pending: list[str] = []
    next_issue = time.monotonic() + rng.uniform(0, args.issue_every)
    while time.monotonic() < deadline:
        visitor.call("GET /me/status/", "GET", "/me/status/", expected=200)
        pause(rng, args.think, deadline)
        if time.monotonic() >= next_issue and time.monotonic() < deadline:
            next_issue = time.monotonic() + rng.uniform(0.5, 1.5) * args.issue_every
            answered, _, location = visitor.call(
                "POST /me/certificates/new/",
                "POST",
                "/me/certificates/new/",
                expected=302,
                data={"language": "fa", "note": "", "addressed_to": ""},
            )
            found = re.search(r"/me/certificates/([^/]+)/$", location)
            if answered and found:
                issued.append(found.group(1))
                pending.append(found.group(1))
                visitor.call("GET /me/certificates/<n>/", "GET", location, expected=200)
            pause(rng, args.think, deadline)
        for number in list(pending):
            if time.monotonic() >= deadline:
                break
            answered, body, _ = visitor.call(
                "GET …/<n>/status.json",
                "GET",
                f"/me/certificates/{number}/status.json",
                expected=200,
            )
            if answered and json.loads(body).get("ready"):
                pending.remove(number)
                visitor.call(
                    "GET …/<n>/pdf/", "GET", f"/me/certificates/{number}/pdf/", expected=200
                )
            pause(rng, args.think, deadline)


def staff_loop(
    visitor: Visitor,
    rng: random.Random,
    args,
    deadline: float,
    pairs: list[tuple[str, str]],
    pairs_lock: threading.Lock,
) -> None:
    while time.monotonic() < deadline:
        code = (
            existing_code(rng.randrange(args.people))
            if rng.random() < 0.75
            else missing_code(rng.randrange(1_000_000))
        )
        visitor.call(
            "POST /gov/inquiry/",
            "POST",
            "/gov/inquiry/",
            expected=200,
            data={
                "national_code": code,
                "purpose": "judicial_case",
                "case_reference": f"LOAD-{rng.randrange(10**6)}",
            },
        )
        pause(rng, args.think, deadline)
        with pairs_lock:
            pair = pairs.pop() if pairs else None
        if pair is not None and time.monotonic() < deadline:
            answered, _, location = visitor.call(
                "POST /gov/documents/",
                "POST",
                "/gov/documents/",
                expected=302,
                data={"national_code": pair[0], "access_code": pair[1]},
            )
            if answered:
                visitor.call("GET /gov/documents/<pk>/", "GET", location, expected=200)
            pause(rng, args.think, deadline)


def wait_until_ready(numbers: list[str], timeout: float) -> tuple[int, int, float]:
    """How many of the certificates are ready and how many failed, and the seconds waited."""
    started = time.monotonic()
    while True:
        counts = collections.Counter(
            Certificate.objects.filter(number__in=numbers).values_list(
                "rendering_status", flat=True
            )
        )
        ready, failed = counts[Certificate.Rendering.READY], counts[Certificate.Rendering.FAILED]
        waited = time.monotonic() - started
        if ready + failed >= len(numbers) or waited >= timeout:
            return ready, failed, waited
        time.sleep(0.5)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=300)
    parser.add_argument("--citizens", type=int, default=12)
    parser.add_argument("--staff", type=int, default=6)
    parser.add_argument("--think", type=float, default=0.5, help="mean pause, seconds")
    parser.add_argument("--issue-every", type=float, default=60, help="per citizen, seconds")
    parser.add_argument("--holders", type=int, default=None, help="default: enough codes")
    parser.add_argument("--people", type=int, default=20000)
    parser.add_argument("--workers", type=int, default=2, help="gunicorn sync workers")
    parser.add_argument("--celery-concurrency", type=int, default=1)
    parser.add_argument("--ready-timeout", type=float, default=180)
    parser.add_argument("--port", type=int, default=8611)
    args = parser.parse_args()

    call_command("migrate", verbosity=0)
    benchlib.fill_registry(args.people)
    citizens = [
        benchlib.user(existing_code(index), f"+98914{index:07d}") for index in range(args.citizens)
    ]
    staff = [
        benchlib.panel_staff(with_check_digit(f"95{index:07d}"), f"+98915{index:07d}")
        for index in range(args.staff)
    ]
    # One redemption per staff member and two pauses, at most; rounded up to whole holders.
    holders = args.holders
    if holders is None:
        per_second = args.staff / (2 * args.think) / 2
        holders = int(per_second * args.seconds / CODE_USES) + 1
    print(f"seeding {holders} holders with ready certificates and access codes…", flush=True)
    pairs = make_holders(holders, first_index=args.people - holders - 1)
    pairs_lock = threading.Lock()

    stats: dict[str, Latencies] = {}
    stats_lock = threading.Lock()
    issued: list[str] = []
    worker = benchlib.start_celery_worker(concurrency=args.celery_concurrency)
    server = benchlib.start_gunicorn(args.port, workers=args.workers)
    try:
        visitors = [
            Visitor(args.port, benchlib.session_cookie(account), stats, stats_lock)
            for account in [*citizens, *staff]
        ]
        # Warm-up, not counted: every worker's templates and connections, everybody's CSRF cookie.
        for visitor, account in zip(visitors, [*citizens, *staff], strict=True):
            path = "/gov/inquiry/" if account in staff else "/me/status/"
            visitor.call("warm-up", "GET", path, expected=200)
        stats.clear()

        deadline = time.monotonic() + args.seconds
        threads = [
            threading.Thread(
                target=citizen_loop, args=(visitor, random.Random(index), args, deadline, issued)
            )
            for index, visitor in enumerate(visitors[: args.citizens])
        ] + [
            threading.Thread(
                target=staff_loop,
                args=(visitor, random.Random(1000 + index), args, deadline, pairs, pairs_lock),
            )
            for index, visitor in enumerate(visitors[args.citizens :])
        ]
        started = time.monotonic()
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        elapsed = time.monotonic() - started
        print(f"load done; waiting for {len(issued)} issued certificates…", flush=True)
        ready, failed, waited = wait_until_ready(issued, args.ready_timeout)
    finally:
        benchlib.stop(server)
        benchlib.stop(worker)

    print()
    print(
        f"{elapsed:.0f} s, {args.citizens} citizens and {args.staff} staff (mean pause "
        f"{args.think} s), gunicorn {args.workers} sync workers, 1 Celery worker "
        f"(concurrency {args.celery_concurrency}); load average {benchlib.load_average()}"
    )
    total, errors, slowest = 0, 0, 0.0
    for figures in sorted(stats.values(), key=lambda figures: figures.name):
        figures.seconds = elapsed
        print(figures.line(width=30))
        total += len(figures.latencies)
        errors += figures.errors
        slowest = max(slowest, figures.percentile(0.99))
    print(f"all pages: {total / elapsed:.1f} req/s, {errors} errors, worst p99 {slowest:.1f} ms")
    print(
        f"certificates issued {len(issued)}: ready {ready}, failed {failed}, "
        f"waited {waited:.0f} s after the load"
    )
    met = errors == 0 and slowest < TARGET_P99_MS and ready == len(issued)
    print(
        f"targets (0 errors, p99 < {TARGET_P99_MS} ms on every page, every certificate ready): "
        f"{'met' if met else 'NOT met'}"
    )


if __name__ == "__main__":
    main()
