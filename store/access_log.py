"""Who read which case, when, and through which page or call."""

from datetime import UTC, datetime

from sqlmodel import Session, col, select

from store.models import AccessLog


def log_read(session: Session, *, username: str, case_id: str, via: str, purpose: str | None = None) -> None:
    session.add(AccessLog(at=datetime.now(UTC), username=username, case_id=case_id, via=via, purpose=purpose))
    session.commit()


def read_log(
    session: Session,
    *,
    case_id: str | None = None,
    username: str | None = None,
    start: datetime | None = None,
    end: datetime | None = None,
    limit: int = 200,
    offset: int = 0,
) -> list[AccessLog]:
    query = select(AccessLog)
    if case_id:
        query = query.where(AccessLog.case_id == case_id)
    if username:
        query = query.where(AccessLog.username == username)
    if start:
        query = query.where(AccessLog.at >= start)
    if end:
        query = query.where(AccessLog.at < end)
    return list(session.exec(query.order_by(col(AccessLog.at).desc()).offset(offset).limit(limit)))
