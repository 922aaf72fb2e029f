"""API inquiries per second over HTTP, next to the bare view and the panel's lookup, one run.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/api_bench \\
    REDIS_URL=redis://127.0.0.1:6379/13 \\
        python benchmarks/api_throughput.py [--people 20000] [--seconds 20] [--clients 16] \\
            [--rounds 5]

Sets up what benchmarks/lookup_throughput.py does (a synthetic registry, the bench court whose
MoU grants every scope, its staff member with TOTP) plus an active API client of that court with
every scope, its responsible person that staff member, allowed from 127.0.0.1. Starts gunicorn
(2 sync workers, DEBUG off), gets a bearer token from /api/v1/oauth/token, and with --clients
threads (a connection per request) runs these for --seconds each after a warm-up, taking turns
in --rounds slices (bare, panel, API, bare, …), so that a machine whose speed drifts during the
run (a shared one) slows all three alike rather than whichever ran in its slow minute:

1. the bare view (/bench/bare/: one indexed SELECT, benchmarks/lookup_bench_urls.py);
2. the panel's lookup (/gov/inquiry/, session + CSRF, renders the page);
3. the API's inquiry (POST /api/v1/inquiries with the bearer token, JSON in and out): token,
   client, MoU and address checked, limits counted in Redis, the registry read, one disclosure
   record and one kept answer written.

75% of the national codes exist, 25% are valid codes not in the registry. Prints requests/s,
p50/p99, the ratios to the bare view (target: API >= 40% of bare, p99 < 50 ms) and whether every
answered API inquiry wrote exactly one disclosure record.
"""

import argparse
import datetime
import json
import os
import random
import sys
import urllib.parse
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import benchlib
from benchlib import Latencies, existing_code, missing_code, request

# The per-client minute limit would stop a benchmark; the agency's day is already lifted.
os.environ["API_INQUIRIES_PER_MINUTE"] = "100000000"
benchlib.setup_django()

from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.db.models import Count  # noqa: E402
from lookup_throughput import STAFF_CODE, CpuMeter, csrf_token, run_phase  # noqa: E402

from accounts.models import User  # noqa: E402
from agencies.models import ApiClient, ApiClientSecret, ApiClientStatus  # noqa: E402
from agencies.models.api_client import secret_digest  # noqa: E402
from agencies.scopes import Scope  # noqa: E402
from api.models import ApiAnswer  # noqa: E402
from inquiries.models import DisclosureChannel, DisclosureRecord  # noqa: E402

CLIENT_SECRET = "bench-secret-" + "x" * 32  # a benchmark database only


def bench_client(staff: User) -> ApiClient:
    """The bench court's system, active, every scope, from 127.0.0.1, with a known secret."""
    from django.utils import timezone

    mou = benchlib.bench_mou(recorded_by=staff)
    client, _ = ApiClient.objects.get_or_create(
        agency=mou.agency,
        name="Benchmark case system",
        defaults={
            "mou": mou,
            "responsible": staff,
            "scopes": list(Scope.values),
            "allowed_addresses": ["127.0.0.1"],
            "status": ApiClientStatus.ACTIVE,
            "requested_by": staff,
        },
    )
    ApiClientSecret.objects.get_or_create(
        digest=secret_digest(CLIENT_SECRET),
        defaults={
            "client": client,
            "created_at": timezone.now(),
            "valid_until": timezone.now() + datetime.timedelta(days=1),
        },
    )
    return client


