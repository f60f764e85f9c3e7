"""Tables. Read models (case summaries, tasks) are written only by activities and can be
rebuilt from Temporal; users, municipalities, policies and tracks live only here."""

from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import JSON, Column, DateTime, Dialect, Index, LargeBinary, Text, UniqueConstraint, text
from sqlalchemy.types import TypeDecorator
from sqlmodel import Field, SQLModel

from store.cube_keys import OUTCOME_CLASS_SQL, TARGET_GROUP_BITS, TARGET_GROUPS_SQL
from workflows.domain import TaskStatus


class UtcDateTime(TypeDecorator[datetime]):
    """A moment in UTC, read back with its zone on every database: SQLite keeps no offset, and a
    naive time would leave the API as a "date-time" without one (outside its schema)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        return value.replace(tzinfo=UTC) if value is not None and value.tzinfo is None else value


def only_on(dialect: str, index: Index) -> Index:
    """`index` built on databases of `dialect` only (and compared there only: store.migrate)."""
    index.info["only_on"] = dialect
    return index.ddl_if(dialect=dialect)


def utc_column(**kw: Any) -> Any:
    return Field(sa_column=Column(UtcDateTime(), **kw))


class Municipality(SQLModel, table=True):
    code: str = Field(primary_key=True, max_length=4, description="kommunkod, four digits")
    name: str


class User(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    username: str = Field(unique=True, index=True, max_length=64)
    password_hash: str
    role: str = Field(max_length=32)
    organisation: str = Field(max_length=8, description="af or a kommunkod")
    display_name: str
    email: str | None = None
    active: bool = True


class Policy(SQLModel, table=True):
    """A municipality's time rules as ISO-8601 durations; `default` holds the agreement's."""

    municipality: str = Field(primary_key=True, max_length=16)
    durations: dict[str, str] = Field(sa_column=Column(JSON, nullable=False))
    updated_by: str | None = None
    updated_at: datetime | None = utc_column(nullable=True)


class Track(SQLModel, table=True):
    track_id: str = Field(primary_key=True, max_length=64)
    name: str
    municipalities: list[str] = Field(sa_column=Column(JSON, nullable=False))
    industry: str
    seats: int = 10
    prerequisites: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    lead: str | None = None
    created_at: datetime | None = utc_column(nullable=True)


class OpenPerson(SQLModel, table=True):
    """At most one open case per person: keyed by a keyed hash, never the number itself."""

    __tablename__ = "open_person"
    person_key: str = Field(primary_key=True, max_length=64)
    case_id: str = Field(index=True, max_length=64)


class PersonCase(SQLModel, table=True):
    """Every case a person has had, open or closed, by the same keyed hash as `open_person`:
    what a register extract (GDPR art. 15) finds a person's cases by. Never the number itself."""

    __tablename__ = "person_case"
    case_id: str = Field(primary_key=True, max_length=64)
    person_key: str = Field(index=True, max_length=64)


UNDATED_LAST = text("(next_due_at IS NULL)")  # the worklist's first key: cases with a due date first
EXITED = text("days_in_programme IS NOT NULL")
CUBE_COLUMNS = (
    "gender", "age_group", "track_id", "phase", text(f"({OUTCOME_CLASS_SQL})"), text(f"({TARGET_GROUPS_SQL})"),
    "follow_ups_due", "follow_ups_on_time", "outcome", *(group.value for group in TARGET_GROUP_BITS),
)
# The exited cases' days by gender, age group and track, then the columns a scope filters on.
DAYS_COLUMNS = (
    "gender", "age_group", "track_id", "days_in_programme", "municipality", "youth", "kaa", "newly_arrived",
    "social_assistance", "disability", "opened_at", "exited_on",
)
# The columns the supervisors' figures group and filter by, scope (municipality) first.
FIGURE_COLUMNS = (
    "municipality", "gender", "age_group", "track_id", "phase", "outcome", "youth", "kaa", "newly_arrived",
    "social_assistance", "disability", "follow_ups_due", "follow_ups_on_time", "days_in_programme", "opened_at",
    "exited_on", "application_status", "application_track_id",
)


