"""The outbox: e-mail and SMS copies of in-app notifications, sent with retries.

Which copies are queued is decided once per process: ``configure(settings)`` (called when the
application starts and by the ``ioc notify`` commands) turns on e-mail when ``IOC_SMTP_HOST``
is set and SMS when ``IOC_SMS_WEBHOOK_URL`` is; until it is called nothing is configured and
notifications stay in the app only. E-mail goes out for every severity; SMS only for
critical and major notifications, because a text message is meant to interrupt someone.

``send_due`` sends what is due, one delivery per transaction. A delivery is claimed before it
is sent (an UPDATE that only one process can win), so two server processes never send the
same copy twice. A failed attempt is retried after 1, 2, 4, 8 and 16 minutes; the sixth
failure gives up: status ``failed``, the error kept, an event ``notification.failed``.
"""

from __future__ import annotations

import logging
import smtplib
import ssl
from collections import Counter
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, timezone
from email.header import Header
from email.mime.text import MIMEText
from email.utils import format_datetime, make_msgid
from types import TracebackType
from typing import Any

import httpx2
from sqlalchemy import or_, select, update
from sqlalchemy.orm import Session

from noivu_ioc.ingest import events
from noivu_ioc.settings import Settings
from noivu_ioc.store import OpStore
from noivu_ioc.store.models import Delivery, Notification, User, as_utc, utcnow

log = logging.getLogger(__name__)

SMS_SEVERITIES = frozenset({"critical", "major"})
MAX_ATTEMPTS = 6
SMTP_TIMEOUT_S = 30.0
SMS_TIMEOUT_S = 10.0
# A claim this old was left by a process that stopped while sending: long enough for any
# send (a few network timeouts), short enough that the copy does not hang unseen.
CLAIM_MINUTES = 15
SMS_TITLE_CHARS = 120
VIETNAM_TIME = timezone(timedelta(hours=7), "ICT")

_WORDS: dict[str, dict[str, str]] = {
    "vi": {
        "critical": "Khẩn cấp",
        "major": "Nghiêm trọng",
        "minor": "Nhẹ",
        "warning": "Cảnh báo",
        "info": "Thông tin",
        "severity": "Mức độ",
        "time": "Thời gian",
        "local": "giờ Việt Nam",
        "open": "Xem chi tiết",
        "sender": "Trung tâm điều hành thông minh, Bộ Nội vụ",
        "footer": "Thư gửi tự động; thông báo này cũng có trong mục Thông báo của hệ thống.",
    },
    "en": {
        "critical": "Critical",
        "major": "Major",
        "minor": "Minor",
        "warning": "Warning",
        "info": "Info",
        "severity": "Severity",
        "time": "Time",
        "local": "Viet Nam time",
        "open": "Details",
        "sender": "Intelligent Operations Center, Ministry of Home Affairs",
        "footer": "Sent automatically; this notification is also under Notifications in the IOC.",
    },
}


@dataclass(frozen=True)
class Channels:
    """The channels a process sends copies on."""

    email: bool = False
    sms: bool = False

    @classmethod
    def of(cls, settings: Settings) -> Channels:
        return cls(email=bool(settings.smtp_host), sms=bool(settings.sms_webhook_url))

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(name for name, on in (("email", self.email), ("sms", self.sms)) if on)


_channels = Channels()


def configure(settings: Settings) -> Channels:
    """Decide, for this process, which copies ``queue_copies`` queues."""
    global _channels
    _channels = Channels.of(settings)
    log.info("notification copies by %s", ", ".join(_channels.names) or "nothing (in-app only)")
    return _channels


def configured() -> Channels:
    return _channels


def queue_copies(session: Session, note: Notification) -> None:
    """Queue the e-mail and SMS copies of a notification that its user can receive."""
    channels = _channels
    if not channels.names:
        return
    user = session.get(User, note.user_id)
    if user is None or not user.active:
        return
    now = utcnow()
    if channels.email and user.email:
        session.add(
            Delivery(
                notification_id=note.id, channel="email", address=user.email, next_attempt_at=now
            )
        )
    if channels.sms and user.phone and note.severity in SMS_SEVERITIES:
        session.add(
            Delivery(
                notification_id=note.id, channel="sms", address=user.phone, next_attempt_at=now
            )
        )


