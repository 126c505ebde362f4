"""Password hashing with Argon2id (argon2-cffi, RFC 9106 parameters by default)."""

from __future__ import annotations

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

from noivu_ioc.errors import InvalidInputError

MIN_LENGTH = 8

_hasher = PasswordHasher()

# Verified when a username is unknown, so that a wrong username costs the same time as a
# wrong password and cannot be told apart by timing.
_DUMMY_HASH = _hasher.hash("no user has this password")


def check_strength(password: str) -> None:
    if len(password) < MIN_LENGTH:
        raise InvalidInputError(
            f"the password has {len(password)} characters; use at least {MIN_LENGTH}"
        )


def hash_password(password: str) -> str:
    check_strength(password)
    return _hasher.hash(password)


def verify_password(password_hash: str | None, password: str) -> bool:
    try:
        return _hasher.verify(password_hash or _DUMMY_HASH, password) and bool(password_hash)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


def needs_rehash(password_hash: str) -> bool:
    return _hasher.check_needs_rehash(password_hash)
