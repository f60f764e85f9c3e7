"""Swedish working days and due times (Europe/Stockholm).

A duration of whole days lands on a working day: weekends, public holidays and the de facto
holidays (Midsummer Eve, Christmas Eve, New Year's Eve) move it forward. Shorter durations
(``PT5S`` in demos and tests) are exact. The holiday table comes from the `holidays` package.
"""

import calendar
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from temporalio import workflow

from workflows.period import Period

with workflow.unsafe.imports_passed_through():
    import holidays

STOCKHOLM = ZoneInfo("Europe/Stockholm")
# A due date given as a day (a review date) falls due at the start of the working day.
WORKDAY_START = time(8, 0)


# Built once at import, outside the workflow sandbox: the library loads its country tables and
# translations lazily, which workflow code may not do. Past 2100 only weekends count.
HOLIDAYS: frozenset[date] = frozenset(
    holidays.country_holidays(
        "SE", years=range(2000, 2101), categories=("public", "de_facto"), include_sundays=False
    ).keys()
)


def is_working_day(day: date) -> bool:
    return day.weekday() < 5 and day not in HOLIDAYS


def next_working_day(day: date) -> date:
    while not is_working_day(day):
        day += timedelta(days=1)
    return day


def is_whole_days(duration: timedelta) -> bool:
    return duration.days > 0 and duration.seconds == 0 and duration.microseconds == 0


def _on_day(day: date, at: datetime) -> datetime:
    local = at.astimezone(STOCKHOLM)
    return datetime.combine(day, local.time(), STOCKHOLM).astimezone(at.tzinfo)


def due_after(start: datetime, duration: timedelta) -> datetime:
    """Calendar days from `start`, moved forward to a working day (introduction, follow-up…)."""
    if not is_whole_days(duration):
        return start + duration
    day = start.astimezone(STOCKHOLM).date() + duration
    return _on_day(next_working_day(day), start)


def working_days_after(start: datetime, duration: timedelta) -> datetime:
    """Counts working days forward (escalation after 5 working days, offer answer time)."""
    if not is_whole_days(duration):
        return start + duration
    day = start.astimezone(STOCKHOLM).date()
    for _ in range(duration.days):
        day = next_working_day(day + timedelta(days=1))
    return _on_day(day, start)


def working_days_before(due: datetime, duration: timedelta) -> datetime:
    """Counts working days back (the reminder two working days ahead of a due date)."""
    if not is_whole_days(duration):
        return due - duration
    day = due.astimezone(STOCKHOLM).date()
    for _ in range(duration.days):
        day -= timedelta(days=1)
        while not is_working_day(day):
            day -= timedelta(days=1)
    return _on_day(day, due)


def due_on_day(day: date, tz_of: datetime) -> datetime:
    """A due date given as a day falls due at the start of that (working) day."""
    local = datetime.combine(next_working_day(day), WORKDAY_START, STOCKHOLM)
    return local.astimezone(tz_of.tzinfo)


def local_today(now: datetime) -> date:
    return now.astimezone(STOCKHOLM).date()


def add_months(day: date, months: int) -> date:
    """The same day `months` later, or the month's last day (31 January + 1 month: 28/29 February)."""
    year, month = divmod(day.month - 1 + months, 12)
    year, month = day.year + year, month + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def due_after_period(start: datetime, period: Period) -> datetime:
    """Calendar months from `start`'s day, then the rest; whole days land on a working day."""
    if not period.months:
        return due_after(start, period.rest)
    day = add_months(start.astimezone(STOCKHOLM).date(), period.months)
    return due_after(_on_day(next_working_day(day), start), period.rest)
