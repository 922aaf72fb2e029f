"""A demo coverage registry: a few hundred synthetic people covering every case.

The demo citizen (accounts.demo) is insured now with a history that has a gap and an overlap,
and the demo agency (agencies.demo) has looked them up a few times (their /me/disclosures/);
the others are generated from a fixed seed, so every run writes the same registry. National codes
start with 99, which the organization's real codes do not reach in this range: nobody real.
"""

import datetime
import random
from collections.abc import Iterator

from django.core.management.base import OutputWrapper

from accounts.demo import DEMO_BIRTH_DATE, accept_identity_pair, demo_user
from agencies import demo as agencies_demo
from agencies.models import Mou
from inquiries.disclosures import record_disclosure
from inquiries.models import (
    CoverageKind,
    CoveragePeriod,
    DisclosureChannel,
    DisclosureRecord,
    Gender,
    InsuredPerson,
    LookupPurpose,
    PensionKind,
    PensionRecord,
    PensionRole,
    PensionStatus,
)
from inquiries.selectors import RegistryRecord, registry_record
from portal.validators import national_code_check_digit

SYNTHETIC_PEOPLE = 300
FIRST_NAMES = ["علی", "مریم", "رضا", "زهرا", "حسین", "فاطمه", "مهدی", "سارا", "امیر", "نرگس"]
LAST_NAMES = ["احمدی", "محمدی", "حسینی", "رضایی", "کریمی", "موسوی", "جعفری", "صادقی"]
WORKSHOPS = [
    ("1100234", "شرکت نمونه صنعت"),
    ("2200871", "فروشگاه زنجیره‌ای نمونه"),
    ("3300412", "کارگاه نساجی نمونه"),
    ("4400159", "شرکت ساختمانی نمونه"),
]


def with_check_digit(prefix: str) -> str:
    return prefix + national_code_check_digit(prefix)


def seed(*, stdout: OutputWrapper) -> None:
    citizen = demo_user("citizen")
    _seed_demo_citizen(citizen.national_code)
    _seed_synthetic_people()
    stdout.write(f"  registry: the demo citizen's history, and {SYNTHETIC_PEOPLE} synthetic people")
    mou = Mou.objects.select_related("agency").get(number=agencies_demo.MOU_NUMBER)
    _seed_demo_disclosures(citizen.national_code, mou)
    stdout.write(
        f"  disclosures: {len(DEMO_LOOKUPS)} lookups of the demo citizen by {mou.agency.name} "
        "(/me/disclosures/); the demo staff member looks people up at /gov/inquiry/"
    )
    _seed_signup_pairs(stdout)


# Registry people a tester can sign up as: the demo identity service confirms these mobiles.
SIGNUP_PAIRS = ((0, "+989129900000"), (3, "+989129900003"), (5, "+989129900005"))


def _seed_signup_pairs(stdout: OutputWrapper) -> None:
    stdout.write(
        "  sign up as a registry person (national code, birth date, mobile: what /me/status/ "
        "shows):"
    )
    for index, mobile in SIGNUP_PAIRS:
        national_code = with_check_digit(f"99{index:07d}")
        accept_identity_pair(national_code=national_code, mobile=mobile)
        record = registry_record(national_code)
        assert record is not None  # noqa: S101 (seeded just before)
        stdout.write(
            f"    {national_code}  {record.person.birth_date.isoformat()}  {mobile}: "
            f"{_what_it_shows(record)}"
        )


def _what_it_shows(record: RegistryRecord) -> str:
    """A tester's summary of one person's status, in a few words."""
    status = record.status
    periods = f"{len(record.periods)} period{'s' if len(record.periods) != 1 else ''}"
    if not record.periods:
        said = ["in the registry with no coverage periods"]
    elif status.insured_today:
        said = [f"insured today, {periods}, {status.total_insured_days} days"]
    else:
        said = [
            f"not insured today (last covered {status.last_covered_date}), "
            f"{periods}, {status.total_insured_days} days"
        ]
    if status.overlap_days:
        said.append(f"{status.overlap_days} days of overlapping periods")
    said += [f"{pension.role} pensioner, pension {pension.status}" for pension in status.pensions]
    if not status.pensions:
        said.append("no pension")
    return "; ".join(said)


# What the demo agency's staff member asked, and why: shown on the demo citizen's page.
DEMO_LOOKUPS = [
    (LookupPurpose.BENEFIT_ELIGIBILITY, "Housing support application (demo)"),
    (LookupPurpose.BENEFIT_ELIGIBILITY, "Annual review of relief payments (demo)"),
    (LookupPurpose.OTHER, "Checking a complaint the citizen filed (demo)"),
]


def _seed_demo_disclosures(national_code: str, mou: Mou) -> None:
    """The demo staff member's lookups of the demo citizen, once: the log is append-only, so a
    second run must not add to it."""
    if DisclosureRecord.objects.filter(national_code=national_code, mou=mou).exists():
        return
    staff = demo_user("agency_staff")
    for purpose, detail in DEMO_LOOKUPS:
        record_disclosure(
            national_code=national_code,
            staff_member=staff,
            mou=mou,
            channel=DisclosureChannel.DIRECT_INQUIRY,
            scopes=mou.scopes,
            record_found=True,
            purpose=purpose,
            purpose_detail=detail,
            client_ip="127.0.0.1",
        )


