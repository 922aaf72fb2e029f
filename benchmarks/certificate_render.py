"""Certificate render time through the task path next to bare WeasyPrint of the same HTML.

    python benchmarks/certificate_render.py [--renders 40] [--periods 10] [--language fa]

Runs in one process on a throwaway SQLite database (or on DATABASE_URL if its name contains
"bench"; the script migrates it). It issues one certificate for a synthetic person with
--periods coverage periods, warms up, then prints median and p95 of:

  task      render_certificate.apply(): claim, template, QR code, WeasyPrint, PAdES signature,
            storage, update
  bare      WeasyPrint on the same HTML, with a FontConfiguration and stylesheet reused
  signed    the same bare render, then the PAdES signature (documents/signing.py)
  sign      the signature alone, on the rendered PDF
  rebuilt   WeasyPrint on the same HTML, FontConfiguration and stylesheet rebuilt every time

Targets: render+sign (signed) within 1.5x of bare; the task within 1.5x of bare.
A development CA and signing certificate are made in a temporary directory.
"""

import argparse
import datetime
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
_TMP = tempfile.mkdtemp(prefix="certificate-bench-")
if "bench" not in os.environ.get("DATABASE_URL", "bench"):
    sys.exit("DATABASE_URL must name a database containing 'bench' (it is migrated and written)")
os.environ.setdefault("DATABASE_URL", f"sqlite:///{_TMP}/bench.sqlite3")
os.environ.setdefault("MEDIA_ROOT", f"{_TMP}/media")
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")
os.environ.setdefault("DEBUG", "1")
os.environ.setdefault("CELERY_TASK_ALWAYS_EAGER", "1")
os.environ.setdefault("LOG_LEVEL", "WARNING")
# One synthetic holder issues every certificate measured: the daily limit is out of the way.
os.environ["CERTIFICATES_PER_PERSON_PER_DAY"] = "100000000"
for _name, _file in [
    ("CERTIFICATE_SIGNING_KEY_FILE", "signing.key"),
    ("CERTIFICATE_SIGNING_CERT_FILE", "signing.crt"),
    ("CERTIFICATE_SIGNING_CHAIN_FILE", "ca.crt"),
    ("CERTIFICATE_SIGNING_TRUST_ROOTS_FILE", "ca.crt"),
]:
    os.environ[_name] = f"{_TMP}/{_file}"
os.environ["CERTIFICATE_TSA_URL"] = ""
os.environ["CERTIFICATE_QR_KEY_FILE"] = f"{_TMP}/qr.key"

import django  # noqa: E402

django.setup()

from django.contrib.staticfiles import finders  # noqa: E402
from django.core.management import call_command  # noqa: E402
from weasyprint import CSS, HTML  # noqa: E402
from weasyprint.text.fonts import FontConfiguration  # noqa: E402

from accounts.models import User  # noqa: E402
from documents import pdf, qr_tokens, services, signing  # noqa: E402
from documents.models import Certificate  # noqa: E402
from documents.tasks import render_certificate  # noqa: E402
from inquiries.models import CoveragePeriod, InsuredPerson  # noqa: E402


def synthetic_certificate(*, periods: int, language: str) -> Certificate:
    national_code = "0010000011"
    user, _ = User.objects.get_or_create(
        national_code=national_code, defaults={"first_name": "سارا", "last_name": "نمونه"}
    )
    person, created = InsuredPerson.objects.get_or_create(
        national_code=national_code,
        defaults={
            "first_name": "سارا",
            "last_name": "نمونه",
            "birth_date": datetime.date(1990, 3, 21),
            "gender": "F",
            "insurance_number": "12345678",
        },
    )
    if created:
        start = datetime.date(2000, 1, 1)
        for index in range(periods):
            end = start + datetime.timedelta(days=300)
            CoveragePeriod.objects.create(
                person=person,
                workshop_code=f"{1000000 + index}",
                workshop_name=f"کارگاه نمونه شماره {index + 1}",
                coverage_kind="mandatory",
                start_date=start,
                end_date=None if index == periods - 1 else end,
                days=300,
            )
            start = end + datetime.timedelta(days=30)
    services._enqueue_render = lambda certificate_id: None  # the loop below renders
    return services.issue_certificate(holder=user, language=language)