@dataclass(frozen=True)
class SendResult:
    sent: int = 0
    retrying: int = 0
    failed: int = 0
    cancelled: int = 0  # the user's account was disabled before the copy went out
    deferred: int = 0  # not tried: its channel's server was unreachable earlier this round


class DeliveryError(Exception):
    """One attempt failed; the message says why, without secrets."""


def send_due(
    store: OpStore,
    settings: Settings,
    now: datetime | None = None,
    limit: int = 100,
    *,
    notification_id: int | None = None,
) -> SendResult:
    """Send the pending copies whose time has come, on the channels ``settings`` configure
    (copies for another channel wait for a process that has it). ``now`` fixes the clock,
    for tests; otherwise each copy is stamped with the time it is sent."""
    fixed = now.astimezone(UTC) if now else None
    channels = Channels.of(settings).names
    if not channels:
        return SendResult()
    _give_up_abandoned(store, fixed or utcnow())
    with store.session() as session:
        query = select(Delivery.id, Delivery.channel).where(
            Delivery.status == "pending",
            Delivery.channel.in_(channels),
            or_(
                Delivery.next_attempt_at.is_(None), Delivery.next_attempt_at <= (fixed or utcnow())
            ),
        )
        if notification_id is not None:
            query = query.where(Delivery.notification_id == notification_id)
        due = list(
            session.execute(query.order_by(Delivery.next_attempt_at, Delivery.id).limit(limit))
        )

    outcomes: Counter[str] = Counter()
    with _Transport(settings) as transport:
        for delivery_id, channel in due:
            # One unreachable server costs one timeout a round, not one per copy.
            if channel in transport.down:
                outcomes["deferred"] += 1
                continue
            outcome = _send_one(store, settings, transport, delivery_id, fixed or utcnow())
            if outcome is not None:
                outcomes[outcome] += 1
    result = SendResult(**outcomes)
    if due:
        log.info(
            "outbox: %d sent, %d to retry, %d failed, %d cancelled, %d deferred",
            result.sent,
            result.retrying,
            result.failed,
            result.cancelled,
            result.deferred,
        )
    return result


@dataclass(frozen=True)
class _Copy:
    """What one delivery sends, read while it is claimed."""

    channel: str
    address: str
    username: str
    title: str
    email: MIMEText | None
    sms: dict[str, str] | None


def _send_one(
    store: OpStore, settings: Settings, transport: _Transport, delivery_id: int, now: datetime
) -> str | None:
    with store.session() as session:
        attempts = session.execute(
            update(Delivery)
            .where(Delivery.id == delivery_id, Delivery.status == "pending")
            .values(
                status="sending",
                attempts=Delivery.attempts + 1,
                next_attempt_at=now + timedelta(minutes=CLAIM_MINUTES),
            )
            .returning(Delivery.attempts),
            execution_options={"synchronize_session": False},
        ).scalar_one_or_none()
        if attempts is None:
            return None  # another process claimed it first
        delivery = session.get(Delivery, delivery_id)
        assert delivery is not None
        note = session.get(Notification, delivery.notification_id)
        assert note is not None
        user = session.get(User, note.user_id)
        assert user is not None
        if not user.active:
            delivery.status = "failed"
            delivery.last_error = f"the account {user.username} was disabled before it was sent"
            delivery.next_attempt_at = None
            return "cancelled"
        copy = _compose(settings, delivery, note, user)

    try:
        if copy.email is not None:
            transport.email(copy.email)
        elif copy.sms is not None:
            transport.sms(copy.sms)
        error = None
    except DeliveryError as exc:
        error = str(exc)

    with store.session() as session:
        delivery = session.get(Delivery, delivery_id)
        assert delivery is not None
        if error is None:
            delivery.status = "sent"
            delivery.sent_at = now
            delivery.last_error = None
            delivery.next_attempt_at = None
            log.debug("delivery %d: %s to %s sent", delivery_id, copy.channel, copy.username)
            return "sent"
        delivery.last_error = error
        if attempts < MAX_ATTEMPTS:
            retry_at = now + timedelta(minutes=2 ** (attempts - 1))
            delivery.status = "pending"
            delivery.next_attempt_at = retry_at
            log.warning(
                "delivery %d: %s to %s failed (attempt %d of %d), retrying at %s: %s",
                delivery_id,
                copy.channel,
                copy.username,
                attempts,
                MAX_ATTEMPTS,
                retry_at.isoformat(timespec="seconds"),
                error,
            )
            return "retrying"
        delivery.status = "failed"
        delivery.next_attempt_at = None
        _record_failure(session, delivery, copy.username, copy.title)
        return "failed"


