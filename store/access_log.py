"""Who read which case, when, why, and through which page or call."""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import ColumnElement, insert, or_
from sqlmodel import Session, col, func, select

from store.models import AccessLog, AccessLogBatch


@dataclass(frozen=True, slots=True)
class Entry:
    """An access-log entry before it is written: `AccessLog`'s columns (but its id), a plain
    value, since every read and every action's answer makes one (an `AccessLog` object cost
    the web 58 µs to make and to turn into the journal's line, this one 1)."""

    at: datetime
    username: str
    case_id: str | None
    via: str
    purpose: str | None = None
    role: str | None = None
    organisation: str | None = None
    municipality: str | None = None
    outside_caseload: bool = False
    outside_hours: bool = False

    def columns(self) -> dict[str, Any]:
        return {name: getattr(self, name) for name in self.__slots__}


# Entry is AccessLog's columns written out again, as plain fields: they must not drift apart.
if set(Entry.__slots__) != set(AccessLog.__table__.columns.keys()) - {"id"}:  # type: ignore[attr-defined]
    raise TypeError("store.access_log.Entry and store.models.AccessLog name different columns")


def write_entries(session: Session, entries: Sequence[Entry]) -> None:
    session.execute(insert(AccessLog), [entry.columns() for entry in entries])
    session.commit()


def write_batch(session: Session, batch_id: str, entries: Sequence[dict[str, Any]]) -> bool:
    """Write a journal's batch once: its id goes in with its entries (each an `AccessLog`'s
    columns), in one transaction, so a batch written before a crash and offered again is skipped.
    True when written now. One multi-row insert, not an object per entry: each web process moves
    its batch five times a second, beside the requests it serves."""
    if session.get(AccessLogBatch, batch_id) is not None:
        return False
    session.add(AccessLogBatch(batch_id=batch_id, entries=len(entries), written_at=datetime.now(UTC)))
    if entries:
        session.execute(insert(AccessLog), list(entries))
    session.commit()
    return True


@dataclass
class LogQuery:
    # The reads of these municipalities' cases (None: of every case) and the reads naming no
    # case by the people of `unnamed_by` (None: by anyone). Both None: everything.
    municipalities: list[str] | None = None
    unnamed_by: str | None = None
    case_id: str | None = None
    username: str | None = None
    start: datetime | None = None
    end: datetime | None = None
    outside_caseload: bool | None = None
    outside_hours: bool | None = None


def review_log(session: Session, q: LogQuery, *, limit: int = 200, offset: int = 0) -> tuple[list[AccessLog], int]:
    """The entries `q` selects, newest first, and how many there are in all."""
    query = select(AccessLog)
    if q.municipalities is not None or q.unnamed_by is not None:
        named: ColumnElement[bool] = col(AccessLog.case_id).is_not(None)
        if q.municipalities is not None:
            named = named & col(AccessLog.municipality).in_(q.municipalities)
        unnamed: ColumnElement[bool] = col(AccessLog.case_id).is_(None)
        if q.unnamed_by is not None:
            unnamed = unnamed & (AccessLog.organisation == q.unnamed_by)
        query = query.where(or_(named, unnamed))
    if q.case_id:
        query = query.where(AccessLog.case_id == q.case_id)
    if q.username:
        query = query.where(AccessLog.username == q.username)
    if q.start:
        query = query.where(AccessLog.at >= q.start)
    if q.end:
        query = query.where(AccessLog.at < q.end)
    if q.outside_caseload is not None:
        query = query.where(AccessLog.outside_caseload == q.outside_caseload)
    if q.outside_hours is not None:
        query = query.where(AccessLog.outside_hours == q.outside_hours)
    total = session.exec(select(func.count()).select_from(query.subquery())).one()
    page = query.order_by(col(AccessLog.at).desc(), col(AccessLog.id).desc()).offset(offset).limit(limit)
    return list(session.exec(page)), total
