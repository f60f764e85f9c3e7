"""Reminders that reach people: tasks in the inbox and mail through a real SMTP server
(aiosmtpd on localhost), escalation to the coordinator and then the supervisor, no personal
data in any mail, no duplicate on an activity retry, the daily digest, STARTTLS and AUTH."""

import dataclasses
import datetime as dt
import email
import email.policy
import ipaddress
import secrets
import socket
import ssl
from collections.abc import AsyncIterator, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import timedelta
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import pytest
import pytest_asyncio
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID
from temporalio import activity, workflow
from temporalio.client import ScheduleCalendarSpec
from temporalio.common import RetryPolicy
from temporalio.testing import ActivityEnvironment
from temporalio.worker import UnsandboxedWorkflowRunner, Worker

from activities.delivery import Delivery
from activities.mail import Letterhead
from activities.notify import MAIL_ATTEMPTS, Notifier
from activities.smtp import MailNotSent, SmtpServer
from store.db import session_scope
from store.models import Notification
from tests.stack import Stack, case_body, eventually, running_stack
from worker.schedules import ensure_digest_schedule
from workflows.calendar import STOCKHOLM
from workflows.digest import DailyDigestWorkflow, DigestInput, DigestReport
from workflows.effects import NOTIFY, Notice

TOWN = "9902"
PASSWORD = "samverkan-demo"
WORKER, OTHER_WORKER, COORDINATOR, SUPERVISOR = "handl.prov", "handl.prov2", "samordn.prov", "chef.prov"
DIGEST_WORKER = "handl.digest"
PUBLIC_URL = "https://samverkan.example.se"
# A policy in seconds: reminder at 2 s, due at 3 s, coordinator at 5 s, supervisor at 7 s.
FAST = {
    "introduction": "PT3S", "follow_up_interval": "PT1H", "outcome_check_after": "PT1H",
    "reminder_ahead": "PT1S", "escalate_after": "PT2S", "offer_answer_time": "PT1H", "withdrawn_review": "PT1H",
}


def address(username: str) -> str:
    return f"{username}@prov.example.se"


# --- a real SMTP server that keeps what it receives -------------------------------------


@dataclass
class Received:
    sender: str
    recipients: list[str]
    raw: bytes
    message: EmailMessage

    @property
    def subject(self) -> str:
        return str(self.message["Subject"])

    @property
    def text(self) -> str:
        body = self.message.get_body(("plain",))
        assert body is not None
        return str(body.get_content())  # type: ignore[attr-defined]

    @property
    def html(self) -> str:
        body = self.message.get_body(("html",))
        return "" if body is None else str(body.get_content())  # type: ignore[attr-defined]

    @property
    def everything(self) -> str:
        """Headers and every decoded part, so a check cannot miss encoded text."""
        headers = "\n".join(f"{k}: {v}" for k, v in self.message.items())
        parts = [str(p.get_content()) for p in self.message.walk() if not p.is_multipart()]  # type: ignore[attr-defined]
        return "\n".join([headers, *parts, self.raw.decode("utf-8", "replace")])


@dataclass
class Mailbox:
    received: list[Received] = field(default_factory=list)

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        raw = bytes(envelope.original_content or envelope.content)
        message = email.message_from_bytes(raw, policy=email.policy.default)
        self.received.append(Received(envelope.mail_from, list(envelope.rcpt_tos), raw, message))  # type: ignore[arg-type]
        return "250 Message accepted for delivery"

    def to(self, username: str, about: str = "") -> list[Received]:
        return [m for m in self.received if address(username) in m.recipients and about in m.subject]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="module")
