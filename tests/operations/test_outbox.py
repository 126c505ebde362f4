"""The outbox against real servers: an SMTP server (aiosmtpd) that takes or refuses mail, and
an HTTP server standing in for the SMS gateway. Copies are queued only on configured
channels (SMS only when serious), go out in Vietnamese with a link, are retried with back-off
and given up with the error kept, and go exactly once with two senders at once. Then the
``ioc notify`` commands. On SQLite and on PostgreSQL."""

from __future__ import annotations

import json
import logging
import socket
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select
from typer.testing import CliRunner

from noivu_ioc.operations import outbox
from noivu_ioc.operations.cli import app as notify_app
from noivu_ioc.operations.notify import notify_users
from noivu_ioc.settings import Settings
from noivu_ioc.store import OpStore
from noivu_ioc.store.models import Delivery, Event, User, as_utc, utcnow
from tests.smtp_server import Mailbox, serve_mail

PUBLIC_URL = "https://ioc.moha.gov.vn"
SMTP_PASSWORD = "mat-khau-smtp-42"
SMS_TOKEN = "khoa-sms-7f3a"
TITLE = "Cảnh báo: tỷ lệ nữ dưới 40% tại Thành phố Hà Nội"
BODY = "Đề nghị Sở Nội vụ Hà Nội kiểm tra và báo cáo trước 17 giờ."


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture
def mailbox() -> Iterator[Mailbox]:
    yield from serve_mail(Mailbox())


@pytest.fixture
def refusing_mailbox() -> Iterator[Mailbox]:
    yield from serve_mail(Mailbox(refuse="550 5.1.1 Hộp thư không tồn tại"))


@dataclass
class Gateway:
    """An SMS gateway's hook: records each request, answers with the next status given."""

    url: str = ""
    answers: list[int] = field(default_factory=list)
    requests: list[dict[str, Any]] = field(default_factory=list)


@pytest.fixture
def gateway() -> Iterator[Gateway]:
    hook = Gateway()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers["Content-Length"]))
            hook.requests.append(
                {
                    "path": self.path,
                    "authorization": self.headers.get("Authorization"),
                    "content_type": self.headers.get("Content-Type"),
                    "json": json.loads(body),
                }
            )
            status = hook.answers.pop(0) if hook.answers else 200
            answer = b'{"accepted": true}' if status == 200 else b"gateway overloaded"
            self.send_response(status)
            self.send_header("Content-Length", str(len(answer)))
            self.end_headers()
            self.wfile.write(answer)

        def log_message(self, format: str, *args: Any) -> None:
            pass  # keep the test output to the test

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    hook.url = f"http://127.0.0.1:{server.server_address[1]}/sms/send"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield hook
    server.shutdown()
    server.server_close()
    thread.join()


@pytest.fixture(autouse=True)
def _unconfigured_afterwards() -> Iterator[None]:
    """The outbox's configuration is per process: leave it as the other tests expect."""
    yield
    outbox.configure(Settings(smtp_host=None, sms_webhook_url=None))


def _settings(
    tmp_path: Path, mail: Mailbox | None = None, hook: Gateway | None = None, **more: Any
) -> Settings:
    values: dict[str, Any] = {
        "data_dir": tmp_path,
        "scheduler": False,
        "smtp_host": "127.0.0.1" if mail else None,
        "smtp_port": mail.port if mail else 587,
        "smtp_starttls": False,
        "smtp_user": "ioc-mailer" if mail else None,
        "smtp_password": SMTP_PASSWORD if mail else None,
        "smtp_from": "ioc@moha.gov.vn",
        "sms_webhook_url": hook.url if hook else None,
        "sms_token": SMS_TOKEN if hook else None,
        "public_url": PUBLIC_URL,
    }
    return Settings(**values | more)


def _user(
    store: OpStore,
    username: str,
    email_address: str | None = None,
    phone: str | None = None,
    language: str = "vi",
) -> int:
    with store.session() as session:
        user = User(
            username=username,
            full_name="Nguyễn Thị Lan",
            password_hash="-",
            email=email_address,
            phone=phone,
            language=language,
        )
        session.add(user)
        session.flush()
        return user.id


