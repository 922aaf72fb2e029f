"""Every benchmark in benchmarks/, one after the other, and one table of what they measured.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/wt_all_bench \\
    REDIS_URL=redis://127.0.0.1:6379/7 \\
        python benchmarks/run_all.py --quick            # small sizes, about ten minutes
        python benchmarks/run_all.py --full             # the sizes the issues name (hours)
        python benchmarks/run_all.py --quick --only lookup_throughput certificate_throughput

Each benchmark runs as its own process (each sets Django up its own way) on a database of its
own, DATABASE_URL's name plus the script's (created if missing: one benchmark flushes its
database, others replace the registry), with the rest of the environment unchanged; its output
is kept and read for the figures below, and printed with --verbose.
A benchmark missing from this checkout is listed as skipped, one that fails as failed, so the
table always has every row. The table's columns: measure, ours, reference (what "ours" is
compared with, measured in the same run), ratio, target, met. Compare it with the last one in
benchmarks/README.md; a machine shared with other work moves every figure, but ratios measured
in one run much less.
"""

import argparse
import os
import re
import subprocess
import sys
import time
import urllib.parse
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

BENCH_DIR = Path(__file__).resolve().parent


@dataclass(frozen=True)
class Row:
    measure: str
    ours: str
    reference: str = ""
    ratio: str = ""
    target: str = ""
    met: str = ""


def _number(pattern: str, text: str) -> float | None:
    match = re.search(pattern, text)
    return float(match.group(1).replace(",", "")) if match else None


def _fmt(value: float | None, unit: str = "", digits: int = 1) -> str:
    return "?" if value is None else f"{value:,.{digits}f}{unit}"


def _met(condition: bool | None) -> str:
    return "?" if condition is None else ("yes" if condition else "NO")


def lookup_rows(out: str) -> list[Row]:
    cpu = _number(r"lookup ([\d.]+) ms, bare", out)
    bare_cpu = _number(r"bare ([\d.]+) ms \(", out)
    rate = _number(r"agency lookup\s+([\d.]+) req/s", out)
    bare = _number(r"bare view \(1 SELECT\)\s+([\d.]+) req/s", out)
    p99 = _number(r"agency lookup.*?p99\s+([\d.]+) ms", out)
    return [
        Row(
            "lookup: in-process CPU per lookup",
            _fmt(cpu, " ms"),
            f"bare {_fmt(bare_cpu, ' ms')}",
            _fmt(cpu / bare_cpu if cpu and bare_cpu else None, "x"),
            "<= 8 ms",
            _met(cpu <= 8 if cpu is not None else None),
        ),
        Row(
            "lookup: requests/s over HTTP",
            _fmt(rate),
            f"bare {_fmt(bare)}",
            _fmt(rate / bare * 100 if rate and bare else None, "%", 0),
            ">= 25% of bare",
            _met(rate / bare >= 0.25 if rate and bare else None),
        ),
        Row(
            "lookup: p99 at 16 clients",
            _fmt(p99, " ms"),
            "",
            "",
            "< 100 ms",
            _met(p99 < 100 if p99 is not None else None),
        ),
    ]


def api_rows(out: str) -> list[Row]:
    rate = _number(r"API inquiry\s+([\d.]+) req/s", out)
    bare = _number(r"bare view \(1 SELECT\)\s+([\d.]+) req/s", out)
    p99 = _number(r"API inquiry.*?p99\s+([\d.]+) ms", out)
    one_each = re.search(r"exactly one record per answer: (\w+)", out)
    return [
        Row(
            "API inquiries/s over HTTP",
            _fmt(rate),
            f"bare {_fmt(bare)}",
            _fmt(rate / bare * 100 if rate and bare else None, "%", 0),
            ">= 40% of bare",
            _met(rate / bare >= 0.4 if rate and bare else None),
        ),
        Row(
            "API inquiry: p99 at 16 clients, one record per answer",
            f"{_fmt(p99, ' ms')}, {one_each.group(1) if one_each else '?'}",
            "",
            "",
            "< 50 ms, yes",
            _met(p99 < 50 and one_each.group(1) == "yes" if p99 and one_each else None),
        ),
    ]


