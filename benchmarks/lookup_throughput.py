"""Agency lookups per second over HTTP, next to a bare view on the same server; /me/status/.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/wt_govinquiry_bench \\
    REDIS_URL=redis://127.0.0.1:6379/13 \\
        python benchmarks/lookup_throughput.py [--people 20000] [--seconds 20] [--clients 16]

Migrates the database (its name must contain "bench"), fills a synthetic registry (--people
persons with 3 coverage periods each, every fifth with a pension; one person with 200 periods),
an agency whose MoU grants every scope, a staff member with TOTP and a citizen. Their sessions
are made directly (`Client.force_login`: the panel's gate asks for TOTP enrolment, which they
have). Then it starts gunicorn (2 sync workers, DEBUG off, on 127.0.0.1 only) and, with
--clients threads each opening a connection per request (gunicorn's sync workers do not keep
connections alive):

1. POSTs a random national code to /bench/bare/, a view that does one indexed SELECT and nothing
   else (it exists only in this benchmark's URLconf, benchmarks/lookup_bench_urls.py);
2. POSTs lookups to /gov/inquiry/ as the staff member: 75% existing people, 25% valid codes that
   are not in the registry; each one passes the gate, counts against the limits in Redis, reads
   the registry, writes its disclosure record (an INSERT; the sequencer seals it later), and
   renders the page;
3. GETs /me/status/ for the person with 200 periods, from one client.

Each phase runs --seconds after a short warm-up. Before them, in this process (Django's test
client, no network), it measures the CPU time of --in-process lookups and bare requests
(`time.process_time`; with --profile FILE, a cProfile of the lookups with a CPU clock too).

Prints requests/s, p50 and p99 latency, and the targets of issue 16: in-process CPU per lookup
at most 8 ms, lookups at least 25% of the bare view's rate, lookup p99 under 100 ms. Also, for
each HTTP phase, the CPU per answered request of the gunicorn processes and of the PostgreSQL
backends serving this database (from /proc, so neighbours on a shared machine do not count),
and the queries one lookup makes.
"""

import argparse
import cProfile
import datetime
import os
import random
import re
import sys
import threading
import time
import urllib.parse
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import benchlib
from benchlib import Latencies, existing_code, missing_code, request, with_check_digit

benchlib.setup_django()

from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402

from accounts.models import User  # noqa: E402
from inquiries.models import CoveragePeriod, DisclosureRecord, InsuredPerson  # noqa: E402

STAFF_CODE = with_check_digit("960000002")
CITIZEN_CODE = with_check_digit("960000001")  # the person with 200 periods


def fill_long_history() -> None:
    person, created = InsuredPerson.objects.get_or_create(
        national_code=CITIZEN_CODE,
        defaults={
            "first_name": "Bench",
            "last_name": "Long history",
            "birth_date": datetime.date(1970, 1, 1),
            "gender": "F",
        },
    )
    if created:
        day = datetime.date(1990, 1, 1)
        periods = []
        for number in range(200):
            end = day + datetime.timedelta(days=60)
            periods.append(
                CoveragePeriod(
                    person=person,
                    workshop_code=f"L{number:04d}",
                    workshop_name=f"Long history workshop {number}",
                    coverage_kind="mandatory",
                    start_date=day,
                    end_date=None if number == 199 else end,
                    days=61,
                )
            )
            day = end + datetime.timedelta(days=gap_after(number))
        CoveragePeriod.objects.bulk_create(periods)


def gap_after(number: int) -> int:
    """Mostly a month's gap between periods; every seventh overlaps the next by ten days."""
    return -10 if number % 7 == 0 else 30


def ensure_people() -> tuple[User, User]:
    staff = benchlib.panel_staff(STAFF_CODE, "+989129990002")
    citizen = benchlib.user(CITIZEN_CODE, "+989129990001")
    return staff, citizen


def csrf_token(port: int, session: str) -> str:
    status, _, response = request(
        port, "GET", "/gov/inquiry/", headers={"Cookie": f"sessionid={session}"}
    )
    if status != 200:
        sys.exit(f"/gov/inquiry/ answered {status} to the staff session: the gate refused it")
    match = re.search(r"csrftoken=([^;]+)", response.getheader("Set-Cookie") or "")
    if not match:
        sys.exit("no CSRF cookie from /gov/inquiry/")
    return match.group(1)


