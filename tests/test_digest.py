"""The daily digest: one mail a day to each holder of open tasks, the overdue marked, on a
Temporal Schedule at 07:30 Stockholm time; none on weekends and holidays."""

import datetime as dt
import secrets

from temporalio.client import ScheduleCalendarSpec

from tests.mail import (
    COORDINATOR,
    DIGEST_WORKER,
    PUBLIC_URL,
    SUPERVISOR,
    Mailbox,
    MailWorld,
    Received,
    assert_no_personal_data,
    open_case,
    tasks,
)
from tests.stack import case_body, eventually
from worker.schedules import ensure_digest_schedule
from workflows.digest import DailyDigestWorkflow, DigestInput, DigestReport


async def test_daily_digest_lists_open_and_overdue_tasks(mail: MailWorld) -> None:
    s, box = mail.stack, mail.box
    first, person = await open_case(s, DIGEST_WORKER)
    # The second participant's identity is protected: the digest says "Skyddad", not the initials.
    second, _ = await open_case(
        s, DIGEST_WORKER, personal_number=case_body()["personal_number"], protected_identity=True
    )

    async def settled() -> None:
        # Every holder the digest will mail holds their tasks: up to the supervisor's escalation.
        mine = await tasks(s, DIGEST_WORKER, status="open", overdue="true")
        assert {first, second} <= {t["case_id"] for t in mine}
        top = await tasks(s, SUPERVISOR, status="open", kind="escalation")
        assert {first, second} <= {t["case_id"] for t in top}

    await eventually(settled)
    await ensure_digest_schedule(s.temporal, s.settings)
    handle = s.temporal.get_schedule_handle(s.settings.digest_schedule_id)
    try:
        described = await handle.describe()
        spec = described.schedule.spec
        assert spec.time_zone_name == "Europe/Stockholm"
        [calendar] = spec.calendars
        assert isinstance(calendar, ScheduleCalendarSpec)
        assert (calendar.hour[0].start, calendar.minute[0].start) == (7, 30)
        await handle.trigger()

        async def digest() -> Received:
            [found] = [m for m in box.to(DIGEST_WORKER) if m.subject.startswith("Dagens uppgifter")]
            return found

        digest_mail = await eventually(digest, timeout=30)
        assert "2 öppna, varav 2 försenade" in digest_mail.subject
        for cid, shown in ((first, "Z. Q."), (second, "Skyddad")):
            assert f"ärende {cid} ({shown})" in digest_mail.text and f"{PUBLIC_URL}/cases/{cid}" in digest_mail.text
        assert digest_mail.text.count("(Z. Q.)") == 1
        assert digest_mail.text.count("FÖRSENAD") == 2 and "Avslut av introduktionen" in digest_mail.text
        assert_no_personal_data(digest_mail, person)
        # The coordinator's digest lists the escalations; no one gets a second digest that day.
        await eventually(lambda: _digest_of(box, COORDINATOR))
        again = await s.temporal.execute_workflow(
            DailyDigestWorkflow.run, DigestInput(working_days_only=False), id=f"digest-again-{secrets.token_hex(4)}",
            task_queue=s.settings.task_queue, result_type=DigestReport,
        )
        assert again.recipients == []
        assert len([m for m in box.to(DIGEST_WORKER) if m.subject.startswith("Dagens uppgifter")]) == 1
    finally:
        await handle.delete()


async def _digest_of(box: Mailbox, user: str) -> Received:
    [found] = [m for m in box.to(user) if m.subject.startswith("Dagens uppgifter")]
    assert "(eskalering)" in found.text
    return found


async def test_digest_skips_weekends_and_holidays(mail: MailWorld) -> None:
    report = await mail.stack.temporal.execute_workflow(
        DailyDigestWorkflow.run, DigestInput(day=dt.date(2027, 6, 25)), id=f"digest-midsummer-{secrets.token_hex(4)}",
        task_queue=mail.stack.settings.task_queue, result_type=DigestReport,
    )
    assert report.skipped and report.recipients == []