def certificate_throughput_rows(out: str) -> list[Row]:
    rate = _number(r"([\d.]+) certificates/minute", out)
    ceiling = _number(r"= ([\d.]+)/minute", out)
    cpu = _number(r"in the workers \(/proc\): ([\d.]+) ms", out)
    bare_cpu = _number(r"against bare WeasyPrint's and signing's ([\d.]+) ms", out)
    parallel = _number(r"processes at once: ([\d.]+)/minute", out)
    share = rate / ceiling if rate and ceiling else None
    return [
        Row(
            "certificates per minute, 2 workers",
            _fmt(rate, "", 0),
            f"ceiling {_fmt(ceiling, '', 0)}",
            _fmt(share * 100 if share else None, "%", 0),
            ">= 85% of ceiling",
            _met(share >= 0.85 if share else None),
        ),
        Row(
            "certificates: worker CPU per certificate",
            _fmt(cpu, " ms"),
            f"bare {_fmt(bare_cpu, ' ms')}",
            _fmt(bare_cpu / cpu * 100 if cpu and bare_cpu else None, "%", 0),
            "(load-proof view)",
            "",
        ),
        Row(
            "certificates per minute against bare in 2 processes at once",
            _fmt(rate, "", 0),
            f"bare {_fmt(parallel, '', 0)}/minute",
            _fmt(rate / parallel * 100 if rate and parallel else None, "%", 0),
            "(same parallelism)",
            "",
        ),
    ]


def certificate_render_rows(out: str) -> list[Row]:
    task = _number(r"task\s+median\s+([\d.]+) ms", out)
    bare = _number(r"bare\s+median\s+([\d.]+) ms", out)
    ratio = task / bare if task and bare else None
    return [
        Row(
            "certificate render through the task, median",
            _fmt(task, " ms"),
            f"bare {_fmt(bare, ' ms')}",
            _fmt(ratio, "x", 2),
            "<= 1.3x bare",
            _met(ratio <= 1.3 if ratio else None),
        ),
    ]


def import_rows(out: str) -> list[Row]:
    rows = []
    for kind, raw, ours, ratio in re.findall(
        r"^(persons|periods|pensions)\s+[\d,]+\s+([\d,]+)\s+([\d,]+)\s+([\d.]+)", out, re.M
    ):
        rows.append(
            Row(f"import {kind}: rows/s", ours, f"raw COPY {raw}", ratio, "(per-file delta)", "")
        )
    snapshot = re.search(
        r"raw COPY of the three files: ([\d.]+) s, ([\d,]+) rows/s; snapshot ([\d,]+) rows/s; "
        r"ratio ([\d.]+)",
        out,
    )
    if snapshot:
        seconds, raw, ours, ratio = snapshot.groups()
        rows.append(
            Row(
                "whole snapshot: rows/s",
                ours,
                f"raw COPY {raw} ({seconds} s)",
                ratio,
                ">= 0.40",
                _met(float(ratio) >= 0.4),
            )
        )
    during = re.search(
        r"lookups during the load: (\d+) answered, (\d+) errors.*?p99 ([\d.]+) ms", out
    )
    if during:
        answered, errors, p99 = during.groups()
        rows.append(
            Row(
                "lookups during the snapshot: p99, errors",
                f"{p99} ms, {errors} errors",
                f"{answered} answered",
                "",
                "0 errors",
                _met(errors == "0"),
            )
        )
    return rows or [Row("import", "no figures found in the output")]


def redemption_rows(out: str) -> list[Row]:
    rate = _number(r"\(([\d.]+)/s\)", out)
    p99 = _number(r"p99 ([\d.]+) ms", out)
    return [
        Row("document redemptions over HTTP", f"{_fmt(rate, '/s', 0)}, p99 {_fmt(p99, ' ms', 0)}")
    ]