class CaseSummary(SQLModel, table=True):
    """The read model of a case; a write with a lower version than stored is ignored.

    Its columns are workflows.effects.CaseRow's (built from the case's view in one place,
    workflows.views.row_of), plus the stored view of a closed case and the update time."""

    __tablename__ = "case_summary"
    # The supervisors' figures read these (services.stats), so SQLite counts them from the index
    # alone and never reads the wide rows (a sealed view is kilobytes): 538 against 214 ms over
    # 100 000 cases (bench/figures.py).
    __table_args__ = (
        Index("ix_case_summary_figures", *FIGURE_COLUMNS),
        Index("ix_case_summary_waiting", "application_status", "application_track_id"),
        # The worklist's order (store.cases.list_cases: due first, undated last), walked from its
        # front for the first page instead of sorting every case in scope: AF's, every case, and
        # a municipality's.
        Index("ix_case_summary_due_order", UNDATED_LAST, "next_due_at", "case_id"),
        Index("ix_case_summary_worklist", "municipality", UNDATED_LAST, "next_due_at", "case_id", "overdue"),
        # The exited cases' days (services.stats.days_query), read from this alone for any scope,
        # AF's in its order.
        Index("ix_case_summary_days", *DAYS_COLUMNS, postgresql_where=EXITED, sqlite_where=EXITED),
        # The cube's keys in its GROUP BY order, and every column they are made of: SQLite counts
        # every case's cell from this alone without sorting them (AF's overview: 143 → 35 ms over
        # 100 000 cases). PostgreSQL hashes the cells in parallel workers instead, and has none.
        only_on("sqlite", Index("ix_case_summary_cube", *CUBE_COLUMNS)),
        # The phase of each late task's case, for the overview's overdue tasks, without its row.
        Index("ix_case_summary_phase_by_case", "case_id", "phase"),
    )
    case_id: str = Field(primary_key=True, max_length=64)
    version: int = 0
    phase: str = Field(index=True)
    status: str
    municipality: str = Field(index=True)
    responsible_worker: str = Field(index=True)
    track_id: str | None = Field(default=None, index=True)
    application_track_id: str | None = Field(default=None, index=True)
    application_status: str | None = None
    # Names and birth date are sealed with the case's data key (store/sealing.py) into
    # `personal`; these clear columns are from before and stay empty (prestart seals old rows).
    given_name: str | None = None
    family_name: str | None = None
    personal: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    gender: str  # in clear: a dimension of the figures (share of women), as age group is
    birth_date: date | None = None
    opened_at: datetime = utc_column(nullable=False)
    next_due_at: datetime | None = utc_column(nullable=True)
    overdue: bool = False
    exited_on: date | None = None
    exit_reason: str | None = None
    outcome: str | None = None
    closed_at: datetime | None = utc_column(nullable=True)
    # In clear for the figures and the filters: no name, no personal number.
    age_group: str = Field(default="", max_length=8)  # 16-24 or 25+
    youth: bool = Field(default=False, index=True)
    kaa: bool = Field(default=False, index=True)
    newly_arrived: bool = Field(default=False, index=True)
    social_assistance: bool = Field(default=False, index=True)
    disability: bool = Field(default=False, index=True)
    protected_identity: bool = False
    programme_ends_on: date | None = None
    follow_ups_due: int = 0
    follow_ups_on_time: int = 0
    days_in_programme: int | None = None
    view: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))  # empty: see sealed_view
    sealed_view: str | None = Field(default=None, sa_column=Column(Text, nullable=True))  # store/live_view.py
    view_version: int | None = None  # the state version sealed_view is of
    updated_at: datetime | None = utc_column(nullable=True)


class CaseKey(SQLModel, table=True):
    """A case's data key, wrapped by the master key `master_key_id`; erased: no key left."""

    __tablename__ = "case_key"
    case_id: str = Field(primary_key=True, max_length=64)
    master_key_id: str = Field(max_length=64)
    wrapped: bytes | None = Field(default=None, sa_column=Column(LargeBinary, nullable=True))
    created_at: datetime = utc_column(nullable=False)
    erased_at: datetime | None = utc_column(nullable=True)


