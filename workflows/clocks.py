"""The clocks of a case and the alarms they ring.

Each running clock has a due time. Ahead of it (`reminder_ahead`) the responsible case worker
gets a task; at the due time the task is overdue; `escalate_after` later an escalation goes to
the municipality's coordinator, and after a second such period to the supervisor. Stopping the
clock (the action was done) closes every task it opened.
"""

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum

from workflows.calendar import working_days_after, working_days_before
from workflows.domain import TimePolicy


class ClockName(StrEnum):
    INTRODUCTION = "introduction_ends"
    FOLLOW_UP = "follow_up"
    OUTCOME_CHECK = "outcome_check"
    REVIEW = "review"
    OFFER_ANSWER = "offer_answer"


TASK_KIND: dict[ClockName, str] = {
    ClockName.INTRODUCTION: "introduction_due",
    ClockName.FOLLOW_UP: "follow_up_due",
    ClockName.OUTCOME_CHECK: "outcome_check_due",
    ClockName.REVIEW: "review_due",
    ClockName.OFFER_ANSWER: "offer_answer_due",
}


class Stage(StrEnum):
    REMIND = "remind"
    DUE = "due"
    ESCALATE = "escalate"
    ESCALATE_SUPERVISOR = "escalate_supervisor"


@dataclass
class Clock:
    name: ClockName
    seq: int  # grows each time this clock restarts, so each run's tasks have their own key
    started_at: datetime
    due_at: datetime
    fired: list[Stage] = field(default_factory=list)

    @property
    def overdue(self) -> bool:
        return Stage.DUE in self.fired


@dataclass(frozen=True)
class Alarm:
    clock: ClockName
    stage: Stage
    at: datetime


def stages_of(name: ClockName) -> tuple[Stage, ...]:
    # An unanswered offer simply expires at its due time; there is nothing to escalate.
    if name is ClockName.OFFER_ANSWER:
        return (Stage.REMIND, Stage.DUE)
    return tuple(Stage)


def alarm_time(clock: Clock, stage: Stage, policy: TimePolicy) -> datetime:
    if stage is Stage.REMIND:
        return max(clock.started_at, working_days_before(clock.due_at, policy.reminder_ahead))
    if stage is Stage.DUE:
        return clock.due_at
    escalation = working_days_after(clock.due_at, policy.escalate_after)
    if stage is Stage.ESCALATE:
        return escalation
    return working_days_after(escalation, policy.escalate_after)


def next_alarm(clocks: dict[ClockName, Clock], policy: TimePolicy) -> Alarm | None:
    pending = [
        Alarm(clock.name, stage, alarm_time(clock, stage, policy))
        for clock in clocks.values()
        for stage in stages_of(clock.name)
        if stage not in clock.fired
    ]
    # Stages of one clock fire in order even when their times coincide.
    return min(pending, key=lambda a: (a.at, list(Stage).index(a.stage)), default=None)
