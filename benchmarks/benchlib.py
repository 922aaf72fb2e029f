"""What the HTTP benchmarks share: the environment they insist on, the synthetic registry and
panel they seed, gunicorn and Celery processes on the loopback, and latency figures.

Import it, then call `setup_django()` before anything that touches models: the helpers below
import models inside their bodies for that reason.
"""

import datetime
import http.client
import os
import secrets
import subprocess
import sys
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from accounts.models import User
    from agencies.models import Mou

BASE_DIR = Path(__file__).resolve().parent.parent
BENCH_DIR = BASE_DIR / "benchmarks"
HOST = "127.0.0.1"
BENCH_LEGAL_ID = "14000000990"
BENCH_MOU = "BENCH-LOOKUP-001"


def setup_django() -> None:
    """The production shape on the loopback: DEBUG off (no query log), plain HTTP, quiet logs,
    limits out of the way, tasks to a real worker. Exits unless the database is a bench one."""
    if "bench" not in os.environ.get("DATABASE_URL", "") or not os.environ.get("REDIS_URL"):
        sys.exit(
            "set DATABASE_URL (a PostgreSQL database whose name contains 'bench') and REDIS_URL"
        )
    for path in (str(BASE_DIR), str(BENCH_DIR)):
        if path not in sys.path:
            sys.path.insert(0, path)
    os.environ["DJANGO_SETTINGS_MODULE"] = "lookup_bench_settings"
    os.environ["DEBUG"] = "0"
    os.environ.setdefault("SECRET_KEY", secrets.token_urlsafe(50))
    os.environ["SECURE_SSL_REDIRECT"] = "0"
    # DEBUG off asks for a named identity service; the benchmarks never ask it anything real.
    os.environ.setdefault("IDENTITY_BACKEND", "demo")
    os.environ["LOG_LEVEL"] = "ERROR"
    os.environ["GOV_INQUIRY_PER_MINUTE"] = "100000000"
    os.environ["GOV_INQUIRY_DAILY_DEFAULT"] = "100000000"
    os.environ["CERTIFICATES_PER_PERSON_PER_DAY"] = "100000000"
    os.environ["CELERY_TASK_ALWAYS_EAGER"] = "0"
    os.environ["PYTHONPATH"] = os.pathsep.join([str(BASE_DIR), str(BENCH_DIR)])
    import django

    django.setup()


def with_check_digit(body: str) -> str:
    from inquiries.demo import with_check_digit as complete

    return complete(body)


def existing_code(index: int) -> str:
    """The national code of the registry's synthetic person number `index`."""
    return with_check_digit(f"98{index:07d}")


def missing_code(index: int) -> str:
    """A valid national code that is not in the registry."""
    return with_check_digit(f"97{index:07d}")


def fill_registry(people: int) -> None:
    """Persons 98xxxxxxx with 3 coverage periods each (the last open), every fifth a pensioner.
    Adds only what is missing, so a second run starts at once."""
    from inquiries.models import CoveragePeriod, InsuredPerson, PensionRecord

    have = InsuredPerson.objects.filter(national_code__startswith="98").count()
    if have >= people:
        return
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


def bench_mou(recorded_by: "User") -> "Mou":
    """A court whose MoU, in force for a year from yesterday, grants every scope: signed on an
    approved access request, as every agency that applied through the portal is, whose expected
    volume keeps the daily limit out of the way."""
    from django.utils import timezone

    from agencies.models import AccessRequest, Agency, AgencyKind, Mou, RequestStatus
    from agencies.scopes import Scope

    agency, _ = Agency.objects.get_or_create(
        legal_id=BENCH_LEGAL_ID,
        defaults={"name": "Benchmark Court (synthetic)", "kind": AgencyKind.JUDICIAL},
    )
    today = timezone.localdate()
    mou, _ = Mou.objects.get_or_create(
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
            "recorded_by": recorded_by,
        },
    )
    if mou.access_request_id is None:
        mou.access_request = AccessRequest.objects.create(
            applicant=recorded_by,
            agency=agency,
            status=RequestStatus.APPROVED,
            agency_name=agency.name,
            agency_kind=agency.kind,
            legal_id=BENCH_LEGAL_ID,
            address="Bench",
            letter_number="BENCH",
            letter_date=today,
            letter="bench/letter.pdf",  # never read
            purpose="Bench",
            legal_basis="Bench",
            scopes=list(Scope.values),
            monthly_volume=2_000_000_000,  # 100 million a day over 20 working days
            contact_name="Bench",
            contact_position="Bench",
            contact_mobile="+989129990001",
            contact_email="bench@portal.example",
        )
        mou.save(update_fields=["access_request"])
    return mou


