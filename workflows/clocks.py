"""The clocks of a case and the alarms they ring.

Each running clock has a due time. Ahead of it (`reminder_ahead`) the responsible case worker
gets a task; at the due time the task is overdue; `escalate_after` later an escalation goes to
the municipality's coordinator, and after a second such period to the supervisor. Stopping the
clock (the action was done) closes every task it opened.
"""

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import StrEnum

from workflows.calendar import working_days_after, working_days_before
from workflows.domain import TaskKind, TimePolicy


class ClockName(StrEnum):
    INTRODUCTION = "introduction_ends"
    FOLLOW_UP = "follow_up"
    OUTCOME_CHECK = "outcome_check"
    REVIEW = "review"
    OFFER_ANSWER = "offer_answer"
    PROGRAMME_END = "programme_end"


TASK_KIND: dict[ClockName, TaskKind] = {
    ClockName.INTRODUCTION: TaskKind.INTRODUCTION_DUE,
    ClockName.FOLLOW_UP: TaskKind.FOLLOW_UP_DUE,
    ClockName.OUTCOME_CHECK: TaskKind.OUTCOME_CHECK_DUE,
    ClockName.REVIEW: TaskKind.REVIEW_DUE,
    ClockName.OFFER_ANSWER: TaskKind.OFFER_ANSWER_DUE,
    ClockName.PROGRAMME_END: TaskKind.PROGRAMME_ENDING,
}
# The programme_ending task opens this long before the programme time runs out, so that the
# joint standpoint (or a long-term plan) is taken on data, not by default.
PROGRAMME_ENDING_AHEAD = timedelta(days=60)


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
    # When the task opens, if not `reminder_ahead` before the due time (an offer: at once;
    # the programme's end: 60 days ahead). Clocks started before this field existed have none.
    remind_at: datetime | None = None

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
        ahead = clock.remind_at or working_days_before(clock.due_at, policy.reminder_ahead)
        return max(clock.started_at, ahead)
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