def _give_up_abandoned(store: OpStore, now: datetime) -> None:
    """Fail the copies whose sender stopped mid-send: they may have gone out, so they are not
    sent again (a copy goes at most once)."""
    with store.session() as session:
        abandoned = list(
            session.execute(
                update(Delivery)
                .where(Delivery.status == "sending", Delivery.next_attempt_at <= now)
                .values(
                    status="failed",
                    next_attempt_at=None,
                    last_error="interrupted while sending (the process stopped); it may have "
                    "gone out, so it is not sent again",
                )
                .returning(Delivery.id),
                execution_options={"synchronize_session": False},
            ).scalars()
        )
        for delivery_id in abandoned:
            delivery = session.get(Delivery, delivery_id)
            assert delivery is not None
            note = session.get(Notification, delivery.notification_id)
            user = session.get(User, note.user_id) if note else None
            _record_failure(
                session, delivery, user.username if user else "?", note.title if note else ""
            )


def _record_failure(session: Session, delivery: Delivery, username: str, title: str) -> None:
    channel = "e-mail" if delivery.channel == "email" else "SMS"
    log.error(
        "delivery %d: %s to %s failed after %d attempts: %s",
        delivery.id,
        channel,
        username,
        delivery.attempts,
        delivery.last_error,
    )
    events.record(
        session,
        kind="notification.failed",
        severity="minor",
        subject=username,
        message=f"{channel} copy of notification {delivery.notification_id} ({title}) to "
        f"{username} failed after {delivery.attempts} attempts: {delivery.last_error}",
        admin_code=None,
        payload={
            "delivery_id": delivery.id,
            "notification_id": delivery.notification_id,
            "channel": delivery.channel,
            "attempts": delivery.attempts,
            "error": delivery.last_error,
        },
    )


# -- composing ---------------------------------------------------------------------------


def link_of(settings: Settings, note: Notification) -> str:
    """The address a copy points to: the notification's page in the IOC as users reach it."""
    target = note.link or "/notifications"
    if target.startswith(("https://", "http://")):
        return target
    return settings.public_url.rstrip("/") + "/" + target.lstrip("/")


def _compose(settings: Settings, delivery: Delivery, note: Notification, user: User) -> _Copy:
    words = _WORDS.get(user.language, _WORDS["vi"])
    severity = words.get(note.severity, note.severity)
    link = link_of(settings, note)
    if delivery.channel == "sms":
        title = note.title if len(note.title) <= SMS_TITLE_CHARS else note.title[:119] + "…"
        return _Copy(
            channel="SMS",
            address=delivery.address,
            username=user.username,
            title=note.title,
            email=None,
            sms={
                "to": delivery.address,
                "text": f"[{severity}] {title} {link}",
                "ref": f"delivery:{delivery.id}",
            },
        )

    created = as_utc(note.created_at).astimezone(VIETNAM_TIME)
    lines = [note.title, ""]
    if note.body:
        lines += [note.body, ""]
    lines += [
        f"{words['severity']}: {severity}",
        f"{words['time']}: {created:%H:%M %d/%m/%Y} ({words['local']})",
        f"{words['open']}: {link}",
        "",
        "-- ",
        words["sender"],
        words["footer"],
    ]
    # The legacy MIME classes and Header: Python 3.12's header folding drops the space where
    # it splits a long Vietnamese subject into encoded words ("nữ dưới" arrives "nữdưới").
    message = MIMEText("\n".join(lines) + "\n", "plain", "utf-8")
    subject = " ".join(f"[{severity}] {note.title}".split())
    message["Subject"] = Header(subject, "utf-8")  # type: ignore[assignment]  # stubs: str only
    message["From"] = settings.smtp_from
    message["To"] = delivery.address
    message["Date"] = format_datetime(utcnow())
    message["Message-ID"] = make_msgid(domain=settings.smtp_from.rpartition("@")[2] or None)
    message["X-IOC-Delivery"] = str(delivery.id)
    if note.ref:
        message["X-IOC-Ref"] = note.ref
    return _Copy(
        channel="e-mail",
        address=delivery.address,
        username=user.username,
        title=note.title,
        email=message,
        sms=None,
    )


