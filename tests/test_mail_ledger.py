"""Each mail is sent at most once (activities/delivery.py): a retried activity never sends it
again, the same notice twice sends one mail, a mail that surely failed is sent by the retry,
and a mail whose delivery is in doubt is never sent again."""

import dataclasses
import datetime as dt
import secrets
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from typing import Any

import pytest
from temporalio import activity, workflow
from temporalio.common import RetryPolicy
from temporalio.testing import ActivityEnvironment
from temporalio.worker import UnsandboxedWorkflowRunner, Worker

from activities.delivery import Delivery
from activities.mail import Letterhead
from activities.notify import MAIL_ATTEMPTS, Notifier
from activities.smtp import MailNotSent, SmtpServer
from store.db import session_scope
from store.models import Notification
from tests.mail import PUBLIC_URL, SENDER, TOWN, WORKER, Mailbox, MailWorld, smtp_server
from tests.stack import Stack, free_port
from workflows.effects import NOTIFY, Notice

LETTERHEAD = Letterhead(SENDER, PUBLIC_URL)


class CrashAfterSending(Delivery):
    """The worker dies after the server took the mail and before the ledger said so."""

    def after_send(self, key: str) -> None:
        if activity.info().attempt == 1:
            raise RuntimeError("worker lost after the mail went out")


@workflow.defn(name="NotifyOnceTest", sandboxed=False)
class NotifyOnceWorkflow:
    @workflow.run
    async def run(self, notice: Notice) -> bool:
        return bool(await workflow.execute_activity(
            NOTIFY, notice, start_to_close_timeout=timedelta(seconds=30),
            retry_policy=RetryPolicy(initial_interval=timedelta(milliseconds=100), maximum_attempts=5),
        ))


def notice(case_id: str, stage: str = "remind") -> Notice:
    return Notice(
        f"{case_id}:introduction_ends:1:{stage}", case_id, TOWN, WORKER, "responsible", "introduction_due", stage,
        dt.datetime.now(dt.UTC) + timedelta(days=2), "Z. Q.",
    )


def notifier(s: Stack, smtp_url: str, delivery: type[Delivery] = Delivery) -> Notifier:
    url = s.settings.resolved_database_url
    return Notifier(url, delivery(url, SmtpServer.from_url(smtp_url)), LETTERHEAD)


def ledger(s: Stack, key: str) -> Notification | None:
    with session_scope(s.settings.resolved_database_url) as session:
        return session.get(Notification, key)


async def test_no_second_mail_when_the_activity_is_retried_after_sending(mail: MailWorld) -> None:
    s, box = mail.stack, mail.box
    queue = f"notify-retry-{secrets.token_hex(4)}"
    case_id = f"retry{secrets.token_hex(4)}"
    with ThreadPoolExecutor(max_workers=4) as executor:
        async with Worker(
            s.temporal, task_queue=queue, workflows=[NotifyOnceWorkflow],
            activities=[notifier(s, mail.smtp_url, CrashAfterSending).notify],
            activity_executor=executor, workflow_runner=UnsandboxedWorkflowRunner(),
        ):
            handle = await s.temporal.start_workflow(
                NotifyOnceWorkflow.run, notice(case_id), id=f"notify-{case_id}", task_queue=queue
            )
            await handle.result()
    history = await handle.fetch_history()
    started = [e.activity_task_started_event_attributes for e in history.events
               if e.HasField("activity_task_started_event_attributes")]
    assert started[-1].attempt == 2  # it really was retried
    assert len(box.to(WORKER, case_id)) == 1
    row = ledger(s, f"{notice(case_id).key}:mail")
    assert row is not None and row.status == "sending"  # outcome unknown: at most once, never again


async def test_the_same_notice_twice_sends_one_mail(mail: MailWorld) -> None:
    s, box = mail.stack, mail.box
    once = notifier(s, mail.smtp_url)
    case_id = f"twice{secrets.token_hex(4)}"
    env = ActivityEnvironment()
    assert env.run(once.notify, notice(case_id)) is True
    assert env.run(once.notify, notice(case_id)) is False
    assert len(box.to(WORKER, case_id)) == 1
    row = ledger(s, f"{notice(case_id).key}:mail")
    assert row is not None and row.status == "sent" and row.recipient == WORKER


async def test_a_mail_that_surely_failed_is_sent_by_the_retry(mail: MailWorld) -> None:
    s, box = mail.stack, mail.box
    case_id = f"down{secrets.token_hex(4)}"
    down = notifier(s, f"smtp://127.0.0.1:{free_port()}?timeout=2")
    with pytest.raises(MailNotSent):
        ActivityEnvironment().run(down.notify, notice(case_id))
    assert ledger(s, f"{notice(case_id).key}:mail") is None  # the claim was given back
    # After the last attempt the mail is given up, not the reminder: the activity completes.
    last = ActivityEnvironment()
    last.info = dataclasses.replace(last.info, attempt=MAIL_ATTEMPTS)
    assert last.run(down.notify, notice(case_id)) is False
    ActivityEnvironment().run(notifier(s, mail.smtp_url).notify, notice(case_id))
    assert len(box.to(WORKER, case_id)) == 1


class HangsUpAfterData(Mailbox):
    """Takes the message, then drops the connection before saying so: the sender cannot know."""

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        await super().handle_DATA(server, session, envelope)
        server.transport.close()
        return "250 never heard"


async def test_a_mail_in_doubt_is_never_sent_again(mail: MailWorld) -> None:
    s = mail.stack
    case_id = f"doubt{secrets.token_hex(4)}"
    key = f"{notice(case_id).key}:mail"
    hangs_up = HangsUpAfterData()
    async with smtp_server(hangs_up) as port:
        doubtful = notifier(s, f"smtp://127.0.0.1:{port}?timeout=5")
        env = ActivityEnvironment()
        # The reminder is delivered (the inbox, written first); the mail's fate is unknown,
        # and the activity does not fail for it: a retry could send it twice.
        assert env.run(doubtful.notify, notice(case_id)) is True
        assert len(hangs_up.to(WORKER, case_id)) == 1  # the server did take it
        row = ledger(s, key)
        assert row is not None and row.status == "sending"
        # Repeating the notice (a retry, a replayed workflow) sends nothing, by any server.
        assert env.run(doubtful.notify, notice(case_id)) is False
        assert env.run(notifier(s, mail.smtp_url).notify, notice(case_id)) is False
    assert len(hangs_up.to(WORKER, case_id)) == 1 and mail.box.to(WORKER, case_id) == []
    inbox = ledger(s, notice(case_id).key)
    assert inbox is not None and inbox.status == "sent" and inbox.channel == "inbox"