def measure(label: str, function, runs: int) -> list[float]:
    timings = []
    for _ in range(runs):
        started = time.perf_counter()
        function()
        timings.append((time.perf_counter() - started) * 1000)
    return timings


def report(label: str, timings: list[float], baseline: list[float] | None = None) -> None:
    median = statistics.median(timings)
    p95 = statistics.quantiles(timings, n=20)[-1]
    ratio = f"   {median / statistics.median(baseline):.2f}x bare" if baseline else ""
    print(f"{label:<9} median {median:7.1f} ms   p95 {p95:7.1f} ms{ratio}")


def make_signing_files() -> None:
    """The QR token key and a throwaway CA and signing certificate, where the settings above
    point (the task's workers read them too)."""
    qr_tokens.write_new_key(Path(_TMP, "qr.key"))
    signing.make_development_ca(
        ca_cert=Path(_TMP, "ca.crt"), key=Path(_TMP, "signing.key"), cert=Path(_TMP, "signing.crt")
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--renders", type=int, default=40)
    parser.add_argument("--periods", type=int, default=10)
    parser.add_argument("--language", default="fa", choices=["fa", "en"])
    args = parser.parse_args()

    call_command("migrate", verbosity=0)
    make_signing_files()
    certificate = synthetic_certificate(periods=args.periods, language=args.language)

    def through_the_task() -> None:
        Certificate.objects.filter(pk=certificate.pk).update(rendering_status="pending")
        if render_certificate.apply(args=(certificate.pk,)).get() != "rendered":
            raise RuntimeError("the task did not render")

    html = pdf.certificate_html(certificate)
    stylesheet_path = finders.find(pdf.PRINT_STYLESHEET)
    font_config = FontConfiguration()
    stylesheet = CSS(filename=stylesheet_path, font_config=font_config)

    def bare() -> None:
        HTML(string=html, base_url=pdf.base_url()).write_pdf(
            stylesheets=[stylesheet], font_config=font_config
        )

    def render_and_sign() -> None:
        signing.sign_certificate_pdf(
            HTML(string=html, base_url=pdf.base_url()).write_pdf(
                stylesheets=[stylesheet], font_config=font_config
            ),
            number=certificate.number,
        )

    unsigned = pdf.html_to_pdf(html)

    def sign_only() -> None:
        signing.sign_certificate_pdf(unsigned, number=certificate.number)

    def rebuilt() -> None:
        fresh_fonts = FontConfiguration()
        HTML(string=html, base_url=pdf.base_url()).write_pdf(
            stylesheets=[CSS(filename=stylesheet_path, font_config=fresh_fonts)],
            font_config=fresh_fonts,
        )

    for warm_up in (through_the_task, bare, render_and_sign, sign_only, rebuilt):
        for _ in range(3):
            warm_up()

    # Interleaved rounds, so that a noisy neighbour slows them all alike.
    task_times: list[float] = []
    bare_times: list[float] = []
    signed_times: list[float] = []
    sign_times: list[float] = []
    rebuilt_times: list[float] = []
    for _ in range(args.renders):
        task_times += measure("task", through_the_task, 1)
        bare_times += measure("bare", bare, 1)
        signed_times += measure("signed", render_and_sign, 1)
        sign_times += measure("sign", sign_only, 1)
        rebuilt_times += measure("rebuilt", rebuilt, 1)

    size = len(pdf.html_to_pdf(html)) / 1024
    print(
        f"one {args.language} certificate, {args.periods} coverage rows, {size:.0f} KiB PDF; "
        f"{args.renders} renders each, warm, in one process"
    )
    report("task", task_times, bare_times)
    report("bare", bare_times)
    report("signed", signed_times, bare_times)
    report("sign", sign_times, bare_times)
    report("rebuilt", rebuilt_times, bare_times)


if __name__ == "__main__":
    main()
