"""A stack that mails through a real SMTP server (aiosmtpd on localhost) which keeps what it
receives, and the people of two test municipalities: Provköping has a coordinator and a
supervisor of its own, Reservköping only a coordinator (its supervisor escalations go to
Arbetsförmedlingen's)."""

import email
import email.policy
import secrets
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from email.message import EmailMessage
from pathlib import Path
from typing import Any

from aiosmtpd.controller import Controller

from tests.stack import Stack, case_body, free_port, running_stack

TOWN, FALLBACK_TOWN = "9902", "9903"
PASSWORD = "samverkan-demo"
WORKER, OTHER_WORKER, COORDINATOR, SUPERVISOR = "handl.prov", "handl.prov2", "samordn.prov", "chef.prov"
DIGEST_WORKER = "handl.digest"
FALLBACK_WORKER, FALLBACK_COORDINATOR = "handl.reserv", "samordn.reserv"
AF_SUPERVISOR = "chef"  # the demo supervisor of Arbetsförmedlingen (seeded, chef@demo.invalid)
SENDER = "samverkan@prov.example.se"
PUBLIC_URL = "https://samverkan.example.se"
# A policy in seconds: reminder at 1 s, due at 2 s, coordinator at 3 s, supervisor at 4 s.
FAST = {
    "introduction": "PT2S", "follow_up_interval": "PT1H", "outcome_check_after": "PT1H",
    "reminder_ahead": "PT1S", "escalate_after": "PT1S", "offer_answer_time": "PT1H", "withdrawn_review": "PT1H",
}
PEOPLE = [
    (WORKER, "case_worker", TOWN), (OTHER_WORKER, "case_worker", TOWN), (DIGEST_WORKER, "case_worker", TOWN),
    (COORDINATOR, "coordinator", TOWN), (SUPERVISOR, "supervisor", TOWN),
    (FALLBACK_WORKER, "case_worker", FALLBACK_TOWN), (FALLBACK_COORDINATOR, "coordinator", FALLBACK_TOWN),
]


def address(username: str) -> str:
    return "chef@demo.invalid" if username == AF_SUPERVISOR else f"{username}@prov.example.se"


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
    """An aiosmtpd handler that keeps every message it accepts."""

    received: list[Received] = field(default_factory=list)

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        raw = bytes(envelope.original_content or envelope.content)
        message = email.message_from_bytes(raw, policy=email.policy.default)
        self.received.append(Received(envelope.mail_from, list(envelope.rcpt_tos), raw, message))  # type: ignore[arg-type]
        return "250 Message accepted for delivery"

    def to(self, username: str, about: str = "") -> list[Received]:
        return [m for m in self.received if address(username) in m.recipients and about in m.subject]

    async def one(self, username: str, case_id: str, prefix: str) -> Received:
        """The one mail to `username` about the case whose subject starts with `prefix`."""
        [mail] = [m for m in self.to(username, case_id) if m.subject.startswith(prefix)]
        return mail


@dataclass
class MailWorld:
    stack: Stack
    box: Mailbox
    port: int

    @property
    def smtp_url(self) -> str:
        return f"smtp://127.0.0.1:{self.port}"


@asynccontextmanager
async def smtp_server(handler: Any, **options: Any) -> AsyncIterator[int]:
    """A real SMTP server on a free port of localhost, handing each message to `handler`."""
    port = free_port()
    controller = Controller(handler, hostname="127.0.0.1", port=port, **options)
    controller.start()
    try:
        yield port
    finally:
        controller.stop()


@asynccontextmanager
async def mail_world(temporal_address: str, data_dir: Path, database_url: str) -> AsyncIterator[MailWorld]:
    box = Mailbox()
    async with smtp_server(box) as port, running_stack(
        temporal_address, data_dir, database_url,
        smtp_url=f"smtp://127.0.0.1:{port}", mail_from=SENDER, public_url=PUBLIC_URL,
        digest_schedule_id=f"daily-digest-{secrets.token_hex(4)}", digest_working_days_only=False,
    ) as s:
        admin = await s.headers("admin")
        for code, name in [(TOWN, "Provköping"), (FALLBACK_TOWN, "Reservköping")]:
            r = await s.api.post("/api/v1/municipalities", json={"code": code, "name": name}, headers=admin)
            assert r.status_code == 201, r.text
            await s.set_policy(code, **FAST)
        for username, role, town in PEOPLE:
            r = await s.api.post("/api/v1/users", json={
                "username": username, "password": PASSWORD, "role": role, "organisation": town,
                "display_name": f"Prov {role}", "email": address(username)}, headers=admin)
            assert r.status_code == 201, r.text
        yield MailWorld(s, box, port)


async def open_case(s: Stack, worker: str = WORKER, **overrides: Any) -> tuple[str, dict[str, Any]]:
    """A case whose participant has names that cannot turn up in a mail by chance."""
    person = case_body(municipality=TOWN, given_name="Zelmira", family_name="Quarnström") | overrides
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
