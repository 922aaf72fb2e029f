"""Document inquiry over HTTP: redemption latency (p50/p95/p99) at N concurrent clients.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/wt_govdocs_bench \\
    REDIS_URL=redis://127.0.0.1:6379/15 \\
        python benchmarks/redemption_http.py [--clients 16] [--seconds 20] [--port 8701]

Migrates the database (its name must contain "bench"), makes an agency with an MoU, one staff
member per client (signed in through a session made like `force_login`), and enough synthetic
holders with ready certificates and 10-use access codes for the run. Starts gunicorn on the
loopback (--gunicorn-workers sync workers), warms it, then each client POSTs
/gov/documents/ back to back until --seconds have passed; only 302s (redemptions) count as
successes. Every request writes a redemption, a disclosure (an INSERT; the transparency log's
sequencer seals it later) and an inbox notice. Prints the percentiles and the load average.
"""

import argparse
import http.client
import os
import re
import signal
import statistics
import subprocess
import sys
import threading
import time
import urllib.parse
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
if "bench" not in os.environ.get("DATABASE_URL", "") or not os.environ.get("REDIS_URL"):
    sys.exit("set DATABASE_URL (a PostgreSQL database whose name contains 'bench') and REDIS_URL")
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")
os.environ.setdefault("DEBUG", "1")
os.environ.setdefault("LOG_LEVEL", "WARNING")

import django

django.setup()

import datetime  # noqa: E402
import hashlib  # noqa: E402

from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret  # noqa: E402
from django.conf import settings  # noqa: E402
from django.core.files.base import ContentFile  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.test import Client  # noqa: E402

from accounts.models import User  # noqa: E402
from agencies.models import Agency, AgencyKind, Membership, MembershipRole, Mou  # noqa: E402
from documents import services  # noqa: E402
from documents.models import Certificate  # noqa: E402
from portal.validators import national_code_check_digit  # noqa: E402

CODE_USES = 10
PDF = b"%PDF-1.4\n% benchmark stand-in\n%%EOF\n"


def national_code(serial: int) -> str:
    body = f"{700_000_000 + serial:09d}"
    return body + national_code_check_digit(body)


def setup(*, clients: int, holders: int) -> tuple[list[str], list[list[tuple[str, str]]]]:
    """Session cookies, one per client, and each client's own (national code, code) pairs."""
    call_command("migrate", verbosity=0)
    operator, _ = User.objects.get_or_create(national_code=national_code(0))
    agency, _ = Agency.objects.get_or_create(
        legal_id="14000000999",
        defaults={"name": "Bench Court", "kind": AgencyKind.JUDICIAL},
    )
    Mou.objects.get_or_create(
        number="BENCH-MOU-1",
        defaults={
            "agency": agency,
            "signed_on": datetime.date(2020, 1, 1),
            "valid_from": datetime.date(2020, 1, 1),
            "valid_until": datetime.date(2099, 1, 1),
            "signed_by_insurance_deputy": "Deputy (synthetic)",
            "signed_by_pensions_manager": "GM Pensions (synthetic)",
            "signed_by_registration_manager": "GM Registration (synthetic)",
            "scopes": ["coverage_flag"],
            "basis": "circular_1",
            "recorded_by": operator,
        },
    )
    cookies = []
    for index in range(clients):
        staff, created = User.objects.get_or_create(national_code=national_code(1 + index))
        if created:
            TOTP.activate(staff, generate_totp_secret())
            Membership.objects.create(
                user=staff, agency=agency, role=MembershipRole.STAFF, granted_by=operator
            )
        client = Client()
        client.force_login(staff)
        cookies.append(
            f"{settings.SESSION_COOKIE_NAME}={client.cookies[settings.SESSION_COOKIE_NAME].value}"
        )

    services._enqueue_render = lambda certificate_id: None  # a stand-in PDF below
    pairs: list[list[tuple[str, str]]] = [[] for _ in range(clients)]
    for index in range(holders):
        code_of_holder = national_code(1000 + index)
        holder, _ = User.objects.get_or_create(
            national_code=code_of_holder, defaults={"first_name": "سارا", "last_name": "نمونه"}
        )
        certificate = services.issue_certificate(holder=holder, language="fa")
        name = f"certificates/bench-{certificate.number}.pdf"
        certificate.pdf.save(name, ContentFile(PDF), save=False)
        Certificate.objects.filter(pk=certificate.pk).update(
            rendering_status=Certificate.Rendering.READY,
            pdf=certificate.pdf.name,
            pdf_sha256=hashlib.sha256(PDF).hexdigest(),
        )
        certificate.refresh_from_db()
        plaintext = services.move_to_inbox(certificate=certificate, max_uses=CODE_USES).plaintext
        pairs[index % clients].extend([(code_of_holder, plaintext)] * CODE_USES)
    return cookies, pairs


