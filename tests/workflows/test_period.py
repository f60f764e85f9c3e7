"""ISO-8601 durations with calendar months, and the programme's end 24 months to the day."""

from datetime import UTC, date, datetime, timedelta

import pytest

from workflows.calendar import STOCKHOLM, add_months, due_after_period
from workflows.period import Period


@pytest.mark.parametrize(
    ("text", "months", "rest", "iso"),
    [
        ("P24M", 24, timedelta(0), "P24M"),
        ("P2Y", 24, timedelta(0), "P24M"),
        ("P60D", 0, timedelta(days=60), "P60D"),
        ("PT5S", 0, timedelta(seconds=5), "PT5S"),
        ("P1Y1M1DT1H", 13, timedelta(days=1, hours=1), "P13M1DT3600S"),
    ],
)
def test_parse_and_write(text: str, months: int, rest: timedelta, iso: str) -> None:
    period = Period.parse(text)
    assert (period.months, period.rest, period.iso()) == (months, rest, iso)
    assert Period.parse(period.iso()) == period


@pytest.mark.parametrize("text", ["", "P", "PT", "24M", "two years", "P-1M"])
def test_not_a_duration(text: str) -> None:
    with pytest.raises(ValueError):
        Period.parse(text)


def test_months_are_calendar_months() -> None:
    assert add_months(date(2026, 1, 31), 1) == date(2026, 2, 28)
    assert add_months(date(2026, 9, 1), 24) == date(2028, 9, 1)  # not 730 days: 2028 is a leap year
    start = datetime(2026, 9, 1, 8, tzinfo=STOCKHOLM)
    assert due_after_period(start, Period(months=24)).date() == date(2028, 9, 1)
    # A due day on a weekend moves to the next working day: 2028-10-01 is a Sunday.
    assert due_after_period(datetime(2026, 10, 1, 8, tzinfo=STOCKHOLM), Period(months=24)).date() == date(2028, 10, 2)
    now = datetime(2026, 11, 23, 9, tzinfo=UTC)
    assert due_after_period(now, Period(rest=timedelta(seconds=3))) == now + timedelta(seconds=3)
