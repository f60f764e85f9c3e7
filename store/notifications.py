"""The delivery ledger: a message is claimed before it is sent and marked sent after, so no
retry, repeat or concurrent attempt ever sends it a second time."""

from datetime import UTC, datetime
from enum import StrEnum

from sqlalchemy import delete
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col

from store.models import Notification


class Claim(StrEnum):
    CLAIMED = "claimed"  # this attempt holds the key and may send
    SENT = "sent"  # an earlier attempt delivered it
    UNKNOWN = "unknown"  # an earlier attempt claimed it and never learned whether it went out


def claim(session: Session, *, key: str, channel: str, recipient: str | None, case_id: str | None) -> Claim:
    """Take the key in its own committed transaction; the primary key lets only one attempt win."""
    session.add(
        Notification(
            key=key,
            case_id=case_id,
            recipient=recipient,
            channel=channel,
            status="sending",
            sent_at=datetime.now(UTC),
        )
    )
    try:
        session.commit()
        return Claim.CLAIMED
    except IntegrityError:
        session.rollback()
    found = session.get(Notification, key, populate_existing=True)
    return Claim.SENT if found is not None and found.status == "sent" else Claim.UNKNOWN


def mark_sent(session: Session, *, key: str) -> None:
    row = session.get(Notification, key, populate_existing=True)
    if row is not None:
        row.status, row.sent_at = "sent", datetime.now(UTC)
        session.add(row)
        session.commit()


def release(session: Session, *, key: str) -> None:
    """The server surely does not have the message: give the key back so a retry may send it."""
    session.exec(delete(Notification).where(col(Notification.key) == key, col(Notification.status) == "sending"))
    session.commit()


def record_delivered(session: Session, *, key: str, channel: str, recipient: str | None, case_id: str | None) -> bool:
    """One step for channels that cannot fail half-way (the inbox): True the first time only."""
    if claim(session, key=key, channel=channel, recipient=recipient, case_id=case_id) is not Claim.CLAIMED:
        return False
    mark_sent(session, key=key)
    return True
