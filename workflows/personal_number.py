"""Swedish personal identity numbers (personnummer, samordningsnummer): parse and validate.

Accepts YYYYMMDD-NNNN, YYMMDD-NNNN (``+`` for 100 years or older) and the forms without a
separator; normalises to twelve digits. Coordination numbers add 60 to the day.
"""

import re
from dataclasses import dataclass
from datetime import date

# ASCII digits only: `\d` alone takes any script's digits, and int() reads "١٩٩٠…" as 1990, so
# the same person would get a second keyed hash and a second open case.
_PATTERN = re.compile(r"^(\d{2})?(\d{2})(\d{2})(\d{2})([-+]?)(\d{3})(\d)$", re.ASCII)


class InvalidPersonalNumber(ValueError):
    pass


@dataclass(frozen=True)
class PersonalNumber:
    normalised: str  # YYYYMMDDNNNN
    birth_date: date
    coordination_number: bool


def luhn_ok(digits: str) -> bool:
    total = 0
    for i, ch in enumerate(digits):
        n = int(ch) * (2 if i % 2 == 0 else 1)
        total += n - 9 if n > 9 else n
    return total % 10 == 0


def parse_personal_number(raw: str, today: date) -> PersonalNumber:
    m = _PATTERN.match(raw.strip().replace(" ", ""))
    if not m:
        raise InvalidPersonalNumber("expected YYYYMMDD-NNNN")
    century, yy, mm, dd, sep, serial, check = m.groups()
    if not luhn_ok(f"{yy}{mm}{dd}{serial}{check}"):
        raise InvalidPersonalNumber("check digit does not match")
    day = int(dd)
    coordination = day > 60
    if coordination:
        day -= 60
    if century:
        year = int(century + yy)
    else:
        # Without a century: the latest year not in the future; '+' means a hundred years more.
        year = today.year - (today.year - int(yy)) % 100
        if sep == "+":
            year -= 100
    try:
        born = date(year, int(mm), day)
    except ValueError as exc:
        raise InvalidPersonalNumber("not a valid date") from exc
    if born > today:
        raise InvalidPersonalNumber("birth date is in the future")
    return PersonalNumber(f"{year:04d}{mm}{dd}{serial}{check}", born, coordination)


def age_on(birth_date: date, day: date) -> int:
    return day.year - birth_date.year - ((day.month, day.day) < (birth_date.month, birth_date.day))


def age_group(birth_date: date, day: date) -> str:
    return "16-24" if age_on(birth_date, day) <= 24 else "25+"