def seal_rows(out: str) -> list[Row]:
    rate = _number(r"\(([\d,]+) records/s\)", out)
    problems = re.search(r"problems: (.+)$", out, re.M)
    return [
        Row("transparency log: records sealed/s", _fmt(rate, "", 0)),
        Row(
            "transparency log: audit",
            problems.group(1) if problems else "?",
            "",
            "",
            "no problems",
            _met(problems.group(1) == "none" if problems else None),
        ),
    ]


def isinsured_rows(out: str) -> list[Row]:
    rate = _number(r"([\d.]+) users/s\n", out)
    ceiling = _number(r"= ([\d.]+) users/s", out)
    share = rate / ceiling if rate and ceiling else None
    return [
        Row(
            "isinsured migration: users/s",
            _fmt(rate, "", 2),
            f"hashing ceiling {_fmt(ceiling, '', 2)}",
            _fmt(share * 100 if share else None, "%", 0),
            ">= 80% of ceiling",
            _met(share >= 0.8 if share else None),
        )
    ]


def load_mixed_rows(out: str) -> list[Row]:
    errors = _number(r"all pages: [\d.]+ req/s, (\d+) errors", out)
    p99 = _number(r"worst p99 ([\d.]+) ms", out)
    targets = re.search(r"certificate ready\): (met|NOT met)", out)
    return [
        Row(
            "mixed load: worst page p99, errors",
            f"{_fmt(p99, ' ms')}, {_fmt(errors, '', 0)} errors",
            "",
            "",
            "p99 < 300 ms, 0 errors, all ready",
            _met(targets.group(1) == "met" if targets else None),
        )
    ]


def scaling_rows(out: str) -> list[Row]:
    """lookup_scaling.py (issue 16, part 4): each p50 and p99 at the larger size over the
    smaller one, as it prints them."""
    rows = [
        Row(
            f"{what} {quantile}: {large} vs {small} persons",
            f"{ratio}x",
            "",
            "",
            "<= 1.2x",
            _met(float(ratio) <= 1.2),
        )
        for what, quantile, large, small, ratio in re.findall(
            r"^(lookup|/me/status/) (p50|p99) at ([\d,]+) / at ([\d,]+): ([\d.]+)x", out, re.M
        )
    ]
    return rows or [Row("lookup scaling", "no figures found in the output")]


@dataclass(frozen=True)
class Benchmark:
    script: str
    quick: list[str]
    full: list[str]
    rows: Callable[[str], list[Row]]
    timeout_minutes: int = 30


BENCHMARKS = [
    Benchmark(
        "lookup_throughput.py",
        ["--seconds", "5", "--people", "5000", "--in-process", "100"],
        ["--seconds", "15", "--people", "20000", "--in-process", "300"],
        lookup_rows,
    ),
    Benchmark(
        "api_throughput.py",
        ["--seconds", "5", "--people", "5000"],
        ["--seconds", "15", "--people", "20000"],
        api_rows,
    ),
    Benchmark(
        "certificate_throughput.py",
        ["--workers", "2", "--certificates", "40", "--bare-renders", "10"],
        ["--workers", "2", "--certificates", "150", "--bare-renders", "30"],
        certificate_throughput_rows,
    ),
    Benchmark(
        "certificate_render.py", ["--renders", "10"], ["--renders", "40"], certificate_render_rows
    ),
    Benchmark("redemption_http.py", ["--seconds", "15", "--holders", "100"], [], redemption_rows),
    Benchmark(
        "seal_throughput.py", ["--records", "20000"], ["--records", "1000000"], seal_rows, 240
    ),
    Benchmark(
        "isinsured_migration.py",
        ["--users", "200", "--organizations", "10", "--wrap-samples", "5"],
        [],
        isinsured_rows,
    ),
    Benchmark(
        "load_mixed.py",
        ["--seconds", "30", "--people", "5000"],
        ["--seconds", "300"],
        load_mixed_rows,
    ),
    # Last: they replace the registry that the benchmarks above fill.
    Benchmark(
        "import_speed.py",
        ["--persons", "10000", "--periods", "100000", "--pensions", "3000", "--snapshot"],
        ["--persons", "1000000", "--periods", "10000000", "--pensions", "300000", "--snapshot"],
        import_rows,
        240,
    ),
    Benchmark("lookup_scaling.py", ["--quick"], [], scaling_rows, 480),
]


