"""What a case needs next, in words, for the worklist: the soonest open task when there is one
(it names the clock that is running out), else what the phase is waiting for."""

from core.words import N_
from workflows.domain import ApplicationStatus, Phase, TaskKind

BY_TASK: dict[str, str] = {
    TaskKind.INTRODUCTION_DUE: N_("End the introduction"),
    TaskKind.FOLLOW_UP_DUE: N_("Hold a follow-up"),
    TaskKind.OUTCOME_CHECK_DUE: N_("Find out the status 90 days after exit"),
    TaskKind.REVIEW_DUE: N_("Review the withdrawn programme"),
    TaskKind.OFFER_ANSWER_DUE: N_("Get the answer to the seat offer"),
    TaskKind.PROGRAMME_ENDING: N_("Take the joint standpoint before the programme time ends"),
    TaskKind.NEW_APPLICANT: N_("Decide on the new applicant"),
    TaskKind.PARTNER_NOTICE: N_("Read the partner's notice"),
}
BY_PHASE: dict[str, str] = {
    Phase.INTRODUCTION: N_("End the introduction"),
    Phase.PREPARATORY: N_("Efforts and follow-ups until the joint standpoint"),
    Phase.TRACK_SELECTION: N_("Apply to a job track"),
    Phase.TRACK: N_("Job track under way: record the exit when it ends"),
    Phase.LONG_TERM_PLAN: N_("Efforts under the long-term action plan"),
    Phase.EXITED: N_("Find out the status 90 days after exit"),
    Phase.WITHDRAWN: N_("Review the withdrawn programme"),
    Phase.CLOSED: N_("Nothing: the case is closed"),
}
# While choosing a track, the application's state says what is awaited.
BY_APPLICATION: dict[str, str] = {
    ApplicationStatus.WAITING: N_("Waiting for a seat in the track"),
    ApplicationStatus.OFFERED: BY_TASK[TaskKind.OFFER_ANSWER_DUE],
}


def next_step(phase: str, application_status: str | None, soonest_task: tuple[str, str] | None) -> str:
    """A catalogue message. `soonest_task` is the (kind, about) of the case's soonest open task;
    an escalation is about the clock that was missed, and that is the step still to take."""
    if soonest_task is not None:
        kind, about = soonest_task
        step = BY_TASK.get(about if kind == TaskKind.ESCALATION else kind)
        if step is not None:
            return step
    if phase == Phase.TRACK_SELECTION and application_status in BY_APPLICATION:
        return BY_APPLICATION[application_status]
    return BY_PHASE.get(phase, N_("See the case"))
