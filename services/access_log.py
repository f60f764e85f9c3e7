"""The access log: every read of a case by a person is written with why (the reader's
`X-Purpose`, else a default naming the call or the page) and the review flags of
services/access_flags.py. A list that shows something of each case is a read of each; so is
the answer of an action and a refused opening that tells the person already has an open case.
Who reviews what is services/scope.py's (`access_log_reach`)."""

from collections.abc import Iterable
from contextvars import ContextVar, Token
from datetime import UTC, datetime

from sqlmodel import Session

from core.words import N_
from services.access_flags import Reader, ReviewFlag, outside_caseload, outside_hours
from services.access_journal import current_journal
from services.scope import CaseRef, access_log_reach
from store.access_log import Entry, LogQuery, review_log, write_entries
from store.models import AccessLog, User

PURPOSE_MAX = 200
# The purpose the reader stated for this request (the API sets it from `X-Purpose`).
stated_purpose: ContextVar[str | None] = ContextVar("stated_purpose", default=None)


def state_purpose(value: str | None) -> Token[str | None]:
    """Set the request's stated purpose; give the token back to `forget_purpose` after it."""
    text = " ".join((value or "").split())[:PURPOSE_MAX]
    return stated_purpose.set(text or None)


def forget_purpose(token: Token[str | None]) -> None:
    stated_purpose.reset(token)


# The purpose of the read a refused opening makes: it tells that the person has an open case.
OPEN_CASE_PROBE = N_("already has an open case")


def record_reads(session: Session, reader: Reader, cases: Iterable[CaseRef], *, via: str, purpose: str) -> None:
    """Log `reader`'s read of each case, once however often it shows; `purpose` is the default
    when the reader stated none."""
    now = datetime.now(UTC)
    why = stated_purpose.get() or purpose
    late = outside_hours(now)
    cases = list({case.case_id: case for case in cases}.values())
    entries = [
        Entry(
            at=now,
            username=reader.username,
            case_id=case.case_id,
            via=via,
            purpose=why,
            role=reader.role,
            organisation=reader.organisation,
            municipality=case.municipality,
            outside_caseload=outside_caseload(reader, case.municipality, case.responsible_worker),
            outside_hours=late,
        )
        for case in cases
    ]
    if entries:
        write(session, entries)


def record_unnamed_read(session: Session, reader: Reader, *, via: str, purpose: str) -> None:
    """A read that names no case (a decode of payloads that carry no case id)."""
    now = datetime.now(UTC)
    entry = Entry(
        at=now,
        username=reader.username,
        case_id=None,
        via=via,
        purpose=stated_purpose.get() or purpose,
        role=reader.role,
        organisation=reader.organisation,
        outside_hours=outside_hours(now),
    )
    write(session, [entry])


def write(session: Session, entries: list[Entry]) -> None:
    """Ahead into the web process's journal when it keeps one (the database gets the entries
    in batches, off the read's path: services/access_journal.py), else straight in."""
    journal = current_journal.get()
    if journal is not None:
        journal.append(entries)
    else:
        write_entries(session, entries)


def journaled() -> bool:
    """Whether entries go to this process's journal: a file append, no database work (a caller
    on the event loop may write them without a thread hop)."""
    return current_journal.get() is not None


def journaled_entries_in() -> None:
    """Before a query that must see every entry so far (a review, a register extract): this
    process's entries still in its journal are moved into the database now (blocking); another
    web process's follow within `access_log_flush_seconds`."""
    journal = current_journal.get()
    if journal is not None:
        journal.move()


# The hooks in the case routes: one call each.


def record_case_read(
    session: Session,
    reader: Reader,
    case: CaseRef,
    *,
    via: str = "GET /api/v1/cases/{case_id}",
    purpose: str = N_("read the case"),
) -> None:
    record_reads(session, reader, [case], via=via, purpose=purpose)


def record_list_read(
    session: Session,
    reader: Reader,
    cases: Iterable[CaseRef],
    *,
    via: str = "GET /api/v1/cases",
    purpose: str = N_("list cases"),
) -> None:
    """A list that shows something of each case (a name, initials): a read of each."""
    record_reads(session, reader, cases, via=via, purpose=purpose)


def record_action_answer(
    session: Session, reader: Reader, case: CaseRef, action: str, *, via: str = "POST /api/v1/cases/{case_id}/actions"
) -> None:
    # reason: a page says it with its values (core/i18n.py)
    answer_of = N_("answer of %(action)s") % {"action": action}
    record_reads(session, reader, [case], via=f"{via}/{action}", purpose=answer_of)


def review(
    session: Session,
    reviewer: User,
    *,
    case_id: str | None = None,
    username: str | None = None,
    start: datetime | None = None,
    end: datetime | None = None,
    flag: ReviewFlag | None = None,
    limit: int = 200,
    offset: int = 0,
) -> tuple[list[AccessLog], int]:
    """The log as `reviewer` may see it (services/scope.py: `access_log_reach`)."""
    journaled_entries_in()
    reach = access_log_reach(reviewer)
    query = LogQuery(
        municipalities=reach.municipalities,
        unnamed_by=reach.unnamed_by,
        case_id=case_id,
        username=username,
        start=start,
        end=end,
        outside_caseload=True if flag is ReviewFlag.OUTSIDE_CASELOAD else None,
        outside_hours=True if flag is ReviewFlag.OUTSIDE_HOURS else None,
    )
    return review_log(session, query, limit=limit, offset=offset)
