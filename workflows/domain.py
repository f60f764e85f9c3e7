"""The words of the programme (programme.md) as types: phases, value sets, actors, policy."""

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from enum import StrEnum


class Phase(StrEnum):
    INTRODUCTION = "introduction"
    PREPARATORY = "preparatory"
    TRACK_SELECTION = "track_selection"
    TRACK = "track"
    LONG_TERM_PLAN = "long_term_plan"
    EXITED = "exited"
    WITHDRAWN = "withdrawn"
    CLOSED = "closed"


class Status(StrEnum):
    ACTIVE = "active"
    PAUSED = "paused"
    CLOSED = "closed"


class Gender(StrEnum):
    WOMAN = "woman"
    MAN = "man"
    OTHER = "other"


class EducationLevel(StrEnum):
    NONE = "none"
    PRIMARY = "primary"
    UPPER_SECONDARY = "upper_secondary"
    POST_SECONDARY = "post_secondary"


class SwedishLevel(StrEnum):
    NONE = "none"
    SFI_A = "sfi_a"
    SFI_B = "sfi_b"
    SFI_C = "sfi_c"
    SFI_D = "sfi_d"
    FLUENT = "fluent"


class Industry(StrEnum):
    INDUSTRY = "industry"
    RESTAURANT = "restaurant"
    CARE = "care"
    CONSTRUCTION = "construction"
    RETAIL = "retail"
    TRANSPORT = "transport"
    CLEANING = "cleaning"
    EDUCATION = "education"
    OWN_BUSINESS = "own_business"
    OTHER = "other"


class EffortKind(StrEnum):
    SFI = "sfi"
    CIVIC_ORIENTATION = "civic_orientation"
    VALIDATION = "validation"
    GUIDANCE = "guidance"
    LABOUR_MARKET_INFO = "labour_market_info"
    VOCATIONAL_INTRO = "vocational_intro"
    LANGUAGE_PRACTICE = "language_practice"
    HEALTH = "health"
    OTHER = "other"


class Standpoint(StrEnum):
    TRACK = "track"
    LONG_TERM_PLAN = "long_term_plan"
    WORK = "work"
    STUDIES = "studies"


class ExitReason(StrEnum):
    WORK = "work"
    SUBSIDISED_WORK = "subsidised_work"
    STUDIES = "studies"
    OWN_BUSINESS = "own_business"
    MOVED = "moved"
    DROPPED_OUT = "dropped_out"
    OTHER = "other"


class OutcomeStatus(StrEnum):
    WORK = "work"
    SUBSIDISED_WORK = "subsidised_work"
    STUDIES = "studies"
    OWN_BUSINESS = "own_business"
    SEEKING_WORK = "seeking_work"
    OTHER = "other"


class ApplicationStatus(StrEnum):
    OFFERED = "offered"
    WAITING = "waiting"
    ADMITTED = "admitted"
    DECLINED = "declined"
    EXPIRED = "expired"
    REFUSED = "refused"
    WITHDRAWN = "withdrawn"


class Role(StrEnum):
    CASE_WORKER = "case_worker"
    TRACK_LEAD = "track_lead"
    COORDINATOR = "coordinator"
    SUPERVISOR = "supervisor"
    AUDITOR = "auditor"
    ADMIN = "admin"


AF = "af"  # the organisation code of Arbetsförmedlingen; municipalities use their kommunkod


@dataclass(frozen=True)
class Actor:
    """Who does something: travels in every update, so the history is the audit trail."""

    username: str
    role: Role
    organisation: str


@dataclass(frozen=True)
class TimePolicy:
    """The time rules of programme.md; a case keeps the policy in force when it opened."""

    introduction: timedelta = timedelta(days=14)
    follow_up_interval: timedelta = timedelta(days=14)
    outcome_check_after: timedelta = timedelta(days=90)
    reminder_ahead: timedelta = timedelta(days=2)
    escalate_after: timedelta = timedelta(days=5)
    offer_answer_time: timedelta = timedelta(days=5)
    withdrawn_review: timedelta = timedelta(days=90)


@dataclass
class Participant:
    personal_number: str  # normalised 12 digits; never leaves encrypted payloads and the database
    given_name: str
    family_name: str
    gender: Gender
    birth_date: date


@dataclass
class Mapping:
    """The initial mapping (kartläggning) made at referral."""

    education_level: EducationLevel
    swedish_level: SwedishLevel
    experience: list[Industry]
    consent_to_share: bool
    referral_purpose: str
    driving_licence: bool = False


@dataclass
class Effort:
    effort_id: str
    kind: EffortKind
    provider: str
    starts_on: date
    ends_on: date | None = None
    result: str | None = None
    completed_at: datetime | None = None
    note: str | None = None


@dataclass
class FollowUp:
    held_on: date
    attendees: list[str]
    progress: str
    next_steps: str
    recorded_by: str
    note: str | None = None


@dataclass
class Application:
    track_id: str
    status: ApplicationStatus
    applied_at: datetime
    motivation: str | None = None
    offered_at: datetime | None = None
    answer_by: datetime | None = None
    reason: str | None = None
    number: int = 0  # the case's n-th application; the track's messages name it


@dataclass
class Withdrawal:
    reason: str
    conditions: str
    review_on: date
    withdrawn_at: datetime
    withdrawn_from: Phase


@dataclass
class TimelineEntry:
    at: datetime
    actor: str
    action: str
    summary: str = ""
    note: str | None = None


@dataclass
class CaseOpening:
    """What the API hands the journey workflow when a case opens."""

    case_id: str
    municipality: str
    responsible_worker: str
    participant: Participant
    mapping: Mapping
    policy: TimePolicy
    opened_by: Actor
    note: str | None = None


@dataclass
class Outcome:
    """What a finished journey returns."""

    case_id: str
    exit_reason: ExitReason | None
    outcome: OutcomeStatus | None
    closed_reason: str | None = None
