"""Who hears of a clock: the responsible worker is reminded and told when it is overdue (a
task in the inbox and a mail), then the municipality's coordinator, then its supervisor, or
Arbetsförmedlingen's when the municipality has none. No personal data in any mail."""

import datetime as dt

from tests.mail import (
    AF_SUPERVISOR,
    COORDINATOR,
    FALLBACK_COORDINATOR,
    FALLBACK_TOWN,
    FALLBACK_WORKER,
    PUBLIC_URL,
    SENDER,
    SUPERVISOR,
    WORKER,
    MailWorld,
    Received,
    address,
    assert_no_personal_data,
    open_case,
    tasks,
)
from tests.stack import eventually
from workflows.calendar import STOCKHOLM


async def test_reminder_mail_reaches_the_responsible_worker(mail: MailWorld) -> None:
    s, box = mail.stack, mail.box
    cid, person = await open_case(s)

    async def reminded() -> Received:
        [found] = [m for m in box.to(WORKER, cid) if m.subject.startswith("Påminnelse")]
        return found

    reminder = await eventually(reminded)
    assert reminder.recipients == [address(WORKER)] and reminder.sender == SENDER
    assert reminder.subject == f"Påminnelse: Avslut av introduktionen – ärende {cid} (Z. Q.)"
    assert f"{PUBLIC_URL}/cases/{cid}" in reminder.text and f'href="{PUBLIC_URL}/cases/{cid}"' in reminder.html
    assert "(Z. Q.)" in reminder.text and "ska göras senast" in reminder.text
    due = dt.datetime.fromisoformat((await s.get(WORKER, f"/api/v1/cases/{cid}"))["due"]["introduction_ends"])
    assert due.astimezone(STOCKHOLM).strftime("%Y-%m-%d %H:%M") in reminder.text  # in Stockholm time
    assert_no_personal_data(reminder, person)
    # The same reminder is a task in the worker's inbox.
    [task] = [t for t in await tasks(s, WORKER, kind="introduction_due") if t["case_id"] == cid]
    assert task["assignee"] == WORKER and task["status"] == "open"
    # When it falls due the worker hears again: the task is overdue.
    overdue = await eventually(lambda: box.one(WORKER, cid, "Förfallen"))
    assert "försenad" in overdue.text
    assert_no_personal_data(overdue, person)
    await s.act(WORKER, cid, "complete-introduction")


async def test_escalation_goes_to_the_coordinator_then_the_supervisor(mail: MailWorld) -> None:
    s, box = mail.stack, mail.box
    cid, person = await open_case(s)

    coordinator_mail = await eventually(lambda: box.one(COORDINATOR, cid, "Eskalering:"))
    assert "som samordnare" in coordinator_mail.text and f"Ansvarig handläggare: {WORKER}" in coordinator_mail.text
    assert_no_personal_data(coordinator_mail, person)
    [escalation] = [t for t in await tasks(s, COORDINATOR, kind="escalation") if t["case_id"] == cid]
    assert escalation["assignee"] == COORDINATOR and escalation["about"] == "introduction_due"
    assert escalation["audience"] == "coordinator" and escalation["overdue"] is True

    supervisor_mail = await eventually(lambda: box.one(SUPERVISOR, cid, "Eskalering till chef:"))
    assert "som chef" in supervisor_mail.text
    assert_no_personal_data(supervisor_mail, person)
    [top] = [t for t in await tasks(s, SUPERVISOR, status="open") if t["case_id"] == cid]
    assert top["kind"] == "escalation" and top["assignee"] == SUPERVISOR
    # Escalations reach only the escalation's audience: the worker got reminder and due only.
    assert sorted(m.subject.split(":")[0] for m in box.to(WORKER, cid)) == ["Förfallen", "Påminnelse"]
    assert box.to(AF_SUPERVISOR, cid) == []  # the municipality has a supervisor of its own

    # Doing the action closes every task the clock opened, in every inbox.
    await s.act(WORKER, cid, "complete-introduction")

    async def all_closed() -> None:
        mine = [t for u in (WORKER, COORDINATOR, SUPERVISOR) for t in await tasks(s, u) if t["case_id"] == cid]
        assert len(mine) == 3 and all(t["status"] == "done" and t["closed_at"] for t in mine)

    await eventually(all_closed)


async def test_without_a_supervisor_of_its_own_the_municipality_escalates_to_af(mail: MailWorld) -> None:
    s, box = mail.stack, mail.box
    cid, person = await open_case(s, FALLBACK_WORKER, municipality=FALLBACK_TOWN)

    await eventually(lambda: box.one(FALLBACK_COORDINATOR, cid, "Eskalering:"))  # its own coordinator first
    af_mail = await eventually(lambda: box.one(AF_SUPERVISOR, cid, "Eskalering till chef:"))
    assert af_mail.recipients == [address(AF_SUPERVISOR)] and "som chef" in af_mail.text
    assert_no_personal_data(af_mail, person)
    [top] = [t for t in await tasks(s, AF_SUPERVISOR, kind="escalation") if t["case_id"] == cid]
    assert top["assignee"] == AF_SUPERVISOR and top["audience"] == "supervisor" and top["status"] == "open"
    assert box.to(SUPERVISOR, cid) == []  # Provköping's supervisor is not Reservköping's
    await s.act(FALLBACK_WORKER, cid, "complete-introduction")
