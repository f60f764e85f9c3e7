"""The worklist's "next step": the soonest open task names it, else the phase does."""

from api.web.next_step import BY_PHASE, BY_TASK, next_step
from workflows.domain import Phase, TaskKind


def test_the_soonest_open_task_names_the_step() -> None:
    assert next_step("preparatory", None, ("follow_up_due", "follow_up_due")) == "Hold a follow-up"
    outcome = ("outcome_check_due", "outcome_check_due")
    assert next_step("exited", None, outcome) == "Find out the status 90 days after exit"


def test_an_escalation_names_the_step_that_was_missed() -> None:
    assert next_step("introduction", None, ("escalation", "introduction_due")) == "End the introduction"


def test_without_a_task_the_phase_says_what_is_awaited() -> None:
    assert next_step("preparatory", None, None) == "Efforts and follow-ups until the joint standpoint"
    assert next_step("withdrawn", None, None) == "Review the withdrawn programme"
    assert next_step("closed", None, None) == "Nothing: the case is closed"


def test_while_choosing_a_track_the_application_says_what_is_awaited() -> None:
    assert next_step("track_selection", None, None) == "Apply to a job track"
    assert next_step("track_selection", "waiting", None) == "Waiting for a seat in the track"
    assert next_step("track_selection", "offered", None) == "Get the answer to the seat offer"
    assert next_step("track_selection", "declined", None) == "Apply to a job track"


def test_an_unknown_phase_or_task_still_gives_a_step() -> None:
    assert next_step("a_new_phase", None, ("a_new_task", "a_new_task")) == "See the case"


def test_every_phase_and_every_task_has_its_own_words() -> None:
    assert set(BY_PHASE) == set(Phase)
    assert set(BY_TASK) == set(TaskKind) - {TaskKind.ESCALATION}  # an escalation names its clock's task
