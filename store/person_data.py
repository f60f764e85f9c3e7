"""What the service holds about some cases beyond their summary: tasks, the mail ledger and the
access log, each oldest first. A register extract gathers a person's cases' rows from here."""

from dataclasses import dataclass, field

from sqlmodel import Session, col, select

from store.models import AccessLog, Notification, Task


@dataclass
class HeldOnCase:
    tasks: list[Task] = field(default_factory=list)
    mails: list[Notification] = field(default_factory=list)
    access_log: list[AccessLog] = field(default_factory=list)


def held_on_cases(session: Session, case_ids: list[str]) -> dict[str, HeldOnCase]:
    """Every task, delivered message and logged read of each of these cases."""
    held = {case_id: HeldOnCase() for case_id in case_ids}
    if not case_ids:
        return held
    tasks = select(Task).where(col(Task.case_id).in_(case_ids)).order_by(col(Task.created_at), col(Task.id))
    for task in session.exec(tasks):
        held[task.case_id].tasks.append(task)
    mails = (
        select(Notification)
        .where(col(Notification.case_id).in_(case_ids))
        .order_by(col(Notification.sent_at), col(Notification.key))
    )
    for mail in session.exec(mails):
        held[str(mail.case_id)].mails.append(mail)
    reads = select(AccessLog).where(col(AccessLog.case_id).in_(case_ids)).order_by(col(AccessLog.at), col(AccessLog.id))
    for read in session.exec(reads):
        held[str(read.case_id)].access_log.append(read)
    return held