def _cpu_seconds(pid: int) -> float:
    """User and system CPU of one process so far; 0 if it is gone."""
    try:
        with open(f"/proc/{pid}/stat") as stat:
            fields = stat.read().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def server_processes(server_pid: int, database: str) -> dict[str, list[int]]:
    """gunicorn's master and workers, and the PostgreSQL backends connected to `database`
    (their command line names it: "postgres: [CLUSTER: ]USER DATABASE HOST(PORT) STATE")."""
    found: dict[str, list[int]] = {"gunicorn": [server_pid], "postgres": []}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/cmdline", "rb") as file:
                words = file.read().split(b"\0")[0].decode(errors="replace").split()
            with open(f"/proc/{entry}/stat") as stat:
                parent = int(stat.read().rsplit(")", 1)[1].split()[1])
        except OSError:
            continue
        if parent == server_pid:
            found["gunicorn"].append(int(entry))
        elif words[:1] == ["postgres:"] and database in words[2:4]:
            found["postgres"].append(int(entry))
    return found


class CpuMeter:
    """CPU used by the server's processes during one phase, per answered request. A backend
    opened during the phase (a worker's first connection) counts from zero."""

    def __init__(self, server_pid: int, database: str) -> None:
        self.server_pid, self.database = server_pid, database
        self.used: dict[str, float] = {}

    def _now(self) -> dict[str, dict[int, float]]:
        return {
            kind: {pid: _cpu_seconds(pid) for pid in pids}
            for kind, pids in server_processes(self.server_pid, self.database).items()
        }

    def __enter__(self) -> "CpuMeter":
        self.start = self._now()
        return self

    def __exit__(self, *exc) -> None:
        self.used = {
            kind: sum(cpu - self.start[kind].get(pid, 0.0) for pid, cpu in now.items())
            for kind, now in self._now().items()
        }

    def absorb(self, other: "CpuMeter") -> None:
        """Add another stretch's CPU (a round of an interleaved run)."""
        for kind, used in other.used.items():
            self.used[kind] = self.used.get(kind, 0.0) + used

    def line(self, name: str, answered: int) -> str:
        per = {kind: used / max(answered, 1) * 1000 for kind, used in self.used.items()}
        return (
            f"  {name:<26} CPU per request: gunicorn {per['gunicorn']:.2f} ms, "
            f"PostgreSQL {per['postgres']:.2f} ms, both {sum(per.values()):.2f} ms"
        )