def _notify(store: OpStore, user_id: int, severity: str = "critical", **more: Any) -> int:
    with store.session() as session:
        (note,) = notify_users(
            session,
            [user_id],
            kind="alert.escalated",
            title=more.pop("title", TITLE),
            body=BODY,
            ref="alert:5",
            link=more.pop("link", "/alerts/5"),
            severity=severity,
        )
        return note.id


def _deliveries(store: OpStore, note_id: int | None = None) -> list[Delivery]:
    with store.session() as session:
        query = select(Delivery).order_by(Delivery.id)
        if note_id is not None:
            query = query.where(Delivery.notification_id == note_id)
        return list(session.scalars(query))


def test_copies_are_queued_on_configured_channels_and_by_sms_only_when_serious(
    store: OpStore, tmp_path: Path, mailbox: Mailbox, gateway: Gateway
) -> None:
    lan = _user(store, "lan", "lan@moha.gov.vn", "+84912345678")
    nophone = _user(store, "binh", "binh@moha.gov.vn")

    assert outbox.configured() == outbox.Channels()  # nothing until the process configures
    assert _deliveries(store, _notify(store, lan)) == []  # in the app only

    outbox.configure(_settings(tmp_path, mailbox))
    assert [d.channel for d in _deliveries(store, _notify(store, lan))] == ["email"]

    assert outbox.configure(_settings(tmp_path, mailbox, gateway)) == outbox.Channels(True, True)
    copies = {
        severity: [
            (d.channel, d.address, d.status)
            for d in _deliveries(store, _notify(store, lan, severity))
        ]
        for severity in ("critical", "major", "minor", "warning", "info")
    }
    assert (
        copies["critical"]
        == copies["major"]
        == [
            ("email", "lan@moha.gov.vn", "pending"),
            ("sms", "+84912345678", "pending"),
        ]
    )
    for severity in ("minor", "warning", "info"):  # a text message is for what is serious
        assert copies[severity] == [("email", "lan@moha.gov.vn", "pending")]
    assert [d.channel for d in _deliveries(store, _notify(store, nophone))] == ["email"]


def test_an_email_copy_reaches_the_smtp_server_in_vietnamese_with_its_link(
    store: OpStore, tmp_path: Path, mailbox: Mailbox
) -> None:
    settings = _settings(tmp_path, mailbox)
    outbox.configure(settings)
    lan = _user(store, "lan", "lan@moha.gov.vn")
    note_id = _notify(store, lan)

    result = outbox.send_due(store, settings)

    assert result == outbox.SendResult(sent=1)
    assert mailbox.logins == [("ioc-mailer", SMTP_PASSWORD)]
    ((recipients, message),) = mailbox.received
    assert recipients == ["lan@moha.gov.vn"]
    assert message["To"] == "lan@moha.gov.vn" and message["From"] == "ioc@moha.gov.vn"
    assert message["Subject"] == f"[Khẩn cấp] {TITLE}"
    assert message.get_content_type() == "text/plain"
    assert message.get_content_charset() == "utf-8"
    text = message.get_content()
    assert TITLE in text and BODY in text
    assert "Mức độ: Khẩn cấp" in text
    assert f"Xem chi tiết: {PUBLIC_URL}/alerts/5" in text
    assert "Trung tâm điều hành thông minh, Bộ Nội vụ" in text
    (delivery,) = _deliveries(store, note_id)
    assert message["X-IOC-Delivery"] == str(delivery.id) and message["X-IOC-Ref"] == "alert:5"
    assert (delivery.status, delivery.attempts, delivery.last_error) == ("sent", 1, None)
    assert delivery.sent_at is not None

    assert outbox.send_due(store, settings) == outbox.SendResult()  # nothing left to send
    assert len(mailbox.received) == 1


def test_a_user_reading_english_gets_the_frame_in_english(
    store: OpStore, tmp_path: Path, mailbox: Mailbox
) -> None:
    settings = _settings(tmp_path, mailbox)
    outbox.configure(settings)
    _notify(store, _user(store, "mai", "mai@moha.gov.vn", language="en"), "minor", link=None)
    outbox.send_due(store, settings)
    ((_, message),) = mailbox.received
    assert message["Subject"] == f"[Minor] {TITLE}"
    assert f"Details: {PUBLIC_URL}/notifications" in message.get_content()


