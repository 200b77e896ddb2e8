"""SMTP_URL and the mailer against real SMTP servers: plain, with a login, over TLS, and what a
refusal means (refused for good, refused for now, unreachable)."""

from __future__ import annotations

import datetime as dt
import ipaddress
import ssl
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.smtp import AuthResult, LoginPassword
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from notification_service.core.config import NotificationSettings
from notification_service.services.mail import Mailer, NotAccepted, SmtpTarget, parse_smtp_url

from .conftest import Refusing, Sink, changed, free_port, smtp_server


def test_smtp_urls_are_read_with_their_defaults() -> None:
    assert parse_smtp_url("smtp://mail.example.com") == SmtpTarget("mail.example.com", 25, False)
    assert parse_smtp_url("smtps://mail.example.com") == SmtpTarget("mail.example.com", 465, True)
    assert parse_smtp_url("SMTP://127.0.0.1:1025") == SmtpTarget("127.0.0.1", 1025, False)
    assert parse_smtp_url("smtps://apikey:p%40ss%3Aword@smtp.example.com:2465") == SmtpTarget(
        "smtp.example.com", 2465, True, "apikey", "p@ss:word"
    )


@pytest.mark.parametrize(
    "url", ["http://mail.example.com", "mail.example.com:25", "smtp://", "smtp://host:port"]
)
def test_other_urls_are_refused(url: str) -> None:
    with pytest.raises(ValueError, match=r"SMTP_URL|[Pp]ort"):
        NotificationSettings(environment="test", smtp_url=url)


def _message(to: str) -> EmailMessage:
    message = EmailMessage()
    message["From"] = "TB ERP <no-reply@tb-erp.test>"
    message["To"] = to
    message["Subject"] = "Payment received — invoice INV-TEST"
    message.set_content("Amount paid: 10.00 EUR")
    return message


async def test_a_login_in_the_url_is_used(settings: NotificationSettings) -> None:
    logins: list[tuple[bytes, bytes]] = []

    def authenticator(server: Any, session: Any, envelope: Any, mechanism: str, data: Any) -> Any:
        assert isinstance(data, LoginPassword)
        logins.append((data.login, data.password))
        return AuthResult(success=data.password == b"s3cret:@")

    sink = Sink()
    async with smtp_server(sink, authenticator=authenticator, auth_require_tls=False) as controller:
        url = f"smtp://mailer:s3cret%3A%40@127.0.0.1:{controller.port}"
        await Mailer(changed(settings, smtp_url=url)).send(_message("a@b.test"), "a@b.test")

    assert logins == [(b"mailer", b"s3cret:@")]
    assert [mail.rcpt_tos for mail in sink.received] == [["a@b.test"]]


async def test_smtps_speaks_tls_from_the_start_and_checks_the_certificate(
    settings: NotificationSettings, tmp_path: Path
) -> None:
    certificate, key = _self_signed(tmp_path)
    server_tls = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    server_tls.load_cert_chain(certificate, key)
    sink = Sink()
    async with smtp_server(sink, ssl_context=server_tls) as controller:
        url = f"smtps://127.0.0.1:{controller.port}"
        await Mailer(changed(settings, smtp_url=url, smtp_ca_file=str(certificate))).send(
            _message("tls@b.test"), "tls@b.test"
        )
        # Without the CA the certificate is not trusted, and nothing is sent.
        with pytest.raises(NotAccepted, match="CERTIFICATE_VERIFY_FAILED") as refused:
            await Mailer(changed(settings, smtp_url=url)).send(_message("no@b.test"), "no@b.test")

    assert refused.value.permanent is False
    assert [mail.rcpt_tos for mail in sink.received] == [["tls@b.test"]]


@pytest.mark.parametrize(
    ("answer", "permanent"),
    [("550 5.1.1 No such mailbox", True), ("451 4.3.0 Try again later", False)],
)
async def test_a_refused_recipient_is_a_failure_for_good_only_on_5xx(
    settings: NotificationSettings, answer: str, permanent: bool
) -> None:
    sink = Refusing(answer)
    async with smtp_server(sink) as controller:
        mailer = Mailer(changed(settings, smtp_url=f"smtp://127.0.0.1:{controller.port}"))
        with pytest.raises(NotAccepted) as refused:
            await mailer.send(_message("gone@b.test"), "gone@b.test")

    assert refused.value.permanent is permanent
    assert answer.split()[0] in str(refused.value)
    assert sink.received == []


async def test_an_unreachable_server_is_a_failure_for_now(settings: NotificationSettings) -> None:
    mailer = Mailer(changed(settings, smtp_url=f"smtp://127.0.0.1:{free_port()}"))
    with pytest.raises(NotAccepted) as refused:
        await mailer.send(_message("a@b.test"), "a@b.test")
    assert refused.value.permanent is False


def _self_signed(folder: Path) -> tuple[Path, Path]:
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "tb-erp test mail server")])
    now = dt.datetime.now(dt.UTC)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(hours=1))
        .not_valid_after(now + dt.timedelta(hours=1))
        .add_extension(
            x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
            critical=False,
        )
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    certificate_path, key_path = folder / "server.pem", folder / "server.key"
    certificate_path.write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    return certificate_path, key_path
