"""Write synthetic registry files (persons, periods, pensions) in the import_coverage format.

    python benchmarks/generate_registry.py OUT_DIR [--persons 1000000] [--periods 10000000]
        [--pensions 300000] [--seed 1]

Every person is invented: national codes are consecutive numbers from 900000000 on with their
check digit; names come from short lists. The same arguments always give the same files. Rows
are written as they are made, so memory stays flat whatever the size. Dates are Jalali.
"""

import argparse
import random
import sys
import time
from collections.abc import Iterator
from pathlib import Path

FIRST_NAMES = ("سارا", "مریم", "زهرا", "نرگس", "لیلا", "رضا", "علی", "حسن", "مهدی", "امید")
LAST_NAMES = ("نمونه", "آزمایشی", "فرضی", "مثالی", "ساختگی", "Sample", "Example", "Testi")
WORKSHOP_NAMES = ("کارگاه نمونه", "نانوایی فرضی", "Sample Textiles", "Example Works", "")
COVERAGE_KINDS = ("mandatory",) * 7 + ("self_employed", "voluntary", "special")
FIRST_CODE = 900_000_000
CURRENT_JALALI_YEAR = 1403
CHUNK_ROWS = 20_000


def national_code(number: int) -> str:
    """A 10-digit national code: the 9-digit number and its check digit."""
    digits = f"{number:09d}"
    remainder = (
        sum(int(digit) * weight for digit, weight in zip(digits, range(10, 1, -1), strict=True))
        % 11
    )
    return digits + str(remainder if remainder < 2 else 11 - remainder)


def jalali(month_index: int, day: int) -> str:
    year, month = divmod(month_index, 12)
    return f"{year}/{month + 1:02d}/{day:02d}"


def person_rows(count: int, rng: random.Random) -> Iterator[str]:
    yield "national_code,insurance_number,first_name,last_name,father_name,birth_date,gender\n"
    for index in range(count):
        gender = "F" if index % 2 else "M"
        birth = jalali(rng.randrange(1320 * 12, 1385 * 12), rng.randint(1, 29))
        yield (
            f"{national_code(FIRST_CODE + index)},{10_000_000 + index},"
            f"{rng.choice(FIRST_NAMES)},{rng.choice(LAST_NAMES)},{rng.choice(FIRST_NAMES)},"
            f"{birth},{gender}\n"
        )


def period_rows(persons: int, periods: int, rng: random.Random) -> Iterator[str]:
    """`periods` rows spread evenly over the persons, each person's periods one after another,
    with gaps, some overlaps and, for some, an open last period."""
    yield (
        "national_code,workshop_code,workshop_name,coverage_kind,"
        "start_date,end_date,days,monthly_wage\n"
    )
    last_month = CURRENT_JALALI_YEAR * 12 + 5
    for index in range(persons):
        count = (index + 1) * periods // persons - index * periods // persons
        if not count:
            continue
        code = national_code(FIRST_CODE + index)
        month = rng.randrange(1360 * 12, 1395 * 12)
        for number in range(count):
            start_day = rng.randint(1, 29)
            length = rng.randint(0, 24)
            end = min(month + length, last_month)
            is_open = number == count - 1 and rng.random() < 0.4
            end_text = "" if is_open else jalali(end, 29)
            wage = "" if rng.random() < 0.2 else str(rng.randrange(50, 500) * 1_000_000)
            yield (
                f"{code},{1_000_000_000 + rng.randrange(200_000)},{rng.choice(WORKSHOP_NAMES)},"
                f"{rng.choice(COVERAGE_KINDS)},{jalali(month, start_day)},{end_text},"
                f"{(end - month + 1) * 30},{wage}\n"
            )
            # The next period: usually after a gap, sometimes overlapping this one.
            month = max(1360 * 12, min(end + rng.randint(-2, 6), last_month))


def pension_rows(persons: int, pensions: int, rng: random.Random) -> Iterator[str]:
    """Main pensioners among the oldest persons; a fifth of the records are their dependents."""
    yield "national_code,pension_number,role,kind,start_date,status,main_national_code\n"
    step = max(persons // max(pensions, 1), 1)
    for number in range(pensions):
        index = (number * step) % persons
        start = jalali(rng.randrange(1370 * 12, CURRENT_JALALI_YEAR * 12), rng.randint(1, 29))
        status = rng.choice(("active", "active", "active", "suspended", "ended"))
        if number % 5 == 4 and persons > 1:
            main = national_code(FIRST_CODE + ((number - 1) * step) % persons)
            dependent = national_code(FIRST_CODE + (index + 1) % persons)
            if dependent == main:
                continue
            yield f"{dependent},{50_000_000 + number},dependent,survivor,{start},{status},{main}\n"
        else:
            kind = "retirement" if rng.random() < 0.8 else "disability"
            code = national_code(FIRST_CODE + index)
            yield f"{code},{50_000_000 + number},main,{kind},{start},{status},\n"


def write(path: Path, rows: Iterator[str]) -> int:
    written = -1  # the header is not a row
    with path.open("w", encoding="utf-8", newline="") as file:
        chunk: list[str] = []
        for row in rows:
            chunk.append(row)
            if len(chunk) == CHUNK_ROWS:
                file.writelines(chunk)
                written += len(chunk)
                chunk.clear()
        file.writelines(chunk)
        written += len(chunk)
    return written


def generate(
    out_dir: Path, *, persons: int, periods: int, pensions: int, seed: int
) -> dict[str, Path]:
    out_dir.mkdir(parents=True, exist_ok=True)
    files = {kind: out_dir / f"{kind}.csv" for kind in ("persons", "periods", "pensions")}
    makers = {
        "persons": person_rows(persons, random.Random(seed)),
        "periods": period_rows(persons, periods, random.Random(seed + 1)),
        "pensions": pension_rows(persons, pensions, random.Random(seed + 2)),
    }
    for kind, path in files.items():
        started = time.monotonic()
        rows = write(path, makers[kind])
        print(
            f"{path}: {rows:,} rows, {path.stat().st_size / 1e6:,.0f} MB "
            f"in {time.monotonic() - started:.1f} s",
            file=sys.stderr,
        )
    return files


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("out_dir", type=Path)
    parser.add_argument("--persons", type=int, default=1_000_000)
    parser.add_argument("--periods", type=int, default=10_000_000)
    parser.add_argument("--pensions", type=int, default=300_000)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    generate(
        args.out_dir,
        persons=args.persons,
        periods=args.periods,
        pensions=args.pensions,
        seed=args.seed,
    )


if __name__ == "__main__":
    main()
