"""Failed logins counted per username and per address; lock-outs that grow; one answer to
every refusal; the audit knows why."""

from datetime import timedelta

import pytest
from sqlalchemy import select

from noivu_ioc.access import throttle, users
from noivu_ioc.access.throttle import ThrottlePolicy
from noivu_ioc.errors import NotAuthenticatedError
from noivu_ioc.store import OpStore
from noivu_ioc.store.models import AuditEvent, LoginThrottle, utcnow
from tests.access.conftest import SeedUsers

PASSWORD = "hoa-ban-tren-doi-moc-chau"
POLICY = ThrottlePolicy(
    user_failures=3,
    address_failures=5,
    window=timedelta(minutes=15),
    lock=timedelta(minutes=10),
    max_lock=timedelta(minutes=35),
)


@pytest.fixture
def seeded(seed_users: SeedUsers) -> OpStore:
    store = seed_users(
        PASSWORD,
        [
            ("sonv.hue", "Tôn Nữ Thu Hà", "provincial_officer", "SNV.46"),
            ("cu.nghi", "Lê Văn Nghỉ", "analyst", "BNV"),
        ],
    )
    with store.session() as s:
        users.disable_user(s, "cu.nghi")
    return store


def attempt(store: OpStore, username: str, password: str, client: str = "10.1.1.1") -> str:
    """The message of a refused login, or "ok"."""
    try:
        with store.session() as s:
            users.authenticate(s, username, password, client, policy=POLICY)
    except NotAuthenticatedError as exc:
        return exc.message
    return "ok"


def row(store: OpStore, key: str) -> LoginThrottle | None:
    with store.session() as s:
        return s.get(LoginThrottle, key)


def test_a_username_locks_after_its_failures_and_the_right_password_then_fails(
    seeded: OpStore,
) -> None:
    for _ in range(POLICY.user_failures):
        assert attempt(seeded, "sonv.hue", "wrong-password") == users.LOGIN_REFUSED
    locked = row(seeded, "user:sonv.hue")
    assert locked is not None and locked.failures == 3 and locked.locked_until is not None
    # Locked: the right password is refused with the same words, and not counted.
    assert attempt(seeded, "sonv.hue", PASSWORD) == users.LOGIN_REFUSED
    again = row(seeded, "user:sonv.hue")
    assert again is not None and again.failures == 3
    with seeded.session() as s:
        reasons = [
            (e.detail or {}).get("reason")
            for e in s.scalars(select(AuditEvent).where(AuditEvent.action == "login"))
        ]
        locks = s.scalars(select(AuditEvent).where(AuditEvent.action == "login.lock")).all()
    assert reasons == ["wrong password"] * 3 + ["locked"]
    assert [(e.target, (e.detail or {})["minutes"]) for e in locks] == [("user:sonv.hue", 10)]