# -- sending -----------------------------------------------------------------------------


class _Transport:
    """The connections of one sending round: opened on first use, dropped after a failure
    (the next copy opens a fresh one), closed at the end. A channel whose server cannot be
    reached is marked ``down`` for the rest of the round."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self._smtp: smtplib.SMTP | None = None
        self._http: httpx2.Client | None = None
        self.down: set[str] = set()  # channels whose server could not be reached this round

    def __enter__(self) -> _Transport:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self._drop_smtp(polite=True)
        if self._http is not None:
            self._http.close()

    def _connect_smtp(self) -> None:
        s = self.settings
        assert s.smtp_host is not None
        if s.smtp_port == 465:  # implicit TLS (SMTPS)
            self._smtp = smtplib.SMTP_SSL(
                s.smtp_host,
                s.smtp_port,
                timeout=SMTP_TIMEOUT_S,
                context=ssl.create_default_context(),
            )
        else:
            self._smtp = smtplib.SMTP(s.smtp_host, s.smtp_port, timeout=SMTP_TIMEOUT_S)
            if s.smtp_starttls:
                self._smtp.starttls(context=ssl.create_default_context())
        # Held before logging in, so that a refused login still closes the connection.
        if s.smtp_user:
            self._smtp.login(s.smtp_user, s.smtp_password or "")

    def _drop_smtp(self, polite: bool = False) -> None:
        if self._smtp is None:
            return
        try:
            self._smtp.quit() if polite else self._smtp.close()
        except OSError:
            self._smtp.close()
        self._smtp = None

    def email(self, message: MIMEText) -> None:
        if self._smtp is None:
            try:
                self._connect_smtp()
            except OSError as exc:  # smtplib's errors are OSErrors too
                self._drop_smtp()
                self.down.add("email")  # every copy would meet the same refusal or timeout
                raise DeliveryError(_smtp_error(exc, self.settings)) from None
        assert self._smtp is not None
        try:
            self._smtp.send_message(message)
        except OSError as exc:
            self._drop_smtp()
            if not isinstance(exc, smtplib.SMTPRecipientsRefused | smtplib.SMTPResponseException):
                self.down.add("email")  # the connection broke, not this one message
            raise DeliveryError(_smtp_error(exc, self.settings)) from None

    def sms(self, payload: dict[str, Any]) -> None:
        s = self.settings
        assert s.sms_webhook_url is not None
        if self._http is None:
            headers = {"Authorization": f"Bearer {s.sms_token}"} if s.sms_token else {}
            self._http = httpx2.Client(timeout=SMS_TIMEOUT_S, headers=headers)
        try:
            response = self._http.post(s.sms_webhook_url, json=payload)
        except httpx2.HTTPError as exc:
            self.down.add("sms")
            # The hook's address may carry a key: name the failure, not the URL.
            raise DeliveryError(
                f"cannot reach the SMS gateway: {type(exc).__name__}: {exc}"
            ) from None
        if not response.is_success:
            raise DeliveryError(
                f"SMS gateway answered {response.status_code}: {response.text.strip()[:200]}"
            )


def _smtp_error(exc: OSError, settings: Settings) -> str:
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        refused = "; ".join(f"{code} {_text(reply)}" for code, reply in exc.recipients.values())
        return f"SMTP server refused the recipient: {refused}"
    if isinstance(exc, smtplib.SMTPResponseException):
        return f"SMTP {exc.smtp_code}: {_text(exc.smtp_error)}"
    return f"SMTP server {settings.smtp_host}:{settings.smtp_port}: {exc or type(exc).__name__}"


def _text(reply: bytes | str) -> str:
    return reply.decode("utf-8", "replace") if isinstance(reply, bytes) else reply