def get_token(port: int, client: ApiClient) -> str:
    body = urllib.parse.urlencode(
        {
            "grant_type": "client_credentials",
            "client_id": client.client_id,
            "client_secret": CLIENT_SECRET,
        }
    )
    status, content, _ = request(
        port,
        "POST",
        "/api/v1/oauth/token",
        body=body,
        headers={"Content-Type": "application/x-www-form-urlencoded"},
    )
    if status != 200:
        sys.exit(f"the token endpoint answered {status}: {content[:300]!r}")
    return json.loads(content)["access_token"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--people", type=int, default=20000)
    parser.add_argument("--seconds", type=float, default=20)
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument(
        "--rounds",
        type=int,
        default=5,
        help="the phases take turns this many times, each for --seconds / --rounds",
    )
    parser.add_argument("--port", type=int, default=8602)
    args = parser.parse_args()

    call_command("migrate", verbosity=0)
    benchlib.fill_registry(args.people)
    staff = benchlib.panel_staff(STAFF_CODE, "+989129990002")
    client = bench_client(staff)
    staff_session = benchlib.session_cookie(staff)
    form = {"Content-Type": "application/x-www-form-urlencoded"}

    def random_code(rng: random.Random) -> str:
        if rng.random() < 0.75:
            return existing_code(rng.randrange(args.people))
        return missing_code(rng.randrange(1_000_000))

    def bare(rng: random.Random):
        body = urllib.parse.urlencode({"national_code": random_code(rng)})
        return "POST", "/bench/bare/", body, form, 200

    server = benchlib.start_gunicorn(args.port, workers=2)
    try:
        csrf = csrf_token(args.port, staff_session)
        panel_headers = {
            **form,
            "Cookie": f"sessionid={staff_session}; csrftoken={csrf}",
            "X-CSRFToken": csrf,
            "Accept-Language": "fa",
        }
        api_headers = {
            "Content-Type": "application/json",
            "Authorization": f"Bearer {get_token(args.port, client)}",
            "Accept-Language": "fa",
        }

        def panel(rng: random.Random):
            body = urllib.parse.urlencode(
                {
                    "national_code": random_code(rng),
                    "purpose": "judicial_case",
                    "case_reference": f"BENCH-{rng.randrange(10**6)}",
                }
            )
            return "POST", "/gov/inquiry/", body, panel_headers, 200

        def api(rng: random.Random):
            body = json.dumps(
                {
                    "national_code": random_code(rng),
                    "purpose": "judicial_case",
                    "case_reference": f"BENCH-{rng.randrange(10**6)}",
                }
            )
            return "POST", "/api/v1/inquiries", body, api_headers, 200

        warm = min(3.0, args.seconds)
        for warm_up in (bare, panel, api):
            run_phase("warm-up", args.port, args.clients, warm, warm_up)
        database = connection.settings_dict["NAME"]
        phases = [("bare view (1 SELECT)", bare), ("panel lookup", panel), ("API inquiry", api)]
        totals = {name: Latencies(name) for name, _ in phases}
        meters = {name: CpuMeter(server.pid, database) for name, _ in phases}
        api_records = DisclosureRecord.objects.filter(channel=DisclosureChannel.API)
        records_before, answers_before = api_records.count(), ApiAnswer.objects.count()
        last_answer = ApiAnswer.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
        for _ in range(args.rounds):
            for name, make_request in phases:
                with CpuMeter(server.pid, database) as meter:
                    part = run_phase(
                        name, args.port, args.clients, args.seconds / args.rounds, make_request
                    )
                totals[name].absorb(part)
                meters[name].absorb(meter)
        (bare_phase, bare_cpu), (panel_phase, panel_cpu), (api_phase, api_cpu) = (
            (totals[name], meters[name]) for name, _ in phases
        )
        written = api_records.count() - records_before
        answers = ApiAnswer.objects.filter(pk__gt=last_answer)
        answers_written = ApiAnswer.objects.count() - answers_before
        shared = (
            answers.values("disclosure").annotate(n=Count("pk")).filter(n__gt=1).count()
            + answers.filter(disclosure__isnull=True).count()
        )
    finally:
        benchlib.stop(server)

    print()
    print(
        f"gunicorn 2 sync workers, {args.clients} clients, {args.seconds:.0f} s per phase, "
        f"{args.people} people in the registry; load average {benchlib.load_average()} "
        "(a shared machine: compare the ratios, measured in this same run)"
    )
    for phase, cpu in ((bare_phase, bare_cpu), (panel_phase, panel_cpu), (api_phase, api_cpu)):
        print(phase.line())
        print(cpu.line(phase.name, len(phase.latencies)))
    ratio = api_phase.rate / bare_phase.rate
    p99 = api_phase.percentile(0.99)
    print(
        f"API / bare = {ratio:.0%} (target >= 40%: {'met' if ratio >= 0.4 else 'NOT met'}); "
        f"API / panel = {api_phase.rate / panel_phase.rate:.0%}; "
        f"API p99 {p99:.1f} ms (target < 50 ms: {'met' if p99 < 50 else 'NOT met'})"
    )
    answered = len(api_phase.latencies)
    one_each = written == answered == answers_written and shared == 0
    print(
        f"API inquiries answered 200: {answered}; disclosure records written: {written}; "
        f"answers kept: {answers_written}; exactly one record per answer: "
        f"{'yes' if one_each else 'NO'}"
    )


if __name__ == "__main__":
    main()
