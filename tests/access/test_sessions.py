"""Sessions: absolute and idle expiry, the last-seen time written at most once a minute,
sessions that wait for their second factor, revocation, a password change ending the other
sessions, and how soon another process's revocation applies to a server's cache."""

import os
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from noivu_ioc.access import users
from noivu_ioc.errors import InvalidInputError, NotAuthenticatedError, NotFoundError
from noivu_ioc.store import OpStore
from noivu_ioc.store.models import AuditEvent, LoginSession, User, utcnow
from noivu_ioc.web.deps import PrincipalCache
from tests.access.conftest import SeedUsers

PASSWORD = "hoa-ban-tren-doi-moc-chau"
NEW_PASSWORD = "may-trang-deo-hai-van"


@pytest.fixture
def seeded(seed_users: SeedUsers) -> OpStore:
    return seed_users(
        PASSWORD,
        [
            ("sonv.hue", "Tôn Nữ Thu Hà", "provincial_officer", "SNV.46"),
            ("phan.tich", "Phạm Thu", "analyst", "BNV"),
            ("qt.moi", "Quản Trị Mới", "administrator", "BNV"),
        ],
    )


def start(store: OpStore, name: str = "sonv.hue", **kwargs: object) -> str:
    with store.session() as s:
        return users.start_session(s, users.get_user(s, name), 12, "pytest", "10.0.0.1", **kwargs)  # type: ignore[arg-type]


def shift(store: OpStore, **changes: timedelta) -> None:
    """Move the times of every session into the past, as if they had been there that long."""
    with store.session() as s:
        for row in s.scalars(select(LoginSession)):
            for field, delta in changes.items():
                setattr(row, field, getattr(row, field) - delta)


def test_a_session_ends_at_its_absolute_term(seeded: OpStore) -> None:
    token = start(seeded)
    with seeded.session() as s:
        row = s.scalars(select(LoginSession)).one()
        assert row.method == "password" and row.client == "10.0.0.1"
        assert users._aware(row.expires_at) - users._aware(row.created_at) == timedelta(hours=12)
    shift(seeded, expires_at=timedelta(hours=12, seconds=1))
    with pytest.raises(NotAuthenticatedError, match="has ended"), seeded.session() as s:
        users.resolve_session(s, token)


def test_an_idle_session_ends(seeded: OpStore) -> None:
    token = start(seeded)
    shift(seeded, last_seen_at=timedelta(minutes=31))
    with seeded.session() as s:
        assert users.resolve_session(s, token).username == "sonv.hue"  # no idle limit given
    shift(seeded, last_seen_at=timedelta(minutes=31))
    idle = pytest.raises(NotAuthenticatedError, match="30 minutes without activity")
    with idle, seeded.session() as s:
        users.resolve_session(s, token, idle_minutes=30)


def test_last_seen_is_written_at_most_once_a_minute(seeded: OpStore) -> None:
    token = start(seeded)
    with seeded.session() as s:
        first = s.scalars(select(LoginSession.last_seen_at)).one()
    with seeded.session() as s:
        users.resolve_session(s, token, idle_minutes=30)
        assert not s.dirty  # read only: the time was written less than a minute ago
    assert first is not None
    shift(seeded, last_seen_at=timedelta(seconds=61))
    with seeded.session() as s:
        users.resolve_session(s, token, idle_minutes=30)
    with seeded.session() as s:
        seen = s.scalars(select(LoginSession.last_seen_at)).one()
    assert seen is not None and users._aware(seen) > utcnow() - timedelta(seconds=30)


def test_an_administrator_waits_for_the_enrolment_and_can_do_nothing_else(
    seeded: OpStore,
) -> None:
    token = start(seeded, "qt.moi")
    with seeded.session() as s:
        row = s.scalars(select(LoginSession)).one()
        assert row.needs_second_factor
        assert users._aware(row.expires_at) - users._aware(row.created_at) == timedelta(
            minutes=users.PENDING_MINUTES
        )
    with pytest.raises(users.SecondFactorRequiredError, match="enrol"), seeded.session() as s:
        users.resolve_session(s, token)
    with seeded.session() as s:
        state = users.login_state(s, token)
    assert state.waiting == "enrol" and state.username == "qt.moi"


