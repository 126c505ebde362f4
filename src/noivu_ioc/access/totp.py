"""The second factor: time-based one-time codes (TOTP, RFC 6238) from an authenticator app.

Enrolment makes a random secret (160 bits, base32), keeps it encrypted with the store's key
(``store.secrets``) and shows it as a QR code (inline SVG drawn by segno, nothing fetched)
and as text; it counts only once the user types a first code. A code is accepted for the
current 30-second step or the one before or after (a phone's clock drifts), and each step
once: the last used step is kept, and a code of that step or an earlier one is refused,
so that a code seen over someone's shoulder cannot be used again.
"""

from __future__ import annotations

import hmac
import logging
import re
from dataclasses import dataclass
from datetime import datetime

import pyotp
import segno
from sqlalchemy.orm import Session

from noivu_ioc.access.users import Principal, access_changed, audit, end_other_sessions
from noivu_ioc.errors import ConflictError, InvalidInputError
from noivu_ioc.store.models import User, utcnow
from noivu_ioc.store.secrets import SecretBox

log = logging.getLogger(__name__)

STEP_SECONDS = 30
DIGITS = 6
DRIFT_STEPS = 1  # accepted on either side of the current step


@dataclass(frozen=True, slots=True)
class Enrolment:
    secret: str  # base32, as typed into an app that cannot scan
    uri: str  # otpauth:// URI, what the QR code holds
    qr_svg: str  # the QR code as an inline <svg> element

    @property
    def grouped_secret(self) -> str:
        """The secret in groups of four, easier to type: "ABCD EFGH ..."."""
        return " ".join(self.secret[i : i + 4] for i in range(0, len(self.secret), 4))


def _seal(box: SecretBox, secret: str) -> str:
    sealed = box.seal({"totp": secret})
    assert sealed is not None
    return sealed


def _secret(box: SecretBox, user: User) -> str | None:
    if not user.totp_secret:
        return None
    return str(box.open(user.totp_secret)["totp"])


def qr_svg(uri: str) -> str:
    return str(segno.make(uri, error="m").svg_inline(scale=5, border=2, dark="#10263f"))


def _enrolment(secret: str, username: str, issuer: str) -> Enrolment:
    uri = pyotp.TOTP(secret, interval=STEP_SECONDS, digits=DIGITS).provisioning_uri(
        name=username, issuer_name=issuer
    )
    return Enrolment(secret, uri, qr_svg(uri))


def begin(session: Session, user: User, box: SecretBox, issuer: str) -> Enrolment:
    """Start (or show again) an enrolment: the same secret until it is confirmed, so that
    reloading the page does not invalidate an app that has already scanned it."""
    if user.totp_confirmed_at is not None:
        raise ConflictError(
            f"user {user.username} already has a second factor; to move it to another phone, "
            "ask an administrator to reset it, then enrol again",
            vi=f"tài khoản {user.username} đã có yếu tố xác thực thứ hai; muốn chuyển sang điện "
            "thoại khác, hãy nhờ quản trị viên đặt lại rồi đăng ký lại",
        )
    secret = _secret(box, user)
    if secret is None:
        secret = pyotp.random_base32()
        user.totp_secret = _seal(box, secret)
        user.totp_last_step = None
        audit(session, "totp.enrol", "ok", user=user, detail={"step": "started"})
    return _enrolment(secret, user.username, issuer)


def _clean(code: str) -> str | None:
    digits = re.sub(r"[\s-]", "", code or "")
    return digits if len(digits) == DIGITS and digits.isdigit() else None


def _matching_step(secret: str, code: str, last_step: int | None, now: datetime) -> int | None:
    totp = pyotp.TOTP(secret, interval=STEP_SECONDS, digits=DIGITS)
    current = totp.timecode(now)
    found = None
    for step in range(current - DRIFT_STEPS, current + DRIFT_STEPS + 1):
        # Every candidate is compared (in constant time), whether or not one matched.
        if hmac.compare_digest(totp.generate_otp(step), code) and (
            last_step is None or step > last_step
        ):
            found = step
    return found


def verify(
    session: Session, user: User, box: SecretBox, code: str, now: datetime | None = None
) -> bool:
    """Whether ``code`` is a valid, unused code of the user's confirmed factor; a valid one
    is used up."""
    secret = _secret(box, user)
    digits = _clean(code)
    if secret is None or user.totp_confirmed_at is None or digits is None:
        return False
    step = _matching_step(secret, digits, user.totp_last_step, now or utcnow())
    if step is None:
        return False
    user.totp_last_step = step
    return True


def confirm(
    session: Session, user: User, box: SecretBox, code: str, now: datetime | None = None
) -> None:
    """Finish an enrolment with the first code the app shows."""
    if user.totp_confirmed_at is not None:
        raise ConflictError(
            f"user {user.username} already has a confirmed second factor",
            vi=f"tài khoản {user.username} đã có yếu tố xác thực thứ hai được xác nhận",
        )
    secret = _secret(box, user)
    if secret is None:
        raise InvalidInputError(
            "no enrolment is under way; open /account/totp to get a QR code first",
            vi="chưa có lượt đăng ký nào đang diễn ra; hãy mở /account/totp để lấy mã QR trước",
        )
    digits = _clean(code)
    step = _matching_step(secret, digits, user.totp_last_step, now or utcnow()) if digits else None
    if step is None:
        audit(session, "totp.enrol", "failed", user=user, detail={"reason": "wrong code"})
        session.commit()  # the caller rolls back on the error; the attempt stays audited
        raise InvalidInputError(
            f"the code {code.strip()!r} is not the one the app shows now; check that the "
            "phone's clock is right and type the 6 digits shown (a new code comes every 30 s)",
            vi=f"mã {code.strip()!r} không phải mã ứng dụng đang hiện; hãy kiểm tra đồng hồ của "
            "điện thoại và gõ 6 chữ số đang hiện (cứ 30 giây lại có mã mới)",
        )
    user.totp_last_step = step
    user.totp_confirmed_at = now or utcnow()
    access_changed()
    audit(session, "totp.enrol", "ok", user=user, detail={"step": "confirmed"})
    log.info("user %s enrolled a second factor", user.username)


def reset(session: Session, actor: Principal | None, user: User, client: str | None) -> int:
    """Remove a user's second factor (a lost phone) and end their sessions; they enrol again
    at their next login (administrators must). Returns how many sessions ended."""
    user.totp_secret = None
    user.totp_confirmed_at = None
    user.totp_last_step = None
    ended = end_other_sessions(session, user.id, None)
    audit(
        session,
        "totp.reset",
        "ok",
        user=actor,
        username=None if actor else "cli",
        target=user.username,
        client=client,
        detail={"sessions_ended": ended},
    )
    log.info("second factor of %s reset; %s sessions ended", user.username, ended)
    return ended
