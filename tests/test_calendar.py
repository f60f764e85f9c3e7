"""Swedish working days: whole-day durations land on working days; weekends, public holidays
and the de facto holidays (Midsummer Eve, Christmas Eve, New Year's Eve) move them forward."""

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from workflows import actions as a
from workflows import phases, process
from workflows.calendar import (
    HOLIDAYS,
    due_after,
    due_on_day,
    is_working_day,
    next_working_day,
    working_days_after,
    working_days_before,
)
from workflows.case import CaseState
from workflows.clocks import ClockName, Stage, alarm_time
from workflows.domain import (
    Actor,
    EducationLevel,
    Gender,
    Mapping,
    Participant,
    Role,
    SwedishLevel,
    TimePolicy,
)

STOCKHOLM = ZoneInfo("Europe/Stockholm")


def at(day: str, hh: int = 10, mm: int = 0) -> datetime:
    return datetime.combine(date.fromisoformat(day), datetime.min.time(), STOCKHOLM).replace(hour=hh, minute=mm)


def local_day(moment: datetime) -> date:
    return moment.astimezone(STOCKHOLM).date()


@pytest.mark.parametrize(
    ("day", "name"),
    [
        ("2027-03-26", "Good Friday"),
        ("2027-03-29", "Easter Monday"),
        ("2027-05-06", "Ascension Day"),
        ("2027-06-25", "Midsummer Eve"),
        ("2026-12-24", "Christmas Eve"),
        ("2026-12-25", "Christmas Day"),
        ("2026-12-31", "New Year's Eve"),
        ("2027-01-01", "New Year's Day"),
        ("2027-01-06", "Epiphany"),
    ],
)
def test_holidays_come_from_the_holiday_library(day: str, name: str) -> None:
    assert date.fromisoformat(day) in HOLIDAYS, name
    assert not is_working_day(date.fromisoformat(day))


def test_ordinary_weekdays_are_working_days() -> None:
    assert is_working_day(date(2027, 3, 25))  # Maundy Thursday is a working day
    assert is_working_day(date(2027, 6, 24))  # the day before Midsummer Eve too
    assert not is_working_day(date(2027, 3, 27))  # a Saturday
    assert next_working_day(date(2027, 3, 26)) == date(2027, 3, 30)


def test_due_date_on_good_friday_moves_past_easter() -> None:
    # Fourteen days from 2027-03-12 is Good Friday; Saturday, Easter Day and Monday follow.
    due = due_after(at("2027-03-12"), timedelta(days=14))
    assert local_day(due) == date(2027, 3, 30)
    # Summer time starts on Easter Day 2027: the due time stays 10:00 in Stockholm.
    assert due.astimezone(STOCKHOLM).hour == 10


def test_due_date_on_midsummer_eve_moves_to_monday() -> None:
    due = due_after(at("2027-06-11"), timedelta(days=14))
    assert local_day(due) == date(2027, 6, 28)


@pytest.mark.parametrize(
    ("start", "expected"),
    [
        ("2026-12-10", "2026-12-28"),  # Christmas Eve (Thu) → Christmas Day, weekend → Monday 28
        ("2026-12-17", "2027-01-04"),  # New Year's Eve (Thu) → New Year's Day, weekend → Monday 4
    ],
)
def test_christmas_and_new_years_eve_move_due_dates(start: str, expected: str) -> None:
    assert local_day(due_after(at(start), timedelta(days=14))) == date.fromisoformat(expected)


def test_reminder_two_working_days_ahead_skips_easter() -> None:
    # Due Tuesday after Easter: Monday, Easter weekend and Good Friday do not count.
    reminder = working_days_before(at("2027-03-30", 8), timedelta(days=2))
    assert local_day(reminder) == date(2027, 3, 24)
    assert reminder.astimezone(STOCKHOLM).hour == 8


def test_escalation_five_working_days_after_skips_midsummer() -> None:
    escalation = working_days_after(at("2027-06-24"), timedelta(days=5))
    assert local_day(escalation) == date(2027, 7, 2)


def test_offer_answer_time_over_christmas() -> None:
    # Offered Wednesday 23 December 2026; five working days: 28, 29, 30 Dec, 4, 5 Jan.
    answer_by = working_days_after(at("2026-12-23"), timedelta(days=5))
    assert local_day(answer_by) == date(2027, 1, 5)


def test_a_date_given_as_a_day_falls_due_at_the_start_of_the_next_working_day() -> None:
    due = due_on_day(date(2027, 6, 25), at("2027-06-01"))
    assert due.astimezone(STOCKHOLM) == at("2027-06-28", 8)


def test_shorter_durations_are_exact() -> None:
    friday_evening = at("2027-03-26", 23, 59)
    assert due_after(friday_evening, timedelta(seconds=5)) == friday_evening + timedelta(seconds=5)
    assert working_days_after(friday_evening, timedelta(hours=36)) == friday_evening + timedelta(hours=36)
    assert working_days_before(friday_evening, timedelta(seconds=2)) == friday_evening - timedelta(seconds=2)


def _case(opened: datetime, policy: TimePolicy) -> CaseState:
    participant = Participant("199001010017", "Amal", "Hassan", Gender.WOMAN, date(1990, 1, 1))
    mapping = Mapping(EducationLevel.PRIMARY, SwedishLevel.SFI_C, [], True, "arbete")
    state = CaseState("c1", "0581", "handlaggare", participant, mapping, policy, opened,
                      Actor("handlaggare", Role.CASE_WORKER, "0581"))
    phases.start_phase(state, phases.Phase.INTRODUCTION, opened)
    return state


def test_a_case_opened_before_easter_gets_its_clocks_on_working_days() -> None:
    state = _case(at("2027-03-12", 9), TimePolicy())
    intro = state.clocks[ClockName.INTRODUCTION]
    assert local_day(intro.due_at) == date(2027, 3, 30)
    assert local_day(alarm_time(intro, Stage.REMIND, state.policy)) == date(2027, 3, 24)
    # Escalation five working days after the due date, the supervisor five more.
    assert local_day(alarm_time(intro, Stage.ESCALATE, state.policy)) == date(2027, 4, 6)
    assert local_day(alarm_time(intro, Stage.ESCALATE_SUPERVISOR, state.policy)) == date(2027, 4, 13)


def test_review_date_on_midsummer_eve_falls_due_the_monday_after() -> None:
    state = _case(at("2027-05-03", 9), TimePolicy())
    body = a.Withdraw(reason="ohälsa", conditions="vård", review_on=date(2027, 6, 25))
    process.withdraw(state, body, state.opened_by, at("2027-05-03", 9))
    review = state.clocks[ClockName.REVIEW]
    assert review.due_at.astimezone(STOCKHOLM) == at("2027-06-28", 8)