def test_every_refusal_says_the_same_and_verifies_one_hash(
    seeded: OpStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    verified: list[bool] = []
    real = users.verify_password

    def counting(password_hash: str | None, password: str) -> bool:
        verified.append(password_hash is not None)
        return real(password_hash, password)

    monkeypatch.setattr(users, "verify_password", counting)
    for _ in range(POLICY.user_failures):
        attempt(seeded, "sonv.hue", "wrong-password", client="10.9.9.9")
    verified.clear()
    answers = {
        "unknown": attempt(seeded, "khong.co.ai", PASSWORD, client="10.2.2.2"),
        "wrong": attempt(seeded, "dulieu.x", "wrong-password", client="10.2.2.3"),
        "disabled": attempt(seeded, "cu.nghi", PASSWORD, client="10.2.2.4"),
        "locked": attempt(seeded, "sonv.hue", PASSWORD, client="10.2.2.5"),
    }
    assert set(answers.values()) == {users.LOGIN_REFUSED}
    # One Argon2 verification each: against the dummy hash when there is no account.
    assert verified == [False, False, True, True]


def test_unknown_usernames_are_counted_and_locked_like_real_ones(seeded: OpStore) -> None:
    for _ in range(POLICY.user_failures):
        attempt(seeded, "Khong.Co.Ai", "x", client=f"10.3.3.{_}")
    found = row(seeded, "user:khong.co.ai")
    assert found is not None and found.locked_until is not None


def test_locks_grow_with_repeats_up_to_the_maximum(seeded: OpStore) -> None:
    key = throttle.user_key("sonv.hue")
    now = utcnow()
    lengths = []
    at = now
    with seeded.session() as s:
        for _repeat in range(4):
            for _ in range(POLICY.user_failures - 1):
                assert throttle.record_failure(s, key, POLICY.user_failures, POLICY, at) is None
            lock = throttle.record_failure(s, key, POLICY.user_failures, POLICY, at)
            assert lock is not None
            lengths.append(lock.until - at)
            at = lock.until + timedelta(minutes=5)  # tried again soon after the lock ended
    assert lengths == [timedelta(minutes=m) for m in (10, 20, 35, 35)]


def test_a_lock_is_forgotten_after_a_quiet_window(seeded: OpStore) -> None:
    key = throttle.user_key("sonv.hue")
    now = utcnow()
    with seeded.session() as s:
        for _ in range(3):
            lock = throttle.record_failure(s, key, 3, POLICY, now)
        assert lock is not None
        quiet = lock.until + POLICY.window + timedelta(seconds=1)
        for _ in range(2):
            throttle.record_failure(s, key, 3, POLICY, quiet)
        again = throttle.record_failure(s, key, 3, POLICY, quiet)
    assert again is not None and again.until - quiet == POLICY.lock  # back to the first length


def test_failures_are_forgotten_after_a_quiet_window(seeded: OpStore) -> None:
    key = throttle.user_key("sonv.hue")
    now = utcnow()
    with seeded.session() as s:
        throttle.record_failure(s, key, 3, POLICY, now)
        throttle.record_failure(s, key, 3, POLICY, now)
        later = now + POLICY.window + timedelta(seconds=1)
        assert throttle.record_failure(s, key, 3, POLICY, later) is None
        found = s.get(LoginThrottle, key)
        assert found is not None and found.failures == 1


def test_success_resets_the_username_but_not_the_address(seeded: OpStore) -> None:
    attempt(seeded, "sonv.hue", "wrong-password")
    attempt(seeded, "sonv.hue", "wrong-password")
    assert attempt(seeded, "sonv.hue", PASSWORD) == "ok"
    assert row(seeded, "user:sonv.hue") is None
    address = row(seeded, "ip:10.1.1.1")
    assert address is not None and address.failures == 2


def test_an_address_spraying_many_usernames_is_locked(seeded: OpStore) -> None:
    for i in range(POLICY.address_failures):
        attempt(seeded, f"nguoi.{i}", "mat-khau-doan", client="10.7.7.7")
    locked = row(seeded, "ip:10.7.7.7")
    assert locked is not None and locked.locked_until is not None
    # Even a real account with its right password is refused from that address...
    assert attempt(seeded, "sonv.hue", PASSWORD, client="10.7.7.7") == users.LOGIN_REFUSED
    # ...and logs in from another one.
    assert attempt(seeded, "sonv.hue", PASSWORD, client="10.7.7.8") == "ok"


def test_two_sessions_counting_one_key_lose_no_failure(seeded: OpStore) -> None:
    key = throttle.user_key("sonv.hue")
    now = utcnow()
    # The first failure of a key creates its row; a second transaction must find and add to it.
    with seeded.session() as s:
        throttle.record_failure(s, key, 10, POLICY, now)
    with seeded.session() as s:
        throttle.record_failure(s, key, 10, POLICY, now)
    found = row(seeded, key)
    assert found is not None and found.failures == 2