def mailbox() -> Iterator[tuple[Mailbox, int]]:
    box, port = Mailbox(), free_port()
    controller = Controller(box, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield box, port
    finally:
        controller.stop()


@pytest_asyncio.fixture(scope="module")
async def mail_stack(
    temporal_address: str, tmp_path_factory: pytest.TempPathFactory, mailbox: tuple[Mailbox, int]
) -> AsyncIterator[Stack]:
    """Its own stack (task queue, SQLite file) that mails through the aiosmtpd above."""
    data_dir = tmp_path_factory.mktemp("samverkan-mail")
    async with running_stack(
        temporal_address, data_dir, f"sqlite:///{data_dir / 'samverkan.db'}",
        smtp_url=f"smtp://127.0.0.1:{mailbox[1]}", mail_from="samverkan@prov.example.se", public_url=PUBLIC_URL,
        digest_schedule_id=f"daily-digest-{secrets.token_hex(4)}", digest_working_days_only=False,
    ) as s:
        admin = await s.headers("admin")
        r = await s.api.post("/api/v1/municipalities", json={"code": TOWN, "name": "Provköping"}, headers=admin)
        assert r.status_code == 201, r.text
        for username, role in [
            (WORKER, "case_worker"), (OTHER_WORKER, "case_worker"), (DIGEST_WORKER, "case_worker"),
            (COORDINATOR, "coordinator"), (SUPERVISOR, "supervisor"),
        ]:
            r = await s.api.post("/api/v1/users", json={
                "username": username, "password": PASSWORD, "role": role, "organisation": TOWN,
                "display_name": f"Prov {role}", "email": address(username)}, headers=admin)
            assert r.status_code == 201, r.text
        await s.set_policy(TOWN, **FAST)
        yield s


async def open_case(s: Stack, worker: str = WORKER, **overrides: Any) -> tuple[str, dict[str, Any]]:
    """A case whose participant has names that cannot turn up in a mail by chance."""
    person = case_body(municipality=TOWN, given_name="Zelmira", family_name="Quarnström", **overrides)
    r = await s.api.post("/api/v1/cases", json=person, headers=await s.headers(worker))
    assert r.status_code == 201, r.text
    return str(r.json()["case_id"]), person


def assert_no_personal_data(mail: Received, person: dict[str, Any]) -> None:
    text = mail.everything
    number = person["personal_number"]  # e.g. 19900101-0017
    digits = number.replace("-", "")
    for form in (number, digits, digits[2:], number[2:], f"{digits[2:8]}-{digits[8:]}"):
        assert form not in text, "a personal number in a mail"
    for name in (person["given_name"], person["family_name"]):
        assert name not in text and name.lower() not in text.lower(), "a name in a mail"


async def tasks(s: Stack, user: str, **params: Any) -> list[dict[str, Any]]:
    return list(await s.get(user, "/api/v1/tasks", **params))


# --- reminders and escalations through the journey -----------------------------------------


async def test_reminder_mail_reaches_the_responsible_worker(mail_stack: Stack, mailbox: tuple[Mailbox, int]) -> None:
    s, (box, _) = mail_stack, mailbox
    cid, person = await open_case(s)

    async def reminded() -> Received:
        [mail] = [m for m in box.to(WORKER, cid) if m.subject.startswith("Påminnelse")]
        return mail

    mail = await eventually(reminded)
    assert mail.recipients == [address(WORKER)] and mail.sender == "samverkan@prov.example.se"
    assert mail.subject == f"Påminnelse: Avslut av introduktionen – ärende {cid} (Z. Q.)"
    assert f"{PUBLIC_URL}/cases/{cid}" in mail.text and f'href="{PUBLIC_URL}/cases/{cid}"' in mail.html
    assert "(Z. Q.)" in mail.text and "ska göras senast" in mail.text
    due = dt.datetime.fromisoformat((await s.get(WORKER, f"/api/v1/cases/{cid}"))["due"]["introduction_ends"])
    assert due.astimezone(STOCKHOLM).strftime("%Y-%m-%d %H:%M") in mail.text  # in Stockholm time
    assert_no_personal_data(mail, person)
    # The same reminder is a task in the worker's inbox.
    [task] = [t for t in await tasks(s, WORKER, kind="introduction_due") if t["case_id"] == cid]
    assert task["assignee"] == WORKER and task["status"] == "open"
    # When it falls due the worker hears again: the task is overdue.
    overdue = await eventually(lambda: _one(box, WORKER, cid, "Förfallen"))
    assert "försenad" in overdue.text
    assert_no_personal_data(overdue, person)
    await s.act(WORKER, cid, "complete-introduction")


async def _one(box: Mailbox, user: str, cid: str, prefix: str) -> Received:
    [mail] = [m for m in box.to(user, cid) if m.subject.startswith(prefix)]
    return mail


async def test_escalation_goes_to_the_coordinator_then_the_supervisor(
    mail_stack: Stack, mailbox: tuple[Mailbox, int]
) -> None:
    s, (box, _) = mail_stack, mailbox
    cid, person = await open_case(s)

    coordinator_mail = await eventually(lambda: _one(box, COORDINATOR, cid, "Eskalering:"))
    assert "som samordnare" in coordinator_mail.text and f"Ansvarig handläggare: {WORKER}" in coordinator_mail.text
    assert_no_personal_data(coordinator_mail, person)
    [escalation] = [t for t in await tasks(s, COORDINATOR, kind="escalation") if t["case_id"] == cid]
    assert escalation["assignee"] == COORDINATOR and escalation["about"] == "introduction_due"
    assert escalation["audience"] == "coordinator" and escalation["overdue"] is True

    supervisor_mail = await eventually(lambda: _one(box, SUPERVISOR, cid, "Eskalering till chef:"))
    assert "som chef" in supervisor_mail.text
    assert_no_personal_data(supervisor_mail, person)
    [top] = [t for t in await tasks(s, SUPERVISOR, status="open") if t["case_id"] == cid]
    assert top["kind"] == "escalation" and top["assignee"] == SUPERVISOR
    # Escalations reach only the escalation's audience: the worker got reminder and due only.
    assert sorted(m.subject.split(":")[0] for m in box.to(WORKER, cid)) == ["Förfallen", "Påminnelse"]

    # Doing the action closes every task the clock opened, in every inbox.
    await s.act(WORKER, cid, "complete-introduction")

    async def all_closed() -> None:
        mine = [t for u in (WORKER, COORDINATOR, SUPERVISOR) for t in await tasks(s, u) if t["case_id"] == cid]
        assert len(mine) == 3 and all(t["status"] == "done" and t["closed_at"] for t in mine)

    await eventually(all_closed)


async def test_reassignment_moves_open_tasks(mail_stack: Stack) -> None:
    s = mail_stack
    cid, _ = await open_case(s)

    async def task_of(user: str) -> dict[str, Any]:
        [task] = [t for t in await tasks(s, user, status="open", kind="introduction_due") if t["case_id"] == cid]
        return task

    await eventually(lambda: task_of(WORKER))
    await s.act(WORKER, cid, "reassign", {"responsible_worker": OTHER_WORKER})
    moved = await eventually(lambda: task_of(OTHER_WORKER))
    assert moved["assignee"] == OTHER_WORKER
    assert cid not in {t["case_id"] for t in await tasks(s, WORKER, status="open")}
    await s.act(OTHER_WORKER, cid, "close", {"reason": "prov klart"})


async def test_inbox_filters_by_status_and_kind_and_sorts_by_due_time(mail_stack: Stack) -> None:
    s = mail_stack
    first, _ = await open_case(s)
    second, _ = await open_case(s)

    async def both_escalated() -> None:
        esc = {t["case_id"] for t in await tasks(s, COORDINATOR, kind="escalation", status="open")}
        assert {first, second} <= esc

    await eventually(both_escalated)
    await s.act(WORKER, first, "complete-introduction")

    async def first_done() -> None:
        done = {t["case_id"] for t in await tasks(s, COORDINATOR, status="done")}
        assert first in done

    await eventually(first_done)
    still_open = await tasks(s, COORDINATOR, status="open")
    assert second in {t["case_id"] for t in still_open} and first not in {t["case_id"] for t in still_open}
    assert all(t["status"] == "open" for t in still_open)
    everything = await tasks(s, COORDINATOR)
    assert [t["due_at"] for t in everything] == sorted(t["due_at"] for t in everything)
    worker_intro = await tasks(s, WORKER, kind="introduction_due")
    assert worker_intro and all(t["kind"] == "introduction_due" for t in worker_intro)
    assert [dt.datetime.fromisoformat(t["due_at"]) for t in worker_intro] == sorted(
        dt.datetime.fromisoformat(t["due_at"]) for t in worker_intro
    )
    assert {t["case_id"] for t in await tasks(s, WORKER, kind="escalation")} == set()  # not the worker's
    overdue = await tasks(s, WORKER, overdue="true", status="open")
    assert second in {t["case_id"] for t in overdue}
    for bad in ({"status": "later"}, {"kind": "birthday"}):
        await s.get(WORKER, "/api/v1/tasks", expect=422, **bad)
    await s.act(WORKER, second, "close", {"reason": "prov klart"})


# --- a retried activity never sends twice ---------------------------------------------------


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


def ledger(s: Stack, key: str) -> Notification | None:
    with session_scope(s.settings.resolved_database_url) as session:
        return session.get(Notification, key)


async def test_no_second_mail_when_the_activity_is_retried_after_sending(
    mail_stack: Stack, mailbox: tuple[Mailbox, int]
) -> None:
    s, (box, port) = mail_stack, mailbox
    url, queue = s.settings.resolved_database_url, f"notify-retry-{secrets.token_hex(4)}"
    delivery = CrashAfterSending(url, SmtpServer.from_url(f"smtp://127.0.0.1:{port}"))
    notifier = Notifier(url, delivery, Letterhead("samverkan@prov.example.se", PUBLIC_URL))
    case_id = f"retry{secrets.token_hex(4)}"
    with ThreadPoolExecutor(max_workers=4) as executor:
        async with Worker(
            s.temporal, task_queue=queue, workflows=[NotifyOnceWorkflow], activities=[notifier.notify],
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


async def test_the_same_notice_twice_sends_one_mail(mail_stack: Stack, mailbox: tuple[Mailbox, int]) -> None:
    s, (box, port) = mail_stack, mailbox
    url = s.settings.resolved_database_url
    notifier = Notifier(url, Delivery(url, SmtpServer.from_url(f"smtp://127.0.0.1:{port}")),
                        Letterhead("samverkan@prov.example.se", PUBLIC_URL))
    case_id = f"twice{secrets.token_hex(4)}"
    env = ActivityEnvironment()
    assert env.run(notifier.notify, notice(case_id)) is True
    assert env.run(notifier.notify, notice(case_id)) is False
    assert len(box.to(WORKER, case_id)) == 1
    row = ledger(s, f"{notice(case_id).key}:mail")
    assert row is not None and row.status == "sent" and row.recipient == WORKER


async def test_a_mail_that_surely_failed_is_sent_by_the_retry(mail_stack: Stack, mailbox: tuple[Mailbox, int]) -> None:
    s, (box, port) = mail_stack, mailbox
    url, letterhead = s.settings.resolved_database_url, Letterhead("samverkan@prov.example.se", PUBLIC_URL)
    case_id = f"down{secrets.token_hex(4)}"
    down = Notifier(url, Delivery(url, SmtpServer.from_url(f"smtp://127.0.0.1:{free_port()}?timeout=2")), letterhead)
    with pytest.raises(MailNotSent):
        ActivityEnvironment().run(down.notify, notice(case_id))
    assert ledger(s, f"{notice(case_id).key}:mail") is None  # the claim was given back
    # After the last attempt the mail is given up, not the reminder: the activity completes.
    last = ActivityEnvironment()
    last.info = dataclasses.replace(last.info, attempt=MAIL_ATTEMPTS)
    assert last.run(down.notify, notice(case_id)) is False
    up = Notifier(url, Delivery(url, SmtpServer.from_url(f"smtp://127.0.0.1:{port}")), letterhead)
    ActivityEnvironment().run(up.notify, notice(case_id))
    assert len(box.to(WORKER, case_id)) == 1


# --- the daily digest --------------------------------------------------------------------------


async def test_daily_digest_lists_open_and_overdue_tasks(mail_stack: Stack, mailbox: tuple[Mailbox, int]) -> None:
    s, (box, _) = mail_stack, mailbox
    first, person = await open_case(s, DIGEST_WORKER)
    second, _ = await open_case(s, DIGEST_WORKER, personal_number=case_body()["personal_number"])

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
            [mail] = [m for m in box.to(DIGEST_WORKER) if m.subject.startswith("Dagens uppgifter")]
            return mail

        mail = await eventually(digest, timeout=30)
        assert "2 öppna, varav 2 försenade" in mail.subject
        for cid in (first, second):
            assert f"ärende {cid} (Z. Q.)" in mail.text and f"{PUBLIC_URL}/cases/{cid}" in mail.text
        assert mail.text.count("FÖRSENAD") == 2 and "Avslut av introduktionen" in mail.text
        assert_no_personal_data(mail, person)
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
    [mail] = [m for m in box.to(user) if m.subject.startswith("Dagens uppgifter")]
    assert "(eskalering)" in mail.text
    return mail


async def test_digest_skips_weekends_and_holidays(mail_stack: Stack) -> None:
    report = await mail_stack.temporal.execute_workflow(
        DailyDigestWorkflow.run, DigestInput(day=dt.date(2027, 6, 25)), id=f"digest-midsummer-{secrets.token_hex(4)}",
        task_queue=mail_stack.settings.task_queue, result_type=DigestReport,
    )
    assert report.skipped and report.recipients == []


# --- the SMTP URL: plain, STARTTLS and AUTH -------------------------------------------------


def test_smtp_url_format() -> None:
    plain = SmtpServer.from_url("smtp://mail.example.se")
    assert (plain.host, plain.port, plain.tls, plain.username) == ("mail.example.se", 25, "none", None)
    tls = SmtpServer.from_url("smtp://n%40kommun.se:hemligt%2Fx@mail.example.se?starttls=true&timeout=5")
    assert (tls.port, tls.tls, tls.timeout) == (587, "starttls", 5.0)
    assert (tls.username, tls.password) == ("n@kommun.se", "hemligt/x")
    assert SmtpServer.from_url("smtps://mail.example.se").port == 465
    assert SmtpServer.from_url("smtp://mail.example.se:2525?starttls=1").port == 2525
    for bad in ("http://mail.example.se", "smtp://u:topsecret@mail.example.se?tls=yes"):
        with pytest.raises(ValueError) as caught:
            SmtpServer.from_url(bad)
        assert "topsecret" not in str(caught.value)


def self_signed(tmp: Path) -> tuple[Path, Path]:
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    now = dt.datetime.now(dt.UTC)
    cert = (
        x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
        .serial_number(x509.random_serial_number()).not_valid_before(now - timedelta(minutes=1))
        .not_valid_after(now + timedelta(days=1))
        .add_extension(x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]), critical=False)
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    cert_path, key_path = tmp / "cert.pem", tmp / "key.pem"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()))
    return cert_path, key_path