class Task(SQLModel, table=True):
    __table_args__ = (UniqueConstraint("key"), Index("ix_task_inbox", "assignee", "status", "due_at"))
    id: int | None = Field(default=None, primary_key=True)
    key: str = Field(max_length=200)
    case_id: str = Field(index=True, max_length=64)
    municipality: str
    kind: str
    about: str
    audience: str
    assignee: str | None = None
    due_at: datetime = utc_column(nullable=False)
    overdue: bool = False
    status: str = TaskStatus.OPEN
    created_at: datetime = utc_column(nullable=False)
    closed_at: datetime | None = utc_column(nullable=True)


class Notification(SQLModel, table=True):
    """Each message delivered, once: the key makes a retried activity a no-op.

    A mail is claimed (`sending`) before it goes out and marked `sent` after the server took it;
    a claim that stays `sending` means the outcome is unknown and is never sent again."""

    key: str = Field(primary_key=True, max_length=220)
    case_id: str | None = Field(default=None, index=True)  # none for a digest
    recipient: str | None = None  # a username, never an address
    channel: str  # inbox, mail or digest
    status: str = "sent"  # sending, sent
    sent_at: datetime = utc_column(nullable=False)  # when claimed, then when sent


class AccessLog(SQLModel, table=True):
    """One person's read of one case (or a decode naming no case: `case_id` empty), with what
    the review needs as it was at that moment: the reader's role and organisation, the case's
    municipality, and the flags of services/access_flags.py."""

    __tablename__ = "access_log"
    id: int | None = Field(default=None, primary_key=True)
    at: datetime = utc_column(nullable=False, index=True)
    username: str = Field(index=True)
    case_id: str | None = Field(default=None, index=True)
    via: str
    purpose: str | None = None
    role: str | None = None
    organisation: str | None = None
    municipality: str | None = Field(default=None, index=True)
    outside_caseload: bool = False
    outside_hours: bool = False


class AccessLogBatch(SQLModel, table=True):
    """A batch of access-log entries moved from a web process's write-ahead journal, written in
    the same transaction as its entries: a batch moved again after a crash is seen and skipped."""

    __tablename__ = "access_log_batch"
    batch_id: str = Field(primary_key=True, max_length=80)
    entries: int
    written_at: datetime = utc_column(nullable=False)


class HistoryExport(SQLModel, table=True):
    """Every history export this service made, by its SHA-256: an export whose content was
    changed and its sha256 recomputed is not among them."""

    __tablename__ = "history_export"
    sha256: str = Field(primary_key=True, max_length=64)
    case_id: str = Field(index=True, max_length=64)
    exported_by: str
    exported_at: datetime = utc_column(nullable=False)
    runs: int
    events: int


class Report(SQLModel, table=True):
    """A steering-group report as made, kept for download: the figures (no personal data) and
    their HTML and CSV, with who made it (a username, or "schedule") and when."""

    id: int | None = Field(default=None, primary_key=True)
    kind: str = Field(index=True, max_length=32)  # quarterly or kaa_half_year
    period_from: date
    period_to: date
    scope: str = Field(max_length=8)  # af (all) or a kommunkod
    made_by: str = Field(max_length=64)
    made_at: datetime = utc_column(nullable=False)
    key: str = Field(unique=True, max_length=120)  # a scheduled run writes its report once
    figures: dict[str, Any] = Field(sa_column=Column(JSON, nullable=False))
    html: str
    csv: str


class RevokedLogin(SQLModel, table=True):
    """A login ended before its time (logout): a bearer token's `jti` or a page session's id,
    refused on every request until `expires_at`, when the login would have ended anyway."""

    __tablename__ = "revoked_login"
    jti: str = Field(primary_key=True, max_length=64)
    expires_at: datetime = utc_column(nullable=False, index=True)
