"""The clocks each phase runs: programme time, the offer's task at once, the SFI introduction."""

from datetime import date, timedelta

from tests.workflows.cases import NOW, later, new_case
from workflows import applications
from workflows.clocks import PROGRAMME_ENDING_AHEAD, ClockName, Stage, alarm_time
from workflows.domain import Application, ApplicationStatus, Phase, SwedishLevel, TimePolicy
from workflows.phases import programme_end_at, start_phase


def test_the_programme_clock_runs_before_the_standpoint_only() -> None:
    state = new_case()
    clock = state.clocks[ClockName.PROGRAMME_END]
    assert (clock.due_at.date() - NOW.date()).days in range(730, 735)
    assert alarm_time(clock, Stage.REMIND, state.policy) == clock.due_at - PROGRAMME_ENDING_AHEAD
    start_phase(state, Phase.PREPARATORY, later(1))
    assert state.clocks[ClockName.PROGRAMME_END] is clock  # runs on
    start_phase(state, Phase.LONG_TERM_PLAN, later(2))
    assert ClockName.PROGRAMME_END not in state.clocks


def test_the_programme_runs_from_the_establishment_start() -> None:
    start = date(2026, 1, 12)
    state = new_case(newly_arrived=True, establishment_start=start)
    assert programme_end_at(state).date() == date(2028, 1, 12)  # 730 days, a Wednesday


def test_cases_opened_before_the_revision_run_no_programme_clock() -> None:
    assert ClockName.PROGRAMME_END not in new_case(revision=0).clocks


def test_grastorps_four_weeks_are_for_those_new_to_sfi() -> None:
    policy = TimePolicy(introduction_new_to_sfi=timedelta(days=28))
    new = new_case(policy=policy, swedish_level=SwedishLevel.NONE).clocks[ClockName.INTRODUCTION]
    on_sfi = new_case(policy=policy, swedish_level=SwedishLevel.SFI_B).clocks[ClockName.INTRODUCTION]
    assert (new.due_at - NOW).days == 28 and (on_sfi.due_at - NOW).days == 14


def test_the_offer_task_opens_with_the_offer() -> None:
    for revision, opens_at_once in ((1, True), (0, False)):
        state = new_case(revision=revision)
        state.application = Application("t", ApplicationStatus.WAITING, NOW)
        applications.offer_seat(state, NOW)
        clock = state.clocks[ClockName.OFFER_ANSWER]
        assert (alarm_time(clock, Stage.REMIND, state.policy) == NOW) is opens_at_once
