"""The mail server down for a while: the reminder waits, its mail is retried, and when the
server is back it goes out exactly once."""

import secrets
from pathlib import Path

from aiosmtpd.controller import Controller

from core.metrics import MAILS
from tests.mail import FAST, Mailbox
from tests.stack import eventually, free_port, running_stack
from workflows.effects import NOTIFY

W = "handlaggare"


async def test_reminder_mail_goes_out_once_when_smtp_returns(temporal_address: str, tmp_path: Path) -> None:
    port = free_port()  # nothing listens here yet: the SMTP server is down
    failed_before = MAILS.labels("reminder", "failed")._value.get()
    async with running_stack(
        temporal_address, tmp_path, f"sqlite:///{tmp_path / 'db.sqlite'}", smtp_url=f"smtp://127.0.0.1:{port}",
        digest_schedule_id=f"digest-{secrets.token_hex(4)}",
    ) as s:
        await s.set_policy("0581", **FAST)  # this stack's own database: reminder after 2 s
        cid = (await s.open_case())["case_id"]

        async def tried_and_failed() -> None:
            assert MAILS.labels("reminder", "failed")._value.get() > failed_before

        await eventually(tried_and_failed, timeout=20)
        box = Mailbox()
        controller = Controller(box, hostname="127.0.0.1", port=port)
        controller.start()  # the server is back
        try:

            async def mailed() -> None:
                assert [m for m in box.received if cid in m.subject and m.subject.startswith("Påminnelse")]

            await eventually(mailed, timeout=30)

            async def no_mail_retrying() -> None:
                # Past this no notice is tried again, so no double can come any more.
                description = await s.temporal.get_workflow_handle(f"journey-{cid}").describe()
                pending = description.raw_description.pending_activities
                assert not [a for a in pending if a.activity_type.name == NOTIFY and a.attempt > 1]

            await eventually(no_mail_retrying, timeout=30)
            reminders = [m for m in box.received if cid in m.subject and m.subject.startswith("Påminnelse")]
            assert len(reminders) == 1 and reminders[0].recipients == [f"{W}@demo.invalid"]
            [task] = [t for t in await s.get(W, "/api/v1/tasks", kind="introduction_due") if t["case_id"] == cid]
            assert task["status"] == "open"  # the inbox had it all along
            await s.act(W, cid, "complete-introduction")
        finally:
            controller.stop()
