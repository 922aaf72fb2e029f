"""Timing: a sign-up takes as long whatever the registry and the accounts hold (issue 11, item 1).

The costly step is the password's hash (PBKDF2, a quarter of a second): every case must hash
once, or it would answer in a tenth of the time. The SMS is sent from a thread, after the
answer, through a gateway that takes 0.3 s here (tests/slow_gateway.py): a case that texts
nobody (a national code held by a staff account whose mobile was never verified) must not
answer faster by that delay. The cases are interleaved so that the machine's load weighs on all
alike, and each is compared with the others of its own round.
"""

import datetime
import statistics
import time

import portal.sms
from accounts.models import User
from accounts.roles import Role
from accounts.services import assign_role
from inquiries.models import InsuredPerson
from tests.accounts.test_enumeration import english
from tests.accounts.test_signup_indistinguishable import _national_code
from tests.conftest import PASSWORD, clear_cache, make_user
from tests.slow_gateway import SlowGateway
from tests.workers import wait_for

CASES = (
    "registry_right_date",
    "registry_wrong_date",
    "unknown",
    "has_account",
    "has_unproven_account",
    "staff_never_signed_in",  # the only case that texts nobody
)
ROUNDS = 7
BIRTH_DATE = datetime.date(1986, 7, 3)


def _sign_up(case: str, n: int) -> tuple[float, int]:
    """Seconds the answer took, and the number in the case's mobiles."""
    number = n * len(CASES) + CASES.index(case)
    national_code = _national_code(200_000_000 + number)
    typed_date = BIRTH_DATE
    if case.startswith("registry"):
        InsuredPerson.objects.create(
            national_code=national_code,
            first_name="S",
            last_name="E",
            birth_date=BIRTH_DATE,
            gender="F",
        )
        if case == "registry_wrong_date":
            typed_date = BIRTH_DATE + datetime.timedelta(days=1)
    elif case == "has_account":
        make_user(national_code, f"+98937{number:07d}")
    elif case == "has_unproven_account":
        make_user(national_code, f"+98937{number:07d}", identity_verified_at=None)
    elif case == "staff_never_signed_in":  # an invitee who has not used the link yet
        staff = User.objects.create_user(national_code, mobile=f"+98937{number:07d}")
        assign_role(user=staff, role=Role.AGENCY_STAFF)
    clear_cache()  # no limit reached by the rounds
    client = english()
    started = time.perf_counter()
    response = client.post(
        "/accounts/signup/",
        {
            "username": national_code,
            "birth_date": typed_date.isoformat(),
            "phone": f"0935{number:07d}",
            "password1": PASSWORD,
            "password2": PASSWORD,
        },
    )
    elapsed = time.perf_counter() - started
    assert response.status_code == 302
    return elapsed, number


def test_a_sign_up_takes_as_long_whatever_the_registry_and_accounts_hold(
    db, slow_gateway_in_background
):
    times: dict[str, list[float]] = {case: [] for case in CASES}
    # Each case's time over the median of its round: the machine's speed may drift from one
    # round to the next (seen: the same sign-up in 350 ms, then in 550), but hardly within the
    # two seconds of one round.
    relative: dict[str, list[float]] = {case: [] for case in CASES}
    staff_numbers = []
    portal.sms.outbox.clear()
    for n in range(ROUNDS):
        this_round = {}
        for case in CASES[n % len(CASES) :] + CASES[: n % len(CASES)]:
            elapsed, number = _sign_up(case, n)
            if case == "staff_never_signed_in":
                staff_numbers.append(f"{number:07d}")
            times[case].append(elapsed)
            this_round[case] = elapsed
        middle = statistics.median(this_round.values())
        for case, elapsed in this_round.items():
            relative[case].append(elapsed / middle)

    typical = {case: statistics.median(relative[case]) for case in CASES}
    print(
        f"sign-up, median of {ROUNDS} rounds and against its round's median:",
        ", ".join(
            f"{case} {statistics.median(times[case]) * 1000:.0f} ms {typical[case]:.2f}"
            for case in CASES
        ),
    )
    assert max(typical.values()) < 1.3 * min(typical.values()), typical

    texting_cases = len(CASES) - 1
    wait_for(
        lambda: len(portal.sms.outbox) >= ROUNDS * texting_cases, timeout=10, what="every text"
    )
    time.sleep(SlowGateway.seconds * 2)  # time for a text too many to arrive
    assert len(portal.sms.outbox) == ROUNDS * texting_cases
    assert not [text for text in portal.sms.outbox if text.to[-7:] in staff_numbers]