def test_giving_the_second_factor_rotates_the_token(seeded: OpStore) -> None:
    with seeded.session() as s:
        s.scalar(select(User).where(User.username == "sonv.hue")).totp_confirmed_at = utcnow()
    token = start(seeded)
    with pytest.raises(users.SecondFactorRequiredError, match="code"), seeded.session() as s:
        users.resolve_session(s, token)
    with seeded.session() as s:
        state = users.login_state(s, token)
        assert state.waiting == "totp"
        new = users.complete_second_factor(s, users.session_row(s, state.session_id), 12, None)
    with seeded.session() as s:
        assert users.resolve_session(s, new).username == "sonv.hue"
        row = s.scalars(select(LoginSession)).one()
        assert row.second_factor_at is not None and not row.needs_second_factor
        assert users._aware(row.expires_at) - users._aware(row.created_at) == timedelta(hours=12)
    with pytest.raises(NotAuthenticatedError), seeded.session() as s:
        users.resolve_session(s, token)  # the token that only knew the password is gone


def test_sessions_are_listed_and_revoked_by_their_owner_only(seeded: OpStore) -> None:
    mine, other = start(seeded), start(seeded, "phan.tich")
    with seeded.session() as s:
        me = users.principal_of(users.get_user(s, "sonv.hue"))
        listed = users.live_sessions(s, me.user_id)
        assert len(listed) == 1
        theirs = users.live_sessions(s, users.get_user(s, "phan.tich").id)[0].id
        with pytest.raises(NotFoundError, match="among yours"):
            users.revoke_session(s, me, theirs)
        users.revoke_session(s, me, listed[0].id)
    with pytest.raises(NotAuthenticatedError), seeded.session() as s:
        users.resolve_session(s, mine)
    with seeded.session() as s:
        assert users.resolve_session(s, other).username == "phan.tich"
        actions = s.scalars(select(AuditEvent.action)).all()
    assert "session.revoke" in actions


def test_a_password_change_needs_the_current_one_and_ends_the_other_sessions(
    seeded: OpStore,
) -> None:
    kept, other = start(seeded), start(seeded)
    with seeded.session() as s:
        user = users.get_user(s, "sonv.hue")
        keep = users.login_state(s, kept).session_id
    wrong = pytest.raises(InvalidInputError, match="current password is not right")
    with wrong, seeded.session() as s:
        users.change_password(s, user.id, "wrong", NEW_PASSWORD, keep_session_id=keep, client=None)
    with pytest.raises(InvalidInputError, match="at least 12"), seeded.session() as s:
        users.change_password(s, user.id, PASSWORD, "short", keep_session_id=keep, client=None)
    with seeded.session() as s:
        ended = users.change_password(
            s, user.id, PASSWORD, NEW_PASSWORD, keep_session_id=keep, client=None
        )
    assert ended == 1
    with seeded.session() as s:
        assert users.resolve_session(s, kept).username == "sonv.hue"
        changes = s.scalars(select(AuditEvent).where(AuditEvent.action == "password.change"))
        assert [e.outcome for e in changes] == ["failed", "ok"]
        assert users.get_user(s, "sonv.hue").password_changed_at is not None
    with pytest.raises(NotAuthenticatedError), seeded.session() as s:
        users.resolve_session(s, other)
    with seeded.session() as s:
        users.authenticate(s, "sonv.hue", NEW_PASSWORD, None)


def test_another_process_disabling_a_user_applies_within_the_cache_time(
    seeded: OpStore, tmp_path: Path
) -> None:
    """A server keeps a resolved session for ``ttl_s``; a user disabled by another process
    (``ioc users disable``) is refused as soon as that time has passed."""
    token = start(seeded)
    now = [1000.0]
    cache = PrincipalCache(ttl_s=2.0, clock=lambda: now[0])
    with seeded.session() as s:
        cache.put(token, users.resolve_session(s, token))
    done = subprocess.run(
        [sys.executable, "-m", "noivu_ioc.cli", "users", "disable", "sonv.hue"],
        env={**os.environ, "IOC_DATABASE_URL": seeded.url, "IOC_DATA_DIR": str(tmp_path)},
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0, done.stderr
    now[0] += 1.9
    assert cache.get(token) is not None  # this process has not heard of it yet
    now[0] += 0.1
    assert cache.get(token) is None  # past the cache time: looked up again...
    with pytest.raises(NotAuthenticatedError), seeded.session() as s:
        users.resolve_session(s, token)  # ...and refused
