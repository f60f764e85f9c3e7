"""Talking to the mail server named by `SAMVERKAN_SMTP_URL`.

    smtp://[user[:password]@]host[:port][?starttls=true][&timeout=30][&cafile=/path/ca.pem]
    smtps://[user[:password]@]host[:port][?timeout=30][&cafile=/path/ca.pem]

`smtp` is plain SMTP (port 25), or STARTTLS with `starttls=true` (port 587 by default; the
upgrade is required, never skipped). `smtps` is TLS from the first byte (port 465). User and
password are percent-encoded and, when given, sent with AUTH after TLS is up. `cafile` trusts a
private CA; the server's certificate and name are always checked.

Sending tells apart the two ways it can fail, because the delivery ledger depends on it:
`MailNotSent` (the server refused or was never reached: safe to try again) and
`MailOutcomeUnknown` (the connection broke while the server was taking the message: it may
have it, so it must not be sent again).
"""

import contextlib
import smtplib
import ssl
from dataclasses import dataclass
from email.message import EmailMessage
from email.policy import SMTP as SMTP_POLICY
from urllib.parse import parse_qs, unquote, urlsplit

TRUE = {"1", "true", "yes", "on"}


class MailNotSent(Exception):
    """The server does not have the message."""


class MailOutcomeUnknown(Exception):
    """The server may have the message."""


@dataclass(frozen=True)
class SmtpServer:
    host: str
    port: int
    tls: str  # "none", "starttls" or "implicit"
    username: str | None = None
    password: str | None = None
    timeout: float = 30.0
    cafile: str | None = None

    @classmethod
    def from_url(cls, url: str) -> "SmtpServer":
        """Parse the URL; errors never quote it, since it may hold a password."""
        parts = urlsplit(url)
        if parts.scheme not in ("smtp", "smtps") or not parts.hostname:
            raise ValueError("SAMVERKAN_SMTP_URL must look like smtp://[user:password@]host[:port][?starttls=true]")
        query = {k: v[-1] for k, v in parse_qs(parts.query).items()}
        unknown = set(query) - {"starttls", "timeout", "cafile"}
        if unknown:
            raise ValueError(f"SAMVERKAN_SMTP_URL has unknown options: {sorted(unknown)}")
        starttls = query.get("starttls", "").lower() in TRUE
        if parts.scheme == "smtps":
            tls, port = "implicit", 465
        else:
            tls, port = ("starttls", 587) if starttls else ("none", 25)
        return cls(
            host=parts.hostname,
            port=parts.port or port,
            tls=tls,
            username=unquote(parts.username) if parts.username else None,
            password=unquote(parts.password) if parts.password else None,
            timeout=float(query.get("timeout", 30)),
            cafile=query.get("cafile"),
        )

    def _tls_context(self) -> ssl.SSLContext:
        return ssl.create_default_context(cafile=self.cafile)

    def _connect(self) -> smtplib.SMTP:
        if self.tls == "implicit":
            return smtplib.SMTP_SSL(self.host, self.port, timeout=self.timeout, context=self._tls_context())
        return smtplib.SMTP(self.host, self.port, timeout=self.timeout)

    def _prepare(self, smtp: smtplib.SMTP) -> None:
        smtp.ehlo()
        if self.tls == "starttls":
            smtp.starttls(context=self._tls_context())  # raises when the server does not offer it
            smtp.ehlo()
        if self.username:
            smtp.login(self.username, self.password or "")

    def send(self, message: EmailMessage) -> None:
        """Deliver one message to its `To` addresses."""
        sender, recipients = str(message["From"]), [str(a) for a in message.get_all("To", [])]
        try:
            smtp = self._connect()
        except (OSError, smtplib.SMTPException) as exc:
            raise MailNotSent(type(exc).__name__) from exc
        delivered = False
        try:
            try:
                self._prepare(smtp)
                code, _ = smtp.mail(sender)
                if code != 250:
                    raise MailNotSent(f"sender refused ({code})")
                for address in recipients:
                    code, _ = smtp.rcpt(address)
                    if code not in (250, 251):
                        raise MailNotSent(f"recipient refused ({code})")
            except (OSError, smtplib.SMTPException) as exc:
                raise MailNotSent(type(exc).__name__) from exc
            try:
                smtp.data(message.as_bytes(policy=SMTP_POLICY))
                delivered = True
            except smtplib.SMTPDataError as exc:  # the server answered, and said no
                raise MailNotSent(f"message refused ({exc.smtp_code})") from exc
            except (OSError, smtplib.SMTPException) as exc:
                raise MailOutcomeUnknown(type(exc).__name__) from exc
        finally:
            # The message is delivered (or not) before QUIT; a failing QUIT changes nothing.
            # After a failure the connection may be half-dead (a broken TLS handshake): just close.
            if delivered:
                with contextlib.suppress(OSError, smtplib.SMTPException):
                    smtp.quit()
            else:
                smtp.close()