def test_a_refusing_smtp_server_is_retried_with_back_off_then_given_up(
    store: OpStore, tmp_path: Path, refusing_mailbox: Mailbox, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    settings = _settings(tmp_path, refusing_mailbox)
    outbox.configure(settings)
    note_id = _notify(store, _user(store, "lan", "lan@moha.gov.vn"))

    at = utcnow()
    for attempt in range(1, outbox.MAX_ATTEMPTS):
        assert outbox.send_due(store, settings, now=at) == outbox.SendResult(retrying=1)
        (delivery,) = _deliveries(store, note_id)
        assert (delivery.status, delivery.attempts) == ("pending", attempt)
        assert delivery.last_error is not None and "550" in delivery.last_error
        assert delivery.next_attempt_at is not None
        retry_at = as_utc(delivery.next_attempt_at)
        assert retry_at - at == timedelta(minutes=2 ** (attempt - 1))  # 1, 2, 4, 8, 16
        early = retry_at - timedelta(seconds=1)
        assert outbox.send_due(store, settings, now=early) == outbox.SendResult()
        at = retry_at

    assert outbox.send_due(store, settings, now=at) == outbox.SendResult(failed=1)
    (delivery,) = _deliveries(store, note_id)
    assert (delivery.status, delivery.attempts, delivery.next_attempt_at) == ("failed", 6, None)
    assert delivery.last_error == (
        "SMTP server refused the recipient: 550 5.1.1 Hộp thư không tồn tại"
    )
    assert refusing_mailbox.attempts == outbox.MAX_ATTEMPTS
    assert outbox.send_due(store, settings, now=at + timedelta(days=1)) == outbox.SendResult()

    with store.session() as session:
        (event,) = session.scalars(select(Event).where(Event.kind == "notification.failed"))
        assert (event.severity, event.admin_code, event.subject) == ("minor", None, "lan")
        assert event.payload is not None
        assert event.payload["delivery_id"] == delivery.id
        assert "550" in event.message
    assert "failed after 6 attempts" in caplog.text
    assert SMTP_PASSWORD not in caplog.text


def test_a_wrong_smtp_password_is_kept_as_the_error_but_never_written_out(
    store: OpStore, tmp_path: Path, mailbox: Mailbox, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    settings = _settings(tmp_path, mailbox, smtp_password="sai-mat-khau-99")
    outbox.configure(settings)
    note_id = _notify(store, _user(store, "lan", "lan@moha.gov.vn"))

    assert outbox.send_due(store, settings) == outbox.SendResult(retrying=1)
    (delivery,) = _deliveries(store, note_id)
    assert delivery.last_error is not None and delivery.last_error.startswith("SMTP 535")
    assert "sai-mat-khau-99" not in delivery.last_error
    assert "sai-mat-khau-99" not in caplog.text
    assert mailbox.received == []


def test_an_unreachable_smtp_server_costs_one_attempt_a_round_not_one_per_copy(
    store: OpStore, tmp_path: Path
) -> None:
    closed = Mailbox(port=_free_port())  # nothing listens there
    settings = _settings(tmp_path, closed)
    outbox.configure(settings)
    lan = _user(store, "lan", "lan@moha.gov.vn")
    notes = [_notify(store, lan, "info") for _ in range(3)]

    assert outbox.send_due(store, settings) == outbox.SendResult(retrying=1, deferred=2)
    first, *others = (_deliveries(store, n)[0] for n in notes)
    assert first.attempts == 1 and first.last_error is not None
    assert first.last_error.startswith(f"SMTP server 127.0.0.1:{closed.port}: ")
    assert [(d.status, d.attempts) for d in others] == [("pending", 0), ("pending", 0)]


def test_an_sms_copy_is_posted_to_the_gateway_as_json_with_the_bearer_token(
    store: OpStore, tmp_path: Path, gateway: Gateway
) -> None:
    settings = _settings(tmp_path, hook=gateway)
    outbox.configure(settings)
    note_id = _notify(store, _user(store, "lan", "lan@moha.gov.vn", "+84912345678"))

    assert outbox.send_due(store, settings) == outbox.SendResult(sent=1)
    (request,) = gateway.requests
    (delivery,) = _deliveries(store, note_id)  # no e-mail copy: SMTP is not configured
    assert request["path"] == "/sms/send"
    assert request["authorization"] == f"Bearer {SMS_TOKEN}"
    assert request["content_type"] == "application/json"
    assert request["json"] == {
        "to": "+84912345678",
        "text": f"[Khẩn cấp] {TITLE} {PUBLIC_URL}/alerts/5",
        "ref": f"delivery:{delivery.id}",
    }
    assert (delivery.channel, delivery.status) == ("sms", "sent")


def test_a_failing_gateway_is_tried_again_later(
    store: OpStore, tmp_path: Path, gateway: Gateway
) -> None:
    settings = _settings(tmp_path, hook=gateway)
    outbox.configure(settings)
    note_id = _notify(store, _user(store, "lan", phone="+84912345678"), "major")
    gateway.answers = [500]

    at = utcnow()
    assert outbox.send_due(store, settings, now=at) == outbox.SendResult(retrying=1)
    (delivery,) = _deliveries(store, note_id)
    assert delivery.last_error == "SMS gateway answered 500: gateway overloaded"
    assert outbox.send_due(store, settings, now=at + timedelta(minutes=1)) == outbox.SendResult(
        sent=1
    )
    (delivery,) = _deliveries(store, note_id)
    assert (delivery.status, delivery.attempts, delivery.last_error) == ("sent", 2, None)
    assert len(gateway.requests) == 2


def test_copies_wait_for_a_process_that_has_their_channel(
    store: OpStore, tmp_path: Path, mailbox: Mailbox, gateway: Gateway
) -> None:
    outbox.configure(_settings(tmp_path, mailbox, gateway))
    note_id = _notify(store, _user(store, "lan", "lan@moha.gov.vn", "+84912345678"))

    mail_only = _settings(tmp_path, mailbox)
    assert outbox.send_due(store, mail_only) == outbox.SendResult(sent=1)
    assert [(d.channel, d.status) for d in _deliveries(store, note_id)] == [
        ("email", "sent"),
        ("sms", "pending"),
    ]
    assert gateway.requests == []


def test_two_senders_at_once_send_each_copy_once(
    store: OpStore, tmp_path: Path, mailbox: Mailbox
) -> None:
    settings = _settings(tmp_path, mailbox)
    outbox.configure(settings)
    users = [_user(store, f"cb{i:02}", f"cb{i:02}@moha.gov.vn") for i in range(30)]
    for user_id in users:
        _notify(store, user_id, "info")

    start = threading.Barrier(2)
    results: list[outbox.SendResult] = []

    def sender() -> None:
        start.wait()
        results.append(outbox.send_due(store, settings))

    threads = [threading.Thread(target=sender) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()

    assert sum(r.sent for r in results) == 30
    assert all(r.retrying == r.failed == 0 for r in results)
    delivered = sorted(int(m["X-IOC-Delivery"]) for _, m in mailbox.received)
    assert delivered == [d.id for d in _deliveries(store)]  # each once, none missing
    assert {d.status for d in _deliveries(store)} == {"sent"}


def test_a_copy_left_mid_send_is_given_up_rather_than_sent_twice(
    store: OpStore, tmp_path: Path, mailbox: Mailbox
) -> None:
    settings = _settings(tmp_path, mailbox)
    outbox.configure(settings)
    note_id = _notify(store, _user(store, "lan", "lan@moha.gov.vn"))
    at = utcnow()
    with store.session() as session:  # as a sender that stopped after claiming it
        (delivery,) = session.scalars(select(Delivery))
        delivery.status, delivery.attempts, delivery.next_attempt_at = "sending", 1, at

    assert outbox.send_due(store, settings, now=at - timedelta(minutes=1)) == outbox.SendResult()
    assert _deliveries(store, note_id)[0].status == "sending"  # its claim still holds
    outbox.send_due(store, settings, now=at)
    (delivery,) = _deliveries(store, note_id)
    assert delivery.status == "failed"
    assert delivery.last_error is not None and "interrupted while sending" in delivery.last_error
    assert mailbox.received == []
    with store.session() as session:
        assert session.scalars(select(Event).where(Event.kind == "notification.failed")).one()


def test_a_disabled_account_gets_no_copy(store: OpStore, tmp_path: Path, mailbox: Mailbox) -> None:
    settings = _settings(tmp_path, mailbox)
    outbox.configure(settings)
    lan = _user(store, "lan", "lan@moha.gov.vn")
    note_id = _notify(store, lan)
    with store.session() as session:
        user = session.get(User, lan)
        assert user is not None
        user.active = False

    assert outbox.send_due(store, settings) == outbox.SendResult(cancelled=1)
    (delivery,) = _deliveries(store, note_id)
    assert delivery.status == "failed" and delivery.last_error is not None
    assert "disabled" in delivery.last_error
    assert mailbox.received == []


# -- the ioc notify commands ---------------------------------------------------------------

runner = CliRunner()


def _env(store: OpStore, tmp_path: Path, mail: Mailbox | None = None) -> dict[str, str]:
    env = {"IOC_DATABASE_URL": store.url, "IOC_DATA_DIR": str(tmp_path / "data")}
    if mail:
        env |= {
            "IOC_SMTP_HOST": "127.0.0.1",
            "IOC_SMTP_PORT": str(mail.port),
            "IOC_SMTP_STARTTLS": "false",
            "IOC_SMTP_USER": "ioc-mailer",
            "IOC_SMTP_PASSWORD": SMTP_PASSWORD,
            "IOC_PUBLIC_URL": PUBLIC_URL,
        }
    return env


def test_contact_sets_a_checked_email_and_phone(
    store: OpStore, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    _user(store, "lan")
    env = _env(store, tmp_path)

    done = runner.invoke(
        notify_app,
        ["contact", "lan", "--email", "lan@moha.gov.vn", "--phone", "0912 345 678"],
        env=env,
    )
    assert done.exit_code == 0, done.output
    assert "+84912345678" in done.output
    with store.session() as session:
        user = session.scalars(select(User).where(User.username == "lan")).one()
        assert (user.email, user.phone) == ("lan@moha.gov.vn", "+84912345678")

    bad_phone = runner.invoke(notify_app, ["contact", "lan", "--phone", "0212345678"], env=env)
    assert bad_phone.exit_code == 2
    assert "phone `0212345678` is not a Vietnamese mobile number" in bad_phone.output
    bad_email = runner.invoke(notify_app, ["contact", "lan", "--email", "lan@moha"], env=env)
    assert bad_email.exit_code == 2
    assert "e-mail `lan@moha` is not an address" in bad_email.output
    nobody = runner.invoke(notify_app, ["contact", "khong-co", "--email", "a@b.vn"], env=env)
    assert nobody.exit_code == 2 and "user 'khong-co' does not exist" in nobody.output
    nothing = runner.invoke(notify_app, ["contact", "lan"], env=env)
    assert nothing.exit_code == 2 and "give --email, --phone or both" in nothing.output

    cleared = runner.invoke(notify_app, ["contact", "lan", "--phone", ""], env=env)
    assert cleared.exit_code == 0, cleared.output
    with store.session() as session:
        user = session.scalars(select(User).where(User.username == "lan")).one()
        assert (user.email, user.phone) == ("lan@moha.gov.vn", None)  # e-mail left as it was


def test_notify_test_sends_at_once_and_outbox_prints_counts(
    store: OpStore, tmp_path: Path, mailbox: Mailbox, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    _user(store, "lan", "lan@moha.gov.vn")
    env = _env(store, tmp_path, mailbox)

    sent = runner.invoke(notify_app, ["test", "lan"], env=env)
    assert sent.exit_code == 0, sent.output
    assert "email to lan@moha.gov.vn: sent" in sent.output
    ((recipients, message),) = mailbox.received
    assert recipients == ["lan@moha.gov.vn"]
    assert message["Subject"] == "[Nghiêm trọng] Thông báo thử của Trung tâm điều hành thông minh"
    assert f"{PUBLIC_URL}/notifications" in message.get_content()

    other = _user(store, "binh", "binh@moha.gov.vn")
    outbox.configure(_settings(tmp_path, mailbox))
    _notify(store, other, "info")
    _notify(store, other, "info")
    rounded = runner.invoke(notify_app, ["outbox"], env=env)
    assert rounded.exit_code == 0, rounded.output
    assert "sent 2, to retry 0, failed 0, cancelled 0; pending: none" in rounded.output
    assert len(mailbox.received) == 3

    unconfigured = runner.invoke(notify_app, ["test", "binh"], env=_env(store, tmp_path))
    assert unconfigured.exit_code == 0, unconfigured.output
    assert "no copy queued" in unconfigured.output and "set IOC_SMTP_HOST" in unconfigured.output