def _seed_demo_citizen(national_code: str) -> None:
    person, _ = InsuredPerson.objects.update_or_create(
        national_code=national_code,
        defaults={
            "insurance_number": "88001234",
            "first_name": "شهروند",
            "last_name": "نمونه",
            "father_name": "پدر نمونه",
            # The demo account's: the registry's birth date is compared before data is shown.
            "birth_date": DEMO_BIRTH_DATE,
            "gender": Gender.FEMALE,
        },
    )
    history = [
        # A first job, then a gap, then two jobs that overlap for a month, one still open.
        ("1100234", "شرکت نمونه صنعت", datetime.date(2010, 4, 1), datetime.date(2014, 9, 30)),
        (
            "2200871",
            "فروشگاه زنجیره‌ای نمونه",
            datetime.date(2016, 1, 1),
            datetime.date(2019, 6, 30),
        ),
        ("3300412", "کارگاه نساجی نمونه", datetime.date(2019, 6, 1), None),
    ]
    for workshop_code, workshop_name, start, end in history:
        CoveragePeriod.objects.update_or_create(
            person=person,
            workshop_code=workshop_code,
            start_date=start,
            defaults={
                "workshop_name": workshop_name,
                "coverage_kind": CoverageKind.MANDATORY,
                "end_date": end,
                "days": ((end or datetime.date(2026, 1, 1)) - start).days + 1,
                "monthly_wage": 150_000_000,
            },
        )


def _seed_synthetic_people() -> None:
    rng = random.Random(1404)  # noqa: S311 (demo data, not secrets: the same on every run)
    people = list(_synthetic_people(rng))
    existing = set(
        InsuredPerson.objects.filter(
            national_code__in=[person.national_code for person, _, _ in people]
        ).values_list("national_code", flat=True)
    )
    new = [entry for entry in people if entry[0].national_code not in existing]
    InsuredPerson.objects.bulk_create([person for person, _, _ in new])
    saved = {
        person.national_code: person
        for person in InsuredPerson.objects.filter(
            national_code__in=[person.national_code for person, _, _ in new]
        )
    }
    periods, pensions = [], []
    for person, person_periods, person_pensions in new:
        for period in person_periods:
            period.person = saved[person.national_code]
            periods.append(period)
        for pension in person_pensions:
            pension.person = saved[person.national_code]
            pensions.append(pension)
    CoveragePeriod.objects.bulk_create(periods)
    PensionRecord.objects.bulk_create(pensions)


def _synthetic_people(
    rng: random.Random,
) -> Iterator[tuple[InsuredPerson, list[CoveragePeriod], list[PensionRecord]]]:
    """In turn: insured now, with gaps, overlapping, main pensioner, dependent, no periods."""
    main_pensioners: list[str] = []
    for index in range(SYNTHETIC_PEOPLE):
        code = with_check_digit(f"99{index:07d}")
        birth = datetime.date(1950, 1, 1) + datetime.timedelta(days=rng.randrange(365 * 50))
        person = InsuredPerson(
            national_code=code,
            insurance_number=f"{70000000 + index}",
            first_name=rng.choice(FIRST_NAMES),
            last_name=rng.choice(LAST_NAMES),
            father_name=rng.choice(FIRST_NAMES),
            birth_date=birth,
            gender=rng.choice([Gender.MALE, Gender.FEMALE]),
        )
        case = index % 6
        periods = [] if case == 5 else _periods(rng, open_now=case in (0, 2), overlap=case == 2)
        pensions = []
        if case == 3:
            main_pensioners.append(code)
            pensions.append(_pension(rng, code, PensionRole.MAIN, ""))
        elif case == 4 and main_pensioners:
            pensions.append(_pension(rng, code, PensionRole.DEPENDENT, main_pensioners[-1]))
        yield person, periods, pensions


def _periods(rng: random.Random, *, open_now: bool, overlap: bool) -> list[CoveragePeriod]:
    periods = []
    start = datetime.date(1995, 1, 1) + datetime.timedelta(days=rng.randrange(365 * 10))
    for number in range(rng.randint(1, 4)):
        length = rng.randrange(200, 2000)
        end = start + datetime.timedelta(days=length)
        workshop_code, workshop_name = WORKSHOPS[(number + rng.randrange(4)) % len(WORKSHOPS)]
        periods.append(
            CoveragePeriod(
                workshop_code=workshop_code,
                workshop_name=workshop_name,
                coverage_kind=rng.choice(list(CoverageKind)),
                start_date=start,
                end_date=end,
                days=length + 1,
            )
        )
        gap = -30 if overlap else rng.randrange(1, 400)
        start = end + datetime.timedelta(days=gap)
    if open_now:
        periods[-1].end_date = None
    return periods


def _pension(
    rng: random.Random, code: str, role: PensionRole, main_national_code: str
) -> PensionRecord:
    return PensionRecord(
        pension_number=f"P{code[-6:]}",
        role=role,
        kind=PensionKind.SURVIVOR
        if role == PensionRole.DEPENDENT
        else rng.choice([PensionKind.RETIREMENT, PensionKind.DISABILITY]),
        start_date=datetime.date(2015, 1, 1) + datetime.timedelta(days=rng.randrange(3000)),
        status=rng.choice([PensionStatus.ACTIVE, PensionStatus.ACTIVE, PensionStatus.SUSPENDED]),
        main_national_code=main_national_code,
    )
