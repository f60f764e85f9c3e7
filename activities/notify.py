"""Delivers a reminder or escalation: to the log (and the inbox, through the tasks) always,
by e-mail to the task's holder when SMTP is configured. The notice key makes a retry deliver
nothing twice."""

import dataclasses

import structlog
from temporalio import activity

from activities.delivery import Mailing
from activities.mail import render
from activities.smtp import MailNotSent
from core.metrics import ESCALATIONS, MAILS, REMINDERS
from services.protected_identity import PROTECTED
from store.cases import is_protected
from store.db import session_scope
from store.notifications import record_delivered
from store.tasks import assignee_for
from store.users import get_user
from workflows.effects import NOTIFY, Notice

log = structlog.get_logger()

# A reminder waits in the case's outbox while its mail is tried: after this many attempts
# (about a quarter of a minute of back-off) the mail is given up, not the reminder, which
# stays in the inbox and comes in the next daily digest.
MAIL_ATTEMPTS = 5


class Notifier(Mailing):
    @activity.defn(name=NOTIFY)
    def notify(self, notice: Notice) -> bool:
        """True when something was delivered by this call."""
        with session_scope(self.database_url) as session:
            recipient = assignee_for(
                session,
                notice.audience,
                notice.municipality,
                notice.responsible_worker,
                organisation=notice.organisation,
            )
            user = get_user(session, recipient) if recipient else None
            address = user.email if user is not None and user.active else None
            if is_protected(session, notice.case_id):
                # A mail leaves the service: no initials of a protected participant, to anyone.
                notice = dataclasses.replace(notice, initials=PROTECTED)
            first = record_delivered(
                session, key=notice.key, channel="inbox", recipient=recipient, case_id=notice.case_id
            )
        if first:
            REMINDERS.labels(notice.task_kind, notice.stage).inc()
            if notice.stage.startswith("escalate"):
                ESCALATIONS.labels(notice.audience).inc()
            log.info(
                "reminder",
                case_id=notice.case_id,
                kind=notice.task_kind,
                stage=notice.stage,
                audience=notice.audience,
                recipient=recipient,
                due_at=notice.due_at.isoformat(),
            )
        if self.delivery is None or self.letterhead is None:
            return first
        if address is None or recipient is None:
            log.info("reminder_not_mailed", case_id=notice.case_id, stage=notice.stage, recipient=recipient)
            return first
        key = f"{notice.key}:mail"
        message = render("reminder", self.letterhead, address, key, notice=notice)
        try:
            sent = self.delivery.send_once(
                key=key, channel="mail", recipient=recipient, case_id=notice.case_id, message=message
            )
        except MailNotSent as exc:
            MAILS.labels("reminder", "failed").inc()
            if activity.info().attempt < MAIL_ATTEMPTS:
                raise
            log.warning(
                "mail_given_up", case_id=notice.case_id, stage=notice.stage, recipient=recipient, error=str(exc)
            )
            return first
        if sent:
            MAILS.labels("reminder", "sent").inc()
            log.info("reminder_mailed", case_id=notice.case_id, stage=notice.stage, recipient=recipient)
        return first or sent
