"""A case's state (carried across continue-as-new) and the view of it that clients read."""

from dataclasses import dataclass, field
from datetime import date, datetime

from workflows.clocks import Clock, ClockName
from workflows.domain import (
    Actor,
    AgeGroup,
    Application,
    CaseOpening,
    Consent,
    Effort,
    ExitReason,
    FollowUp,
    Mapping,
    OutcomeAttempt,
    OutcomeStatus,
    Participant,
    PartnerNotice,
    Phase,
    Standpoint,
    Status,
    TargetGroups,
    TimelineEntry,
    TimePolicy,
    Withdrawal,
)

# Update ids remembered so that a repeated Idempotency-Key is a no-op even after
# continue-as-new (Temporal itself deduplicates within one run only).
REMEMBERED_UPDATES = 500


@dataclass
class CaseState:
    case_id: str
    municipality: str
    responsible_worker: str
    participant: Participant
    mapping: Mapping
    policy: TimePolicy
    opened_at: datetime
    opened_by: Actor
    phase: Phase = Phase.INTRODUCTION
    version: int = 0
    efforts: list[Effort] = field(default_factory=list)
    follow_ups: list[FollowUp] = field(default_factory=list)
    standpoint: Standpoint | None = None
    application: Application | None = None
    applications_made: int = 0  # numbers each application, so stale track messages are told apart
    track_id: str | None = None
    withdrawal: Withdrawal | None = None
    past_withdrawals: list[Withdrawal] = field(default_factory=list)
    exit_reason: ExitReason | None = None
    exited_on: date | None = None
    outcome: OutcomeStatus | None = None
    closed_reason: str | None = None
    closed_at: datetime | None = None
    clocks: dict[ClockName, Clock] = field(default_factory=dict)
    clock_seq: int = 0
    timeline: list[TimelineEntry] = field(default_factory=list)
    applied_updates: list[str] = field(default_factory=list)
    # The process revision the case was opened under (see phases.AGREEMENTS): a case keeps the
    # process it began with, as it keeps its policy, so its recorded history replays.
    revision: int = 0
    outcome_attempts: list[OutcomeAttempt] = field(default_factory=list)
    partner_notices: list[PartnerNotice] = field(default_factory=list)  # open ones
    consent_withdrawn_at: datetime | None = None
    applying_to: str | None = None  # the track answering the case's application right now

    @property
    def status(self) -> Status:
        if self.phase is Phase.CLOSED:
            return Status.CLOSED
        if self.phase is Phase.WITHDRAWN:
            return Status.PAUSED
        return Status.ACTIVE

    @property
    def overdue(self) -> bool:
        return any(c.overdue for c in self.clocks.values())

    @property
    def next_due_at(self) -> datetime | None:
        return min((c.due_at for c in self.clocks.values()), default=None)


# Defined here, outside the workflow's module, which the sandbox loads anew for every run: one
# class for the life of the worker, so its payload converter (a pydantic type adapter, cached
# per type) is built once, not for every journey that starts.
@dataclass
class JourneyInput:
    opening: CaseOpening | None = None
    state: CaseState | None = None  # set when continuing as new
    opened_at: datetime | None = None  # the referral's time (cases opened since OPENED_AT_THE_REFERRAL)
    # The API wrote the first state's read-model row and search attributes with the start: the
    # journey's first task owes nothing (FIRST_WRITTEN_BY_THE_API; services.journeys.start_journey).
    first_written: bool = False


@dataclass
class CaseView:
    """The live state of a case as the contract names it; no personal number."""

    case_id: str
    phase: Phase
    status: Status
    municipality: str
    responsible_worker: str
    given_name: str
    family_name: str
    gender: str
    birth_year: int
    education_level: str
    swedish_level: str
    experience: list[str]
    driving_licence: bool
    referral_purpose: str
    opened_at: datetime
    track_id: str | None
    application: Application | None
    efforts: list[Effort]
    follow_ups: list[FollowUp]
    standpoint: Standpoint | None
    withdrawal: Withdrawal | None
    due: dict[str, datetime]
    overdue: bool
    exit_reason: ExitReason | None
    exited_on: date | None
    outcome: OutcomeStatus | None
    closed_reason: str | None
    allowed_actions: list[str]
    timeline: list[TimelineEntry]
    version: int
    # Later fields have defaults: views stored at close before they existed still read back.
    mapping: Mapping | None = None  # the current mapping
    target_groups: TargetGroups = field(default_factory=TargetGroups)
    age_group: AgeGroup | None = None
    protected_identity: bool = False
    consent: Consent | None = None
    outcome_attempts: list[OutcomeAttempt] = field(default_factory=list)
    programme_ends_on: date | None = None
