"""The daily digest's mails: each user who holds open tasks gets one mail listing them, the
overdue marked. One ledger key per user and day, so a retried run mails nobody twice."""

from datetime import UTC, datetime

import structlog
from sqlmodel import Session
from temporalio import activity

from activities.delivery import Mailing
from activities.mail import render
from activities.smtp import MailNotSent
from services.protected_identity import PROTECTED
from store.db import session_scope
from store.tasks import open_tasks_by_assignee
from store.users import get_user
from workflows.digest import SEND_DAILY_DIGEST, DigestReport, DigestRequest
from workflows.initials import initials

log = structlog.get_logger()


class Digest(Mailing):
    @activity.defn(name=SEND_DAILY_DIGEST)
    def send_daily_digest(self, request: DigestRequest) -> DigestReport:
        report = DigestReport(request.day)
        with session_scope(self.database_url) as session:
            holders = open_tasks_by_assignee(session)
            addresses = {name: _address(session, name) for name in holders}
        if self.delivery is None or self.letterhead is None:
            log.info("digest_not_mailed", day=request.day.isoformat(), holders=len(holders), reason="no smtp")
            return report
        failed: list[str] = []
        for username, rows in holders.items():
            activity.heartbeat(username)
            address = addresses[username]
            if address is None:
                continue
            tasks = [
                {
                    "case_id": t.case_id,
                    "initials": PROTECTED if protected else initials(given, family),
                    "kind": t.kind,
                    "about": t.about,
                    "due_at": _aware(t.due_at),
                    "overdue": t.overdue or _aware(t.due_at) <= request.as_of,
                }
                for t, given, family, protected in rows
            ]
            key = f"digest:{request.day.isoformat()}:{username}"
            message = render(
                "digest",
                self.letterhead,
                address,
                key,
                day=request.day,
                tasks=tasks,
                overdue=sum(1 for t in tasks if t["overdue"]),
            )
            try:
                sent = self.delivery.send_once(
                    key=key, channel="digest", recipient=username, case_id=None, message=message
                )
            except MailNotSent:
                failed.append(username)  # the others still get theirs; a retry tries only these
                continue
            if sent:
                report.recipients.append(username)
        log.info("digest_sent", day=request.day.isoformat(), mailed=len(report.recipients), failed=len(failed))
        if failed:
            raise MailNotSent(f"{len(failed)} digest mails not sent")
        return report


def _address(session: Session, username: str) -> str | None:
    user = get_user(session, username)
    return user.email if user is not None and user.active else None


def _aware(at: datetime) -> datetime:
    # SQLite hands back naive datetimes for timezone columns; they were written in UTC.
    return at if at.tzinfo else at.replace(tzinfo=UTC)
