"""Write a synthetic isinsured export (docs/isinsured-migration.md) of any size.

    python benchmarks/generate_isinsured.py --users 2000 --organizations 40 -o isinsured.csv

Everyone in it is synthetic: national codes and legal IDs are made from serial numbers with
their check digits computed; names say "sample". User number N's password is
`legacy-password-N`, hashed as isinsured did: unsalted MD5 for even N, salted SHA-1 for odd N
(`--no-hash-every K` leaves every Kth user without a hash, `--inactive-every K` makes every Kth
user inactive). Tests and the benchmark use `password_for` to sign in as them.
"""

import argparse
import csv
import hashlib
import sys
from collections.abc import Iterator
from pathlib import Path

COLUMNS = (
    "legacy_user_id",
    "username",
    "first_name",
    "last_name",
    "national_code",
    "mobile",
    "email",
    "organization_code",
    "organization_name",
    "organization_kind",
    "organization_legal_id",
    "mou_number",
    "mou_date",
    "password_hash",
    "is_active",
    "last_login",
)
KINDS = ("judicial", "quasi_judicial", "insurance_fund", "support_relief", "other")


def national_code(serial: int) -> str:
    """A national code with a valid check digit, from a serial number (never a real person's
    pattern: the body starts with 7)."""
    body = f"{700_000_000 + serial:09d}"
    total = sum(int(d) * w for d, w in zip(body, range(10, 1, -1), strict=True))
    remainder = total % 11
    return body + str(remainder if remainder < 2 else 11 - remainder)


def legal_id(serial: int) -> str:
    """A legal-entity national ID with a valid check digit."""
    body = f"{1_500_000_000 + serial:010d}"
    offset = int(body[9]) + 2
    weights = (29, 27, 23, 19, 17, 29, 27, 23, 19, 17)
    total = sum((int(d) + offset) * w for d, w in zip(body, weights, strict=True))
    return body + str((total % 11) % 10)


def password_for(number: int) -> str:
    return f"legacy-password-{number}"


def md5_hash(password: str) -> str:
    return "md5$" + hashlib.md5(password.encode(), usedforsecurity=False).hexdigest()


def sha1_hash(password: str, salt: str) -> str:
    digest = hashlib.sha1((salt + password).encode(), usedforsecurity=False).hexdigest()
    return f"sha1${salt}${digest}"


def legacy_hash(number: int) -> str:
    password = password_for(number)
    return md5_hash(password) if number % 2 == 0 else sha1_hash(password, f"s{number:05d}")


def rows(
    *, users: int, organizations: int, no_hash_every: int = 0, inactive_every: int = 0
) -> Iterator[list[str]]:
    for number in range(1, users + 1):
        org = (number - 1) % organizations + 1
        year = 1390 + org % 8
        yield [
            str(10_000 + number),
            f"user{number}",
            f"کاربر {number}",
            "نمونه",
            national_code(number),
            f"+98935{number:07d}",
            f"user{number}@isinsured.example",
            f"ORG-{org:03d}",
            f"مرجع نمونه {org}",
            KINDS[org % len(KINDS)],
            legal_id(org),
            f"{year}/C1/{org:03d}",
            f"{year}/0{org % 9 + 1}/1{org % 9}",
            "" if no_hash_every and number % no_hash_every == 0 else legacy_hash(number),
            "0" if inactive_every and number % inactive_every == 0 else "1",
            f"2025-0{number % 9 + 1}-1{number % 9} 09:30",
        ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--users", type=int, default=2000)
    parser.add_argument("--organizations", type=int, default=40)
    parser.add_argument("--no-hash-every", type=int, default=0, metavar="K")
    parser.add_argument("--inactive-every", type=int, default=0, metavar="K")
    parser.add_argument("-o", "--output", type=Path, help="default: standard output")
    args = parser.parse_args()
    stream = args.output.open("w", encoding="utf-8", newline="") if args.output else sys.stdout
    with stream:
        writer = csv.writer(stream)
        writer.writerow(COLUMNS)
        writer.writerows(
            rows(
                users=args.users,
                organizations=args.organizations,
                no_hash_every=args.no_hash_every,
                inactive_every=args.inactive_every,
            )
        )


if __name__ == "__main__":
    main()