def run_phase(name, port, clients, seconds, make_request) -> Latencies:
    latencies: list[float] = []
    errors = [0]
    lock = threading.Lock()
    deadline = time.monotonic() + seconds

    def client(seed: int) -> None:
        rng = random.Random(seed)
        mine: list[float] = []
        failed = 0
        while time.monotonic() < deadline:
            method, path, body, headers, expected = make_request(rng)
            started = time.perf_counter()
            try:
                status, _, _ = request(port, method, path, body=body, headers=headers)
            except OSError:
                status = 0
            elapsed = time.perf_counter() - started
            if status == expected:
                mine.append(elapsed)
            else:
                failed += 1
        with lock:
            latencies.extend(mine)
            errors[0] += failed

    started = time.monotonic()
    threads = [threading.Thread(target=client, args=(seed,)) for seed in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return Latencies(name, time.monotonic() - started, latencies, errors[0])


def cpu_per_request(make_request, session: str, count: int, *, profile: str = "") -> float:
    """Milliseconds of this process's CPU per request through Django's test client."""
    from django.test import Client

    client = Client(HTTP_HOST="127.0.0.1", HTTP_ACCEPT_LANGUAGE="fa")
    client.cookies["sessionid"] = session
    rng = random.Random(7)

    def one() -> None:
        _, path, body, _, expected = make_request(rng)
        response = client.post(path, urllib.parse.parse_qs(body) if body else {})
        if response.status_code != expected:
            sys.exit(f"{path} answered {response.status_code} in-process")

    for _ in range(min(count, 30)):
        one()
    profiler = cProfile.Profile(time.process_time) if profile else None
    started = time.process_time()
    if profiler:
        profiler.enable()
    for _ in range(count):
        one()
    if profiler:
        profiler.disable()
        profiler.dump_stats(profile)
    return (time.process_time() - started) / count * 1000


def queries_per_request(make_request, session: str) -> int:
    """Statements one request sends to the database (BEGIN and COMMIT included)."""
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    client = Client(HTTP_HOST="127.0.0.1", HTTP_ACCEPT_LANGUAGE="fa")
    client.cookies["sessionid"] = session
    _, path, body, _, _ = make_request(random.Random(11))
    with CaptureQueriesContext(connection) as queries:
        client.post(path, urllib.parse.parse_qs(body))
    return len(queries.captured_queries)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--people", type=int, default=20000)
    parser.add_argument("--seconds", type=float, default=20)
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--port", type=int, default=8601)
    parser.add_argument("--in-process", type=int, default=300, help="lookups measured in-process")
    parser.add_argument("--profile", default="", help="write a cProfile of those lookups here")
    args = parser.parse_args(argv)

    call_command("migrate", verbosity=0)
    benchlib.fill_registry(args.people)
    fill_long_history()
    staff, citizen = ensure_people()
    staff_session = benchlib.session_cookie(staff)
    citizen_session = benchlib.session_cookie(citizen)
    form = {"Content-Type": "application/x-www-form-urlencoded"}

    def random_code(rng: random.Random) -> str:
        if rng.random() < 0.75:
            return existing_code(rng.randrange(args.people))
        return missing_code(rng.randrange(1_000_000))

    def bare(rng: random.Random):
        body = urllib.parse.urlencode({"national_code": random_code(rng)})
        return "POST", "/bench/bare/", body, form, 200

    def in_process_lookup(rng: random.Random):
        body = urllib.parse.urlencode(
            {
                "national_code": random_code(rng),
                "purpose": "judicial_case",
                "case_reference": f"BENCH-{rng.randrange(10**6)}",
            }
        )
        return "POST", "/gov/inquiry/", body, form, 200

    lookup_cpu = cpu_per_request(in_process_lookup, staff_session, args.in_process)
    queries = queries_per_request(in_process_lookup, staff_session)
    bare_cpu = cpu_per_request(bare, "", args.in_process)
    if args.profile:
        cpu_per_request(in_process_lookup, staff_session, args.in_process, profile=args.profile)

    server = benchlib.start_gunicorn(args.port, workers=2)
    try:
        token = csrf_token(args.port, staff_session)
        lookup_headers = {
            **form,
            "Cookie": f"sessionid={staff_session}; csrftoken={token}",
            "X-CSRFToken": token,
            "Accept-Language": "fa",
        }

        def lookup(rng: random.Random):
            body = urllib.parse.urlencode(
                {
                    "national_code": random_code(rng),
                    "purpose": "judicial_case",
                    "case_reference": f"BENCH-{rng.randrange(10**6)}",
                }
            )
            return "POST", "/gov/inquiry/", body, lookup_headers, 200

        def my_status(rng: random.Random):
            return "GET", "/me/status/", "", {"Cookie": f"sessionid={citizen_session}"}, 200

        warm = min(3.0, args.seconds)
        run_phase("warm-up", args.port, args.clients, warm, bare)
        run_phase("warm-up", args.port, args.clients, warm, lookup)
        records_before = DisclosureRecord.objects.count()
        database = connection.settings_dict["NAME"]
        with CpuMeter(server.pid, database) as bare_cpu_http:
            bare_phase = run_phase(
                "bare view (1 SELECT)", args.port, args.clients, args.seconds, bare
            )
        with CpuMeter(server.pid, database) as lookup_cpu_http:
            lookup_phase = run_phase("agency lookup", args.port, args.clients, args.seconds, lookup)
        written = DisclosureRecord.objects.count() - records_before
        status_phase = run_phase(
            "/me/status/ (200 periods)", args.port, 1, min(args.seconds, 10), my_status
        )
    finally:
        benchlib.stop(server)

    print()
    print(
        f"gunicorn 2 sync workers, {args.clients} clients, {args.seconds:.0f} s per phase, "
        f"{args.people} people in the registry; load average {benchlib.load_average()}"
    )
    print(
        f"in-process CPU per request ({args.in_process} each): lookup {lookup_cpu:.1f} ms, "
        f"bare {bare_cpu:.1f} ms ({lookup_cpu / bare_cpu:.1f}x); "
        f"target lookup <= 8 ms: {'met' if lookup_cpu <= 8 else 'NOT met'}; "
        f"{queries} queries per lookup"
    )
    for phase in (bare_phase, lookup_phase, status_phase):
        print(phase.line())
    print(bare_cpu_http.line(bare_phase.name, len(bare_phase.latencies)))
    print(lookup_cpu_http.line(lookup_phase.name, len(lookup_phase.latencies)))
    ratio = lookup_phase.rate / bare_phase.rate
    p99 = lookup_phase.percentile(0.99)
    print(
        f"lookups / bare = {ratio:.0%} (target >= 25%: {'met' if ratio >= 0.25 else 'NOT met'}); "
        f"lookup p99 {p99:.1f} ms (target < 100 ms: {'met' if p99 < 100 else 'NOT met'})"
    )
    print(
        f"disclosure records written during the lookup phase: {written} "
        f"(lookups answered 200: {len(lookup_phase.latencies)})"
    )


if __name__ == "__main__":
    main()
