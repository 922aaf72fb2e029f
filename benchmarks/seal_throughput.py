"""The sequencer's time to seal a backlog of disclosure records, and the audit's time to check it.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/wt_seal_bench \\
    REDIS_URL=redis://127.0.0.1:6379/13 \\
        python benchmarks/seal_throughput.py [--records 1000000]

Migrates the database (its name must contain "bench"), adds --records synthetic disclosure
records with COPY (the log is append-only, so a second run adds to the first and seals only
the new ones), makes a signing key under a temporary directory, then times one sequencer run
(`inquiries.transparency.seal`: leaves, subtree nodes, a signed checkpoint), an inclusion and a
consistency proof, and `verify_disclosures`' audit of the whole log.
"""

import argparse
import datetime
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import benchlib

benchlib.setup_django()

from django.conf import settings  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection, transaction  # noqa: E402

from inquiries import transparency  # noqa: E402
from inquiries.models import DisclosureRecord, new_salt  # noqa: E402
from inquiries.notes import SignerKey  # noqa: E402

STAFF_CODE = benchlib.with_check_digit("960000003")
COLUMNS = (
    "national_code, agency_id, staff_member_id, mou_id, channel, scopes, record_found, purpose,"
    " purpose_detail, case_reference, confidential, client_ip, created_at, salt"
)


def add_records(count: int) -> None:
    staff = benchlib.panel_staff(STAFF_CODE, "+989120000003")
    mou = benchlib.bench_mou(recorded_by=staff)
    start = datetime.datetime(2026, 1, 1, tzinfo=datetime.UTC)
    with transaction.atomic(), connection.cursor() as cursor:
        table = DisclosureRecord._meta.db_table
        with cursor.cursor.copy(f"COPY {table} ({COLUMNS}) FROM STDIN") as copy:
            for n in range(count):
                copy.write_row(
                    (
                        benchlib.existing_code(n % 20000),
                        mou.agency_id,
                        staff.pk,
                        mou.pk,
                        "direct_inquiry",
                        '["coverage_flag"]',
                        True,
                        "judicial_case",
                        "",
                        f"1405/{n}",
                        False,
                        "192.0.2.1",
                        start + datetime.timedelta(seconds=n),
                        new_salt(),
                    )
                )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=int, default=1_000_000)
    options = parser.parse_args()
    call_command("migrate", verbosity=0)
    directory = Path(tempfile.mkdtemp(prefix="seal-bench-"))
    key_file = directory / "signing.key"
    key_file.write_text(str(SignerKey.generate("bench.test/disclosures")), encoding="utf-8")
    settings.TRANSPARENCY_SIGNING_KEY_FILE = str(key_file)
    settings.TRANSPARENCY_ARCHIVE_DIR = str(directory / "archive")
    settings.TRANSPARENCY_WITNESS_URLS = []

    started = time.perf_counter()
    add_records(options.records)
    print(f"{options.records:,} records written by COPY in {time.perf_counter() - started:.1f} s")
    print(f"load average {benchlib.load_average()}")

    started = time.perf_counter()
    result = transparency.seal()
    sealing = time.perf_counter() - started
    if result.checkpoint is None:
        sys.exit("nothing was sealed")
    size = result.checkpoint.tree_size
    print(
        f"sealed {result.sealed:,} records in {sealing:.1f} s "
        f"({result.sealed / sealing:,.0f} records/s); checkpoint of size {size:,}"
    )
    started = time.perf_counter()
    for index in (0, size // 3, size - 1):
        transparency.inclusion(index, size)
    transparency.consistency(size // 2, size)
    print(f"3 inclusion proofs and 1 consistency proof: {time.perf_counter() - started:.3f} s")
    started = time.perf_counter()
    audit = transparency.audit()
    print(
        f"audit of {audit.leaves:,} leaves and {audit.checkpoints} checkpoints: "
        f"{time.perf_counter() - started:.1f} s, problems: {audit.problems or 'none'}"
    )


if __name__ == "__main__":
    main()
