"""What a case needs next, in words, for the worklist: the soonest open task when there is one
(it names the clock that is running out), else what the phase is waiting for."""

from core.words import N_

BY_TASK = {
    "introduction_due": N_("End the introduction"),
    "follow_up_due": N_("Hold a follow-up"),
    "outcome_check_due": N_("Find out the status 90 days after exit"),
    "review_due": N_("Review the withdrawn programme"),
    "offer_answer_due": N_("Get the answer to the seat offer"),
    "programme_ending": N_("Take the joint standpoint before the programme time ends"),
    "new_applicant": N_("Decide on the new applicant"),
    "partner_notice": N_("Read the partner's notice"),
}
BY_PHASE = {
    "introduction": N_("End the introduction"),
    "preparatory": N_("Efforts and follow-ups until the joint standpoint"),
    "track_selection": N_("Apply to a job track"),
    "track": N_("Job track under way: record the exit when it ends"),
    "long_term_plan": N_("Efforts under the long-term action plan"),
    "exited": N_("Find out the status 90 days after exit"),
    "withdrawn": N_("Review the withdrawn programme"),
    "closed": N_("Nothing: the case is closed"),
}
# While choosing a track, the application's state says what is awaited.
BY_APPLICATION = {
    "waiting": N_("Waiting for a seat in the track"),
    "offered": BY_TASK["offer_answer_due"],
}


def next_step(phase: str, application_status: str | None, soonest_task: tuple[str, str] | None) -> str:
    """A catalogue message. `soonest_task` is the (kind, about) of the case's soonest open task;
    an escalation is about the clock that was missed, and that is the step still to take."""
    if soonest_task is not None:
        kind, about = soonest_task
        step = BY_TASK.get(about if kind == "escalation" else kind)
        if step is not None:
            return step
    if phase == "track_selection" and application_status in BY_APPLICATION:
        return BY_APPLICATION[application_status]
    return BY_PHASE.get(phase, N_("See the case"))
