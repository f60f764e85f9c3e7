"""The daily digest's mails: each user who holds open tasks gets one mail listing them, the
overdue marked. One ledger key per user and day, so a retried run mails nobody twice."""

from datetime import UTC, datetime

import structlog
from sqlmodel import Session
from temporalio import activity

from activities.delivery import Delivery, Mailing
from activities.mail import Letterhead, render
from activities.smtp import MailNotSent
from core.metrics import MAILS
from services.erasure import erase_past_retention
from services.protected_identity import shown_initials
from store.case_keys import CaseKeys
from store.db import session_scope
from store.tasks import open_tasks_by_assignee
from store.users import get_user
from workflows.digest import SEND_DAILY_DIGEST, DigestReport, DigestRequest

log = structlog.get_logger()


class Digest(Mailing):
    def __init__(
        self, database_url: str, keys: CaseKeys, delivery: Delivery | None = None, letterhead: Letterhead | None = None,
        retention_years: int | None = None,
    ) -> None:
        super().__init__(database_url, delivery, letterhead)
        self.keys = keys  # the initials are sealed with each case's key
        self.retention_years = retention_years

    @activity.defn(name=SEND_DAILY_DIGEST)
    def send_daily_digest(self, request: DigestRequest) -> DigestReport:
        report = DigestReport(request.day)
        with session_scope(self.database_url) as session:
            if self.retention_years is not None:  # the daily job erases what is past retention
                erased = erase_past_retention(session, self.keys, self.retention_years)
                log.info("retention_applied", erased=len(erased))
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
                    "initials": shown_initials(self.keys, case, None),  # a mail names no protected person
                    "kind": t.kind,
                    "about": t.about,
                    "due_at": _aware(t.due_at),
                    "overdue": t.overdue or _aware(t.due_at) <= request.as_of,
                }
                for t, case in rows
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
                MAILS.labels("digest", "failed").inc()
                failed.append(username)  # the others still get theirs; a retry tries only these
                continue
            if sent:
                MAILS.labels("digest", "sent").inc()
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
