"""Failed logins counted per username and per client address, and the lock-outs they earn.

Each key (``user:NAME``, whether or not the account exists, and ``ip:ADDRESS``) has one row
in ``login_throttle``: the failures counted since ``window_start`` and, once locked, the time
the lock ends. ``threshold`` failures within the window lock the key; each further
``threshold`` failures (the count is kept until the key has been quiet for a window after
its last lock) lock it twice as long as the time before, up to ``max_lock``. Attempts made
while a key is locked are refused without being counted, so that an attacker cannot keep a
lock growing without end; a successful login clears its username (never its address: one
valid account must not reset the count of a password-spraying address).

Rows are read ``FOR UPDATE`` (PostgreSQL) so that two server processes counting the same
key do not lose a failure; SQLite serialises its writers anyway.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from noivu_ioc.settings import Settings
from noivu_ioc.store.models import LoginThrottle, as_utc, utcnow

KEY_LENGTH = 160


@dataclass(frozen=True, slots=True)
class ThrottlePolicy:
    """How many failures lock a key and for how long; the settings' defaults."""

    user_failures: int = 5
    address_failures: int = 50
    window: timedelta = timedelta(minutes=15)
    lock: timedelta = timedelta(minutes=15)
    max_lock: timedelta = timedelta(hours=24)

    @classmethod
    def of(cls, settings: Settings) -> ThrottlePolicy:
        return cls(
            user_failures=settings.login_user_failures,
            address_failures=settings.login_address_failures,
            window=timedelta(minutes=settings.login_window_minutes),
            lock=timedelta(minutes=settings.login_lock_minutes),
            max_lock=timedelta(minutes=settings.login_lock_max_minutes),
        )

    def lock_for(self, level: int) -> timedelta:
        """The length of the ``level``-th lock in a row (1, 2, ...): doubled each time."""
        longer: timedelta = self.lock * (2 ** min(max(level - 1, 0), 30))
        return min(longer, self.max_lock)


@dataclass(frozen=True, slots=True)
class Lock:
    key: str
    failures: int
    until: datetime


def user_key(username: str) -> str:
    return ("user:" + username.strip().lower())[:KEY_LENGTH]


def address_key(client: str | None) -> str:
    return ("ip:" + (client or "unknown"))[:KEY_LENGTH]


def locked(session: Session, keys: list[str], now: datetime | None = None) -> str | None:
    """The first of ``keys`` that is locked now, or None."""
    at = now or utcnow()
    for key in keys:
        row = session.get(LoginThrottle, key)
        if row is not None and row.locked_until is not None and as_utc(row.locked_until) > at:
            return key
    return None


def _row(session: Session, key: str, now: datetime) -> LoginThrottle:
    """The key's row, locked for this transaction; created when it is the first failure."""
    dialect = session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    session.execute(
        insert(LoginThrottle)
        .values(key=key, failures=0, window_start=now, locked_until=None)
        .on_conflict_do_nothing(index_elements=["key"])
    )
    row = session.get(LoginThrottle, key, with_for_update=True, populate_existing=True)
    assert row is not None
    return row


def record_failure(
    session: Session,
    key: str,
    threshold: int,
    policy: ThrottlePolicy,
    now: datetime | None = None,
) -> Lock | None:
    """Count one failure of ``key``; the lock it earns, when it earns one."""
    at = now or utcnow()
    row = _row(session, key, at)
    quiet_since = as_utc(row.locked_until) if row.locked_until else as_utc(row.window_start)
    if at - quiet_since > policy.window:
        row.failures = 0
        row.window_start = at
        row.locked_until = None
    row.failures += 1
    if row.failures % threshold:
        return None
    until = at + policy.lock_for(row.failures // threshold)
    row.locked_until = until
    return Lock(key, row.failures, until)


def clear(session: Session, key: str) -> bool:
    """Forget the failures of ``key`` (after a successful login, or by an administrator)."""
    result = session.execute(delete(LoginThrottle).where(LoginThrottle.key == key))
    return bool(getattr(result, "rowcount", 0))
