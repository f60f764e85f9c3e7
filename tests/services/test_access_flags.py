"""Which reads the access-log review flags: outside the caseload, outside working hours."""

from dataclasses import dataclass
from datetime import UTC, datetime

import pytest

from services.access_flags import outside_caseload, outside_hours
from workflows.calendar import STOCKHOLM


@dataclass
class Reader:
    username: str
    role: str
    organisation: str


NORRKOPING = "0581"


@pytest.mark.parametrize(
    ("reader", "flagged"),
    [
        (Reader("hanna", "case_worker", NORRKOPING), False),  # the responsible worker
        (Reader("sara", "coordinator", NORRKOPING), False),  # the municipality's team
        (Reader("olle", "case_worker", "0662"), True),  # another municipality
        (Reader("arvid", "case_worker", "af"), True),  # AF sees every case, but this is not his
        (Reader("cecilia", "supervisor", "af"), True),
        (Reader("gustav", "auditor", "af"), False),  # an audit read: its purpose is logged instead
    ],
)
def test_outside_caseload(reader: Reader, flagged: bool) -> None:
    assert outside_caseload(reader, NORRKOPING, "hanna") is flagged


def test_the_responsible_worker_of_another_organisation_is_in_the_caseload() -> None:
    assert not outside_caseload(Reader("arvid", "case_worker", "af"), NORRKOPING, "arvid")


def test_a_read_that_names_no_case_is_not_judged() -> None:
    assert not outside_caseload(Reader("arvid", "case_worker", "af"), None, None)


def stockholm(*args: int) -> datetime:
    return datetime(*args, tzinfo=STOCKHOLM)


@pytest.mark.parametrize(
    ("at", "flagged"),
    [
        (stockholm(2026, 11, 24, 7, 0), False),  # Tuesday, the first minute of the day
        (stockholm(2026, 11, 24, 18, 59), False),
        (stockholm(2026, 11, 24, 19, 0), True),
        (stockholm(2026, 11, 24, 6, 59), True),
        (stockholm(2026, 11, 28, 10, 0), True),  # Saturday
        (stockholm(2026, 12, 24, 10, 0), True),  # Christmas Eve, a de facto holiday
        (stockholm(2027, 6, 25, 10, 0), True),  # Midsummer Eve
        (datetime(2026, 11, 24, 17, 30, tzinfo=UTC), False),  # 18:30 in Stockholm (winter, UTC+1)
        (datetime(2026, 7, 7, 17, 30, tzinfo=UTC), True),  # 19:30 in Stockholm (summer, UTC+2)
    ],
)
def test_outside_hours_on_stockholms_working_days(at: datetime, flagged: bool) -> None:
    assert outside_hours(at) is flagged
