"""One mail, sent at most once: claim its key in the ledger, send, mark it sent.

The crash window is between the server taking the message and the ledger saying so. We choose
at-most-once there: a claim left `sending` (the worker died, or the connection broke while the
server was taking the message) is never sent again, only logged as `mail_outcome_unknown`.
Nothing is lost by that choice: the task itself is in the inbox, which is written by the
projection (at-least-once, idempotent), and in the next daily digest. Failures that surely did
not deliver (server unreachable, refused, bad login) release the claim, so a retry sends.
"""

from email.message import EmailMessage

import structlog

from activities.mail import Letterhead
from activities.smtp import MailNotSent, MailOutcomeUnknown, SmtpServer
from store.db import session_scope
from store.notifications import Claim, claim, mark_sent, release

log = structlog.get_logger()


class Delivery:
    def __init__(self, database_url: str, server: SmtpServer) -> None:
        self.database_url = database_url
        self.server = server

    def after_send(self, key: str) -> None:
        """Between the server's yes and the ledger's `sent`: the crash window (tests reach in here)."""

    def send_once(self, *, key: str, channel: str, recipient: str, case_id: str | None, message: EmailMessage) -> bool:
        """True when this call sent the mail; False when an earlier one did or may have.
        Raises MailNotSent (claim released) when the mail surely did not go out."""
        with session_scope(self.database_url) as session:
            found = claim(session, key=key, channel=channel, recipient=recipient, case_id=case_id)
        if found is Claim.SENT:
            return False
        if found is Claim.UNKNOWN:
            log.warning("mail_outcome_unknown", key=key, channel=channel, recipient=recipient)
            return False
        try:
            self.server.send(message)
        except MailNotSent:
            with session_scope(self.database_url) as session:
                release(session, key=key)
            raise
        except MailOutcomeUnknown:
            log.warning("mail_outcome_unknown", key=key, channel=channel, recipient=recipient)
            return False
        self.after_send(key)
        with session_scope(self.database_url) as session:
            mark_sent(session, key=key)
        return True


class Mailing:
    """What the mailing activities share: the database, and the way out by mail (None when no
    SMTP server is configured: then the inbox and the log are the only delivery)."""

    def __init__(
        self, database_url: str, delivery: Delivery | None = None, letterhead: Letterhead | None = None
    ) -> None:
        self.database_url = database_url
        self.delivery = delivery
        self.letterhead = letterhead
