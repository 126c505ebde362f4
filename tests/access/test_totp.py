"""The second factor: enrolment confirmed by a first code, the secret encrypted, each code
used once, drift of one step either way, reset."""

from datetime import timedelta

import pyotp
import pytest
from cryptography.fernet import Fernet

from noivu_ioc.access import totp, users
from noivu_ioc.errors import ConflictError, InvalidInputError
from noivu_ioc.store import OpStore
from noivu_ioc.store.models import LoginSession, User, utcnow
from noivu_ioc.store.secrets import SecretBox
from noivu_ioc.units.org import seed_org_units

PASSWORD = "hoa-ban-tren-doi-moc-chau"
ISSUER = "IOC Bộ Nội vụ"


@pytest.fixture
def box() -> SecretBox:
    return SecretBox(Fernet.generate_key())


@pytest.fixture
def seeded(store: OpStore) -> OpStore:
    with store.session() as s:
        seed_org_units(s)
        users.create_user(
            s,
            username="qt.moi",
            full_name="Quản Trị Mới",
            password=PASSWORD,
            roles=["administrator"],
            units=["BNV"],
        )
    return store


def user_of(session: object, name: str = "qt.moi") -> User:
    return users.get_user(session, name)  # type: ignore[arg-type]


def test_enrolment_keeps_the_secret_encrypted_until_confirmed(
    seeded: OpStore, box: SecretBox
) -> None:
    with seeded.session() as s:
        first = totp.begin(s, user_of(s), box, ISSUER)
    with seeded.session() as s:
        again = totp.begin(s, user_of(s), box, ISSUER)  # a reloaded page shows the same one
        stored = user_of(s).totp_secret
        assert user_of(s).totp_confirmed_at is None
    assert again.secret == first.secret and len(first.secret) == 32
    assert stored is not None and first.secret not in stored
    assert first.uri.startswith("otpauth://totp/") and "issuer=IOC" in first.uri
    assert first.qr_svg.startswith("<svg") and "<script" not in first.qr_svg
    assert first.grouped_secret.replace(" ", "") == first.secret


def test_confirmation_needs_the_current_code(seeded: OpStore, box: SecretBox) -> None:
    with seeded.session() as s:
        secret = totp.begin(s, user_of(s), box, ISSUER).secret
    with pytest.raises(InvalidInputError, match="not the one the app shows"), seeded.session() as s:
        totp.confirm(s, user_of(s), box, "000000" if pyotp.TOTP(secret).now() != "000000" else "1")
    with seeded.session() as s:
        totp.confirm(s, user_of(s), box, pyotp.TOTP(secret).now())
        assert user_of(s).totp_confirmed_at is not None
    with pytest.raises(ConflictError, match="already has a second factor"), seeded.session() as s:
        totp.begin(s, user_of(s), box, ISSUER)


def enrolled(store: OpStore, box: SecretBox) -> str:
    with store.session() as s:
        secret = totp.begin(s, user_of(s), box, ISSUER).secret
    earlier = utcnow() - timedelta(minutes=5)  # confirmed a while ago, with that step's code
    with store.session() as s:
        code = pyotp.TOTP(secret).at(earlier)
        totp.confirm(s, user_of(s), box, code, now=earlier)
    return secret


def test_a_code_is_accepted_once(seeded: OpStore, box: SecretBox) -> None:
    secret = enrolled(seeded, box)
    code = pyotp.TOTP(secret).now()
    with seeded.session() as s:
        assert totp.verify(s, user_of(s), box, code)
    with seeded.session() as s:
        assert not totp.verify(s, user_of(s), box, code)  # replayed


def test_one_step_of_drift_either_way_and_no_more(seeded: OpStore, box: SecretBox) -> None:
    secret = enrolled(seeded, box)
    now = utcnow()
    generator = pyotp.TOTP(secret)
    with seeded.session() as s:
        assert not totp.verify(s, user_of(s), box, generator.at(now - timedelta(seconds=65)), now)
        assert totp.verify(s, user_of(s), box, generator.at(now - timedelta(seconds=30)), now)
        # A later step is still fine, an earlier one than the last used is not.
        assert totp.verify(s, user_of(s), box, generator.at(now + timedelta(seconds=30)), now)
        assert not totp.verify(s, user_of(s), box, generator.at(now), now)


@pytest.mark.parametrize("code", ["", "12345", "1234567", "abcdef", "12 34 5x"])
def test_malformed_codes_are_refused(seeded: OpStore, box: SecretBox, code: str) -> None:
    enrolled(seeded, box)
    with seeded.session() as s:
        assert not totp.verify(s, user_of(s), box, code)


def test_spaces_in_a_code_are_forgiven(seeded: OpStore, box: SecretBox) -> None:
    secret = enrolled(seeded, box)
    code = pyotp.TOTP(secret).now()
    with seeded.session() as s:
        assert totp.verify(s, user_of(s), box, f" {code[:3]} {code[3:]} ")


def test_reset_removes_the_factor_and_ends_the_sessions(seeded: OpStore, box: SecretBox) -> None:
    secret = enrolled(seeded, box)
    with seeded.session() as s:
        token = users.start_session(s, user_of(s), 1, None, None, second_factor=False)
    with seeded.session() as s:
        assert totp.reset(s, None, user_of(s), None) == 1
        assert user_of(s).totp_secret is None and user_of(s).totp_confirmed_at is None
        assert s.query(LoginSession).one().revoked_at is not None
    with seeded.session() as s:
        assert not totp.verify(s, user_of(s), box, pyotp.TOTP(secret).now())
    with pytest.raises(users.NotAuthenticatedError), seeded.session() as s:
        users.resolve_session(s, token)