class Session:
    """One client: a keep-alive connection, its session cookie and its CSRF token."""

    def __init__(self, port: int, cookie: str) -> None:
        self.connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        self.cookie = cookie
        response = self.request("GET", "/gov/documents/")
        body = response.read().decode()
        if response.status != 200:
            raise SystemExit(f"the form answered {response.status}")
        set_cookie = response.getheader("Set-Cookie") or ""
        csrf_cookie = re.search(r"csrftoken=([^;]+)", set_cookie)
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', body)
        if not (csrf_cookie and token):
            raise SystemExit("no CSRF token on the form")
        self.cookie += f"; csrftoken={csrf_cookie[1]}"
        self.token = token[1]

    def request(self, method: str, path: str, body: str | None = None) -> http.client.HTTPResponse:
        headers = {"Cookie": self.cookie, "Accept-Language": "fa", "Host": "127.0.0.1"}
        if body is not None:
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        self.connection.request(method, path, body=body, headers=headers)
        return self.connection.getresponse()

    def redeem(self, national_code: str, code: str) -> tuple[int, float]:
        body = urllib.parse.urlencode(
            {"csrfmiddlewaretoken": self.token, "national_code": national_code, "access_code": code}
        )
        started = time.perf_counter()
        response = self.request("POST", "/gov/documents/", body)
        response.read()
        return response.status, time.perf_counter() - started


def start_gunicorn(port: int, workers: int) -> subprocess.Popen:
    process = subprocess.Popen(
        [
            sys.executable, "-m", "gunicorn", "portal.wsgi", f"--bind=127.0.0.1:{port}",
            f"--workers={workers}", "--worker-class=sync", "--keep-alive=30",
            "--log-level=warning", "--timeout=60",
        ],
        env={**os.environ},
        cwd=settings.BASE_DIR,
        start_new_session=True,
    )  # fmt: skip
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            connection.request("GET", "/healthz")
            connection.getresponse().read()
            return process
        except OSError:
            time.sleep(0.2)
    process.terminate()
    raise SystemExit("gunicorn did not start")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--seconds", type=float, default=20)
    parser.add_argument("--port", type=int, default=8701)
    parser.add_argument("--gunicorn-workers", type=int, default=4)
    parser.add_argument("--holders", type=int, default=400)
    args = parser.parse_args()

    cookies, pairs = setup(clients=args.clients, holders=args.holders)
    server = start_gunicorn(args.port, args.gunicorn_workers)
    latencies: list[float] = []
    statuses: dict[int, int] = {}
    lock = threading.Lock()
    try:
        sessions = [Session(args.port, cookie) for cookie in cookies]
        for session in sessions:  # warm every worker: templates, connections
            for _ in range(3):
                session.request("GET", "/gov/documents/").read()
        barrier = threading.Barrier(args.clients)
        deadline_box: list[float] = []

        def client(index: int) -> None:
            session = sessions[index]
            barrier.wait()
            if index == 0:
                deadline_box.append(time.monotonic() + args.seconds)
            while not deadline_box:
                time.sleep(0.001)
            for national, code in pairs[index]:
                if time.monotonic() >= deadline_box[0]:
                    break
                status, elapsed = session.redeem(national, code)
                with lock:
                    statuses[status] = statuses.get(status, 0) + 1
                    if status == 302:
                        latencies.append(elapsed)

        started = time.perf_counter()
        threads = [threading.Thread(target=client, args=(i,)) for i in range(args.clients)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        wall = time.perf_counter() - started
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)

    if len(latencies) < 100:
        raise SystemExit(f"too few redemptions to measure: {statuses}")
    quantiles = statistics.quantiles(latencies, n=100)
    load = " ".join(f"{value:.2f}" for value in os.getloadavg())
    print(
        f"{len(latencies)} redemptions over HTTP by {args.clients} concurrent clients in "
        f"{wall:.1f} s ({len(latencies) / wall:.0f}/s), gunicorn {args.gunicorn_workers} sync "
        f"workers: p50 {statistics.median(latencies) * 1000:.0f} ms, "
        f"p95 {quantiles[94] * 1000:.0f} ms, p99 {quantiles[98] * 1000:.0f} ms; "
        f"statuses {dict(sorted(statuses.items()))}; load average {load}"
    )


if __name__ == "__main__":
    main()
