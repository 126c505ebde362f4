"""Accounts: argon2 hashes, roles, scopes, sessions and their audit."""

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from noivu_ioc.access import users
from noivu_ioc.access.roles import Permission, Role
from noivu_ioc.errors import (
    ConflictError,
    InvalidInputError,
    NotAuthenticatedError,
    NotFoundError,
)
from noivu_ioc.store import OpStore
from noivu_ioc.store.models import AuditEvent, LoginSession, User
from noivu_ioc.units.org import seed_org_units

PASSWORD = "mật-khẩu-dài-của-thu-hà"


@pytest.fixture
def seeded(store: OpStore) -> OpStore:
    with store.session() as s:
        seed_org_units(s)
    return store


def make_officer(store: OpStore, username: str = "sonv.hue", unit: str = "SNV.46") -> None:
    with store.session() as s:
        users.create_user(s, username=username, full_name="Tôn Nữ Thu Hà",
                          password=PASSWORD, roles=["provincial_officer"], units=[unit])


def test_password_is_stored_as_argon2id(seeded: OpStore) -> None:
    make_officer(seeded)
    with seeded.session() as s:
        user = users.get_user(s, "sonv.hue")
        assert user.password_hash.startswith("$argon2id$")
        assert PASSWORD not in user.password_hash


def test_principal_carries_roles_and_scope(seeded: OpStore) -> None:
    make_officer(seeded)
    with seeded.session() as s:
        principal = users.principal_of(users.authenticate(s, "sonv.hue", PASSWORD, None))
    assert principal.roles == {Role.PROVINCIAL_OFFICER}
    assert principal.scope.provinces == {"46"} and not principal.scope.national
    assert principal.can(Permission.VIEW_SITUATION)
    assert not principal.can(Permission.MANAGE_USERS)


def test_wrong_password_fails_and_is_audited(seeded: OpStore) -> None:
    make_officer(seeded)
    with pytest.raises(NotAuthenticatedError), seeded.session() as s:
        users.authenticate(s, "sonv.hue", "wrong-password", "10.0.0.9")
    with seeded.session() as s:
        events = s.scalars(select(AuditEvent).where(AuditEvent.action == "login")).all()
    # the failed attempt was written even though authenticate raised inside the session
    assert [(e.username, e.outcome) for e in events] == [("sonv.hue", "failed")]


def test_nothing_half_created_when_scope_is_invalid(seeded: OpStore) -> None:
    with pytest.raises(InvalidInputError, match="one province"), seeded.session() as s:
        users.create_user(s, username="x", full_name="X", password="cay-gao-do-ven-song",
                          roles=["provincial_officer"], units=["SNV.01", "SNV.79"])
    with pytest.raises(NotFoundError), seeded.session() as s:
        users.create_user(s, username="y", full_name="Y", password="cay-gao-do-ven-song",
                          roles=["analyst"], units=["SNV.01", "SNV.404"])
    with seeded.session() as s:
        assert s.scalars(select(User)).all() == []


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"roles": ["chief"]}, "'chief' is not a role"),
        ({"roles": []}, "at least one role"),
        ({"units": []}, "needs a scope"),
        ({"password": "short"}, "at least 12"),
        ({"password": "matkhau-123456"}, "common password"),
        ({"username": "bad name!"}, "is not valid"),
    ],
)
def test_invalid_accounts_are_refused_with_the_fix(
    seeded: OpStore, kwargs: dict[str, object], message: str
) -> None:
    fields: dict[str, object] = {"username": "a.b", "full_name": "A B",
                                 "password": "cay-gao-do-ven-song", "roles": ["analyst"],
                                 "units": ["BNV"]} | kwargs
    with pytest.raises(InvalidInputError, match=message), seeded.session() as s:
        users.create_user(s, **fields)  # type: ignore[arg-type]


def test_duplicate_username_is_a_conflict(seeded: OpStore) -> None:
    make_officer(seeded)
    with pytest.raises(ConflictError, match="already exists"):
        make_officer(seeded)


def test_session_lifecycle_and_disable(seeded: OpStore) -> None:
    make_officer(seeded)
    with seeded.session() as s:
        user = users.get_user(s, "sonv.hue")
        token = users.start_session(s, user, 1, "pytest", None)
    with seeded.session() as s:
        assert users.resolve_session(s, token).username == "sonv.hue"
        stored = s.scalars(select(LoginSession.token_hash)).all()
        assert token not in stored  # only the hash is kept
    with seeded.session() as s:
        users.disable_user(s, "sonv.hue")
    with pytest.raises(NotAuthenticatedError), seeded.session() as s:
        users.resolve_session(s, token)
    with pytest.raises(NotAuthenticatedError), seeded.session() as s:
        users.authenticate(s, "sonv.hue", PASSWORD, None)


def test_expired_and_forged_sessions_are_refused(seeded: OpStore) -> None:
    make_officer(seeded)
    with seeded.session() as s:
        token = users.start_session(s, users.get_user(s, "sonv.hue"), 1, None, None)
        row = s.scalars(select(LoginSession)).one()
        row.expires_at = datetime.now(UTC) - timedelta(seconds=1)
    for candidate in (token, "forged-token", "", "x" * 500):
        with pytest.raises(NotAuthenticatedError), seeded.session() as s:
            users.resolve_session(s, candidate)