def database_for(script: str) -> str:
    """DATABASE_URL with the script's name appended to the database's; created if missing."""
    import psycopg
    from psycopg import sql

    url = urllib.parse.urlsplit(os.environ["DATABASE_URL"])
    name = f"{url.path.lstrip('/')}_{script.removesuffix('.py')}"[:63]
    server = url._replace(path="/postgres").geturl()
    with psycopg.connect(server, autocommit=True) as connection:
        exists = connection.execute(
            "SELECT 1 FROM pg_database WHERE datname = %s", [name]
        ).fetchone()
        if not exists:
            connection.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    return url._replace(path=f"/{name}").geturl()


def run(benchmark: Benchmark, *, full: bool, verbose: bool) -> tuple[list[Row], float]:
    script = BENCH_DIR / benchmark.script
    name = benchmark.script.removesuffix(".py")
    if not script.exists():
        return [Row(name, "skipped: not in this checkout")], 0.0
    arguments = list(benchmark.full if full else benchmark.quick)
    print(f"running {benchmark.script} {' '.join(arguments)}", flush=True)
    started = time.perf_counter()
    try:
        done = subprocess.run(
            [sys.executable, str(script), *arguments],
            capture_output=True,
            text=True,
            timeout=benchmark.timeout_minutes * 60,
            env={**os.environ, "DATABASE_URL": database_for(benchmark.script)},
        )
    except subprocess.TimeoutExpired:
        return [Row(name, f"failed: over {benchmark.timeout_minutes} minutes")], 0.0
    seconds = time.perf_counter() - started
    if verbose or done.returncode:
        print(done.stdout[-4000:])
    if done.returncode:
        print(done.stderr[-3000:], file=sys.stderr)
        return [Row(name, f"failed: exit code {done.returncode}")], seconds
    return benchmark.rows(done.stdout), seconds


def table(rows: list[Row]) -> str:
    header = Row("measure", "ours", "reference", "ratio", "target", "met")
    cells = [
        [row.measure, row.ours, row.reference, row.ratio, row.target, row.met]
        for row in [header, *rows]
    ]
    lines = ["| " + " | ".join(line) + " |" for line in cells]
    lines.insert(1, "| " + " | ".join("---" for _ in cells[0]) + " |")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    size = parser.add_mutually_exclusive_group()
    size.add_argument("--quick", action="store_true", help="small sizes (the default)")
    size.add_argument("--full", action="store_true", help="the sizes the issues name")
    parser.add_argument("--only", nargs="*", default=[], help="script names, without .py")
    parser.add_argument("--verbose", action="store_true", help="print each benchmark's output")
    args = parser.parse_args()
    if "bench" not in os.environ.get("DATABASE_URL", "") or not os.environ.get("REDIS_URL"):
        sys.exit(
            "set DATABASE_URL (a PostgreSQL database whose name contains 'bench') and REDIS_URL"
        )

    chosen = [b for b in BENCHMARKS if not args.only or b.script.removesuffix(".py") in args.only]
    rows: list[Row] = []
    started = time.perf_counter()
    for benchmark in chosen:
        found, seconds = run(benchmark, full=args.full, verbose=args.verbose)
        rows.extend(found)
        print(f"  {benchmark.script}: {seconds:.0f} s", flush=True)
    print()
    print(
        f"{'full' if args.full else 'quick'} sizes, {time.perf_counter() - started:.0f} s in all, "
        f"load average {' '.join(f'{v:.2f}' for v in os.getloadavg())} on {os.cpu_count()} CPUs"
    )
    print(table(rows))


if __name__ == "__main__":
    main()
