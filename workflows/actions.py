"""What a case worker can do to a case: the contract's action names and their bodies.

Each body is the second argument of the Temporal Update of the same name (the first is the
actor), so the workflow history records who did what, with what.
"""

from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum
from typing import Annotated, Literal

from annotated_types import MaxLen, MinLen

from workflows.domain import (
    Attempt,
    ContactChannel,
    EducationLevel,
    EffortKind,
    ExitReason,
    Industry,
    Obstacle,
    OutcomeStatus,
    Standpoint,
    SwedishLevel,
)

Text = Annotated[str, MinLen(1), MaxLen(4000)]
Name = Annotated[str, MinLen(1), MaxLen(200)]


class Action(StrEnum):
    COMPLETE_INTRODUCTION = "complete-introduction"
    UPDATE_MAPPING = "update-mapping"
    PLAN_EFFORT = "plan-effort"
    COMPLETE_EFFORT = "complete-effort"
    RECORD_FOLLOW_UP = "record-follow-up"
    JOINT_STANDPOINT = "joint-standpoint"
    APPLY_TO_TRACK = "apply-to-track"
    ANSWER_OFFER = "answer-offer"
    RECORD_EXIT = "record-exit"
    RECORD_OUTCOME_ATTEMPT = "record-outcome-attempt"
    RECORD_OUTCOME = "record-outcome"
    WITHDRAW = "withdraw"
    POSTPONE_REVIEW = "postpone-review"
    REACTIVATE = "reactivate"
    REASSIGN = "reassign"
    WITHDRAW_CONSENT = "withdraw-consent"
    CLOSE = "close"
    SET_PROTECTED_IDENTITY = "set-protected-identity"


@dataclass(kw_only=True)
class ActionBody:
    note: Annotated[str, MaxLen(4000)] | None = None


@dataclass(kw_only=True)
class CompleteIntroduction(ActionBody):
    pass


@dataclass(kw_only=True)
class MappingChange(ActionBody):
    """What a mapping may change to; a field left out (None) keeps its value."""

    education_level: EducationLevel | None = None
    swedish_level: SwedishLevel | None = None
    experience: list[Industry] | None = None
    driving_licence: bool | None = None
    own_business_interest: bool | None = None
    obstacles: list[Obstacle] | None = None  # categories only, never a diagnosis
    newly_arrived: bool | None = None
    establishment_start: date | None = None
    social_assistance: bool | None = None
    disability: bool | None = None


@dataclass(kw_only=True)
class UpdateMapping(MappingChange):
    pass


@dataclass(kw_only=True)
class PlanEffort(ActionBody):
    kind: EffortKind
    provider: Name
    starts_on: date
    ends_on: date | None = None


@dataclass(kw_only=True)
class CompleteEffort(ActionBody):
    effort_id: Name
    result: Text


@dataclass(kw_only=True)
class RecordFollowUp(ActionBody):
    held_on: date
    attendees: Annotated[list[Name], MinLen(1)]
    progress: Text
    next_steps: Text


@dataclass(kw_only=True)
class JointStandpoint(ActionBody):
    decision: Standpoint


@dataclass(kw_only=True)
class ApplyToTrack(ActionBody):
    track_id: Name
    motivation: Annotated[str, MaxLen(4000)] | None = None


@dataclass(kw_only=True)
class AnswerOffer(ActionBody):
    accept: bool


@dataclass(kw_only=True)
class RecordExit(ActionBody):
    reason: ExitReason
    exited_on: date | None = None


@dataclass(kw_only=True)
class RecordOutcomeAttempt(ActionBody):
    on: date
    channel: ContactChannel


@dataclass(kw_only=True)
class RecordOutcome(ActionBody):
    status: OutcomeStatus


@dataclass(kw_only=True)
class Withdraw(ActionBody):
    reason: Text
    conditions: Text
    # Required by the validator (at least two attempts, a reactivation plan); defaults here so
    # that withdrawals recorded before these fields existed still decode on replay.
    attempts: list[Attempt] = field(default_factory=list)
    reactivation: Annotated[str, MaxLen(4000)] = ""
    review_on: date | None = None


@dataclass(kw_only=True)
class PostponeReview(ActionBody):
    review_on: date


@dataclass(kw_only=True)
class Reactivate(MappingChange):
    """Resume the journey, with a new mapping if given (002: "återaktualiseras")."""

    resume_phase: Literal["introduction", "preparatory", "track_selection", "long_term_plan"]


@dataclass(kw_only=True)
class WithdrawConsent(ActionBody):
    pass


@dataclass(kw_only=True)
class Reassign(ActionBody):
    responsible_worker: Name


@dataclass(kw_only=True)
class Close(ActionBody):
    reason: Text


@dataclass(kw_only=True)
class SetProtectedIdentity(ActionBody):
    """Skyddade personuppgifter: the participant is named to the responsible worker only."""

    protected: bool


BODIES: dict[Action, type[ActionBody]] = {
    Action.COMPLETE_INTRODUCTION: CompleteIntroduction,
    Action.UPDATE_MAPPING: UpdateMapping,
    Action.PLAN_EFFORT: PlanEffort,
    Action.COMPLETE_EFFORT: CompleteEffort,
    Action.RECORD_FOLLOW_UP: RecordFollowUp,
    Action.JOINT_STANDPOINT: JointStandpoint,
    Action.APPLY_TO_TRACK: ApplyToTrack,
    Action.ANSWER_OFFER: AnswerOffer,
    Action.RECORD_EXIT: RecordExit,
    Action.RECORD_OUTCOME_ATTEMPT: RecordOutcomeAttempt,
    Action.RECORD_OUTCOME: RecordOutcome,
    Action.WITHDRAW: Withdraw,
    Action.POSTPONE_REVIEW: PostponeReview,
    Action.REACTIVATE: Reactivate,
    Action.REASSIGN: Reassign,
    Action.WITHDRAW_CONSENT: WithdrawConsent,
    Action.CLOSE: Close,
    Action.SET_PROTECTED_IDENTITY: SetProtectedIdentity,
}


@dataclass
class Refusal:
    """Why an action was refused; the API turns it into 409 (phase), 422 (a field) or 403
    (a decision right, named by `rule`)."""

    kind: Literal["not_allowed", "invalid", "forbidden"]
    message: str
    phase: str
    allowed_actions: list[str] = field(default_factory=list)
    field: str | None = None
    rule: str | None = None
