"""The words of the programme (programme.md) as types: phases, value sets, actors, policy."""

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from enum import StrEnum
from typing import Annotated

from annotated_types import MaxLen, MinLen

from workflows.period import Period


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
    FAST_TRACK = "fast_track"  # snabbspår (003)


class ExitReason(StrEnum):
    WORK = "work"
    SUBSIDISED_WORK = "subsidised_work"
    STUDIES = "studies"
    OWN_BUSINESS = "own_business"
    FAST_TRACK = "fast_track"
    MOVED = "moved"
    DROPPED_OUT = "dropped_out"
    OTHER = "other"


class OutcomeStatus(StrEnum):
    WORK = "work"
    SUBSIDISED_WORK = "subsidised_work"
    STUDIES = "studies"
    OWN_BUSINESS = "own_business"
    SEEKING_WORK = "seeking_work"
    PARENTAL_LEAVE = "parental_leave"
    SICK = "sick"
    MOVED = "moved"
    OTHER = "other"
    NOT_REACHED = "not_reached"  # after at least MIN_OUTCOME_ATTEMPTS tries


# Established per 003: work (with or without subsidy), regular studies or an own business.
POSITIVE_OUTCOMES = frozenset(
    {OutcomeStatus.WORK, OutcomeStatus.SUBSIDISED_WORK, OutcomeStatus.STUDIES, OutcomeStatus.OWN_BUSINESS}
)


class Obstacle(StrEnum):
    """What stands in the way, as a category only: never a diagnosis."""

    HEALTH = "health"
    SOCIAL = "social"
    HOUSING = "housing"
    CHILDCARE = "childcare"
    OTHER = "other"


class ContactChannel(StrEnum):
    PHONE = "phone"
    SMS = "sms"
    LETTER = "letter"
    EMAIL = "email"
    VISIT = "visit"


class AgeGroup(StrEnum):
    YOUTH = "16-24"
    ADULT = "25+"


class TargetGroup(StrEnum):
    """The groups the agreements give special attention (000, 001, 002, 004)."""

    YOUTH = "youth"
    KAA = "kaa"
    NEWLY_ARRIVED = "newly_arrived"
    SOCIAL_ASSISTANCE = "social_assistance"
    DISABILITY = "disability"


class Audience(StrEnum):
    """Who a task or a mail is for."""

    RESPONSIBLE = "responsible"  # the case's responsible worker
    COORDINATOR = "coordinator"  # the municipality's coordinator (escalations)
    SUPERVISOR = "supervisor"
    PARTNER = "partner"  # the coordinator of the partner organisation ("kommuniceras i samverkan", 002)
    TRACK_LEAD = "track_lead"  # the lead of the track the task is about


class TaskKind(StrEnum):
    INTRODUCTION_DUE = "introduction_due"
    FOLLOW_UP_DUE = "follow_up_due"
    OUTCOME_CHECK_DUE = "outcome_check_due"
    REVIEW_DUE = "review_due"
    OFFER_ANSWER_DUE = "offer_answer_due"
    PROGRAMME_ENDING = "programme_ending"
    NEW_APPLICANT = "new_applicant"
    PARTNER_NOTICE = "partner_notice"
    ESCALATION = "escalation"


class TaskStatus(StrEnum):
    OPEN = "open"
    DONE = "done"


CONSENT_WITHDRAWN = "consent_withdrawn"  # the closed_reason when the participant withdraws consent


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


PROGRAMME_TIME = Period(months=24)


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
    # 24 months (004; 003 aims at two years), in calendar months. Defaults: policies recorded
    # before these rules existed still decode.
    programme_time: Period = PROGRAMME_TIME
    # Only for those new to SFI: Grästorp's four weeks are its SFI introduction (002).
    introduction_new_to_sfi: timedelta | None = None


@dataclass
class Participant:
    personal_number: str  # normalised 12 digits; never leaves encrypted payloads and the database
    given_name: str
    family_name: str
    gender: Gender
    birth_date: date
    protected_identity: bool = False  # skyddade personuppgifter


@dataclass
class Mapping:
    """The mapping (kartläggning): made at referral, kept current ("fortsatt kartläggning",
    000); every later check reads the current one. Fields after `driving_licence` came later:
    they have defaults so that mappings recorded before still decode."""

    education_level: EducationLevel
    swedish_level: SwedishLevel
    experience: list[Industry]
    consent_to_share: bool
    referral_purpose: str
    driving_licence: bool = False
    own_business_interest: bool = False
    obstacles: list[Obstacle] = field(default_factory=list)
    # Target-group facts: recorded, not derived.
    newly_arrived: bool = False
    establishment_start: date | None = None  # the establishment programme's start
    social_assistance: bool = False  # försörjningsstöd (002, target group A)
    disability: bool = False


@dataclass
class TargetGroups:
    youth: bool = False  # 16–24
    kaa: bool = False  # 16–20 without completed upper-secondary school (kommunala aktivitetsansvaret)
    newly_arrived: bool = False
    social_assistance: bool = False
    disability: bool = False


@dataclass
class Consent:
    """Consent to share between the authorities (samtycke): given at referral."""

    given: bool
    given_at: datetime
    recorded_by: str
    withdrawn_at: datetime | None = None


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
    # The date the follow-up was due (its clock's), for "held on time"; none for the first
    # follow-up of a phase and for those recorded before the field existed.
    due_on: date | None = None


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
class Attempt:
    """One of the repeated attempts before a withdrawal ("genom upprepade försök", 002)."""

    on: date
    what: Annotated[str, MinLen(1), MaxLen(4000)]


@dataclass
class Withdrawal:
    reason: str
    conditions: str  # what must happen before efforts are relevant again
    review_on: date
    withdrawn_at: datetime
    withdrawn_from: Phase
    attempts: list[Attempt] = field(default_factory=list)
    reactivation: str = ""  # how the case is taken up again ("återaktualiseras i samverkan")
    withdrawn_by: str = ""


@dataclass
class OutcomeAttempt:
    """A try to reach the participant for the 90-day check."""

    on: date
    channel: ContactChannel
    recorded_by: str
    note: str | None = None


@dataclass
class PartnerNotice:
    """The partner organisation is told of a withdrawal or a reactivation; an open task for its
    coordinator until someone of that organisation acts on the case."""

    key: str
    about: str  # the action: withdraw or reactivate
    organisation: str  # af or a kommunkod
    at: datetime


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
