"""Instructions per request in the web process, counted by valgrind: the same figure on every
run, where CPU time on a shared machine moves by a third from one minute to the next.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/api_bench REDIS_URL=redis://127.0.0.1:6379/13 \\
        python benchmarks/request_instructions.py [--requests 200] [--warm-up 100] [--only api]

Needs valgrind (Debian's package). Sets up what benchmarks/api_throughput.py does, then for the
bare view and for an API inquiry runs this script under `valgrind --tool=callgrind` twice, with
no measured requests and with --requests of them, each after the same warm-up, and prints the
difference per request: Django's `WSGIHandler` called in-process, so nothing of gunicorn, the
client or PostgreSQL is counted, only what the portal's code does for the request. Slow (about a
minute per 100 requests); compare two commits by running it in each.
"""

import argparse
import io
import json
import os
import random
import re
import shutil
import subprocess
import sys
import tempfile
import urllib.parse
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
import benchlib
from benchlib import existing_code, missing_code

KINDS = ("bare", "api")


def count(kind: str, requests: int, warm_up: int, people: int) -> int:
    """The instructions callgrind counted for one child run of `requests` requests."""
    with tempfile.TemporaryDirectory() as scratch:
        done = subprocess.run(
            [
                "valgrind", "--tool=callgrind", f"--callgrind-out-file={scratch}/out",
                sys.executable, __file__, "--child", kind, "--requests", str(requests),
                "--warm-up", str(warm_up), "--people", str(people),
            ],
            capture_output=True,
            text=True,
        )  # fmt: skip
    collected = re.search(r"Collected : (\d+)", done.stderr)
    if done.returncode != 0 or collected is None:
        sys.exit(f"the {kind} run under valgrind failed:\n{done.stderr[-2000:]}")
    return int(collected.group(1))


def child(kind: str, requests: int, warm_up: int, people: int) -> None:
    """Runs under valgrind: the requests through `WSGIHandler`, nothing printed."""
    benchlib.setup_django()
    from api_throughput import CLIENT_SECRET, STAFF_CODE, bench_client
    from django.core.handlers.wsgi import WSGIHandler

    handler = WSGIHandler()

    def call(path: str, body: str, content_type: str, **headers: str) -> tuple[str, bytes]:
        data = body.encode()
        environ = {
            "REQUEST_METHOD": "POST", "PATH_INFO": path, "QUERY_STRING": "",
            "SERVER_NAME": benchlib.HOST, "SERVER_PORT": "80", "REMOTE_ADDR": benchlib.HOST,
            "HTTP_HOST": benchlib.HOST, "CONTENT_TYPE": content_type,
            "CONTENT_LENGTH": str(len(data)), "wsgi.input": io.BytesIO(data),
            "wsgi.url_scheme": "http", "wsgi.errors": sys.stderr,
            **{f"HTTP_{name.upper()}": value for name, value in headers.items()},
        }  # fmt: skip
        answer: dict[str, str] = {}

        def start_response(
            status: str, _headers: list[tuple[str, str]], _exc_info: Any = None
        ) -> Callable[[bytes], object]:
            answer["status"] = status
            return lambda _data: None

        content = b"".join(handler(environ, start_response))
        return answer["status"], content

    client = bench_client(benchlib.panel_staff(STAFF_CODE, "+989129990002"))
    _, content = call(
        "/api/v1/oauth/token",
        urllib.parse.urlencode(
            {
                "grant_type": "client_credentials",
                "client_id": client.client_id,
                "client_secret": CLIENT_SECRET,
            }
        ),
        "application/x-www-form-urlencoded",
    )
    token = json.loads(content)["access_token"]
    rng = random.Random(7)

    def one() -> None:
        code = (
            existing_code(rng.randrange(people))
            if rng.random() < 0.75
            else missing_code(rng.randrange(1_000_000))
        )
        if kind == "api":
            body = json.dumps(
                {
                    "national_code": code,
                    "purpose": "judicial_case",
                    "case_reference": f"BENCH-{rng.randrange(10**6)}",
                }
            )
            status, _ = call(
                "/api/v1/inquiries",
                body,
                "application/json",
                authorization=f"Bearer {token}",
                accept_language="fa",
            )
        else:
            body = urllib.parse.urlencode({"national_code": code})
            status, _ = call("/bench/bare/", body, "application/x-www-form-urlencoded")
        if not status.startswith("200"):
            sys.exit(f"{kind} answered {status}")

    for _ in range(warm_up + requests):
        one()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--warm-up", type=int, default=100)
    parser.add_argument("--people", type=int, default=20000)
    parser.add_argument("--only", choices=KINDS)
    parser.add_argument("--child", choices=KINDS, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args.child, args.requests, args.warm_up, args.people)
        return
    if shutil.which("valgrind") is None:
        sys.exit("valgrind is not installed (apt-get install -y valgrind)")
    os.environ["API_INQUIRIES_PER_MINUTE"] = "100000000"
    benchlib.setup_django()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    benchlib.fill_registry(args.people)
    figures = {}
    for kind in (args.only,) if args.only else KINDS:
        base = count(kind, 0, args.warm_up, args.people)
        measured = count(kind, args.requests, args.warm_up, args.people)
        figures[kind] = (measured - base) / args.requests
        print(f"{kind:5} {figures[kind] / 1e6:6.2f} M instructions per request", flush=True)
    if len(figures) == 2:
        print(f"bare / API = {figures['bare'] / figures['api']:.0%} (the web process's share)")


if __name__ == "__main__":
    main()
