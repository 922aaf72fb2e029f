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
   the registry, writes its disclosure record into the hash chain, and renders the page;
3. GETs /me/status/ for the person with 200 periods, from one client.

Each phase runs --seconds after a short warm-up. Prints requests/s, p50 and p99 latency, and the
targets: lookups at least 40% of the bare view's rate, lookup p99 under 50 ms.
"""

import argparse
import datetime
import http.client
import os
import random
import re
import secrets
import subprocess
import sys
import threading
import time
import urllib.parse
from dataclasses import dataclass
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(BASE_DIR))
sys.path.insert(0, str(BASE_DIR / "benchmarks"))
if "bench" not in os.environ.get("DATABASE_URL", "") or not os.environ.get("REDIS_URL"):
    sys.exit("set DATABASE_URL (a PostgreSQL database whose name contains 'bench') and REDIS_URL")
# The production shape: DEBUG off (no query log), limits out of the way, plain HTTP on loopback.
os.environ["DJANGO_SETTINGS_MODULE"] = "lookup_bench_settings"
os.environ["DEBUG"] = "0"
os.environ.setdefault("SECRET_KEY", secrets.token_urlsafe(50))
os.environ["SECURE_SSL_REDIRECT"] = "0"
os.environ["LOG_LEVEL"] = "ERROR"
os.environ["GOV_INQUIRY_PER_MINUTE"] = "100000000"
os.environ["GOV_INQUIRY_DAILY_DEFAULT"] = "100000000"

import django  # noqa: E402

django.setup()

from allauth.mfa.models import Authenticator  # noqa: E402
from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.test import Client  # noqa: E402
from django.utils import timezone  # noqa: E402

from accounts.models import User  # noqa: E402
from agencies.models import Agency, AgencyKind, Membership, MembershipRole, Mou  # noqa: E402
from agencies.scopes import Scope  # noqa: E402
from inquiries.demo import with_check_digit  # noqa: E402
from inquiries.models import (  # noqa: E402
    CoveragePeriod,
    DisclosureRecord,
    InsuredPerson,
    PensionRecord,
)

HOST = "127.0.0.1"
STAFF_CODE = with_check_digit("960000002")
CITIZEN_CODE = with_check_digit("960000001")  # the person with 200 periods
BENCH_LEGAL_ID = "14000000990"
BENCH_MOU = "BENCH-LOOKUP-001"


def existing_code(index: int) -> str:
    return with_check_digit(f"98{index:07d}")


def missing_code(index: int) -> str:
    return with_check_digit(f"97{index:07d}")


def fill_registry(people: int) -> None:
    have = InsuredPerson.objects.filter(national_code__startswith="98").count()
    if have < people:
        print(f"filling the registry: {people - have} persons…", flush=True)
        for start in range(have, people, 5000):
            batch = [
                InsuredPerson(
                    national_code=existing_code(index),
                    insurance_number=str(50_000_000 + index),
                    first_name="Bench",
                    last_name=f"Person {index}",
                    birth_date=datetime.date(1960, 1, 1) + datetime.timedelta(days=index % 15000),
                    gender="MF"[index % 2],
                )
                for index in range(start, min(start + 5000, people))
            ]
            saved = InsuredPerson.objects.bulk_create(batch)
            periods, pensions = [], []
            for person in saved:
                index = int(person.national_code[2:9])
                for number in range(3):
                    start_date = datetime.date(2000 + number * 8, 1 + index % 12, 1)
                    periods.append(
                        CoveragePeriod(
                            person=person,
                            workshop_code=f"W{index % 997:04d}{number}",
                            workshop_name=f"Bench workshop {index % 997}",
                            coverage_kind="mandatory",
                            start_date=start_date,
                            end_date=None
                            if number == 2
                            else start_date.replace(year=start_date.year + 6),
                            days=2000,
                        )
                    )
                if index % 5 == 0:
                    pensions.append(
                        PensionRecord(
                            person=person,
                            pension_number=f"BP{index}",
                            role="main",
                            kind="retirement",
                            start_date=datetime.date(2020, 1, 1),
                            status="active",
                        )
                    )
            CoveragePeriod.objects.bulk_create(periods)
            PensionRecord.objects.bulk_create(pensions)
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
    staff = User.objects.filter(national_code=STAFF_CODE).first() or User.objects.create_user(
        STAFF_CODE, secrets.token_urlsafe(16), mobile="+989129990002", mobile_verified=True
    )
    if not Authenticator.objects.filter(user=staff, type=Authenticator.Type.TOTP).exists():
        TOTP.activate(staff, generate_totp_secret())
    agency, _ = Agency.objects.get_or_create(
        legal_id=BENCH_LEGAL_ID,
        defaults={"name": "Benchmark Court (synthetic)", "kind": AgencyKind.JUDICIAL},
    )
    today = timezone.localdate()
    Mou.objects.get_or_create(
        number=BENCH_MOU,
        defaults={
            "agency": agency,
            "signed_on": today,
            "valid_from": today - datetime.timedelta(days=1),
            "valid_until": today + datetime.timedelta(days=365),
            "signed_by_insurance_deputy": "Bench",
            "signed_by_pensions_manager": "Bench",
            "signed_by_registration_manager": "Bench",
            "scopes": list(Scope.values),
            "recorded_by": staff,
        },
    )
    Membership.objects.get_or_create(
        user=staff, agency=agency, defaults={"role": MembershipRole.STAFF, "granted_by": staff}
    )
    citizen = User.objects.filter(national_code=CITIZEN_CODE).first() or User.objects.create_user(
        CITIZEN_CODE, secrets.token_urlsafe(16), mobile="+989129990001", mobile_verified=True
    )
    return staff, citizen


def session_cookie(user: User) -> str:
    client = Client()
    client.force_login(user)
    return client.cookies["sessionid"].value


def request(
    port: int, method: str, path: str, *, body: str = "", headers: dict[str, str] | None = None
) -> tuple[int, bytes, http.client.HTTPResponse]:
    connection = http.client.HTTPConnection(HOST, port, timeout=10)
    try:
        connection.request(method, path, body=body or None, headers=headers or {})
        response = connection.getresponse()
        return response.status, response.read(), response
    finally:
        connection.close()


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


@dataclass
class Phase:
    name: str
    latencies: list[float]
    errors: int
    seconds: float

    @property
    def rate(self) -> float:
        return len(self.latencies) / self.seconds

    def percentile(self, fraction: float) -> float:
        ordered = sorted(self.latencies)
        return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))] * 1000

    def line(self) -> str:
        return (
            f"{self.name:<28} {self.rate:8.1f} req/s   p50 {self.percentile(0.50):6.1f} ms   "
            f"p99 {self.percentile(0.99):6.1f} ms   ok {len(self.latencies)}   errors {self.errors}"
        )


def run_phase(name, port, clients, seconds, make_request) -> Phase:
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
    return Phase(name, latencies, errors[0], time.monotonic() - started)


def start_server(port: int) -> subprocess.Popen:
    env = {**os.environ, "PYTHONPATH": f"{BASE_DIR}{os.pathsep}{BASE_DIR / 'benchmarks'}"}
    server = subprocess.Popen(
        [
            sys.executable, "-m", "gunicorn", "portal.wsgi:application",
            "--workers", "2", "--bind", f"{HOST}:{port}", "--log-level", "warning",
        ],
        env=env,
        cwd=BASE_DIR,
    )  # fmt: skip
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            if request(port, "POST", "/bench/bare/", body="national_code=0")[0] == 200:
                return server
        except OSError:
            time.sleep(0.2)
    server.terminate()
    sys.exit("gunicorn did not start within 30 s")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--people", type=int, default=20000)
    parser.add_argument("--seconds", type=float, default=20)
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--port", type=int, default=8601)
    args = parser.parse_args()

    call_command("migrate", verbosity=0)
    fill_registry(args.people)
    staff, citizen = ensure_people()
    staff_session, citizen_session = session_cookie(staff), session_cookie(citizen)
    form = {"Content-Type": "application/x-www-form-urlencoded"}

    def random_code(rng: random.Random) -> str:
        if rng.random() < 0.75:
            return existing_code(rng.randrange(args.people))
        return missing_code(rng.randrange(1_000_000))

    def bare(rng: random.Random):
        body = urllib.parse.urlencode({"national_code": random_code(rng)})
        return "POST", "/bench/bare/", body, form, 200

    server = start_server(args.port)
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
        bare_phase = run_phase("bare view (1 SELECT)", args.port, args.clients, args.seconds, bare)
        lookup_phase = run_phase("agency lookup", args.port, args.clients, args.seconds, lookup)
        written = DisclosureRecord.objects.count() - records_before
        status_phase = run_phase(
            "/me/status/ (200 periods)", args.port, 1, min(args.seconds, 10), my_status
        )
    finally:
        server.terminate()
        server.wait(timeout=20)

    print()
    print(
        f"gunicorn 2 sync workers, {args.clients} clients, {args.seconds:.0f} s per phase, "
        f"{args.people} people in the registry; load average {os.getloadavg()[0]:.2f} "
        f"{os.getloadavg()[1]:.2f} {os.getloadavg()[2]:.2f} on {os.cpu_count()} CPUs"
    )
    for phase in (bare_phase, lookup_phase, status_phase):
        print(phase.line())
    ratio = lookup_phase.rate / bare_phase.rate
    p99 = lookup_phase.percentile(0.99)
    print(
        f"lookups / bare = {ratio:.0%} (target >= 40%: {'met' if ratio >= 0.4 else 'NOT met'}); "
        f"lookup p99 {p99:.1f} ms (target < 50 ms: {'met' if p99 < 50 else 'NOT met'})"
    )
    print(
        f"disclosure records written during the lookup phase: {written} "
        f"(lookups answered 200: {len(lookup_phase.latencies)})"
    )


if __name__ == "__main__":
    main()