def test_starttls_and_login(tmp_path: Path) -> None:
    cert, key = self_signed(tmp_path)
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(cert, key)
    logins: list[str] = []

    def authenticator(server: Any, session: Any, envelope: Any, mechanism: str, data: Any) -> AuthResult:
        ok = isinstance(data, LoginPassword) and (data.login, data.password) == (b"utskick@kommun.se", b"hemligt/1@")
        if ok:
            logins.append(mechanism)
        return AuthResult(success=ok, handled=False)  # handled=False: the server answers 535

    box, port = Mailbox(), free_port()
    controller = Controller(
        box, hostname="127.0.0.1", port=port, tls_context=context, require_starttls=True,
        authenticator=authenticator, auth_required=True,
    )
    controller.start()
    try:
        message = EmailMessage()
        message["From"], message["To"], message["Subject"] = "samverkan@prov.example.se", address(WORKER), "Prov åäö"
        message.set_content("Hej!")
        user = "utskick%40kommun.se"
        SmtpServer.from_url(f"smtp://{user}:hemligt%2F1%40@127.0.0.1:{port}?starttls=true&cafile={cert}").send(message)
        assert len(box.received) == 1 and box.received[0].subject == "Prov åäö" and logins
        with pytest.raises(MailNotSent):  # a wrong password: surely not sent, so a retry may try
            SmtpServer.from_url(f"smtp://{user}:fel@127.0.0.1:{port}?starttls=true&cafile={cert}").send(message)
        with pytest.raises(MailNotSent):  # the server insists on TLS: plain is refused
            SmtpServer.from_url(f"smtp://127.0.0.1:{port}").send(message)
        with pytest.raises(MailNotSent):  # a certificate nobody vouches for is not trusted
            SmtpServer.from_url(f"smtp://{user}:hemligt%2F1%40@127.0.0.1:{port}?starttls=true").send(message)
        assert len(box.received) == 1
    finally:
        controller.stop()
