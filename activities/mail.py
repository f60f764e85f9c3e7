"""Mails rendered from the templates in templates/mail/, in Swedish by default, through the same
catalogue as the pages.

A mail names a case by its reference and the participant by initials only, and links to the
case page; the recipient reads the rest after logging in, where every read is logged.
"""

import hashlib
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import formatdate
from functools import lru_cache
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

from core.i18n import DEFAULT_LANGUAGE, Language, install_language

TEMPLATES = Path(__file__).resolve().parent.parent / "templates" / "mail"


@lru_cache
def _environment(language: Language) -> Environment:
    """One environment per language: the shared catalogue (core/i18n.py) and its formats."""
    env = Environment(
        loader=FileSystemLoader(TEMPLATES),
        autoescape=select_autoescape(enabled_extensions=("html",), default_for_string=False),
        undefined=StrictUndefined,  # a missing value fails the test, not the reader
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        extensions=["jinja2.ext.i18n"],
    )
    env.policies["ext.i18n.trimmed"] = True
    return install_language(env, language)


@dataclass(frozen=True)
class Letterhead:
    """Who mails come from and where their links point."""

    sender: str
    public_url: str

    def case_link(self, case_id: str) -> str:
        return f"{self.public_url.rstrip('/')}/cases/{case_id}"


def render(
    template: str, letterhead: Letterhead, to: str, key: str, language: Language = DEFAULT_LANGUAGE, **context: Any
) -> EmailMessage:
    """`template`.subject.txt, .txt and (when present) .html, as one multipart message, in the
    recipient's language (Swedish unless told otherwise)."""
    env = _environment(language)
    context |= {"public_url": letterhead.public_url.rstrip("/"), "case_link": letterhead.case_link}
    subject = env.get_template(f"{template}.subject.txt").render(context).strip()
    message = EmailMessage()
    message["Subject"] = " ".join(subject.split())
    message["From"] = letterhead.sender
    message["To"] = to
    message["Date"] = formatdate(localtime=False)
    # The same ledger key gives the same Message-ID: a mail client folds any copy into one.
    digest = hashlib.sha256(key.encode()).hexdigest()[:32]
    message["Message-ID"] = f"<{digest}@samverkan>"
    message["Auto-Submitted"] = "auto-generated"
    message.set_content(env.get_template(f"{template}.txt").render(context))
    if (TEMPLATES / f"{template}.html").exists():
        message.add_alternative(env.get_template(f"{template}.html").render(context), subtype="html")
    return message