def user(national_code: str, mobile: str) -> "User":
    """An account bound to its registry person, as one that proved its identity would be."""
    from django.utils import timezone

    from accounts.models import User
    from inquiries.models import InsuredPerson

    found = User.objects.filter(national_code=national_code).first()
    birth_date = (
        InsuredPerson.objects.filter(national_code=national_code)
        .values_list("birth_date", flat=True)
        .first()
    )
    return found or User.objects.create_user(
        national_code,
        secrets.token_urlsafe(16),
        mobile=mobile,
        mobile_verified=True,
        birth_date=birth_date,
        identity_verified_at=timezone.now(),
    )


def panel_staff(national_code: str, mobile: str) -> "User":
    """A staff member of the bench court, with TOTP enrolled (the panel's gate asks for it)."""
    from allauth.mfa.models import Authenticator
    from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret

    from agencies.models import Membership, MembershipRole

    staff = user(national_code, mobile)
    if not Authenticator.objects.filter(user=staff, type=Authenticator.Type.TOTP).exists():
        TOTP.activate(staff, generate_totp_secret())
    mou = bench_mou(recorded_by=staff)
    Membership.objects.get_or_create(
        user=staff, agency=mou.agency, defaults={"role": MembershipRole.STAFF, "granted_by": staff}
    )
    return staff


def session_cookie(account: "User") -> str:
    """A signed-in session for the account, made like `Client.force_login` (no password, no
    second factor asked)."""
    from django.test import Client

    client = Client()
    client.force_login(account)
    return client.cookies["sessionid"].value


def request(
    port: int,
    method: str,
    path: str,
    *,
    body: str = "",
    headers: dict[str, str] | None = None,
    timeout: float = 10,
) -> tuple[int, bytes, http.client.HTTPResponse]:
    """One request on a connection of its own (gunicorn's sync workers close it anyway)."""
    connection = http.client.HTTPConnection(HOST, port, timeout=timeout)
    try:
        connection.request(method, path, body=body or None, headers=headers or {})
        response = connection.getresponse()
        return response.status, response.read(), response
    finally:
        connection.close()


def start_gunicorn(port: int, *, workers: int = 2) -> subprocess.Popen:
    """gunicorn with sync workers on 127.0.0.1 only, once /healthz answers 200."""
    server = subprocess.Popen(
        [
            sys.executable, "-m", "gunicorn", "portal.wsgi:application",
            "--workers", str(workers), "--bind", f"{HOST}:{port}", "--log-level", "warning",
        ],
        env=dict(os.environ),
        cwd=BASE_DIR,
    )  # fmt: skip
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            if request(port, "GET", "/healthz")[0] == 200:
                return server
        except OSError:
            time.sleep(0.2)
    server.terminate()
    sys.exit("gunicorn did not start within 30 s")


def start_celery_worker(
    *, concurrency: int = 1, queues: str = "", pool: str = "prefork"
) -> subprocess.Popen:
    """One `celery worker` process; on the default queue unless `queues` names others."""
    return subprocess.Popen(
        [
            sys.executable, "-m", "celery", "-A", "portal", "worker",
            "--loglevel=WARNING", f"--pool={pool}", f"--concurrency={concurrency}",
            "--without-gossip", "--without-mingle", "--without-heartbeat",
            f"--hostname=bench-{uuid.uuid4().hex[:6]}@%h",
            *([f"--queues={queues}"] if queues else []),
        ],
        env=dict(os.environ),
        cwd=BASE_DIR,
        stdout=subprocess.DEVNULL,  # the banner; warnings and errors go to stderr
    )  # fmt: skip


def stop(process: subprocess.Popen) -> None:
    process.terminate()
    try:
        process.wait(timeout=30)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


def load_average() -> str:
    return " ".join(f"{value:.2f}" for value in os.getloadavg()) + f" on {os.cpu_count()} CPUs"


@dataclass
class Latencies:
    """The answered requests of one kind (seconds each) and the failed ones."""

    name: str
    seconds: float = 0.0
    latencies: list[float] = field(default_factory=list)
    errors: int = 0

    @property
    def rate(self) -> float:
        return len(self.latencies) / self.seconds if self.seconds else 0.0

    def absorb(self, other: "Latencies") -> None:
        """Add another stretch of the same kind of request (a round of an interleaved run)."""
        self.seconds += other.seconds
        self.latencies.extend(other.latencies)
        self.errors += other.errors

    def percentile(self, fraction: float) -> float:
        """In milliseconds; 0 when nothing was answered."""
        if not self.latencies:
            return 0.0
        ordered = sorted(self.latencies)
        return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))] * 1000

    def line(self, width: int = 28) -> str:
        return (
            f"{self.name:<{width}} {self.rate:8.1f} req/s   p50 {self.percentile(0.50):6.1f} ms   "
            f"p99 {self.percentile(0.99):6.1f} ms   ok {len(self.latencies)}   errors {self.errors}"
        )
