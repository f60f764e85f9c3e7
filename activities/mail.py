"""Mails rendered from the Swedish templates in templates/mail/.

A mail names a case by its reference and the participant by initials only, and links to the
case page; the recipient reads the rest after logging in, where every read is logged.
"""

import hashlib
from dataclasses import dataclass
from datetime import datetime
from email.message import EmailMessage
from email.utils import formatdate
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

from workflows.calendar import STOCKHOLM

TEMPLATES = Path(__file__).resolve().parent.parent / "templates" / "mail"

# The task kinds and stages in the words the users read every day.
KIND_SV = {
    "introduction_due": "Avslut av introduktionen",
    "follow_up_due": "Uppföljning",
    "outcome_check_due": "Statusuppföljning efter 90 dagar",
    "review_due": "Omprövning av återkallat program",
    "offer_answer_due": "Svar på erbjuden plats i jobbspår",
    "escalation": "Eskalering",
}
STAGE_SV = {
    "remind": "Påminnelse",
    "due": "Förfallen",
    "escalate": "Eskalering",
    "escalate_supervisor": "Eskalering till chef",
}

_env = Environment(
    loader=FileSystemLoader(TEMPLATES),
    autoescape=select_autoescape(enabled_extensions=("html",), default_for_string=False),
    undefined=StrictUndefined,  # a missing value fails the test, not the reader
    trim_blocks=True,
    lstrip_blocks=True,
    keep_trailing_newline=True,
)


def local_time(at: datetime) -> str:
    return at.astimezone(STOCKHOLM).strftime("%Y-%m-%d %H:%M")


_env.filters["local_time"] = local_time
_env.filters["kind_sv"] = lambda kind: KIND_SV.get(kind, kind)
_env.filters["stage_sv"] = lambda stage: STAGE_SV.get(stage, stage)


@dataclass(frozen=True)
class Letterhead:
    """Who mails come from and where their links point."""

    sender: str
    public_url: str

    def case_link(self, case_id: str) -> str:
        return f"{self.public_url.rstrip('/')}/cases/{case_id}"


def render(template: str, letterhead: Letterhead, to: str, key: str, **context: Any) -> EmailMessage:
    """`template`.subject.txt, .txt and (when present) .html, as one multipart message."""
    context |= {"public_url": letterhead.public_url.rstrip("/"), "case_link": letterhead.case_link}
    subject = _env.get_template(f"{template}.subject.txt").render(context).strip()
    message = EmailMessage()
    message["Subject"] = " ".join(subject.split())
    message["From"] = letterhead.sender
    message["To"] = to
    message["Date"] = formatdate(localtime=False)
    # The same ledger key gives the same Message-ID: a mail client folds any copy into one.
    digest = hashlib.sha256(key.encode()).hexdigest()[:32]
    message["Message-ID"] = f"<{digest}@samverkan>"
    message["Auto-Submitted"] = "auto-generated"
    message.set_content(_env.get_template(f"{template}.txt").render(context))
    if (TEMPLATES / f"{template}.html").exists():
        message.add_alternative(_env.get_template(f"{template}.html").render(context), subtype="html")
    return message
