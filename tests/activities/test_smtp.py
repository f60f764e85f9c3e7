"""The SMTP URL (plain, STARTTLS, TLS, AUTH) and sending through a real server that insists
on STARTTLS and a login (aiosmtpd with a self-signed certificate)."""

import datetime as dt
import ipaddress
import ssl
from datetime import timedelta
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.smtp import AuthResult, LoginPassword
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from activities.smtp import MailNotSent, SmtpServer
from tests.mail import SENDER, WORKER, Mailbox, address, smtp_server


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


async def test_starttls_and_login(tmp_path: Path) -> None:
    cert, key = self_signed(tmp_path)
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(cert, key)
    logins: list[str] = []

    def authenticator(server: Any, session: Any, envelope: Any, mechanism: str, data: Any) -> AuthResult:
        ok = isinstance(data, LoginPassword) and (data.login, data.password) == (b"utskick@kommun.se", b"hemligt/1@")
        if ok:
            logins.append(mechanism)
        return AuthResult(success=ok, handled=False)  # handled=False: the server answers 535

    box = Mailbox()
    async with smtp_server(
        box, tls_context=context, require_starttls=True, authenticator=authenticator, auth_required=True
    ) as port:
        message = EmailMessage()
        message["From"], message["To"], message["Subject"] = SENDER, address(WORKER), "Prov åäö"
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
