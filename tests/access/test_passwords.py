"""The password policy: length, not composition; guessable and common passwords refused with
the reason and the fix."""

import pytest

from noivu_ioc.access.passwords import (
    COMMON_VIETNAMESE,
    MAX_LENGTH,
    MIN_LENGTH,
    check_strength,
    hash_password,
    verify_password,
)
from noivu_ioc.demo import DEMO_PASSWORD
from noivu_ioc.errors import InvalidInputError


@pytest.mark.parametrize(
    "password",
    [
        DEMO_PASSWORD,
        "hoa-ban-tren-doi-moc-chau",
        "Bình minh trên sông Hồng",  # Vietnamese letters and spaces are characters like others
        "correct horse battery staple",
        "x" * 3 + "k7#Qm2!vZp9@",  # no rule about classes of characters either way
    ],
)
def test_long_unguessable_passwords_are_accepted(password: str) -> None:
    check_strength(password, username="sonv.hue", full_name="Tôn Nữ Thu Hà")


def test_length_is_counted_in_characters_and_bounded() -> None:
    with pytest.raises(InvalidInputError, match=f"has 11 characters; use at least {MIN_LENGTH}"):
        check_strength("Zq8!mK2#pL4", username="a")
    with pytest.raises(InvalidInputError, match=f"use at most {MAX_LENGTH}"):
        check_strength("hoa-ban-" * 40)
    # Twelve characters with diacritics pass the length check (and this phrase the rest).
    check_strength("Đà Lạt mộng mơ", username="x.y")


@pytest.mark.parametrize(
    "password",
    [
        "matkhau123456",
        "Mật khẩu 2026!!",  # diacritics, case and signs do not hide a common word
        "anhyeuem@2026",
        "123456a@123456a@",
        "quantri-quantri",
        "noivu-ioc-2026!",  # the system's own words
        "demo-ioc-2026",  # the demo's former password
        "Password123456",
    ],
)
def test_common_and_system_passwords_are_refused(password: str) -> None:
    with pytest.raises(InvalidInputError, match=r"too easy to guess|common password"):
        check_strength(password, username="lanhdao", full_name="Nguyễn Thị Thanh Hương")


def test_the_users_own_name_and_username_are_refused() -> None:
    with pytest.raises(InvalidInputError, match="your own name"):
        check_strength("sonv.hue-sonv.hue", username="sonv.hue", full_name="Tôn Nữ Thu Hà")
    with pytest.raises(InvalidInputError, match="your own name"):
        check_strength("Tôn Nữ Thu Hà 1980", username="sonv.hue", full_name="Tôn Nữ Thu Hà")
    # The same phrase is fine for someone else.
    check_strength("Tôn Nữ Thu Hà 1980", username="lanhdao", full_name="Nguyễn Thị Hương")


def test_a_guessable_pattern_is_refused_with_the_fix() -> None:
    with pytest.raises(InvalidInputError) as caught:
        check_strength("aaaaaaaaaaaaaaaa", username="x.y")
    assert "too easy to guess" in caught.value.message
    assert "word" in caught.value.message  # the fix: more (uncommon) words


def test_the_vietnamese_list_is_written_as_it_is_compared() -> None:
    assert all(w == w.lower() and w.isalnum() and w.isascii() for w in COMMON_VIETNAMESE)
    assert {"matkhau", "anhyeuem", "123456a"} <= COMMON_VIETNAMESE


def test_hashing_keeps_older_passwords_verifiable() -> None:
    # The policy applies where a password is chosen; a rehash at login must not refuse one.
    digest = hash_password("short-old")
    assert digest.startswith("$argon2id$") and verify_password(digest, "short-old")
    assert not verify_password(digest, "short-ol")
    assert not verify_password(None, "short-old")
